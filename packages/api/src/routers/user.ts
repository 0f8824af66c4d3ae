import { toPublicUser } from '@gatehouse/core';
import { authedProcedure, limitPerAddress } from '../procedures.js';
import { changePasswordInput, sessionIdInput, updateProfileInput } from '../schemas.js';
import { router } from '../trpc.js';

export const userRouter = router({
  me: authedProcedure.query(({ ctx }) => toPublicUser(ctx.user)),

  update: authedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    return toPublicUser(await ctx.services.accounts.updateProfile(ctx.user.id, input));
  }),

  /** Ends every other session; this session's next call refreshes its access token. */
  changePassword: authedProcedure
    .use(limitPerAddress('passwordChange'))
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) => {
      // Per user too: a stolen access token used from many addresses is held to the same count.
      await ctx.services.rateLimits.hit('passwordChange', `user:${ctx.user.id}`);
      const { currentPassword, newPassword } = input;
      const { accounts } = ctx.services;
      const ended = await accounts.changePassword(ctx.user.id, ctx.sessionId, currentPassword, newPassword, ctx.client);
      return { ok: true as const, sessionsEnded: ended };
    }),

  sessions: authedProcedure.query(async ({ ctx }) => {
    const sessions = await ctx.services.sessions.list(ctx.user.id);
    return sessions.map((s) => ({
      id: s.id,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      current: s.id === ctx.sessionId,
    }));
  }),

  revokeSession: authedProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.sessions.revokeOwn(ctx.user.id, input.sessionId, ctx.client);
    return { ok: true as const };
  }),

  logoutAll: authedProcedure.mutation(async ({ ctx }) => {
    return { ok: true as const, sessionsEnded: await ctx.services.sessions.logoutAll(ctx.user.id, ctx.client) };
  }),
});
