import { randomBytes } from 'node:crypto';

/**
 * An API key reads `gh_<public id>_<secret>`: a fixed product prefix (so scanners and people
 * recognise it), 16 hex characters of public id (finds the row, safe to show and log), and 43
 * base64url characters of secret (32 random bytes, 256 bits). Only a SHA-256 of the secret is
 * stored: it is random enough that a slow hash would add nothing.
 */
export const API_KEY_PREFIX = 'gh';

const FORMAT = /^gh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyParts {
  id: string;
  secret: string;
}

export function newApiKeyParts(): ApiKeyParts {
  return { id: randomBytes(8).toString('hex'), secret: randomBytes(32).toString('base64url') };
}

export function formatApiKey(parts: ApiKeyParts): string {
  return `${API_KEY_PREFIX}_${parts.id}_${parts.secret}`;
}

/** The recognisable, non-secret start of a key: what lists and logs show. */
export function apiKeyPrefix(id: string): string {
  return `${API_KEY_PREFIX}_${id}`;
}

export function parseApiKey(text: string): ApiKeyParts | null {
  const match = FORMAT.exec(text.trim());
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** True when text looks like one of our keys (used to explain a key sent as a bearer token). */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(`${API_KEY_PREFIX}_`);
}
