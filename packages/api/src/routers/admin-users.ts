import { type Actor, toPublicUser } from '@gatehouse/core';
import type { UserRecord } from '@gatehouse/db';
import type { GatehouseContext } from '../context.js';
import { adminProcedure, limitPerUser } from '../procedures.js';
import { listUsersInput, setActiveInput, setRoleInput, userIdInput } from '../schemas.js';
import { router } from '../trpc.js';

/** The signed-in admin and where they call from, for the audit log. */
export function actorOf(ctx: GatehouseContext & { user: UserRecord }): Actor {
  return { userId: ctx.user.id, client: ctx.client };
}

export const adminUsersRouter = router({
  list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
    const page = await ctx.services.administration.list({ ...input, cursor: input.cursor ?? undefined });
    return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
  }),

  setRole: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(setRoleInput)
    .mutation(async ({ ctx, input }) => {
      return toPublicUser(await ctx.services.administration.setRole(actorOf(ctx), input.userId, input.role));
    }),

  /** Deactivating also ends the user's sessions. */
  setActive: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(setActiveInput)
    .mutation(async ({ ctx, input }) => {
      return toPublicUser(await ctx.services.administration.setActive(actorOf(ctx), input.userId, input.active));
    }),

  /** Mails the user a password-reset link (audited with the admin as actor). */
  sendPasswordReset: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(userIdInput)
    .mutation(async ({ ctx, input }) => {
      return ctx.services.email.sendPasswordResetAsAdmin(actorOf(ctx), input.userId);
    }),

  delete: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(userIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.administration.delete(actorOf(ctx), input.userId);
      return { ok: true as const };
    }),
});
