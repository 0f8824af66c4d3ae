import { randomBytes } from 'node:crypto';

/**
 * A refresh token is "<session id>.<secret>": the id finds the session row, the 256-bit
 * secret proves possession. Only a SHA-256 of the secret is stored; the secret is random
 * enough that a slow hash would add nothing.
 */
export interface RefreshToken {
  sessionId: string;
  secret: string;
}

const PART = /^[A-Za-z0-9_-]{16,64}$/;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatRefreshToken(token: RefreshToken): string {
  return `${token.sessionId}.${token.secret}`;
}

export function parseRefreshToken(text: string): RefreshToken | null {
  const [sessionId, secret, extra] = text.split('.');
  if (extra !== undefined || !sessionId || !secret) return null;
  if (!PART.test(sessionId) || !PART.test(secret)) return null;
  return { sessionId, secret };
}
