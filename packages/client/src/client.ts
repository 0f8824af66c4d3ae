import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { authHeaders, authLink } from './auth-link.js';
import { Session, type TokenPair } from './session.js';
import { memoryTokenStore } from './token-stores.js';
import type { AppRouter, RouterInputs, RouterOutputs, TokenStore } from './types.js';

/** A sign-in that needs a second factor: pass `mfaToken` and the user's code to verifyMfa. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  /** What the account can finish with: 'totp', 'backup_code', 'passkey'. */
  methods: string[];
}

/** What login and signInWithLink resolve to: signed in (tokens stored), or a second factor to ask for. */
export type SignInOutcome = { mfaRequired: false } | MfaChallenge;

/** The most calls the server accepts in one batched request. */
export const MAX_BATCH_SIZE = 50;

export interface GatehouseClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:3000; '' or '/' for the same origin in a browser. */
  url: string;
  /** Where tokens are kept; in memory by default. */
  tokenStore?: TokenStore;
  /** A fetch to use instead of the global one (tests, proxies, older runtimes). */
  fetch?: typeof fetch;
  /** Called once when the session ends for good: a refresh was refused, so the user must sign in. */
  onSessionExpired?: () => void;
  /**
   * Browser cookie mode: the server keeps the refresh token in an HttpOnly cookie and the access
   * token stays in memory, so no long-lived secret is ever readable by scripts. Call restore()
   * on page load to pick the session up again.
   */
  refreshCookie?: boolean;
  /** Extra headers for every request. */
  headers?: () => Record<string, string>;
}

/**
 * `TRouter` is Gatehouse's AppRouter, or an app's own router that spreads Gatehouse's routers
 * into it (see examples/notes), so the app's procedures get the same auth handling and types.
 */
export interface GatehouseClient<TRouter extends AnyTRPCRouter = AppRouter> {
  /** The fully typed tRPC client; batching on, bearer token and refresh handled. */
  trpc: TRPCClient<TRouter>;
  register(input: RouterInputs['auth']['register']): Promise<RouterOutputs['auth']['register']>;
  /**
   * Signs in and stores the tokens; when the account has a second factor, stores nothing and
   * resolves to the challenge (ask for the code, then call verifyMfa).
   */
  login(input: { username: string; password: string }): Promise<SignInOutcome>;
  /** Signs in with the token of a mailed sign-in link (auth.signInWithLink), like login. */
  signInWithLink(token: string): Promise<SignInOutcome>;
  /** Finishes a sign-in that answered mfaRequired with a TOTP or backup code, and stores the tokens. */
  verifyMfa(mfaToken: string, code: string): Promise<void>;
  /**
   * Finishes a passkey sign-in (auth.passkey.verify) with the browser's answer to the options of
   * auth.passkey.options, and stores the tokens.
   */
  signInWithPasskey(input: Omit<RouterInputs['auth']['passkey']['verify'], 'refreshCookie'>): Promise<void>;
  /** Forgets the tokens, then revokes the session on the server (best effort: offline still signs out). */
  logout(): Promise<void>;
  /**
   * Gets a new token pair now. Concurrent calls share one request. Resolves false when the server
   * refuses (tokens cleared, onSessionExpired called); rejects, keeping the tokens, when there was
   * no answer.
   */
  refresh(): Promise<boolean>;
  /**
   * On page load: true when there is a usable session. In cookie mode this tries a refresh
   * through the cookie to get an access token. Rejects only when the server could not answer.
   */
  restore(): Promise<boolean>;
  isSignedIn(): boolean;
}

/** The tRPC endpoint under a base URL; a URL that already ends in /trpc is taken as it is. */
export function trpcUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/trpc') ? trimmed : `${trimmed}/trpc`;
}

function transport(options: GatehouseClientOptions): typeof fetch {
  const custom = options.fetch;
  // Read the global at call time (tests and polyfills may install it later) and call it
  // unbound from any object, which browsers require of window.fetch.
  const base: typeof fetch = (input, init) => (custom ? custom(input, init) : globalThis.fetch(input, init));
  if (!options.refreshCookie) return base;
  // Cookie mode: the refresh cookie must travel with cross-origin requests too.
  return (input, init) => base(input, { ...init, credentials: 'include' });
}

function finishOrChallenge(session: Session, answer: TokenPair | MfaChallenge): SignInOutcome {
  if ('mfaRequired' in answer && answer.mfaRequired) {
    return { mfaRequired: true, mfaToken: answer.mfaToken, methods: [...answer.methods] };
  }
  session.signIn(answer as TokenPair);
  return { mfaRequired: false };
}

export function createGatehouseClient<TRouter extends AnyTRPCRouter = AppRouter>(
  options: GatehouseClientOptions,
): GatehouseClient<TRouter> {
  const store = options.tokenStore ?? memoryTokenStore();
  const url = trpcUrl(options.url);
  const fetch = transport(options);
  const refreshCookie = options.refreshCookie === true;

  // Refresh and logout go through their own chain, without the auth link.
  const plain = createTRPCClient<AppRouter>({
    links: [httpLink({ url, fetch, headers: () => options.headers?.() ?? {} })],
  });
  const session = new Session({ store, plain, refreshCookie, onSessionExpired: options.onSessionExpired });
  // The links are built for Gatehouse's own router (no transformer); an app router that spreads
  // Gatehouse's routers speaks the same wire format, so only the static type differs.
  const trpc = createTRPCClient<AppRouter>({
    links: [
      authLink(session),
      // The server refuses batches of more than MAX_BATCH_SIZE calls; split larger ones.
      httpBatchLink({ url, fetch, maxItems: MAX_BATCH_SIZE, headers: authHeaders(store, options.headers) }),
    ],
  }) as unknown as TRPCClient<TRouter>;

  return {
    trpc,
    register: (input) => plain.auth.register.mutate(input),

    async login({ username, password }) {
      return finishOrChallenge(session, await plain.auth.login.mutate({ username, password, refreshCookie }));
    },

    async signInWithLink(token) {
      return finishOrChallenge(session, await plain.auth.signInWithLink.mutate({ token, refreshCookie }));
    },

    async verifyMfa(mfaToken, code) {
      session.signIn(await plain.auth.mfa.verify.mutate({ mfaToken, code, refreshCookie }));
    },

    async signInWithPasskey(input) {
      session.signIn(await plain.auth.passkey.verify.mutate({ ...input, refreshCookie }));
    },

    async logout() {
      const tokens = store.get();
      session.signOut();
      const refreshToken = tokens?.refreshToken;
      if (!refreshCookie && !refreshToken) return;
      await plain.auth.logout.mutate(refreshToken ? { refreshToken } : {}).catch(() => {
        // Best effort: the tokens are gone from here; the session then just runs out server-side.
      });
    },

    refresh: () => session.refresh(),

    async restore() {
      if (store.get()) return true;
      return refreshCookie ? session.refresh() : false;
    },

    isSignedIn: () => store.get() !== null,
  };
}
