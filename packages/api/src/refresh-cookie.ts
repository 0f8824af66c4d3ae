import { GatehouseError } from '@gatehouse/core';
import { serialize } from 'cookie';
import type { HttpExchange } from './context.js';

/**
 * Browsers keep the refresh token in an HttpOnly, SameSite=Strict cookie, so page scripts (and
 * any XSS) never see it. Only pages of trusted origins may obtain or spend it.
 *
 * Over https the cookie is `__Host-gatehouse_refresh` (Secure, Path=/, no Domain): browsers then
 * refuse it from plain-http pages and from sibling subdomains, so it cannot be planted or
 * overwritten (cookie tossing). The prefix demands Path=/. Over plain http (development) it is
 * `gatehouse_refresh`, scoped to /trpc.
 */
export const REFRESH_COOKIE = 'gatehouse_refresh';
const HOST_REFRESH_COOKIE = `__Host-${REFRESH_COOKIE}`;

function cookieFor(http: HttpExchange, maxAge: number) {
  const secure = http.secure;
  const name = secure ? HOST_REFRESH_COOKIE : REFRESH_COOKIE;
  const options = { httpOnly: true, sameSite: 'strict', path: secure ? '/' : '/trpc', secure, maxAge } as const;
  return { name, options };
}

/** Sets the cookie; checks the origin again in case a procedure did not ask cookieMode() first. */
export function setRefreshCookie(http: HttpExchange, token: string, expiresAt: Date): void {
  assertTrustedOrigin(http);
  const { name, options } = cookieFor(http, Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)));
  http.appendHeader('Set-Cookie', serialize(name, token, options));
}

export function clearRefreshCookie(http: HttpExchange): void {
  const { name, options } = cookieFor(http, 0);
  http.appendHeader('Set-Cookie', serialize(name, '', options));
}

/** The refresh token from the cookie, refusing requests from pages of other origins. */
export function refreshTokenFromCookie(http: HttpExchange): string {
  assertTrustedOrigin(http);
  const token = http.cookies()[http.secure ? HOST_REFRESH_COOKIE : REFRESH_COOKIE];
  if (!token) throw new GatehouseError('UNAUTHORIZED', 'No refresh token: send refreshToken or sign in again');
  return token;
}

/**
 * Cookie mode is for this site's pages: a page of another origin must not spend the cookie, nor
 * sign the browser in to an account of its choosing (login CSRF) by having one set.
 */
export function assertTrustedOrigin(http: HttpExchange): void {
  if (!http.origin || !http.trustedOrigins.has(http.origin)) {
    throw new GatehouseError('FORBIDDEN', 'The refresh cookie can only be used by pages of this site');
  }
}
