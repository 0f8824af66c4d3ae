import { randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: 43 characters. */
export function newEmailToken(): string {
  return randomBytes(32).toString('base64url');
}

export const EMAIL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** "24 hours", "30 minutes": how long a link lasts, for the mail's text. */
export function lifetimePhrase(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 86400) return plural(seconds / 86400, 'day');
  if (seconds % 3600 === 0 && seconds >= 3600) return plural(seconds / 3600, 'hour');
  if (seconds >= 60) return plural(Math.round(seconds / 60), 'minute');
  return plural(seconds, 'second');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
