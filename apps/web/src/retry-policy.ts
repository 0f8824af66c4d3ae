import { errorCode, httpStatus } from '@gatehouse/client';

/** Errors the user has to act on: retrying them only delays the message. */
const FINAL_CODES = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'TOO_MANY_REQUESTS',
  'PAYLOAD_TOO_LARGE',
  'UNPROCESSABLE_CONTENT',
  'PRECONDITION_FAILED',
  'METHOD_NOT_SUPPORTED',
]);

/** React Query retries only what may pass on a second try: no answer, or a 5xx. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  if (code && FINAL_CODES.has(code)) return false;
  const status = httpStatus(error);
  return status === null || status >= 500;
}
