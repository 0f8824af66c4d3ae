import { GatehouseError } from '@gatehouse/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { GatehouseContext } from './context.js';
import { describeError } from './errors.js';

const t = initTRPC.context<GatehouseContext>().create({
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const details = describeError(error);
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: details.message,
      data: { ...data, fieldErrors: details.fieldErrors, zodError: details.zodError },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/** Turns domain refusals from @gatehouse/core into tRPC errors with the matching code. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof GatehouseError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.kind, message: cause.message, cause });
  }
  return result;
});

/** Open to anyone. */
export const publicProcedure = t.procedure.use(domainErrors);
