import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { call, createTestClock, login, newUser, startTestServer, type Tokens } from './harness.js';

describe('refresh rotation and theft detection', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    // No grace window here, so every replay counts as theft.
    app = await startTestServer({ REFRESH_REUSE_GRACE: '0' });
  });
  afterAll(() => app.close());

  const refresh = (refreshToken: string) => call<Tokens>(app.url, 'auth.refresh', { refreshToken });

  it('rotates the refresh token on every use', async () => {
    const { tokens } = await newUser(app.url);
    const first = await refresh(tokens.refreshToken);
    expect(first.status).toBe(200);
    expect(first.data.refreshToken).not.toBe(tokens.refreshToken);
    expect(first.data.accessToken).not.toBe(tokens.accessToken);
    const me = await call(app.url, 'user.me', undefined, { token: first.data.accessToken });
    expect(me.status).toBe(200);
    const second = await refresh(first.data.refreshToken);
    expect(second.status).toBe(200);
  });

  it('revokes the whole session when a rotated token is replayed', async () => {
    const { tokens } = await newUser(app.url);
    const rotated = await refresh(tokens.refreshToken);
    const replay = await refresh(tokens.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.error?.message).toMatch(/reuse detected/i);
    // The legitimate holder's newer token and access token are dead too.
    expect((await refresh(rotated.data.refreshToken)).status).toBe(401);
    expect((await call(app.url, 'user.me', undefined, { token: rotated.data.accessToken })).status).toBe(401);
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { tokens } = await newUser(app.url);
      const results = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    }
  });

  it('logout ends the session: its refresh and access tokens stop working', async () => {
    const { tokens } = await newUser(app.url);
    expect((await call(app.url, 'auth.logout', { refreshToken: tokens.refreshToken })).data).toEqual({ ok: true });
    expect((await refresh(tokens.refreshToken)).status).toBe(401);
    expect((await call(app.url, 'user.me', undefined, { token: tokens.accessToken })).status).toBe(401);
  });

  it('lists, revokes and ends all of a user own sessions only', async () => {
    const user = await newUser(app.url);
    const second = await login(app.url, user.username, user.password);
    const list = await call(app.url, 'user.sessions', undefined, { token: user.tokens.accessToken });
    expect(list.data).toHaveLength(2);
    expect(list.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const other = list.data.find((s: { current: boolean }) => !s.current);

    const stranger = await newUser(app.url);
    const idor = await call(
      app.url,
      'user.revokeSession',
      { sessionId: other.id },
      { token: stranger.tokens.accessToken },
    );
    expect(idor.status).toBe(404);
    expect((await call(app.url, 'user.me', undefined, { token: second.accessToken })).status).toBe(200);

    await call(app.url, 'user.revokeSession', { sessionId: other.id }, { token: user.tokens.accessToken });
    expect((await call(app.url, 'user.me', undefined, { token: second.accessToken })).status).toBe(401);

    const ended = await call(app.url, 'user.logoutAll', {}, { token: user.tokens.accessToken });
    expect(ended.data).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await call(app.url, 'user.me', undefined, { token: user.tokens.accessToken })).status).toBe(401);
  });

  it('refuses malformed and unknown refresh tokens without a 500', async () => {
    for (const token of [
      'x',
      'a.b',
      'AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
      '...',
      'é'.repeat(100),
    ]) {
      expect((await refresh(token)).status).toBe(401);
    }
  });
});

describe('refresh grace window', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ REFRESH_REUSE_GRACE: '30s' });
  });
  afterAll(() => app.close());

  it('refuses a duplicate refresh within the window without revoking the session', async () => {
    const { tokens } = await newUser(app.url);
    const first = await call<Tokens>(app.url, 'auth.refresh', { refreshToken: tokens.refreshToken });
    const duplicate = await call(app.url, 'auth.refresh', { refreshToken: tokens.refreshToken });
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.data.code).toBe('CONFLICT');
    const next = await call(app.url, 'auth.refresh', { refreshToken: first.data.refreshToken });
    expect(next.status).toBe(200);
  });

  it('counts two concurrent refreshes as one winner and one conflict', async () => {
    const { tokens } = await newUser(app.url);
    const results = await Promise.all(
      [1, 2, 3].map(() => call(app.url, 'auth.refresh', { refreshToken: tokens.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });
});

describe('absolute session lifetime', () => {
  let app: RunningGatehouse;
  const clock = createTestClock();
  beforeAll(async () => {
    app = await startTestServer({ REFRESH_TOKEN_TTL: '1h' }, { clock: clock.now });
  });
  afterAll(() => app.close());

  it('refuses a refresh after REFRESH_TOKEN_TTL, however recently it rotated', async () => {
    const { tokens } = await newUser(app.url);
    clock.advance(59 * 60_000);
    const rotated = await call<Tokens>(app.url, 'auth.refresh', { refreshToken: tokens.refreshToken });
    expect(rotated.status).toBe(200);
    clock.advance(2 * 60_000);
    const late = await call(app.url, 'auth.refresh', { refreshToken: rotated.data.refreshToken });
    expect(late.status).toBe(401);
    expect(late.error?.message).toMatch(/expired/);
  });
});
