// The browser-safe entry: no node: imports here (the file store is '@gatehouse/client/file-store').
export {
  createGatehouseClient,
  type GatehouseClient,
  type GatehouseClientOptions,
  MAX_BATCH_SIZE,
  type MfaChallenge,
  type SignInOutcome,
  trpcUrl,
} from './client.js';
export {
  errorCode,
  errorReason,
  fieldErrors,
  type GatehouseClientError,
  httpStatus,
  isGatehouseClientError,
  isNetworkError,
  retryAfter,
  TRPCClientError,
} from './errors.js';
export { localStorageTokenStore, memoryTokenStore, type StorageLike } from './token-stores.js';
export type { AppRouter, PublicUser, RouterInputs, RouterOutputs, TokenStore, Tokens } from './types.js';
