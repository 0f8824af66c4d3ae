import { asStorageUnavailable, GatehouseError, RetryLaterError } from '@gatehouse/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { GatehouseContext } from './context.js';
import { describeError } from './errors.js';

const t = initTRPC.context<GatehouseContext>().create({
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const details = describeError(error);
    const { stack: _stack, ...data } = shape.data;
    // retryAfter only on answers to retry later (429, 503), so other errors keep their shape.
    const retry: { retryAfter?: number } = details.retryAfter === null ? {} : { retryAfter: details.retryAfter };
    // Likewise reason, only on refusals that carry one (EMAIL_NOT_VERIFIED).
    const reason: { reason?: string } = details.reason === null ? {} : { reason: details.reason };
    return {
      ...shape,
      message: details.message,
      data: { ...data, fieldErrors: details.fieldErrors, zodError: details.zodError, ...retry, ...reason },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/**
 * Throws the tRPC error with the matching code for a refusal from @gatehouse/core (giving
 * rate-limited answers their Retry-After header), or 503 for a database that is unreachable or too
 * slow right now; returns for any other error.
 */
export function throwIfDomainError(ctx: GatehouseContext, error: unknown): void {
  const thrown = error instanceof TRPCError ? error.cause : error;
  const cause = thrown instanceof GatehouseError ? thrown : asStorageUnavailable(thrown);
  if (!cause) return;
  if (cause instanceof RetryLaterError) ctx.http.appendHeader('Retry-After', String(cause.retryAfterSeconds));
  throw new TRPCError({ code: cause.kind, message: cause.message, cause });
}

const domainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) throwIfDomainError(ctx, result.error);
  return result;
});

/** No middleware at all: for procedure builders that translate domain errors themselves. */
export const bareProcedure = t.procedure;

/** Open to anyone. */
export const publicProcedure = t.procedure.use(domainErrors);
