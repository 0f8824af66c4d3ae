import { isCommonPassword } from './common-passwords.js';

export { isCommonPassword } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; anything longer would be silently ignored. */
export const PASSWORD_MAX_BYTES = 72;

export const COMMON_PASSWORD_MESSAGE =
  'This password is too common (it is on a list of the 10,000 most used passwords); choose a less guessable one';

/** Why a new password is unacceptable, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores the rest)`;
  }
  if (isCommonPassword(password)) return COMMON_PASSWORD_MESSAGE;
  return null;
}
