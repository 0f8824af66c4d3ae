import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appRouter, procedureDescriptions } from '@gatehouse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, newUser, startTestServer } from './harness.js';

const PYTHON_EXAMPLE = fileURLToPath(new URL('../../../examples/python/gatehouse_example.py', import.meta.url));

describe('GET /openapi.json', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  it('serves the document for every procedure', async () => {
    const response = await fetch(`${app.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      Object.keys(appRouter._def.procedures)
        .map((path) => `/trpc/${path}`)
        .sort(),
    );
    expect((await fetch(`${app.url}/openapi.json`, { method: 'POST' })).status).toBe(405);
  });

  it('documents outputs the server really gives (register, login, me, refresh, logout)', async () => {
    const outputOf = (path: string) => {
      const schema = procedureDescriptions[path]?.output;
      if (!schema) throw new Error(`${path} has no documented output`);
      return schema;
    };
    const user = await newUser(app.url, 'doc');
    const me = await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken });
    expect(outputOf('user.me').safeParse(me.data).error).toBeUndefined();
    const pair = await call(app.url, 'auth.refresh', { refreshToken: user.tokens.refreshToken });
    expect(outputOf('auth.refresh').safeParse(pair.data).error).toBeUndefined();
    const login = await call(app.url, 'auth.login', { username: user.username, password: user.password });
    expect(outputOf('auth.login').safeParse(login.data).error).toBeUndefined();
    const logout = await call(app.url, 'auth.logout', { refreshToken: login.data.refreshToken });
    expect(outputOf('auth.logout').safeParse(logout.data).error).toBeUndefined();
    const registered = await call(app.url, 'auth.register', {
      username: `doc${Date.now() % 100000}x`,
      email: `doc${Date.now()}@example.com`,
      password: 'password-123',
    });
    expect(outputOf('auth.register').safeParse(registered.data).error).toBeUndefined();
  });

  it('drives the Python example (standard library only) through register, login, me, refresh and logout', async () => {
    // Asynchronously: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)('python3', [PYTHON_EXAMPLE, app.url], { timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      `openapi: ${Object.keys(appRouter._def.procedures).length} operations`,
      expect.stringMatching(/^register \(POST \/trpc\/auth\.register\): py_[0-9a-f]{8} role=user$/),
      expect.stringMatching(/^login \(POST \/trpc\/auth\.login\): tokenType=Bearer expiresIn=\d+$/),
      expect.stringMatching(/^me \(GET \/trpc\/user\.me\): py_[0-9a-f]{8} <py_[0-9a-f]{8}@example\.com> id=\d+$/),
      'refresh (POST /trpc/auth.refresh): rotated=true',
      'logout (POST /trpc/auth.logout): ok',
      'refresh after logout: 401 UNAUTHORIZED',
    ]);
  });
});
