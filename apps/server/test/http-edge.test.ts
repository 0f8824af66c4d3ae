import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, startTestServer } from './harness.js';

const TRUSTED = 'https://app.example.com';

/** Sends raw bytes and returns everything the server answers before it closes. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('HTTP surface', () => {
  let app: RunningGatehouse;
  let web: string;
  beforeAll(async () => {
    web = mkdtempSync(join(tmpdir(), 'gatehouse-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
    app = await startTestServer({ CORS_ORIGINS: TRUSTED, WEB_DIST: web });
  });
  afterAll(() => app.close());

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', db: 'up' });
    expect((await call(app.url, 'health')).data).toMatchObject({ status: 'ok', db: 'up', version: '0.1.0' });
  });

  it('sets security headers and no X-Powered-By', async () => {
    const response = await fetch(`${app.url}/trpc/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const body = JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 10), password: 'y' });
    const response = await fetch(`${app.url}/trpc/auth.login`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const response = await fetch(`${app.url}/trpc/auth.login`, {
      method: 'POST',
      body: '{"username": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/node_modules|\.js:\d+|stack/);
  });

  it('answers a request head over 16 KiB and malformed HTTP with JSON errors', async () => {
    const long = await fetch(`${app.url}/trpc/user.me?input=${'x'.repeat(20_000)}`);
    expect(long.status).toBe(431);
    expect(long.headers.get('content-type')).toBe('application/json');
    expect(((await long.json()) as { error: unknown }).error).toMatchObject({
      message: expect.stringMatching(/larger than 16 KiB; send large input as a POST body/),
      data: { code: 'BAD_REQUEST', httpStatus: 431 },
    });
    const raw = await rawExchange(app.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error.message).toBe('Malformed HTTP request');
  });

  it('refuses a batch of more than 50 calls with 400', async () => {
    const batch = (n: number) => fetch(`${app.url}/trpc/${Array(n).fill('health').join(',')}?batch=1`);
    expect((await batch(50)).status).toBe(200);
    expect((await batch(51)).status).toBe(400);
  });

  it('answers unknown procedures with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${app.url}/trpc/auth.nothing`)).status).toBe(404);
    expect((await fetch(`${app.url}/trpc/auth.login`)).status).toBe(405);
  });

  it('allows CORS only for allow-listed origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.url}/trpc/auth.login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(TRUSTED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${app.url}/trpc/health`, { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the web app with SPA fallback and long-cached hashed assets', async () => {
    const page = await fetch(`${app.url}/admin/users`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const asset = await fetch(`${app.url}/assets/app-abc123.js`);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${app.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${app.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });
});

describe('behind a trusted proxy', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  it('records the forwarded client address and sends HSTS for https', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7', 'x-forwarded-proto': 'https' };
    const login = await call(app.url, 'auth.login', { username: 'root', password: 'admin-password-1' }, { headers });
    const sessions = await call(app.url, 'user.sessions', undefined, { token: login.data.accessToken });
    expect(sessions.data[0].ip).toBe('198.51.100.7');
    expect(login.headers.get('strict-transport-security')).toMatch(/max-age=/);
  });
});
