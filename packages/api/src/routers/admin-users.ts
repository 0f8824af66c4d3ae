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

const NO_FACTORS = { totp: false, backupCodesLeft: 0, passkeys: 0 };

export const adminUsersRouter = router({
  list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
    const page = await ctx.services.administration.list({ ...input, cursor: input.cursor ?? undefined });
    const factors = await ctx.services.mfa.factorsOf(page.items.map((user) => user.id));
    const items = page.items.map((user) => ({ ...toPublicUser(user), mfa: factors.get(user.id) ?? NO_FACTORS }));
    return { items, nextCursor: page.nextCursor };
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

  /** Removes the user's authenticator app and backup codes (a lost device); audited, and the user is mailed. */
  resetMfa: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(userIdInput)
    .mutation(async ({ ctx, input }) => ctx.services.mfa.adminReset(actorOf(ctx), input.userId)),

  delete: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(userIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.administration.delete(actorOf(ctx), input.userId);
      return { ok: true as const };
    }),
});
