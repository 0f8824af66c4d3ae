import { toPublicUser } from '@gatehouse/core';
import { adminProcedure } from '../procedures.js';
import { listUsersInput, setActiveInput, setRoleInput, userIdInput } from '../schemas.js';
import { router } from '../trpc.js';

const usersRouter = router({
  list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
    const page = await ctx.services.administration.list({ ...input, cursor: input.cursor ?? undefined });
    return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
  }),

  setRole: adminProcedure.input(setRoleInput).mutation(async ({ ctx, input }) => {
    return toPublicUser(await ctx.services.administration.setRole(input.userId, input.role));
  }),

  /** Deactivating also ends the user's sessions. */
  setActive: adminProcedure.input(setActiveInput).mutation(async ({ ctx, input }) => {
    return toPublicUser(await ctx.services.administration.setActive(input.userId, input.active));
  }),

  delete: adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.administration.delete(ctx.user.id, input.userId);
    return { ok: true as const };
  }),
});

export const adminRouter = router({ users: usersRouter });
