import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  loadConfig,
  RELAXED_RATE_LIMITS,
  type RunningGatehouse,
  startGatehouse,
} from '@gatehouse/server';

export const ADMIN = { username: 'root', email: 'root@example.com', password: 'admin-password-1' };
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

export const tempDir = (prefix = 'gatehouse-cli-') => mkdtempSync(join(tmpdir(), prefix));

/** The real server on an ephemeral port with a fresh in-memory database. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningGatehouse> {
  const config = loadConfig({
    // Every test signs in from 127.0.0.1; the per-address limits are not under test here.
    ...RELAXED_RATE_LIMITS,
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: ':memory:',
    DATA_DIR: tempDir(),
    WEB_DIST: tempDir(),
    JWT_SECRET: 'x'.repeat(40),
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
    GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  return startGatehouse(config, createLogger(config));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `gatehouse` command as a user would, with only the given environment (plus PATH). */
export function gatehouse(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tempDir('gatehouse-home-'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A URL where nothing listens: a port the OS just handed out and took back. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
