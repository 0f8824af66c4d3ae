import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from './types.js';

export { TRPCClientError };

/** An error answered by a Gatehouse server (or a transport failure on the way to it). */
export type GatehouseClientError = TRPCClientError<AppRouter>;

export function isGatehouseClientError(error: unknown): error is GatehouseClientError {
  return error instanceof TRPCClientError;
}

/** The tRPC error code ('UNAUTHORIZED', 'BAD_REQUEST', 'TOO_MANY_REQUESTS'…), or null when the server never answered. */
export function errorCode(error: unknown): string | null {
  return isGatehouseClientError(error) ? (error.data?.code ?? null) : null;
}

/** The HTTP status of the answer, or null when there was none (network failure). */
export function httpStatus(error: unknown): number | null {
  return isGatehouseClientError(error) ? (error.data?.httpStatus ?? null) : null;
}

/** Validation messages per input field, e.g. { password: ['Password must be at least 8 characters'] }. */
export function fieldErrors(error: unknown): Record<string, string[]> | null {
  return isGatehouseClientError(error) ? (error.data?.fieldErrors ?? null) : null;
}

function seconds(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null;
}

/**
 * For a rate-limited call (TOO_MANY_REQUESTS): how many seconds to wait before trying again,
 * from `data.retryAfter` or else the Retry-After header; null for any other error.
 */
export function retryAfter(error: unknown): number | null {
  if (!isGatehouseClientError(error) || error.data?.code !== 'TOO_MANY_REQUESTS') return null;
  // data.retryAfter is added by the server's rate limiter; the type of data may not list it yet.
  const fromData = seconds((error.data as { retryAfter?: unknown }).retryAfter);
  if (fromData !== null) return fromData;
  // Duck-typed: a custom fetch may return its own Response class.
  const response = error.meta?.response as { headers?: { get?: (name: string) => string | null } } | undefined;
  return typeof response?.headers?.get === 'function' ? seconds(response.headers.get('retry-after')) : null;
}

/**
 * The machine-readable reason of a refusal, when it has one: 'EMAIL_NOT_VERIFIED' (a password
 * sign-in under EMAIL_VERIFICATION=required; offer user.requestEmailVerification… or a new
 * sign-up mail), else null.
 */
export function errorReason(error: unknown): string | null {
  if (!isGatehouseClientError(error)) return null;
  const reason = (error.data as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : null;
}

/** True when no tRPC answer came back (server down, DNS, CORS, offline, or a proxy's error page). */
export function isNetworkError(error: unknown): boolean {
  return isGatehouseClientError(error) && !error.data && !error.shape;
}
