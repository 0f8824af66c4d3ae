import type { TokenStore, Tokens } from './types.js';

/** The part of the Web Storage API the store needs; window.localStorage fits, so does a test double. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Accepts only a well-formed token record. Stored data can be stale, hand-edited or written by
 * another version, and a bad record must read as "signed out" rather than crash the app.
 */
function parseTokens(value: unknown): Tokens | null {
  if (typeof value !== 'object' || value === null) return null;
  const { accessToken, refreshToken } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || !accessToken) return null;
  if (refreshToken !== null && refreshToken !== undefined && typeof refreshToken !== 'string') return null;
  return { accessToken, refreshToken: refreshToken || null };
}

/** Parses stored JSON text; anything unreadable counts as no tokens. */
export function parseTokensJson(text: string | null): Tokens | null {
  if (!text) return null;
  try {
    return parseTokens(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Keeps tokens in this page or process only: the safest place for an access token. */
export function memoryTokenStore(initial?: Tokens): TokenStore {
  let tokens: Tokens | null = initial ? { ...initial } : null;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = { ...next };
    },
    clear: () => {
      tokens = null;
    },
  };
}

/**
 * Keeps tokens in localStorage so a session survives reloads and is shared by tabs. Read on every
 * get() so a refresh done by another tab is seen at once. Anything in localStorage is readable by
 * scripts on the page; prefer cookie mode (refreshCookie) where XSS is a concern.
 */
export function localStorageTokenStore(key = 'gatehouse.tokens', storage?: StorageLike): TokenStore {
  const target = (): StorageLike => {
    const found = storage ?? (globalThis as { localStorage?: StorageLike }).localStorage;
    if (!found) throw new Error('localStorage is not available here; pass a storage object');
    return found;
  };
  return {
    get: () => parseTokensJson(target().getItem(key)),
    set: (tokens) => target().setItem(key, JSON.stringify(tokens)),
    clear: () => target().removeItem(key),
  };
}
