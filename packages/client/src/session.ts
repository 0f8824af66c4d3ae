import type { TRPCClient } from '@trpc/client';
import { errorCode } from './errors.js';
import type { AppRouter, TokenStore, Tokens } from './types.js';

export interface SessionOptions {
  store: TokenStore;
  /** A client without the auth link, so a refresh can never trigger another refresh. */
  plain: TRPCClient<AppRouter>;
  /** Cookie mode: the refresh token is an HttpOnly cookie the browser sends by itself. */
  refreshCookie: boolean;
  onSessionExpired?: (() => void) | undefined;
}

/** Answers by which the server refuses a refresh token for good; anything else may be transient. */
const REFUSALS = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND']);

/** What the server returns from auth.login and auth.refresh (refreshToken absent in cookie mode). */
export interface TokenPair {
  accessToken: string;
  refreshToken?: string | undefined;
}

/**
 * The client's sign-in state and the single place that refreshes it: one refresh in flight at a
 * time, shared by every caller that needs it.
 */
export class Session {
  private inflight: Promise<boolean> | null = null;
  /** Bumped on sign-in and sign-out, so a refresh that finishes afterwards cannot undo them. */
  private generation = 0;

  constructor(private readonly options: SessionOptions) {}

  get tokens(): Tokens | null {
    return this.options.store.get();
  }

  signIn(pair: TokenPair): void {
    this.generation += 1;
    this.save(pair);
  }

  signOut(): void {
    this.generation += 1;
    this.options.store.clear();
  }

  /**
   * Exchanges the refresh token for a new pair. Resolves false when the server refuses it
   * (tokens cleared, onSessionExpired called if there was a session); rejects, keeping the
   * tokens, when the server could not give an answer (network down, 5xx, rate limit).
   */
  refresh(): Promise<boolean> {
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /**
   * Called when a request sent with `sentAccessToken` came back UNAUTHORIZED. Resolves true when
   * a retry is worth it: either someone already refreshed since that request left, or a refresh
   * now succeeds. This is what keeps it to one refresh however many calls fail together.
   */
  async recover(sentAccessToken: string | null): Promise<boolean> {
    const current = this.options.store.get();
    if (!current) return false;
    if (current.accessToken !== sentAccessToken) return true;
    return this.refresh();
  }

  private async exchange(): Promise<boolean> {
    const { store, refreshCookie } = this.options;
    const generation = this.generation;
    const before = store.get();
    if (!refreshCookie && !before?.refreshToken) return this.expire(before !== null);
    try {
      const pair = await this.requestPair(before?.refreshToken ?? null).catch((error: unknown) => {
        // CONFLICT: another tab or process sharing this sign-in refreshed with the same token a
        // moment ago. In cookie mode the browser now holds the newer cookie, so asking again works.
        if (errorCode(error) === 'CONFLICT' && refreshCookie) return this.requestPair(null);
        throw error;
      });
      if (generation !== this.generation) return store.get() !== null;
      this.save(pair);
      return true;
    } catch (error) {
      if (generation !== this.generation) return store.get() !== null;
      const code = errorCode(error);
      // Token mode CONFLICT: the winner shares our store; if it has saved its new pair, use that.
      if (code === 'CONFLICT' && store.get()?.refreshToken !== before?.refreshToken) return store.get() !== null;
      if (code && REFUSALS.has(code)) return this.expire(before !== null);
      throw error;
    }
  }

  private requestPair(refreshToken: string | null): Promise<TokenPair> {
    // Cookie mode sends {} and the server reads its cookie.
    return this.options.plain.auth.refresh.mutate(refreshToken ? { refreshToken } : {});
  }

  private save(pair: TokenPair): void {
    // In cookie mode the refresh token is never kept where scripts can read it, even if sent.
    const refreshToken = this.options.refreshCookie ? null : (pair.refreshToken ?? null);
    this.options.store.set({ accessToken: pair.accessToken, refreshToken });
  }

  private expire(hadSession: boolean): false {
    this.options.store.clear();
    if (hadSession) this.options.onSessionExpired?.();
    return false;
  }
}
