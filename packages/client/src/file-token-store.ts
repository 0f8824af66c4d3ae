import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseTokensJson } from './token-stores.js';
import type { TokenStore } from './types.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Keeps tokens in a JSON file readable only by its owner (0600, in a 0700 folder), for CLIs and
 * scripts. The file is read on every get() so several processes share one sign-in, and written
 * through a temporary file plus rename so a crash never leaves half a file behind. A missing or
 * corrupt file reads as "signed out".
 */
export function fileTokenStore(path: string): TokenStore {
  return {
    get: () => parseTokensJson(readText(path)),
    set: (tokens) => {
      mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(tokens, null, 2)}\n`, { mode: FILE_MODE });
      // writeFile's mode is filtered by the umask and ignored for a file that already exists.
      chmodSync(temporary, FILE_MODE);
      renameSync(temporary, path);
    },
    clear: () => rmSync(path, { force: true }),
  };
}
