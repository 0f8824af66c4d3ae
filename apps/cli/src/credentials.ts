import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenStore } from '@gatehouse/client';
import { fileTokenStore } from '@gatehouse/client/file-store';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** $GATEHOUSE_TOKEN_FILE, else $XDG_CONFIG_HOME/gatehouse/credentials.json, else ~/.config/gatehouse/credentials.json. */
function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEHOUSE_TOKEN_FILE) return env.GATEHOUSE_TOKEN_FILE;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'gatehouse', 'credentials.json');
}

/** The sibling file naming the server the tokens belong to: credentials.json -> credentials.server.json. */
function serverFilePath(tokenFile: string): string {
  return `${tokenFile.replace(/\.json$/, '')}.server.json`;
}

/** The saved sign-in: tokens (through the client's file store) and the server they are for. */
export class Credentials {
  readonly store: TokenStore;
  private readonly serverFile: string;

  constructor(readonly tokenFile: string = tokenFilePath()) {
    this.store = fileTokenStore(tokenFile);
    this.serverFile = serverFilePath(tokenFile);
  }

  /** The server of the saved sign-in, if any. */
  savedUrl(): string | null {
    try {
      const { url } = JSON.parse(readFileSync(this.serverFile, 'utf8')) as { url?: unknown };
      return typeof url === 'string' && url ? url : null;
    } catch {
      return null;
    }
  }

  saveUrl(url: string): void {
    mkdirSync(dirname(this.serverFile), { recursive: true, mode: 0o700 });
    writeFileSync(this.serverFile, `${JSON.stringify({ url }, null, 2)}\n`, { mode: 0o600 });
  }

  forget(): void {
    this.store.clear();
    rmSync(this.serverFile, { force: true });
  }
}

/** For commands that start something new (login, register, smoke): flag, then env, then default. */
export function urlForNew(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.GATEHOUSE_URL || DEFAULT_URL;
}

/** For commands about the saved sign-in (whoami, logout): the server it was made with comes first. */
export function urlForSaved(flag: string | undefined, credentials: Credentials, env = process.env): string {
  return flag || credentials.savedUrl() || urlForNew(undefined, env);
}
