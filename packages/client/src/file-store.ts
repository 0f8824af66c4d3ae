// Entry point '@gatehouse/client/file-store': kept apart from the main entry because it uses
// node:fs, and the main entry must load in browsers.
export { fileTokenStore } from './file-token-store.js';
export type { TokenStore, Tokens } from './types.js';
