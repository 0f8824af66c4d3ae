import {
  type ApiKeyScope,
  GatehouseError,
  hasRole,
  type RequestLimit,
  type Role,
  toPublicApiKey,
} from '@gatehouse/core';
import { TRPCError } from '@trpc/server';
import type { GatehouseContext } from './context.js';
import { markGuard } from './guards.js';
import { bareProcedure, middleware, publicProcedure, throwIfDomainError } from './trpc.js';

export { publicProcedure } from './trpc.js';

function bearerToken(authorization: string | null): string {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1])
    throw new GatehouseError('UNAUTHORIZED', 'Sign in first: send "Authorization: Bearer <access token>"');
  return match[1];
}

async function principalOf(ctx: GatehouseContext) {
  try {
    return await ctx.services.authenticator.authenticate(bearerToken(ctx.authorization));
  } catch (error) {
    throwIfDomainError(ctx, error);
    throw error;
  }
}

/**
 * Requires a valid access token of a live session of an active user; adds ctx.user. It
 * translates domain errors itself rather than sit on publicProcedure: one middleware level
 * fewer on the path nearly every call takes.
 */
export const authedProcedure = bareProcedure.use(async ({ ctx, next }) => {
  const principal = await principalOf(ctx);
  const result = await next({ ctx: { user: principal.user, sessionId: principal.sessionId } });
  if (!result.ok) throwIfDomainError(ctx, result.error);
  return result;
});
markGuard(authedProcedure, { kind: 'bearer' });

/** Admits `role` and every role above it (admin > user > viewer). */
export function requireRole(role: Role) {
  const guarded = authedProcedure.use(({ ctx, next }) => {
    if (!hasRole(ctx.user.role, role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This requires the ${role} role` });
    }
    return next();
  });
  return markGuard(guarded, { kind: 'role', role });
}

export const adminProcedure = requireRole('admin');

/**
 * For other services: requires an API key with `scope` in the X-API-Key header (a user's bearer
 * token is never accepted in its place); adds ctx.apiKey.
 */
export function apiKeyProcedure(scope: ApiKeyScope) {
  const guarded = publicProcedure.use(async ({ ctx, next }) => {
    const presented = ctx.apiKeyHeader?.trim();
    if (!presented) {
      const hint = ctx.authorization ? '; user tokens are not accepted here' : '';
      throw new GatehouseError('UNAUTHORIZED', `This procedure takes an API key in the X-API-Key header${hint}`);
    }
    const key = await ctx.services.apiKeys.authenticate(presented, scope, ctx.client);
    return next({ ctx: { apiKey: toPublicApiKey(key) } });
  });
  return markGuard(guarded, { kind: 'apiKey', scope });
}

/** The middlewares that enforce a rate limit, so a test can tell which procedures have one. */
const limitMiddlewares = new WeakSet<object>();

function asLimit<T extends { _middlewares: object[] }>(builder: T): T {
  for (const fn of builder._middlewares) limitMiddlewares.add(fn);
  return builder;
}

/** True when a procedure's chain holds limitPerAddress or limitPerUser. */
export function hasLimitMiddleware(procedure: { _def: { middlewares: readonly object[] } }): boolean {
  return procedure._def.middlewares.some((fn) => limitMiddlewares.has(fn));
}

/** Counts the call against a per-address limit; placed before .input(), calls with bad input count too. */
export function limitPerAddress(limit: RequestLimit) {
  return asLimit(
    middleware(async ({ ctx, next }) => {
      await ctx.services.rateLimits.hit(limit, ctx.services.rateLimits.addressKey(ctx.client.ip));
      return next();
    }),
  );
}

/**
 * Counts the call against a per-user limit, so a stolen access token used from many addresses
 * is held to the same count. Goes after authedProcedure (it needs ctx.user).
 */
export function limitPerUser(limit: RequestLimit) {
  return asLimit(
    middleware(async ({ ctx, next }) => {
      const { user } = ctx as GatehouseContext & { user?: { id: number } };
      if (!user) throw new Error('limitPerUser needs an authenticated procedure');
      await ctx.services.rateLimits.hit(limit, `user:${user.id}`);
      return next();
    }),
  );
}

/** The middlewares that demand a recent authentication, so a test can list the guarded procedures. */
const recentAuthMiddlewares = new WeakSet<object>();

/**
 * Step-up for sensitive changes: this session must have signed in or re-authenticated within
 * REAUTH_WINDOW, else FORBIDDEN with `data.reason = 'REAUTH_REQUIRED'` (the client calls
 * auth.reauthenticate and retries). Goes after authedProcedure (it needs ctx.sessionId).
 */
export const requireRecentAuth = middleware(async ({ ctx, next }) => {
  const { sessionId } = ctx as GatehouseContext & { sessionId?: string };
  if (!sessionId) throw new Error('requireRecentAuth needs an authenticated procedure');
  await ctx.services.stepUp.requireRecent(sessionId);
  return next();
});
for (const fn of (requireRecentAuth as unknown as { _middlewares: object[] })._middlewares)
  recentAuthMiddlewares.add(fn);

/** True when a procedure's chain holds requireRecentAuth. */
export function hasRecentAuthGuard(procedure: { _def: object }): boolean {
  const middlewares = (procedure._def as { middlewares?: readonly object[] }).middlewares ?? [];
  return middlewares.some((fn) => recentAuthMiddlewares.has(fn));
}
