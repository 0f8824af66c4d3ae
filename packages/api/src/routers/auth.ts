import { toPublicUser } from '@gatehouse/core';
import { publicProcedure } from '../procedures.js';
import { loginInput, refreshInput, registerInput } from '../schemas.js';
import { router } from '../trpc.js';

export const authRouter = router({
  /** Creates a plain user. Any role in the input is ignored. */
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    return toPublicUser(await ctx.services.accounts.register(input));
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const user = await ctx.services.accounts.authenticate(input.username, input.password);
    return (await ctx.services.sessions.open(user, ctx.client)).tokens;
  }),

  refresh: publicProcedure.input(refreshInput).mutation(async ({ ctx, input }) => {
    return (await ctx.services.sessions.refresh(input.refreshToken)).tokens;
  }),

  logout: publicProcedure.input(refreshInput).mutation(async ({ ctx, input }) => {
    await ctx.services.sessions.close(input.refreshToken);
    return { ok: true as const };
  }),
});
