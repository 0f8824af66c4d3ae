import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseOf } from '@gatehouse/core/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RunningGatehouse } from '../src/index.js';
import { call, login, newUser, startTestServer } from './harness.js';
import { runCommand } from './server-process.js';

const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

async function jwks(url: string) {
  const response = await fetch(`${url}/.well-known/jwks.json`);
  return {
    response,
    body: response.status === 200 ? ((await response.json()) as { keys: Array<{ kid: string }> }) : null,
  };
}

describe('HS256 (the default)', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  it('publishes no JWKS and signs without a kid', async () => {
    expect((await jwks(app.url)).response.status).toBe(404);
    const { tokens } = await newUser(app.url);
    expect(decodeProtectedHeader(tokens.accessToken)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
  });
});

describe.each(['EdDSA', 'ES256'] as const)('JWT_ALG=%s', (alg) => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ JWT_ALG: alg, JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY });
  });
  afterAll(() => app.close());

  it('signs with a kid that the JWKS publishes, with cache headers', async () => {
    const { tokens } = await newUser(app.url);
    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header).toMatchObject({ alg, typ: 'at+jwt' });
    expect(header.kid).toEqual(expect.any(String));
    const { response, body } = await jwks(app.url);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(body!.keys.map((k) => k.kid)).toEqual([header.kid]);
    expect(JSON.stringify(body)).not.toMatch(/"d":/);
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(body as never), {
      issuer: 'gatehouse',
      audience: 'gatehouse',
      algorithms: [alg],
    });
    expect(payload.sub).toEqual(expect.any(String));
  });

  it('keeps tokens of a rotated key valid and its key published, and signs new ones with the new key', async () => {
    const user = await newUser(app.url);
    const oldKid = decodeProtectedHeader(user.tokens.accessToken).kid;
    const rotation = await app.services.signingKeys!.rotate();
    expect(rotation.retired.map((r) => r.kid)).toEqual([oldKid]);
    // Published at least as long as a token signed just now can live.
    expect(rotation.retired[0]!.publishUntil.getTime()).toBeGreaterThan(Date.now() + 15 * 60_000);
    const fresh = await login(app.url, user.username, user.password);
    expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(rotation.kid);
    expect((await jwks(app.url)).body!.keys.map((k) => k.kid)).toEqual([rotation.kid, oldKid]);
    for (const token of [user.tokens.accessToken, fresh.accessToken]) {
      expect((await call(app.url, 'user.me', undefined, { token })).status).toBe(200);
    }
  });

  it('stores private keys only encrypted', async () => {
    const keys = await databaseOf(app.services).signingKeys.listPublished(new Date());
    for (const key of keys) {
      expect(key.encryptedPrivateKey).toMatch(/^v1\./);
      expect(key.encryptedPrivateKey).not.toMatch(/PRIVATE KEY/);
    }
  });

  it('refuses an HS256 token and a token whose kid it does not know', async () => {
    const { tokens } = await newUser(app.url);
    const [, payload, signature] = tokens.accessToken.split('.');
    const hs = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
    const unknown = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(tokens.accessToken), kid: 'nope' })).toString(
      'base64url',
    );
    for (const token of [`${hs}.${payload}.${signature}`, `${unknown}.${payload}.${signature}`]) {
      expect((await call(app.url, 'user.me', undefined, { token })).status).toBe(401);
    }
  });
});

describe('asymmetric token configuration', () => {
  it('needs a 32-byte JWT_KEY_ENCRYPTION_KEY, but no JWT_SECRET in production', () => {
    const base = { NODE_ENV: 'production', BCRYPT_COST: '12', JWT_ALG: 'EdDSA' };
    expect(() => loadConfig(base)).toThrow(/JWT_KEY_ENCRYPTION_KEY: is required when JWT_ALG=EdDSA/);
    expect(() => loadConfig({ ...base, JWT_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(ConfigError);
    expect(loadConfig({ ...base, JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY }).JWT_ALG).toBe('EdDSA');
  });
});

describe('the rotate-keys command', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0));

  it('adds a key and says until when the old one stays published; refuses under HS256', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    dirs.push(dir);
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: dir,
      DATABASE_URL: `file:${join(dir, 'g.db')}`,
      JWT_ALG: 'EdDSA',
      JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
      BCRYPT_COST: '4',
    };
    const first = runCommand(['rotate-keys'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/new signing key \S+ \(EdDSA\)/);
    const second = runCommand(['rotate-keys'], env);
    expect(second.stdout).toMatch(/retired \S+: published until \d{4}-/);
    const hs = runCommand(['rotate-keys'], { ...env, JWT_ALG: 'HS256' });
    expect(hs.status).toBe(1);
    expect(hs.stderr).toMatch(/rotate-keys needs JWT_ALG=EdDSA/);
    // A key added under another encryption key would be unreadable to every instance.
    const wrongKey = runCommand(['rotate-keys'], {
      ...env,
      JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/does not decrypt: JWT_KEY_ENCRYPTION_KEY is not the key it was stored with/);
    // The server refuses to start with it too, rather than fail every login.
    const serve = runCommand(['serve'], { ...env, PORT: '0', JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(/does not decrypt/);
  });
});
