/** How a sign-in hands its token pair over: in the body, or with the refresh token in a cookie. */
import type { IssuedSession } from '@gatehouse/core';
import type { GatehouseContext } from './context.js';
import { assertTrustedOrigin, setRefreshCookie } from './refresh-cookie.js';

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
