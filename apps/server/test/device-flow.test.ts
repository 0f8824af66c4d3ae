/**
 * Device sign-in (RFC 8628) against the real server: a device starts, a signed-in user approves
 * or denies the code it shows, the device polls for the outcome. Time moves on a test clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import type { TestClock } from '../src/testing.js';
import { adminTokens, call, createTestClock, DEFAULT_LIMITS, newUser, startTestServer } from './harness.js';

const PUBLIC_URL = 'http://localhost:5173';

interface Started {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  interval: number;
  expiresIn: number;
}

describe('device sign-in', () => {
  let app: RunningGatehouse;
  let clock: TestClock;
  const start = async (input?: unknown) => {
    const result = await call<Started>(app.url, 'auth.device.start', input);
    expect(result.status).toBe(200);
    return result.data;
  };
  const poll = (deviceCode: string) => call(app.url, 'auth.device.poll', { deviceCode });
  /** Polls once the interval has passed, as a well-behaved device does. */
  const pollLater = (started: Started, seconds = started.interval) => {
    clock.advance(seconds * 1000);
    return poll(started.deviceCode);
  };
  const decide = (what: 'approve' | 'deny', userCode: string, token: string) =>
    call(app.url, `user.device.${what}`, { userCode }, { token });

  beforeAll(async () => {
    clock = createTestClock();
    app = await startTestServer({ PUBLIC_URL }, { clock: clock.now });
  });
  afterAll(() => app?.close());

  it('issues easy-to-type codes and the approval URL under PUBLIC_URL', async () => {
    const started = await start({ clientName: 'gatehouse CLI' });
    expect(started.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.deviceCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started).toMatchObject({ verificationUri: `${PUBLIC_URL}/device`, interval: 5, expiresIn: 600 });
    expect(started.verificationUriComplete).toBe(`${PUBLIC_URL}/device?user_code=${started.userCode}`);
    // Input is optional: a bare POST starts one too.
    expect((await start()).userCode).not.toBe(started.userCode);
  });

  it('gives the device a working token pair once the user approves, and only once', async () => {
    const alice = await newUser(app.url, 'dev');
    const started = await start({ clientName: 'laptop' });
    expect((await poll(started.deviceCode)).data).toEqual({ status: 'authorization_pending' });

    const approved = await decide('approve', started.userCode, alice.tokens.accessToken);
    expect(approved.data).toEqual({ ok: true, clientName: 'laptop' });

    const granted = await pollLater(started);
    expect(granted.data).toMatchObject({ status: 'approved', tokenType: 'Bearer', expiresIn: expect.any(Number) });
    const me = await call(app.url, 'user.me', undefined, { token: granted.data.accessToken });
    expect(me.data.username).toBe(alice.username);
    const refreshed = await call(app.url, 'auth.refresh', { refreshToken: granted.data.refreshToken });
    expect(refreshed.status).toBe(200);
    const sessions = await call(app.url, 'user.sessions', undefined, { token: alice.tokens.accessToken });
    expect(sessions.data).toHaveLength(2);

    // The code is spent: polling again gets no second session, approving again is refused.
    expect((await pollLater(started)).data).toEqual({ status: 'expired_token' });
    const again = await decide('approve', started.userCode, alice.tokens.accessToken);
    expect(again.status).toBe(409);
    expect(again.error?.data.fieldErrors).toHaveProperty('userCode');

    const admin = await adminTokens(app.url);
    const audit = await call(app.url, 'admin.audit.list', { userId: alice.id }, { token: admin.accessToken }, 'query');
    const types = (audit.data.items as Array<{ type: string; detail: unknown }>).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['device_approved', 'device_tokens_issued']));
    expect(JSON.stringify(audit.data)).not.toContain(started.deviceCode);
  });

  it('accepts the user code in lower case and without the dash', async () => {
    const bob = await newUser(app.url, 'lc');
    const started = await start();
    const typed = started.userCode.replace('-', '').toLowerCase();
    expect((await decide('approve', ` ${typed} `, bob.tokens.accessToken)).status).toBe(200);
    expect((await pollLater(started)).data.status).toBe('approved');
  });

  it('tells the device access_denied when the user denies, and keeps it denied', async () => {
    const carol = await newUser(app.url, 'deny');
    const started = await start({ clientName: 'unknown box' });
    const denied = await decide('deny', started.userCode, carol.tokens.accessToken);
    expect(denied.data).toEqual({ ok: true, clientName: 'unknown box' });
    expect((await pollLater(started)).data).toEqual({ status: 'access_denied' });
    expect((await decide('approve', started.userCode, carol.tokens.accessToken)).status).toBe(409);
    expect((await pollLater(started)).data).toEqual({ status: 'access_denied' });
  });

  it('expires codes after ten minutes: the device gets expired_token, the approver a clear refusal', async () => {
    const started = await start();
    clock.advance(601_000);
    expect((await poll(started.deviceCode)).data).toEqual({ status: 'expired_token' });
    // Signed in now: approving needs a recent sign-in (step-up), and this one is.
    const dave = await newUser(app.url, 'exp');
    const late = await decide('approve', started.userCode, dave.tokens.accessToken);
    expect(late.status).toBe(400);
    expect(late.error?.message).toMatch(/expired/);
    expect(late.error?.data.fieldErrors).toHaveProperty('userCode');
  });

  it('answers slow_down to a device polling faster than the interval, and adds 5 s to it', async () => {
    const started = await start();
    expect((await poll(started.deviceCode)).data).toEqual({ status: 'authorization_pending' });
    expect((await poll(started.deviceCode)).data).toEqual({ status: 'slow_down', interval: 10 });
    // The old interval is no longer enough; the new one is.
    expect((await pollLater(started, 6)).data).toEqual({ status: 'slow_down', interval: 15 });
    expect((await pollLater(started, 15)).data).toEqual({ status: 'authorization_pending' });
  });

  it('needs a signed-in user to approve or deny', async () => {
    const started = await start();
    const anonymous = await call(app.url, 'user.device.approve', { userCode: started.userCode });
    expect(anonymous.status).toBe(401);
    expect((await pollLater(started)).data).toEqual({ status: 'authorization_pending' });
  });

  it('refuses an unknown user code with 404 and an unknown device code with expired_token', async () => {
    const erin = await newUser(app.url, 'unk');
    const unknown = await decide('approve', 'BBBB-BBBB', erin.tokens.accessToken);
    expect(unknown.status).toBe(404);
    expect(unknown.error?.data.fieldErrors).toHaveProperty('userCode');
    expect((await poll('A'.repeat(43))).data).toEqual({ status: 'expired_token' });
  });

  it('answers bad input with 400 naming the field', async () => {
    const frank = await newUser(app.url, 'bad');
    const cases: Array<[string, unknown, string]> = [
      ['auth.device.poll', { deviceCode: 'short' }, 'deviceCode'],
      ['auth.device.poll', {}, 'deviceCode'],
      ['auth.device.start', { clientName: 'x'.repeat(65) }, 'clientName'],
      ['user.device.approve', { userCode: 'AEIO-U123' }, 'userCode'],
      ['user.device.deny', { userCode: 42 }, 'userCode'],
    ];
    for (const [path, input, field] of cases) {
      const result = await call(app.url, path, input, { token: frank.tokens.accessToken });
      expect(result.status, path).toBe(400);
      expect(result.error?.data.fieldErrors, path).toHaveProperty(field);
    }
  });
});

