/**
 * Usernames are NFKC-normalised and limited to ASCII letters, digits, '.', '_' and '-', so no
 * two accounts can look alike (no homoglyphs, no invisible characters). Emails are compared
 * case-insensitively.
 */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const USERNAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const USERNAME_RULE = 'letters, digits, ".", "_" or "-", starting and ending with a letter or digit';
export const EMAIL_MAX = 254;
export const FULL_NAME_MAX = 100;

export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim();
}

export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim();
}

/** The lower-cased form that carries the uniqueness constraint and serves look-ups. */
export function identifierKey(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}
