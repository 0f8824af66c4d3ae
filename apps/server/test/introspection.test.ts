import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { adminTokens, call, JWT_SECRET, newUser, startTestServer, type Tokens } from './harness.js';

describe('service.introspect', () => {
  let app: RunningGatehouse;
  let admin: Tokens;
  let key: string;

  beforeAll(async () => {
    app = await startTestServer();
    admin = await adminTokens(app.url);
    const created = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'gateway', scopes: ['tokens:introspect'] },
      { token: admin.accessToken },
    );
    key = created.data.key;
  });
  afterAll(() => app.close());

  const introspect = (token: string) =>
    call(app.url, 'service.introspect', { token }, { headers: { 'x-api-key': key } });

  it('describes a valid access token', async () => {
    const user = await newUser(app.url);
    const answer = await introspect(user.tokens.accessToken);
    const claims = decodeJwt(user.tokens.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({
      active: true,
      sub: String(user.id),
      username: user.username,
      role: 'user',
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
    });
  });

  it('calls an expired token inactive', async () => {
    const user = await newUser(app.url);
    const claims = decodeJwt(user.tokens.accessToken);
    // The same token as the server would sign, but issued two hours ago for 15 minutes.
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await new SignJWT({ sid: claims.sid, ver: claims.ver })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(String(user.id))
      .setIssuer('gatehouse')
      .setAudience('gatehouse')
      .setJti('expired-token')
      .setIssuedAt(past)
      .setExpirationTime(past + 900)
      .sign(new TextEncoder().encode(JWT_SECRET));
    expect((await introspect(expired)).data).toEqual({ active: false });
  });

  it('calls tokens of deactivated or deleted users, ended sessions and changed passwords inactive', async () => {
    const deactivated = await newUser(app.url);
    const deleted = await newUser(app.url);
    const loggedOut = await newUser(app.url);
    const changed = await newUser(app.url);
    const token = admin.accessToken;
    await call(app.url, 'admin.users.setActive', { userId: deactivated.id, active: false }, { token });
    await call(app.url, 'admin.users.delete', { userId: deleted.id }, { token });
    await call(app.url, 'auth.logout', { refreshToken: loggedOut.tokens.refreshToken });
    await call(
      app.url,
      'user.changePassword',
      { currentPassword: changed.password, newPassword: 'another-password-9' },
      { token: changed.tokens.accessToken },
    );
    for (const user of [deactivated, deleted, loggedOut, changed]) {
      expect((await introspect(user.tokens.accessToken)).data).toEqual({ active: false });
    }
  });

  it('calls garbage, refresh tokens and API keys inactive', async () => {
    const user = await newUser(app.url);
    for (const garbage of ['', 'garbage', 'a.b.c', user.tokens.refreshToken, key, `${user.tokens.accessToken}x`]) {
      const answer = await introspect(garbage);
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ active: false });
    }
  });

  it('needs the tokens:introspect scope', async () => {
    const other = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'reader', scopes: ['users:read'] },
      { token: admin.accessToken },
    );
    const answer = await call(
      app.url,
      'service.introspect',
      { token: 'x' },
      { headers: { 'x-api-key': other.data.key } },
    );
    expect(answer.status).toBe(403);
  });
});
