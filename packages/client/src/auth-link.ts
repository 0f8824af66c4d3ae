import type { Operation, TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { errorCode } from './errors.js';
import type { Session } from './session.js';
import type { AppRouter, TokenStore } from './types.js';

/**
 * Key in an operation's context where authHeaders() records the access token the request
 * actually carried. The auth link compares it with the store's current token to tell "my token
 * expired, refresh" from "someone already refreshed while I was in flight, just retry".
 */
const SENT = 'gatehouse.sentAccessToken';

interface SentToken {
  token: string | null;
}

function sentTokenOf(op: Operation): SentToken | null {
  const value = op.context[SENT];
  return typeof value === 'object' && value !== null && 'token' in value ? (value as SentToken) : null;
}

/** auth.* procedures answer UNAUTHORIZED for bad credentials or refresh tokens; refreshing won't help. */
function worthRefreshing(op: Operation, error: unknown): boolean {
  return errorCode(error) === 'UNAUTHORIZED' && !op.path.startsWith('auth.');
}

/**
 * The headers callback for the HTTP link behind the auth link: adds the bearer token, read from
 * the store when the request leaves (not when the call was made) so batched retries all carry the
 * refreshed token, and notes that token on each operation of the batch.
 */
export function authHeaders(store: TokenStore, extra?: () => Record<string, string>) {
  return ({ opList }: { opList: readonly Operation[] }): Record<string, string> => {
    const token = store.get()?.accessToken ?? null;
    for (const op of opList) {
      const sent = sentTokenOf(op);
      if (sent) sent.token = token;
    }
    return { ...extra?.(), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
}

/**
 * Retries a call once after refreshing the session when it failed UNAUTHORIZED. Concurrent
 * failures share one refresh (Session.refresh is single-flight). When the refresh is refused the
 * session has already been cleared and onSessionExpired called; the caller gets the original error.
 */
export function authLink(session: Session): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | null = null;
        let disposed = false;

        const attempt = (isRetry: boolean) => {
          const sent: SentToken = { token: null };
          current = next({ ...op, context: { ...op.context, [SENT]: sent } }).subscribe({
            next: (result) => observer.next(result),
            complete: () => observer.complete(),
            error: (error) => {
              if (isRetry || !worthRefreshing(op, error)) return observer.error(error);
              session.recover(sent.token).then(
                (retry) => {
                  if (disposed) return;
                  if (retry) attempt(true);
                  else observer.error(error);
                },
                // The refresh could not be answered (network, 5xx): report the call's own error.
                () => {
                  if (!disposed) observer.error(error);
                },
              );
            },
          });
        };

        attempt(false);
        return () => {
          disposed = true;
          current?.unsubscribe();
        };
      });
}