describe('device sign-in limits (default settings)', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ ...DEFAULT_LIMITS, RATE_LIMIT_DEVICE_CODE_FAILURES_PER_HOUR: '3' });
  });
  afterAll(() => app?.close());

  it('stops a user guessing user codes, even on the right one, with 429 and Retry-After', async () => {
    const guesser = await newUser(app.url, 'guess');
    const started = (await call(app.url, 'auth.device.start')).data as Started;
    const token = guesser.tokens.accessToken;
    for (const code of ['BBBB-BBBC', 'BBBB-BBBD', 'BBBB-BBBF']) {
      expect((await call(app.url, 'user.device.approve', { userCode: code }, { token })).status).toBe(404);
    }
    const blocked = await call(app.url, 'user.device.approve', { userCode: started.userCode }, { token });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The address is held too: another account from it gets no fresh guesses.
    const admin = await adminTokens(app.url);
    const other = await call(app.url, 'user.device.deny', { userCode: started.userCode }, { token: admin.accessToken });
    expect(other.status).toBe(429);
    expect((await call(app.url, 'auth.device.poll', { deviceCode: started.deviceCode })).data.status).toBe(
      'authorization_pending',
    );
  });

  it('limits device starts per address (10 a minute by default)', async () => {
    // The test above started one already.
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) answers.push((await call(app.url, 'auth.device.start')).status);
    expect(answers).toEqual([...Array(9).fill(200), 429]);
  });
});
