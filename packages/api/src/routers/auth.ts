import { GatehouseError, type IssuedSession, toPublicUser } from '@gatehouse/core';
import type { GatehouseContext } from '../context.js';
import { limitPerAddress, publicProcedure } from '../procedures.js';
import {
  assertTrustedOrigin,
  clearRefreshCookie,
  refreshTokenFromCookie,
  setRefreshCookie,
} from '../refresh-cookie.js';
import { loginInput, optionalRefreshInput, registerInput } from '../schemas.js';
import { router } from '../trpc.js';

export interface TokenPairOutput {
  accessToken: string;
  /** Absent in cookie mode, where the refresh token travels only in an HttpOnly cookie. */
  refreshToken?: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** The pair for the body; in cookie mode the refresh token goes into the cookie instead. */
export function deliver(ctx: GatehouseContext, issued: IssuedSession, cookieMode: boolean): TokenPairOutput {
  if (!cookieMode) return issued.tokens;
  setRefreshCookie(ctx.http, issued.tokens.refreshToken, issued.sessionExpiresAt);
  const { refreshToken: _inCookie, ...rest } = issued.tokens;
  return rest;
}

/**
 * Whether a sign-in asked for cookie mode, checked before any work: only this site's pages may
 * have a session put into the browser's cookie (no login CSRF from other origins).
 */
export function cookieMode(ctx: GatehouseContext, requested: boolean | undefined): boolean {
  if (requested === true) assertTrustedOrigin(ctx.http);
  return requested === true;
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
      return toPublicUser(await ctx.services.accounts.register(input));
    }),

  /** Limited per address and per account (see PasswordSignIn); every attempt is audited. */
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }): Promise<TokenPairOutput> => {
    const inCookie = cookieMode(ctx, input.refreshCookie);
    const user = await ctx.services.signIn.signIn(input.username, input.password, ctx.client);
    return deliver(ctx, await ctx.services.sessions.open(user, ctx.client), inCookie);
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

  logout: publicProcedure.input(optionalRefreshInput).mutation(async ({ ctx, input }) => {
    const cookieMode = !input.refreshToken;
    await ctx.services.sessions.close(input.refreshToken ?? refreshTokenFromCookie(ctx.http), ctx.client);
    if (cookieMode) clearRefreshCookie(ctx.http);
    return { ok: true as const };
  }),
});
