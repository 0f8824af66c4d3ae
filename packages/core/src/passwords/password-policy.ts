import { z } from 'zod';
import { isCommonPassword } from './common-passwords.js';

export { isCommonPassword } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; anything longer would be silently ignored. */
export const PASSWORD_MAX_BYTES = 72;

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
    message: `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores the rest)`,
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
