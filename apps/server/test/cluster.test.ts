import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { killServers, type ServerProcess, spawnServer } from './server-process.js';

/** One request on its own connection, so the cluster may hand it to any worker. */
function freshConnection(url: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, {
      method: data ? 'POST' : 'GET',
      agent: false,
      headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Two workers on a fresh SQLite file. */
function clusterEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    WORKERS: '2',
    DATA_DIR: dir,
    DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
    JWT_SECRET: 'cluster-secret-that-is-long-enough-0123456789',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('WORKERS=2 (node:cluster)', () => {
  let server: ServerProcess;
  afterAll(() => killServers());

  it('starts two workers on one port that both answer, sharing the rate limits', async () => {
    server = await spawnServer(clusterEnv());
    await until(() => (server.output().match(/Gatehouse listening on/g) ?? []).length === 2);
    const urls = new Set(server.output().match(/Gatehouse listening on (http:\/\/[\d.:]+)/g));
    expect(urls.size).toBe(1);

    const workers = new Set<number>();
    for (let i = 0; i < 20 && workers.size < 2; i++) {
      workers.add((await freshConnection(server.url, '/healthz')).json.worker);
    }
    expect(workers.size).toBe(2);

    const registered = await freshConnection(server.url, '/trpc/auth.register', {
      username: 'wanda',
      email: 'wanda@example.com',
      password: 'password-123',
    });
    expect(registered.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const login = await freshConnection(server.url, '/trpc/auth.login', {
        username: 'wanda',
        password: 'password-123',
      });
      statuses.push(login.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    server.child.kill('SIGTERM');
    const code = await new Promise((resolve) => server.child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('refuses on every worker a session logged out on another, the moment the logout returns', async () => {
    const cluster = await spawnServer(clusterEnv({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }));
    await until(() => (cluster.output().match(/session view in step/g) ?? []).length >= 2);
    const user = { username: 'ivy', email: 'ivy@example.com', password: 'password-123' };
    expect((await freshConnection(cluster.url, '/trpc/auth.register', user)).status).toBe(200);
    const stale: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { json } = await freshConnection(cluster.url, '/trpc/auth.login', user);
      const { accessToken, refreshToken } = json.result.data;
      const me = () =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${cluster.url}/trpc/user.me`, {
            agent: false,
            headers: { authorization: `Bearer ${accessToken}` },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      // New connections go to the workers in turn: both now hold the session in their view.
      expect([await me(), await me(), await me()]).toEqual([200, 200, 200]);
      await freshConnection(cluster.url, '/trpc/auth.logout', { refreshToken });
      for (const status of [await me(), await me(), await me()]) if (status !== 401) stale.push(status);
    }
    expect(stale).toEqual([]);
    await cluster.stop();
  }, 60_000);

  it('refuses per-process limits or an in-memory database with several workers', () => {
    expect(() => loadConfig({ WORKERS: '2', RATE_LIMIT_STORE: 'memory' })).toThrow(/RATE_LIMIT_STORE/);
    expect(() => loadConfig({ WORKERS: '2', DATABASE_URL: ':memory:' })).toThrow(/WORKERS: workers cannot share/);
    expect(loadConfig({ WORKERS: 'auto' }).WORKERS).toBeGreaterThanOrEqual(1);
  });
});
