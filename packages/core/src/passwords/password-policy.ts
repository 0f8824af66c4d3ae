import { z } from 'zod';
import { isCommonPassword } from './common-passwords.js';

export { isCommonPassword } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
/**
 * Long passphrases in any script are welcome (ASVS 6.2.9 asks for at least 64 characters);
 * bcrypt's own 72-byte limit no longer applies, since new hashes bcrypt a fixed-length pre-hash
 * (password-hasher.ts). This bound only keeps requests and hashing work small.
 */
export const PASSWORD_MAX_BYTES = 1024;

export const COMMON_PASSWORD_MESSAGE =
  'This password is too common (it is on a list of the 10,000 most used passwords); choose a less guessable one';

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** A password being set: the policy bcrypt can honour, for every way a password is set. */
export const newPasswordSchema = z
  .string()
  .refine((p) => [...p].length >= PASSWORD_MIN_LENGTH, {
    message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters`,
    abort: true,
  })
  .refine((p) => utf8Bytes(p) <= PASSWORD_MAX_BYTES, {
    message: `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
    abort: true,
  })
  .refine((p) => !isCommonPassword(p), { message: COMMON_PASSWORD_MESSAGE });

/** A password being checked: bounded, but not held to the policy (it may predate it). */
export const passwordSchema = z
  .string()
  .min(1, 'Password is required')
  .refine((p) => utf8Bytes(p) <= PASSWORD_MAX_BYTES, {
    message: `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
  });

/** Why a new password is unacceptable, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  const result = newPasswordSchema.safeParse(password);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Password is not acceptable');
}
