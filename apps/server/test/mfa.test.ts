/**
 * Second factors and step-up against the real server over HTTP, with a clock the test moves:
 * an authenticator app is set up the way a person does it (codes computed from the secret the
 * server hands out), then every sign-in asks for it, and sensitive changes need a recent proof.
 */
import { databaseOf } from '@gatehouse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import {
  ADMIN,
  adminTokens,
  call,
  createTestClock,
  newUser,
  startTestServer,
  TEST_DATABASE,
  type Tokens,
} from './harness.js';
import { enableTotp, reasonOf, totpAt } from './mfa-support.js';

const clock = createTestClock();

describe('second factors and step-up', () => {
  let app: RunningGatehouse;
  let base: string;
  let admin: Tokens;
  /** The next time step's code (a step is accepted once per account). */
  const nextCode = (secret: string) => {
    clock.advance(30_000);
    return totpAt(secret, clock.now());
  };
  const signIn = (username: string, password: string, extra: Record<string, unknown> = {}, headers = {}) =>
    call(base, 'auth.login', { username, password, ...extra }, { headers });
  const auditTypes = async (userId: number) =>
    (await databaseOf(app.services).audit.list({ userId, limit: 100 })).items.map((e) => e.type);

  beforeAll(async () => {
    // Tokens last an hour so the clock can pass REAUTH_WINDOW without them expiring.
    app = await startTestServer(
      { ACCESS_TOKEN_TTL: '1h', CORS_ORIGINS: 'https://app.example.com' },
      { clock: clock.now },
    );
    base = app.url;
    admin = await adminTokens(base);
  });
  afterAll(() => app?.close());

  it('sets up an authenticator app, then every password sign-in needs its code', async () => {
    const user = await newUser(base, 'tina');
    const token = user.tokens.accessToken;
    expect((await call(base, 'user.mfa.status', undefined, { token }, 'query')).data).toEqual({
      totp: false,
      backupCodesLeft: 0,
      passkeys: 0,
    });
    const setup = await call(base, 'user.mfa.totp.setup', undefined, { token });
    expect(setup.data.otpauthUri).toMatch(
      /^otpauth:\/\/totp\/Gatehouse:.*secret=[A-Z2-7]+.*algorithm=SHA1&digits=6&period=30/,
    );
    // Pending until confirmed: sign-in does not ask for it yet.
    expect((await signIn(user.username, user.password)).data.accessToken).toBeTypeOf('string');
    const wrong = await call(base, 'user.mfa.totp.enable', { code: '000000' }, { token });
    expect(wrong.status).toBe(400);
    expect(wrong.error?.data.fieldErrors?.code).toBeDefined();
    const enabled = await call(
      base,
      'user.mfa.totp.enable',
      { code: totpAt(setup.data.secret, clock.now()) },
      { token },
    );
    expect(enabled.data.backupCodes).toHaveLength(10);
    expect((await call(base, 'user.mfa.status', undefined, { token }, 'query')).data).toEqual({
      totp: true,
      backupCodesLeft: 10,
      passkeys: 0,
    });

    const answer = await signIn(user.username, user.password);
    expect(answer.data).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'backup_code'] });
    const verified = await call(base, 'auth.mfa.verify', {
      mfaToken: answer.data.mfaToken,
      code: nextCode(setup.data.secret),
    });
    expect(verified.data).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    const me = await call(base, 'user.me', undefined, { token: verified.data.accessToken }, 'query');
    expect(me.data.username).toBe(user.username);
    expect(await auditTypes(user.id)).toEqual(
      expect.arrayContaining(['mfa_totp_enabled', 'mfa_challenge_started', 'mfa_verified']),
    );
  });

  it('finishes with a backup code once, and in cookie mode puts the refresh token in the cookie', async () => {
    const user = await newUser(base, 'bex');
    const { backupCodes } = await enableTotp(base, user.tokens.accessToken, clock.now);
    const origin = { origin: 'https://app.example.com' };
    const answer = await signIn(user.username, user.password, { refreshCookie: true }, origin);
    expect(answer.data.mfaRequired).toBe(true);
    expect(answer.headers.get('set-cookie')).toBeNull();
    const verified = await call(
      base,
      'auth.mfa.verify',
      { mfaToken: answer.data.mfaToken, code: backupCodes[3]?.toLowerCase(), refreshCookie: true },
      { headers: origin },
    );
    expect(verified.status).toBe(200);
    expect(verified.data.refreshToken).toBeUndefined();
    expect(verified.headers.get('set-cookie')).toMatch(/^gatehouse_refresh=/);
    const again = await signIn(user.username, user.password);
    const replay = await call(base, 'auth.mfa.verify', { mfaToken: again.data.mfaToken, code: backupCodes[3] });
    expect(replay.status).toBe(401);
    const status = await call(base, 'user.mfa.status', undefined, { token: user.tokens.accessToken }, 'query');
    expect(status.data.backupCodesLeft).toBe(9);
  });

  it('asks for the second factor after a mailed sign-in link too', async () => {
    const user = await newUser(base, 'lina');
    const { secret } = await enableTotp(base, user.tokens.accessToken, clock.now);
    await call(base, 'auth.requestSignInLink', { email: `${user.username}@example.com` });
    const mails = await databaseOf(app.services).mailOutbox.list({ limit: 1000 });
    const mail = mails.filter((m) => m.kind === 'sign_in_link' && m.to === `${user.username}@example.com`).at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
    const answer = await call(base, 'auth.signInWithLink', { token });
    expect(answer.data).toMatchObject({ mfaRequired: true, methods: ['totp', 'backup_code'] });
    expect(answer.data.accessToken).toBeUndefined();
    const verified = await call(base, 'auth.mfa.verify', { mfaToken: answer.data.mfaToken, code: nextCode(secret) });
    expect(verified.data.accessToken).toBeTypeOf('string');
  });

  it('keeps the second factor through a password reset by email', async () => {
    const user = await newUser(base, 'rosa');
    await enableTotp(base, user.tokens.accessToken, clock.now);
    await call(base, 'auth.requestPasswordReset', { email: `${user.username}@example.com` });
    const mails = await databaseOf(app.services).mailOutbox.list({ limit: 1000 });
    const mail = mails.filter((m) => m.kind === 'reset_password' && m.to === `${user.username}@example.com`).at(-1);
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
    expect((await call(base, 'auth.resetPassword', { token, newPassword: 'brand-new-pass-7' })).status).toBe(200);
    const answer = await signIn(user.username, 'brand-new-pass-7');
    expect(answer.data.mfaRequired).toBe(true);
    expect(answer.data.accessToken).toBeUndefined();
  });

  it('step-up: sensitive changes need a recent authentication; auth.reauthenticate renews it', async () => {
    const user = await newUser(base, 'stella');
    const token = user.tokens.accessToken;
    clock.advance(10 * 60_000 + 1000);
    const change = { currentPassword: user.password, newPassword: 'another-pass-8' };
    const refused = await call(base, 'user.changePassword', change, { token });
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe('REAUTH_REQUIRED');
    // Non-sensitive calls still work.
    expect((await call(base, 'user.me', undefined, { token }, 'query')).status).toBe(200);
    const wrong = await call(base, 'auth.reauthenticate', { password: 'not-it-at-all' }, { token });
    expect(wrong.status).toBe(401);
    const renewed = await call(base, 'auth.reauthenticate', { password: user.password }, { token });
    expect(renewed.data).toMatchObject({ ok: true, validForSeconds: 600 });
    expect((await call(base, 'user.changePassword', change, { token })).status).toBe(200);
    expect(await auditTypes(user.id)).toEqual(expect.arrayContaining(['reauth_failed', 'reauthenticated']));
  });

  it('step-up with an authenticator app takes a code; then the factors can be changed', async () => {
    const user = await newUser(base, 'theo');
    const token = user.tokens.accessToken;
    const { secret } = await enableTotp(base, token, clock.now);
    clock.advance(11 * 60_000);
    for (const path of ['user.mfa.backupCodes.regenerate', 'user.mfa.disable']) {
      const refused = await call(base, path, undefined, { token });
      expect([path, refused.status, reasonOf(refused)]).toEqual([path, 403, 'REAUTH_REQUIRED']);
    }
    const renewed = await call(base, 'auth.reauthenticate', { code: nextCode(secret) }, { token });
    expect(renewed.status).toBe(200);
    const regenerated = await call(base, 'user.mfa.backupCodes.regenerate', undefined, { token });
    expect(regenerated.data.backupCodes).toHaveLength(10);
    expect((await call(base, 'user.mfa.disable', undefined, { token })).status).toBe(200);
    expect((await signIn(user.username, user.password)).data.accessToken).toBeTypeOf('string');
  });

  it('admin: the list shows each user’s factors; resetMfa removes them, audits and mails the user', async () => {
    const user = await newUser(base, 'lost');
    await enableTotp(base, user.tokens.accessToken, clock.now);
    const listed = await call(
      base,
      'admin.users.list',
      { search: user.username },
      { token: admin.accessToken },
      'query',
    );
    expect(listed.data.items[0].mfa).toEqual({ totp: true, backupCodesLeft: 10, passkeys: 0 });
    const reset = await call(base, 'admin.users.resetMfa', { userId: user.id }, { token: admin.accessToken });
    expect(reset.data).toEqual({ ok: true });
    expect((await signIn(user.username, user.password)).data.accessToken).toBeTypeOf('string');
    const events = (await databaseOf(app.services).audit.list({ userId: user.id, type: 'mfa_reset', limit: 10 })).items;
    expect(events).toHaveLength(1);
    const root = await databaseOf(app.services).users.findByLoginKey(ADMIN.username);
    expect(events[0]?.actorUserId).toBe(root?.id);
    const mails = await databaseOf(app.services).mailOutbox.list({ limit: 1000 });
    expect(mails.some((m) => m.kind === 'mfa_reset_notice' && m.to === `${user.username}@example.com`)).toBe(true);
  });

  it('measures what a second factor adds to a sign-in (login + verify against login alone)', async () => {
    const plain = await newUser(base, 'plain');
    const guarded = await newUser(base, 'guarded');
    const { secret } = await enableTotp(base, guarded.tokens.accessToken, clock.now);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const loginAlone: number[] = [];
    const withFactor: number[] = [];
    const verifyOnly: number[] = [];
    for (let i = 0; i < 15; i++) {
      let started = performance.now();
      expect((await signIn(plain.username, plain.password)).status).toBe(200);
      loginAlone.push(performance.now() - started);
      const code = nextCode(secret);
      started = performance.now();
      const answer = await signIn(guarded.username, guarded.password);
      const between = performance.now();
      const verified = await call(base, 'auth.mfa.verify', { mfaToken: answer.data.mfaToken, code });
      withFactor.push(performance.now() - started);
      verifyOnly.push(performance.now() - between);
      expect(verified.status).toBe(200);
    }
    const [alone, both, verify] = [median(loginAlone), median(withFactor), median(verifyOnly)];
    console.log(
      `sign-in cost (BCRYPT_COST=4, ${TEST_DATABASE}, median of 15): login alone ${alone.toFixed(1)} ms; ` +
        `login + auth.mfa.verify ${both.toFixed(1)} ms; auth.mfa.verify alone ${verify.toFixed(1)} ms`,
    );
    expect(verify).toBeLessThan(1000);
  });
});
