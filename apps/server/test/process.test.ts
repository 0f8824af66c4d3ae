import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from './harness.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function baseEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
  };
}

function run(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', cwd: env.DATA_DIR, timeout: 15_000 });
}

/** Starts the server process and resolves with its URL once it logs that it listens. */
function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], { env, cwd: env.DATA_DIR });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('the server process', () => {
  it('stops at start-up with a message naming each bad variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const result = run([], { ...baseEnv(dir), PORT: 'eighty', ACCESS_TOKEN_TTL: '15 minutes', BCRYPT_COST: '99' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT: expected a whole number/);
    expect(result.stderr).toMatch(/ACCESS_TOKEN_TTL: expected a duration/);
    expect(result.stderr).toMatch(/BCRYPT_COST/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('requires JWT_SECRET and a bcrypt cost of at least 10 in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const result = run([], { ...baseEnv(dir), NODE_ENV: 'production' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/JWT_SECRET: is required when NODE_ENV=production/);
    expect(result.stderr).toMatch(/BCRYPT_COST: must be at least 10/);
  });

  it('applies migrations and creates an admin by command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const env = baseEnv(dir);
    const migrated = run(['migrate'], env);
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/migrations applied/);
    const created = run(
      ['create-admin', '--username', 'boss', '--email', 'boss@example.com', '--password', 'boss-password'],
      env,
    );
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/admin "boss" created/);
    const again = run(
      ['create-admin', '--username', 'boss', '--email', 'b2@example.com', '--password', 'boss-password'],
      env,
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^gatehouse: create-admin: .*username is already registered/m);
    expect(again.stderr).not.toMatch(/Invalid configuration/);
    const weak = run(['create-admin', '--username', 'weak', '--email', 'weak@example.com', '--password', 'short'], env);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/^gatehouse: create-admin: .*at least 8 characters/m);
    expect(weak.stderr).not.toMatch(/Invalid configuration/);
    const common = run(
      ['create-admin', '--username', 'common', '--email', 'common@example.com', '--password', 'password123'],
      env,
    );
    expect(common.status).toBe(1);
    expect(common.stderr).toMatch(/^gatehouse: create-admin: .*too common/m);
    expect(common.stderr).not.toMatch(/Invalid configuration/);
    // A missing flag is still a configuration problem.
    const incomplete = run(['create-admin', '--username', 'boss2'], env);
    expect(incomplete.status).toBe(1);
    expect(incomplete.stderr).toMatch(/Invalid configuration:[\s\S]*create-admin needs --username/);
  });

  it('keeps a generated development secret in the data folder, readable only by its owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const env = {
      ...baseEnv(dir),
      GATEHOUSE_ADMIN_USERNAME: 'root',
      GATEHOUSE_ADMIN_EMAIL: 'r@example.com',
      GATEHOUSE_ADMIN_PASSWORD: 'root-password',
    };
    const first = await serve(env);
    children.push(first.child);
    expect(first.output()).toMatch(/JWT_SECRET is not set/);
    const secretFile = join(dir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    const tokens = await call(first.url, 'auth.login', { username: 'root', password: 'root-password' });
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // A restart on the same data folder accepts tokens issued before it.
    const second = await serve(env);
    children.push(second.child);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect((await call(second.url, 'user.me', undefined, { token: tokens.data.accessToken })).status).toBe(200);
    expect(second.output()).not.toMatch(/created the first admin/);
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const { child, url, output } = await serve({ ...baseEnv(dir), BCRYPT_COST: '12' });
    children.push(child);
    // Cost 12 makes registration take a while: signal while these are being hashed.
    const inFlight = [1, 2].map((i) =>
      call(url, 'auth.register', { username: `late${i}`, email: `late${i}@example.com`, password: 'password-1' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const exitCode = await new Promise((resolve) => child.once('exit', resolve));
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(exitCode).toBe(0);
    expect(output()).toMatch(/shutting down/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('never logs passwords or tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const { child, url, output } = await serve({ ...baseEnv(dir), LOG_LEVEL: 'trace', REFRESH_REUSE_GRACE: '0' });
    children.push(child);
    const password = 'very-secret-password-9';
    await call(url, 'auth.register', { username: 'logme', email: 'logme@example.com', password });
    const login = await call(url, 'auth.login', { username: 'logme', password });
    await call(url, 'auth.refresh', { refreshToken: login.data.refreshToken });
    await call(url, 'user.me', undefined, { token: login.data.accessToken });
    await call(url, 'auth.refresh', { refreshToken: login.data.refreshToken });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = output();
    expect(log).toMatch(/"path":"\/trpc\/auth.login"/);
    expect(log).toMatch(/reuse detected/);
    for (const secret of [
      password,
      login.data.accessToken,
      login.data.refreshToken,
      login.data.refreshToken.split('.')[1],
      '$2',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
