import { GatehouseError, ReasonedError, RetryLaterError } from '@gatehouse/core';
import type { TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';

export type FieldErrors = Record<string, string[]>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : 'input';
}

/** "password: Too small: expected string to have >=8 characters; email: Invalid email address" */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`).join('; ');
}

export interface ErrorDetails {
  message: string;
  fieldErrors: FieldErrors | null;
  zodError: ReturnType<typeof z.flattenError> | null;
  /** Seconds to wait, for rate-limited calls. */
  retryAfter: number | null;
  /** A machine-readable reason a client can act on (EMAIL_NOT_VERIFIED…). */
  reason: string | null;
}

/**
 * What a caller is told about an error: validation and domain refusals verbatim, anything
 * unexpected as a bare "Internal server error" (no SQL text, no stack).
 */
export function describeError(error: TRPCError): ErrorDetails {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    const flat = z.flattenError(cause);
    return {
      message: describeZodError(cause),
      fieldErrors: flat.fieldErrors as FieldErrors,
      zodError: flat,
      retryAfter: null,
      reason: null,
    };
  }
  if (cause instanceof GatehouseError) {
    const fieldErrors = cause.field ? { [cause.field]: [cause.message] } : null;
    const retryAfter = cause instanceof RetryLaterError ? cause.retryAfterSeconds : null;
    const reason = cause instanceof ReasonedError ? cause.reason : null;
    return { message: cause.message, fieldErrors, zodError: null, retryAfter, reason };
  }
  const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : error.message;
  return { message, fieldErrors: null, zodError: null, retryAfter: null, reason: null };
}
