import { GatehouseError, hasRole, type Role } from '@gatehouse/core';
import { TRPCError } from '@trpc/server';
import { publicProcedure } from './trpc.js';

export { publicProcedure } from './trpc.js';

function bearerToken(authorization: string | null): string {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1])
    throw new GatehouseError('UNAUTHORIZED', 'Sign in first: send "Authorization: Bearer <access token>"');
  return match[1];
}

/** Requires a valid access token of a live session of an active user; adds ctx.user. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = await ctx.services.authenticator.authenticate(bearerToken(ctx.authorization));
  return next({ ctx: { user: principal.user, sessionId: principal.sessionId } });
});

/** Admits `role` and every role above it (admin > user > viewer). */
export function requireRole(role: Role) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!hasRole(ctx.user.role, role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This requires the ${role} role` });
    }
    return next();
  });
}

export const adminProcedure = requireRole('admin');
