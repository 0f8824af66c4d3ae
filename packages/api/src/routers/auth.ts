import { type FirstFactor, GatehouseError, type MfaRequired, toPublicUser } from '@gatehouse/core';
import type { UserRecord } from '@gatehouse/db';
import type { GatehouseContext } from '../context.js';
import { authedProcedure, limitPerAddress, publicProcedure } from '../procedures.js';
import { clearRefreshCookie, refreshTokenFromCookie } from '../refresh-cookie.js';
import {
  emailAddressInput,
  emailTokenInput,
  loginInput,
  mfaVerifyInput,
  optionalRefreshInput,
  reauthenticateInput,
  registerInput,
  resetPasswordInput,
  signInWithLinkInput,
} from '../schemas.js';
import { cookieMode, deliver, type TokenPairOutput } from '../token-delivery.js';
import { router } from '../trpc.js';
import { deviceAuthRouter } from './device.js';
import { authPasskeyRouter } from './passkeys.js';

export { cookieMode, deliver, type TokenPairOutput } from '../token-delivery.js';

/**
 * After a right first factor: the token pair, or, when the account has a second factor, a
 * pending sign-in (`{mfaRequired, mfaToken, methods}`) that auth.mfa.verify finishes.
 */
export async function signInOrChallenge(
  ctx: GatehouseContext,
  user: UserRecord,
  firstFactor: FirstFactor,
  inCookie: boolean,
): Promise<TokenPairOutput | MfaRequired> {
  const challenge = await ctx.services.mfa.beginSignIn(user, firstFactor, ctx.client);
  if (challenge) return challenge;
  return deliver(ctx, await ctx.services.sessions.open(user, ctx.client), inCookie);
}

/** A cookie whose session was refused is useless; drop it so the browser stops sending it. */
async function withCookieCleanup<T>(ctx: GatehouseContext, cookieMode: boolean, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (cookieMode && error instanceof GatehouseError && error.kind === 'UNAUTHORIZED') clearRefreshCookie(ctx.http);
    throw error;
  }
}

export const authRouter = router({
  /** Creates a plain user. Any role in the input is ignored. */
  register: publicProcedure
    .use(limitPerAddress('register'))
    .input(registerInput)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.accounts.register(input);
      // Queued in the outbox; the account exists even if this fails (the user can ask again).
      await ctx.services.email.afterRegistration(user, ctx.client);
      return toPublicUser(user);
    }),

  /** Limited per address and per account (see PasswordSignIn); every attempt is audited. */
  // With a second factor on the account, answers {mfaRequired, mfaToken, methods} instead of tokens.
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }): Promise<TokenPairOutput | MfaRequired> => {
    const inCookie = cookieMode(ctx, input.refreshCookie);
    const user = await ctx.services.signIn.signIn(input.username, input.password, ctx.client);
    return signInOrChallenge(ctx, user, 'password', inCookie);
  }),

  mfa: router({
    /**
     * Finishes a sign-in that answered mfaRequired with a TOTP or backup code. A wrong code
     * leaves the mfaToken usable (five end it); limited per address and per account.
     */
    verify: publicProcedure
      .use(limitPerAddress('login'))
      .input(mfaVerifyInput)
      .mutation(async ({ ctx, input }): Promise<TokenPairOutput> => {
        const inCookie = cookieMode(ctx, input.refreshCookie);
        const user = await ctx.services.mfa.verifySignIn(input.mfaToken, input.code, ctx.client);
        return deliver(ctx, await ctx.services.sessions.open(user, ctx.client), inCookie);
      }),
  }),

  /**
   * Renews this session's recent authentication (step-up) with the password, or a code when
   * the account has an authenticator app.
   */
  reauthenticate: authedProcedure
    .use(limitPerAddress('login'))
    .input(reauthenticateInput)
    .mutation(async ({ ctx, input }) => {
      return ctx.services.stepUp.reauthenticate(ctx.user, ctx.sessionId, input, ctx.client);
    }),

  /** Rotates the refresh token from the input, or from the cookie when the input has none. */
  refresh: publicProcedure
    .use(limitPerAddress('refresh'))
    .input(optionalRefreshInput)
    .mutation(async ({ ctx, input }): Promise<TokenPairOutput> => {
      const cookieMode = !input.refreshToken;
      const token = input.refreshToken ?? refreshTokenFromCookie(ctx.http);
      return withCookieCleanup(ctx, cookieMode, async () =>
        deliver(ctx, await ctx.services.sessions.refresh(token, ctx.client), cookieMode),
      );
    }),

  /** Which email flows this server offers (for sign-in pages: "Forgot password?", sign-in links). */
  emailOptions: publicProcedure.query(({ ctx }) => ctx.services.email.publicOptions()),

  /**
   * Mails a new verification link to an unverified account with this address, for users who
   * cannot sign in yet (EMAIL_VERIFICATION=required); `{ok: true}` either way, in the same time.
   */
  requestEmailVerification: publicProcedure.input(emailAddressInput).mutation(async ({ ctx, input }) => {
    return ctx.services.email.requestVerificationByEmail(input.email, ctx.client);
  }),

  /** Follows a verification link: marks the address verified. */
  // Links are 256-bit secrets; the limit keeps a flood of guesses from costing the database.
  verifyEmail: publicProcedure
    .use(limitPerAddress('refresh'))
    .input(emailTokenInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.email.verifyEmail(input.token, ctx.client);
      return { ok: true as const };
    }),

  /** Mails a reset link if an account has this address; `{ok: true}` either way, in the same time. */
  requestPasswordReset: publicProcedure.input(emailAddressInput).mutation(async ({ ctx, input }) => {
    return ctx.services.email.requestPasswordReset(input.email, ctx.client);
  }),

  /** Sets the password from a reset link; ends every session. The caller signs in afresh. */
  resetPassword: publicProcedure
    .use(limitPerAddress('login'))
    .input(resetPasswordInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.email.resetPassword(input.token, input.newPassword, ctx.client);
      return { ok: true as const };
    }),

  /** Follows the link sent to a new address: the account moves to it. */
  confirmEmailChange: publicProcedure
    .use(limitPerAddress('refresh'))
    .input(emailTokenInput)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.email.confirmEmailChange(input.token, ctx.client);
      return { ok: true as const, email: user.email };
    }),

  /** Mails a sign-in link if an account has this address; `{ok: true}` either way, in the same time. */
  requestSignInLink: publicProcedure.input(emailAddressInput).mutation(async ({ ctx, input }) => {
    return ctx.services.email.requestSignInLink(input.email, ctx.client);
  }),

  /** Signs in with a mailed link, like auth.login. */
  signInWithLink: publicProcedure
    .use(limitPerAddress('login'))
    .input(signInWithLinkInput)
    .mutation(async ({ ctx, input }): Promise<TokenPairOutput | MfaRequired> => {
      const inCookie = cookieMode(ctx, input.refreshCookie);
      const user = await ctx.services.email.signInWithLink(input.token, ctx.client);
      return signInOrChallenge(ctx, user, 'sign_in_link', inCookie);
    }),

  logout: publicProcedure.input(optionalRefreshInput).mutation(async ({ ctx, input }) => {
    const cookieMode = !input.refreshToken;
    await ctx.services.sessions.close(input.refreshToken ?? refreshTokenFromCookie(ctx.http), ctx.client);
    if (cookieMode) clearRefreshCookie(ctx.http);
    return { ok: true as const };
  }),

  /** Device sign-in (RFC 8628): start and poll. */
  device: deviceAuthRouter,
  /** Sign-in with a passkey. */
  passkey: authPasskeyRouter,
});
