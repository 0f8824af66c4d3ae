import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, createTestClock, JWT_SECRET, newUser, startTestServer } from './harness.js';

const key = new TextEncoder().encode(JWT_SECRET);

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

describe('access tokens that must be refused', () => {
  let app: RunningGatehouse;
  let user: Awaited<ReturnType<typeof newUser>>;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    app = await startTestServer();
    user = await newUser(app.url);
    claims = decode(user.tokens.accessToken);
  });
  afterAll(() => app.close());

  async function meWith(token: string) {
    return call(app.url, 'user.me', undefined, { token });
  }

  function sign(payload: Record<string, unknown>, options: { secret?: Uint8Array; typ?: string } = {}) {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: options.typ ?? 'at+jwt' })
      .sign(options.secret ?? key);
  }

  it('accepts the genuine token (control)', async () => {
    expect((await meWith(user.tokens.accessToken)).status).toBe(200);
    expect(claims).toMatchObject({ sub: String(user.id), iss: 'gatehouse', aud: 'gatehouse', ver: 0 });
    expect(claims).toHaveProperty('jti');
    expect(claims).toHaveProperty('sid');
  });

  it('refuses a token signed with another key (forged)', async () => {
    const forged = await sign(claims, {
      secret: new TextEncoder().encode('another-secret-of-enough-length-0123456789'),
    });
    expect((await meWith(forged)).status).toBe(401);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = user.tokens.accessToken.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
    expect((await meWith(`${header}.${payload}.${signature}`)).status).toBe(401);
  });

  it('refuses alg "none"', async () => {
    const unsigned = new UnsecuredJWT(claims).encode();
    expect((await meWith(unsigned)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ ...claims, iat: now - 1000, exp: now - 10 });
    const result = await meWith(expired);
    expect(result.status).toBe(401);
    expect(result.error?.message).toMatch(/expired/i);
  });

  it('refuses the wrong issuer, audience or type', async () => {
    expect((await meWith(await sign({ ...claims, iss: 'someone-else' }))).status).toBe(401);
    expect((await meWith(await sign({ ...claims, aud: 'another-api' }))).status).toBe(401);
    expect((await meWith(await sign(claims, { typ: 'JWT' }))).status).toBe(401);
  });

  it('refuses a refresh token used as an access token', async () => {
    expect((await meWith(user.tokens.refreshToken)).status).toBe(401);
  });

  it('refuses an access token used as a refresh token', async () => {
    const result = await call(app.url, 'auth.refresh', { refreshToken: user.tokens.accessToken });
    expect(result.status).toBe(401);
  });

  it('refuses garbage and malformed Authorization headers without a 500', async () => {
    for (const header of ['Bearer', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(5000)}`]) {
      const result = await call(app.url, 'user.me', undefined, { headers: { authorization: header } });
      expect(result.status).toBe(401);
    }
  });
});

describe('access token lifetime', () => {
  let app: RunningGatehouse;
  const clock = createTestClock();
  beforeAll(async () => {
    app = await startTestServer({ ACCESS_TOKEN_TTL: '15m' }, { clock: clock.now });
  });
  afterAll(() => app.close());

  it('accepts its own token until ACCESS_TOKEN_TTL has passed, then refuses it as expired', async () => {
    const user = await newUser(app.url);
    const me = () => call(app.url, 'user.me', undefined, { token: user.tokens.accessToken });
    expect((await me()).status).toBe(200);
    clock.advance(14 * 60_000);
    expect((await me()).status).toBe(200);
    clock.advance(2 * 60_000);
    const late = await me();
    expect(late.status).toBe(401);
    expect(late.error?.message).toMatch(/expired/i);
  });
});
