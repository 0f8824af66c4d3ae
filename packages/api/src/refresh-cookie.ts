import { GatehouseError } from '@gatehouse/core';
import { serialize } from 'cookie';
import type { HttpExchange } from './context.js';

/**
 * Browsers keep the refresh token in an HttpOnly, SameSite=Strict cookie scoped to /trpc, so
 * page scripts (and any XSS) never see it. Only pages of trusted origins may spend it.
 */
export const REFRESH_COOKIE = 'gatehouse_refresh';
const COOKIE_PATH = '/trpc';

export function setRefreshCookie(http: HttpExchange, token: string, expiresAt: Date): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  const options = { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: http.secure, maxAge } as const;
  http.appendHeader('Set-Cookie', serialize(REFRESH_COOKIE, token, options));
}

export function clearRefreshCookie(http: HttpExchange): void {
  const options = { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: http.secure, maxAge: 0 } as const;
  http.appendHeader('Set-Cookie', serialize(REFRESH_COOKIE, '', options));
}

/** The refresh token from the cookie, refusing requests from pages of other origins. */
export function refreshTokenFromCookie(http: HttpExchange): string {
  if (!http.origin || !http.trustedOrigins.has(http.origin)) {
    throw new GatehouseError('FORBIDDEN', 'The refresh cookie can only be used by pages of this site');
  }
  const token = http.cookies()[REFRESH_COOKIE];
  if (!token) throw new GatehouseError('UNAUTHORIZED', 'No refresh token: send refreshToken or sign in again');
  return token;
}
