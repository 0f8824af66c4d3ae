import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from './harness.js';
import { send, serverHasRead } from './process-support.js';
import { killServers, runCommand, spawnServer } from './server-process.js';

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

afterEach(killServers);

describe('the server process', () => {
  it('stops at start-up with a message naming each bad variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const result = runCommand([], {
      ...baseEnv(dir),
      PORT: 'eighty',
      ACCESS_TOKEN_TTL: '15 minutes',
      BCRYPT_COST: '99',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT: expected a whole number/);
    expect(result.stderr).toMatch(/ACCESS_TOKEN_TTL: expected a duration/);
    expect(result.stderr).toMatch(/BCRYPT_COST/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('requires JWT_SECRET and a bcrypt cost of at least 10 in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const result = runCommand([], { ...baseEnv(dir), NODE_ENV: 'production' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/JWT_SECRET: is required when NODE_ENV=production/);
    expect(result.stderr).toMatch(/BCRYPT_COST: must be at least 10/);
  });

  it('applies migrations and creates an admin by command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const env = baseEnv(dir);
    const migrated = runCommand(['migrate'], env);
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/migrations applied/);
    const created = runCommand(
      ['create-admin', '--username', 'boss', '--email', 'boss@example.com', '--password', 'boss-password'],
      env,
    );
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/admin "boss" created/);
    const again = runCommand(
      ['create-admin', '--username', 'boss', '--email', 'b2@example.com', '--password', 'boss-password'],
      env,
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^gatehouse: create-admin: .*username is already registered/m);
    expect(again.stderr).not.toMatch(/Invalid configuration/);
    const weak = runCommand(
      ['create-admin', '--username', 'weak', '--email', 'weak@example.com', '--password', 'short'],
      env,
    );
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/^gatehouse: create-admin: .*at least 8 characters/m);
    expect(weak.stderr).not.toMatch(/Invalid configuration/);
    const common = runCommand(
      ['create-admin', '--username', 'common', '--email', 'common@example.com', '--password', 'password123'],
      env,
    );
    expect(common.status).toBe(1);
    expect(common.stderr).toMatch(/^gatehouse: create-admin: .*too common/m);
    expect(common.stderr).not.toMatch(/Invalid configuration/);
    // The username rule is core's, so it holds here as it does for a sign-up through the API.
    const badName = runCommand(
      ['create-admin', '--username', 'bad name', '--email', 'bad@example.com', '--password', 'boss-password'],
      env,
    );
    expect(badName.status).toBe(1);
    expect(badName.stderr).toMatch(/^gatehouse: create-admin: Username may contain only letters/m);
    // A missing flag is still a configuration problem.
    const incomplete = runCommand(['create-admin', '--username', 'boss2'], env);
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
    const first = await spawnServer(env);
    expect(first.output()).toMatch(/JWT_SECRET is not set/);
    const secretFile = join(dir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    const tokens = await call(first.url, 'auth.login', { username: 'root', password: 'root-password' });
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // A restart on the same data folder accepts tokens issued before it.
    const second = await spawnServer(env);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect((await call(second.url, 'user.me', undefined, { token: tokens.data.accessToken })).status).toBe(200);
    expect(second.output()).not.toMatch(/created the first admin/);
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const { child, url, output } = await spawnServer({ ...baseEnv(dir), BCRYPT_COST: '12' });
    // Cost 12 makes registration take a while: signal while these are being hashed.
    const inFlight = [1, 2].map((i) =>
      send(url, 'POST', '/trpc/auth.register', {
        username: `late${i}`,
        email: `late${i}@example.com`,
        password: 'password-1',
      }),
    );
    // Signal once the server holds both, not after a guess at how long that takes.
    await Promise.all(inFlight.map(({ sent }) => sent));
    await serverHasRead(url);
    child.kill('SIGTERM');
    const exitCode = await new Promise((resolve) => child.once('exit', resolve));
    const results = await Promise.all(inFlight.map(({ answer }) => answer));
    expect(results.map((r) => r?.status)).toEqual([200, 200]);
    expect(exitCode).toBe(0);
    expect(output()).toMatch(/shutting down/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('never logs passwords or tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
    const { url, output } = await spawnServer({ ...baseEnv(dir), LOG_LEVEL: 'trace', REFRESH_REUSE_GRACE: '0' });
    const password = 'very-secret-password-9';
    await call(url, 'auth.register', { username: 'logme', email: 'logme@example.com', password });
    const login = await call(url, 'auth.login', { username: 'logme', password });
    await call(url, 'auth.refresh', { refreshToken: login.data.refreshToken });
    await call(url, 'user.me', undefined, { token: login.data.accessToken });
    await call(url, 'auth.refresh', { refreshToken: login.data.refreshToken });
    // The process writes its log lines after answering: wait (bounded) for the last call's line.
    await vi.waitFor(() => expect(output().match(/"path":"\/trpc\/auth.refresh"/g)?.length).toBeGreaterThanOrEqual(2), {
      timeout: 5_000,
      interval: 20,
    });
    const log = output();
    expect(log).toMatch(/"path":"\/trpc\/auth.login"/);
    expect(log).toMatch(/reuse detected/);
    for (const secret of [
      password,
      login.data.accessToken,
      login.data.refreshToken,
      login.data.refreshToken.split('.').at(-1),
      '$2',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
