import { readFileSync } from 'node:fs';

/**
 * The 10,000 most common passwords of at least 8 characters (shorter ones are refused by the
 * length rule anyway), in order of frequency, one a line, lower-cased. Taken from the password
 * list of @zxcvbn-ts/language-common 4.1.3 (MIT; derived from zxcvbn's leaked-password corpus).
 */
const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url);

let loaded: ReadonlySet<string> | null = null;

/** The list, read from disk once on first use. */
export function commonPasswords(): ReadonlySet<string> {
  loaded ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return loaded;
}

/** True when the password, ignoring case and surrounding spaces, is on the common list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.normalize('NFKC').trim().toLowerCase());
}
