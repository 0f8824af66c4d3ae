import { toPublicUser } from '@gatehouse/core';
import { authedProcedure } from '../procedures.js';
import { changePasswordInput, sessionIdInput, updateProfileInput } from '../schemas.js';
import { router } from '../trpc.js';

export const userRouter = router({
  me: authedProcedure.query(({ ctx }) => toPublicUser(ctx.user)),

  update: authedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    return toPublicUser(await ctx.services.accounts.updateProfile(ctx.user.id, input));
  }),

  /** Ends every other session; this session's next call refreshes its access token. */
  changePassword: authedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    const { currentPassword, newPassword } = input;
    const ended = await ctx.services.accounts.changePassword(ctx.user.id, ctx.sessionId, currentPassword, newPassword);
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
    await ctx.services.sessions.revokeOwn(ctx.user.id, input.sessionId);
    return { ok: true as const };
  }),

  logoutAll: authedProcedure.mutation(async ({ ctx }) => {
    return { ok: true as const, sessionsEnded: await ctx.services.sessions.revokeAll(ctx.user.id) };
  }),
});
