import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { wireRouter } from './router.js';

/** Gatehouse's router as the client sees it (see router.ts). */
export type AppRouter = typeof wireRouter;

/** Inputs of every procedure, e.g. RouterInputs['auth']['register']. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, e.g. RouterOutputs['user']['me']. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The user as the API shows it (never a password hash). */
export type PublicUser = RouterOutputs['user']['me'];

export interface Tokens {
  accessToken: string;
  /** null in cookie mode: the refresh token then lives in an HttpOnly cookie out of reach of scripts. */
  refreshToken: string | null;
}

/** Where a client keeps its tokens. Synchronous so the auth link can read it on every request. */
export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens): void;
  clear(): void;
}
