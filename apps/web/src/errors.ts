import { errorCode, fieldErrors, isNetworkError, retryAfter } from '@gatehouse/client';

export type FieldMessages = Record<string, string | undefined>;

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** One plain sentence for an error, as the user should read it. */
export function errorMessage(error: unknown): string {
  if (!error) return '';
  const code = errorCode(error);
  if (code === 'TOO_MANY_REQUESTS') {
    // The server says what was limited ("too many sign-in attempts…"); fall back to the wait alone.
    if (error instanceof Error && error.message) return error.message;
    const wait = retryAfter(error);
    return wait
      ? `Too many attempts. Try again in ${waitText(Math.ceil(wait))}.`
      : 'Too many attempts. Try again later.';
  }
  if (code === 'INTERNAL_SERVER_ERROR') return 'Something went wrong on the server. Please try again.';
  if (isNetworkError(error)) return 'Cannot reach the server. Check your connection and try again.';
  if (code === 'BAD_REQUEST' && fieldErrors(error)) return 'Please correct the highlighted fields.';
  return error instanceof Error && error.message ? error.message : 'Something went wrong. Please try again.';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The server's first message for each field, keyed by input name. */
export function fieldMessages(error: unknown): FieldMessages {
  const all = error ? fieldErrors(error) : null;
  const out: FieldMessages = {};
  if (!all) return out;
  for (const [field, messages] of Object.entries(all)) {
    const first = messages?.[0];
    // Domain refusals may read "currentPassword: the current password is incorrect".
    if (first) out[field] = capitalize(first.startsWith(`${field}: `) ? first.slice(field.length + 2) : first);
  }
  return out;
}

/** The form-level message: none when every problem is shown next to its field. */
export function formMessage(error: unknown, fields: readonly string[]): string | null {
  if (!error) return null;
  const messages = fieldMessages(error);
  const keys = Object.keys(messages);
  if (keys.length > 0 && keys.every((key) => fields.includes(key))) return null;
  return errorMessage(error);
}

export { errorCode };
