import { z } from 'zod';

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

/** A username as it is stored: the one rule every way in (API, CLI, start-up bootstrap) applies. */
export const usernameSchema = z
  .string()
  .normalize('NFKC')
  .trim()
  .min(USERNAME_MIN, `Username must be at least ${USERNAME_MIN} characters`)
  .max(USERNAME_MAX, `Username must be at most ${USERNAME_MAX} characters`)
  .regex(USERNAME_PATTERN, `Username may contain only ${USERNAME_RULE}`);

export const emailSchema = z
  .string()
  .normalize('NFKC')
  .trim()
  .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters`)
  .pipe(z.email('Enter a valid email address'));

/** Blank names are stored as null. */
export const fullNameSchema = z
  .string()
  .trim()
  .max(FULL_NAME_MAX, `Full name must be at most ${FULL_NAME_MAX} characters`)
  .nullish()
  .transform((name) => (name === undefined ? undefined : name || null));

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
