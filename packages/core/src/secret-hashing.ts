import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Stored form of a high-entropy secret (refresh token, API key, OAuth state): a SHA-256 is
 * enough, since the secret is random enough that a slow hash would add nothing.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two stored-form hashes. */
export function sameHash(a: string | null, b: string): boolean {
  if (a === null || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
