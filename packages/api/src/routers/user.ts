import { toPublicUser } from '@gatehouse/core';
import { ensureBrowserBinding } from '../oauth-cookie.js';
import { authedProcedure, limitPerAddress, limitPerUser, requireRecentAuth } from '../procedures.js';
import {
  changePasswordInput,
  linkedAccountIdInput,
  oauthStartInput,
  requestEmailChangeInput,
  sessionIdInput,
  setPasswordInput,
  updateProfileInput,
} from '../schemas.js';
import { router } from '../trpc.js';
import { deviceUserRouter } from './device.js';
import { userPasskeysRouter } from './passkeys.js';
import { userMfaRouter } from './user-mfa.js';

export const userRouter = router({
  me: authedProcedure.query(({ ctx }) => toPublicUser(ctx.user)),

  update: authedProcedure
    .use(limitPerUser('userWrites'))
    .input(updateProfileInput)
    .mutation(async ({ ctx, input }) => {
      return toPublicUser(await ctx.services.accounts.updateProfile(ctx.user.id, input));
    }),

  /** Mails a new verification link to the signed-in user's address (nothing when already verified). */
  requestEmailVerification: authedProcedure.mutation(async ({ ctx }) => {
    return ctx.services.email.requestVerification(ctx.user.id, ctx.client);
  }),

  /**
   * Mails a confirmation link to the new address and a notice to the current one; the address
   * changes in auth.confirmEmailChange. The same answer whether or not the new address is taken.
   */
  requestEmailChange: authedProcedure
    .use(requireRecentAuth)
    .input(requestEmailChangeInput)
    .mutation(async ({ ctx, input }) => {
      return ctx.services.email.requestEmailChange(ctx.user.id, input.newEmail, input.currentPassword, ctx.client);
    }),

  /** Ends every other session; this session's next call refreshes its access token. */
  changePassword: authedProcedure
    .use(requireRecentAuth)
    .use(limitPerAddress('passwordChange'))
    .use(limitPerUser('passwordChange'))
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) => {
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

  revokeSession: authedProcedure
    .use(limitPerUser('userWrites'))
    .input(sessionIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.sessions.revokeOwn(ctx.user.id, input.sessionId, ctx.client);
      return { ok: true as const };
    }),

  logoutAll: authedProcedure.use(limitPerUser('userWrites')).mutation(async ({ ctx }) => {
    return { ok: true as const, sessionsEnded: await ctx.services.sessions.logoutAll(ctx.user.id, ctx.client) };
  }),

  /** The provider identities this user can sign in with. */
  linkedAccounts: authedProcedure.query(({ ctx }) => ctx.services.oauth.linkedAccounts(ctx.user.id)),

  /** Starts linking another provider identity to this account; finishes in oauth.callback. */
  // Each call stores a pending sign-in, like oauth.start.
  linkAccount: authedProcedure
    .use(requireRecentAuth)
    .use(limitPerAddress('oauthStart'))
    .use(limitPerUser('userWrites'))
    .input(oauthStartInput)
    .mutation(async ({ ctx, input }) => {
      const browserSecret = ensureBrowserBinding(ctx.http);
      return ctx.services.oauth.start({ ...input, browserSecret, linkUserId: ctx.user.id });
    }),

  /** Refused when it would leave the account with no way to sign in. */
  unlinkAccount: authedProcedure
    .use(requireRecentAuth)
    .use(limitPerUser('userWrites'))
    .input(linkedAccountIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.oauth.unlink(ctx.user.id, input.id, ctx.client);
      return { ok: true as const };
    }),

  /** For accounts created through a provider: sets a first password, so password sign-in works. */
  setPassword: authedProcedure
    .use(requireRecentAuth)
    .use(limitPerAddress('passwordChange'))
    .use(limitPerUser('passwordChange'))
    .input(setPasswordInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.accounts.setPassword(ctx.user.id, input.password, ctx.client);
      return { ok: true as const };
    }),

  /** Approve or deny a device sign-in (RFC 8628) by the code the device shows. */
  device: deviceUserRouter,
  /** Passkeys: registration and management. */
  passkeys: userPasskeysRouter,
  mfa: userMfaRouter,
});
