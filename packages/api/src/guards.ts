import type { ApiKeyScope, Role } from '@gatehouse/core';
import type { AnyTRPCProcedure } from '@trpc/server';

/** What a guard middleware demands of the caller; read back by the OpenAPI document. */
export type Guard = { kind: 'bearer' } | { kind: 'role'; role: Role } | { kind: 'apiKey'; scope: ApiKeyScope };

// Keyed by the middleware function itself: tRPC keeps the functions given to .use() as they are,
// so a built procedure's middleware list says which guards it passed through.
const guards = new WeakMap<object, Guard>();

/** Records that the middleware `builder` added last is `guard`; returns the builder unchanged. */
export function markGuard<B extends { _def: { middlewares: readonly object[] } }>(builder: B, guard: Guard): B {
  const last = builder._def.middlewares.at(-1);
  if (last) guards.set(last, guard);
  return builder;
}

/** The guards a built procedure runs, outermost first. */
export function guardsOf(procedure: AnyTRPCProcedure): Guard[] {
  const middlewares = (procedure._def as { middlewares?: readonly object[] }).middlewares ?? [];
  return middlewares.flatMap((middleware) => {
    const guard = guards.get(middleware);
    return guard ? [guard] : [];
  });
}
