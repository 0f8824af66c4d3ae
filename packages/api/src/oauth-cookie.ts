import { isBrowserSecret, newBrowserSecret, OAUTH_STATE_TTL_SECONDS } from '@gatehouse/core';
import { serialize } from 'cookie';
import type { HttpExchange } from './context.js';

/**
 * Binds a sign-in in flight to the browser that started it: oauth.callback only completes when
 * the same browser presents this HttpOnly cookie, so a state (or a whole callback URL) handed to
 * someone else, or injected into their browser, is useless. SameSite=Lax, because the user comes
 * back to the web app from the provider's site.
 */
export const OAUTH_BROWSER_COOKIE = 'gatehouse_oauth';
const COOKIE_PATH = '/trpc';

/** The browser's binding secret, set now if it has none (kept if present, so two tabs can sign in). */
export function ensureBrowserBinding(http: HttpExchange): string {
  const present = http.cookies()[OAUTH_BROWSER_COOKIE];
  const secret = isBrowserSecret(present) ? present : newBrowserSecret();
  const options = {
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    secure: http.secure,
    maxAge: OAUTH_STATE_TTL_SECONDS,
  } as const;
  http.appendHeader('Set-Cookie', serialize(OAUTH_BROWSER_COOKIE, secret, options));
  return secret;
}

export function browserBinding(http: HttpExchange): string | undefined {
  return http.cookies()[OAUTH_BROWSER_COOKIE];
}
