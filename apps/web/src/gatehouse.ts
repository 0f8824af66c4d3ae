import type { AppRouter } from '@gatehouse/api';
import { createGatehouseClient, memoryTokenStore } from '@gatehouse/client';
import { hashKey, QueryClient } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { isRetryable } from './retry-policy';

type SessionExpiredListener = () => void;
const expiryListeners = new Set<SessionExpiredListener>();

/** Called by the auth context: the client could not refresh, so the session is over. */
export function onSessionExpired(listener: SessionExpiredListener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/**
 * The one Gatehouse client of the page: same origin, access token in memory only, refresh
 * token in the server's HttpOnly cookie (restored on load with `restore()`).
 */
export const gatehouse = createGatehouseClient({
  url: '',
  tokenStore: memoryTokenStore(),
  refreshCookie: true,
  onSessionExpired: () => {
    for (const listener of expiryListeners) listener();
  },
});

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) => failures < 2 && isRetryable(error),
      staleTime: 15_000,
      refetchOnWindowFocus: true,
    },
    mutations: { retry: false },
  },
});

/** queryOptions / mutationOptions / queryKey factories for every procedure. */
export const trpc = createTRPCOptionsProxy<AppRouter>({ client: gatehouse.trpc, queryClient });

/**
 * Drops everything cached about the user (on sign-in and sign-out). What the server says to
 * everyone (which email flows it offers) stays: a page showing it keeps its answer.
 */
export function forgetUserData(): void {
  const shared = hashKey(trpc.auth.emailOptions.queryKey());
  queryClient.removeQueries({ predicate: (query) => query.queryHash !== shared });
}
