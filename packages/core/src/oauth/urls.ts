import { GatehouseError } from '../errors.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Plain http is acceptable for loopback hosts (development, tests) and outside production;
 * a production deployment talking to a remote IdP over http would hand codes and tokens to
 * anyone on the path.
 */
export function urlProblem(text: string, production: boolean): string | null {
  if (!URL.canParse(text)) return `"${text}" is not a URL`;
  const url = new URL(text);
  if (url.protocol === 'https:') return null;
  if (url.protocol !== 'http:') return `"${text}" must be an https URL`;
  if (production && !isLoopbackHost(url.hostname)) return `"${text}" must use https (http only for loopback hosts)`;
  return null;
}

/** The redirect URI registered with a provider: one page of the web app per provider. */
export function redirectUriFor(publicUrl: string, provider: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/auth/callback/${provider}`;
}

const RETURN_TO_MAX = 512;

/**
 * Accepts only a path on the web app's own origin and returns it normalised, so a sign-in can
 * never be turned into an open redirect (`//evil.test`, `/\evil.test`, `https://…`, `javascript:`).
 */
export function sameOriginPath(returnTo: string, publicUrl: string): string {
  const refuse = () =>
    new GatehouseError('BAD_REQUEST', 'returnTo must be a path on this site, like /profile', 'returnTo');
  // Browsers treat backslashes as slashes and drop tabs/newlines, so they could smuggle a host in.
  const unsafeChar = [...returnTo].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (returnTo.length > RETURN_TO_MAX || !returnTo.startsWith('/') || unsafeChar) {
    throw refuse();
  }
  if (returnTo.startsWith('//')) throw refuse();
  const base = new URL(publicUrl);
  const resolved = new URL(returnTo, base);
  if (resolved.origin !== base.origin) throw refuse();
  // Judge what is handed back, not what came in: normalising `/.//evil.test` yields `//evil.test`.
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  if (!isPlainPath(path) || new URL(path, base).origin !== base.origin) throw refuse();
  return path;
}

/** One leading slash, then no second slash or backslash: never read as a host by a browser. */
function isPlainPath(path: string): boolean {
  return path.startsWith('/') && path[1] !== '/' && path[1] !== '\\';
}
