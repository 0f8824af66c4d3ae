import { isStorageUnavailable } from '@gatehouse/db';

/** What went wrong, in the vocabulary the API layer maps to transport codes. */
export type GatehouseErrorKind =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE';

/** A refusal meant for the caller: its message is safe to show. */
export class GatehouseError extends Error {
  constructor(
    readonly kind: GatehouseErrorKind,
    message: string,
    /** The input field the refusal is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GatehouseError';
  }
}

/** One message for unknown users and wrong passwords, so a caller cannot tell them apart. */
export const INVALID_CREDENTIALS = 'Invalid username or password';

export const invalidCredentials = () => new GatehouseError('UNAUTHORIZED', INVALID_CREDENTIALS);

/** A refusal the caller may retry after `retryAfterSeconds` (sent as Retry-After). */
export class RetryLaterError extends GatehouseError {
  constructor(
    kind: 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(kind, message);
    this.name = 'RetryLaterError';
  }
}

/** A refusal because a limit was reached (429). */
export class RateLimitedError extends RetryLaterError {
  constructor(message: string, retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', message, retryAfterSeconds);
    this.name = 'RateLimitedError';
  }
}

/** A refusal because Gatehouse is too busy to take the work now (503), e.g. a full hashing queue. */
export class OverloadedError extends RetryLaterError {
  constructor(message: string, retryAfterSeconds: number) {
    super('SERVICE_UNAVAILABLE', message, retryAfterSeconds);
    this.name = 'OverloadedError';
  }
}

/** Seconds a caller is asked to wait while the database is unreachable. */
const STORAGE_RETRY_AFTER_SECONDS = 2;

/** A refusal because the database is unreachable, too slow or full right now (503); nothing was half-done. */
export class StorageUnavailableError extends RetryLaterError {
  /** @param cause the driver's error, for the server's log (never shown to the caller). */
  constructor(cause?: unknown) {
    super(
      'SERVICE_UNAVAILABLE',
      'The service is temporarily unavailable; try again shortly',
      STORAGE_RETRY_AFTER_SECONDS,
    );
    this.name = 'StorageUnavailableError';
    this.cause = cause;
  }
}

/** The refusal to give for a database failure that may pass (a lost connection, a timeout), else null. */
export function asStorageUnavailable(error: unknown): StorageUnavailableError | null {
  if (error instanceof StorageUnavailableError) return error;
  return isStorageUnavailable(error) ? new StorageUnavailableError(error) : null;
}

/** "in 45 seconds", "in 15 minutes", "in 3 hours": for refusal messages. */
export function waitPhrase(seconds: number): string {
  if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  if (seconds < 90 * 60) return `in ${Math.ceil(seconds / 60)} minutes`;
  return `in ${Math.ceil(seconds / 3600)} hours`;
}

/** Machine-readable reasons a refusal may carry (error `data.reason`), for clients to act on. */
export type RefusalReason = 'EMAIL_NOT_VERIFIED' | 'REAUTH_REQUIRED';

/** A refusal with a reason a client can act on (offer to resend the verification mail…). */
export class ReasonedError extends GatehouseError {
  constructor(
    kind: GatehouseErrorKind,
    message: string,
    readonly reason: RefusalReason,
  ) {
    super(kind, message);
    this.name = 'ReasonedError';
  }
}

/** EMAIL_VERIFICATION=required: the password was right, the address is not verified yet. */
export const emailNotVerified = () =>
  new ReasonedError(
    'FORBIDDEN',
    'Verify your email address first: open the link we sent you, or ask for a new one',
    'EMAIL_NOT_VERIFIED',
  );

/** Step-up: a sensitive change needs a sign-in or auth.reauthenticate within REAUTH_WINDOW. */
export const reauthRequired = () =>
  new ReasonedError(
    'FORBIDDEN',
    'Confirm it is you first: sign in again or call auth.reauthenticate, then retry',
    'REAUTH_REQUIRED',
  );
