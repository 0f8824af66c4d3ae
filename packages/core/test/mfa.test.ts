/**
 * Second factors against a real SQLite database with an injected clock: RFC 6238 vectors, drift,
 * replay, backup codes, pending sign-ins and step-up. Codes are computed here from the secret
 * the service hands out, with otpauth, as an authenticator app would.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, matchTotp, totpCode, totpStep } from '../src/index.js';
import { createTestServices, databaseOf } from '../src/testing.js';

const client = { ip: '127.0.0.1', userAgent: 'test' };
// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = Secret.fromUTF8('12345678901234567890').base32;
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC test vectors (SHA-1), and our 6-digit codes are their last six digits', () => {
    for (const [seconds, expected] of RFC_VECTORS) {
      const at = new Date(seconds * 1000);
      const eight = new TOTP({ algorithm: 'SHA1', digits: 8, period: 30, secret: Secret.fromBase32(RFC_SECRET) });
      expect(eight.generate({ timestamp: at.getTime() }), `T=${seconds}`).toBe(expected);
      expect(totpCode(RFC_SECRET, at)).toBe(expected.slice(2));
      expect(matchTotp(RFC_SECRET, expected.slice(2), at)).toBe(totpStep(at));
    }
  });

  it('accepts one step of drift either way and no more', () => {
    const at = new Date(1_700_000_000_000);
    const step = (n: number) => new Date(at.getTime() + n * 30_000);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step(-1)), at)).toBe(totpStep(at) - 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step(1)), at)).toBe(totpStep(at) + 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step(-2)), at)).toBeNull();
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step(2)), at)).toBeNull();
    expect(matchTotp(RFC_SECRET, 'abcdef', at)).toBeNull();
  });
});

describe('second factors', () => {
  let services: AuthServices;
  let now: number;
  const clock = () => new Date(now);

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00Z');
    services = await createTestServices({
      clock,
      mfa: { encryptionKey: randomBytes(32), reauthWindowSeconds: 600 },
      rateLimits: { settings: { mfaAttemptsPerHour: 1000 } },
    });
  });
  afterEach(() => services.close());

  const code = (secret: string, offsetSteps = 0) => totpCode(secret, new Date(now + offsetSteps * 30_000));

  async function userWithTotp(name = 'tina') {
    const user = await services.accounts.register({
      username: name,
      email: `${name}@example.com`,
      password: 'password-1',
    });
    const { secret, otpauthUri } = await services.mfa.setupTotp(user);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    const { backupCodes } = await services.mfa.enableTotp(user, code(secret), client);
    now += 30_000;
    return { user, secret, backupCodes };
  }

  it('stores the secret encrypted, never in the clear', async () => {
    const { user, secret } = await userWithTotp();
    const row = await databaseOf(services).mfa.findTotp(user.id);
    expect(row?.encryptedSecret).not.toContain(secret);
    expect(row?.encryptedSecret.startsWith('v1.')).toBe(true);
  });

  it('gives ten distinct backup codes, each good once, and stored hashed', async () => {
    const { user, backupCodes } = await userWithTotp();
    expect(new Set(backupCodes).size).toBe(10);
    const first = backupCodes[0] ?? '';
    expect(await services.mfa.verifyCode(user.id, first.toLowerCase())).toBe('backup_code');
    expect(await services.mfa.verifyCode(user.id, first)).toBeNull();
    expect((await services.mfa.status(user.id)).backupCodesLeft).toBe(9);
  });

  it('accepts a TOTP code once: the same code again is a replay', async () => {
    const { user, secret } = await userWithTotp();
    const current = code(secret);
    expect(await services.mfa.verifyCode(user.id, current)).toBe('totp');
    expect(await services.mfa.verifyCode(user.id, current)).toBeNull();
    // An older step (still within drift) is refused once a newer one was used.
    expect(await services.mfa.verifyCode(user.id, code(secret, -1))).toBeNull();
  });

  it('keeps a pending sign-in through wrong codes, ends it after five, and finishes it once', async () => {
    const { user, secret } = await userWithTotp();
    const challenge = await services.mfa.beginSignIn(user, 'password', client);
    expect(challenge).toMatchObject({ mfaRequired: true, methods: ['totp', 'backup_code'] });
    const token = challenge?.mfaToken ?? '';
    await expect(services.mfa.verifySignIn(token, '000000', client)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
    expect((await services.mfa.verifySignIn(token, code(secret), client)).id).toBe(user.id);
    await expect(services.mfa.verifySignIn(token, code(secret, 1), client)).rejects.toMatchObject({
      field: 'mfaToken',
    });

    const second = (await services.mfa.beginSignIn(user, 'password', client))?.mfaToken ?? '';
    for (let i = 0; i < 5; i++) await expect(services.mfa.verifySignIn(second, '000000', client)).rejects.toThrow();
    now += 30_000;
    await expect(services.mfa.verifySignIn(second, code(secret), client)).rejects.toMatchObject({ field: 'mfaToken' });
  });

  it('expires a pending sign-in after five minutes', async () => {
    const { user, secret } = await userWithTotp();
    const token = (await services.mfa.beginSignIn(user, 'password', client))?.mfaToken ?? '';
    now += 5 * 60_000 + 1;
    await expect(services.mfa.verifySignIn(token, code(secret), client)).rejects.toMatchObject({ field: 'mfaToken' });
  });

  it('asks nothing of accounts without a second factor', async () => {
    const user = await services.accounts.register({
      username: 'nofa',
      email: 'nofa@example.com',
      password: 'password-1',
    });
    expect(await services.mfa.beginSignIn(user, 'password', client)).toBeNull();
  });

  it('counts passkeys in the status but offers no passkey step after a password (a passkey signs in on its own)', async () => {
    const { user } = await userWithTotp();
    services.mfa.countPasskeys = async (id) => (id === user.id ? 1 : 0);
    expect((await services.mfa.status(user.id)).passkeys).toBe(1);
    // Listing it without an endpoint to finish with would strand a password sign-in.
    expect(await services.mfa.methodsFor(user)).toEqual(['totp', 'backup_code']);
    const token = (await services.mfa.beginSignIn(user, 'password', client))?.mfaToken ?? '';
    const signedIn = await services.mfa.finishSignIn(token, client, async () => 'passkey');
    expect(signedIn.id).toBe(user.id);
  });

  it('keeps second factors through a password reset by email', async () => {
    const { user } = await userWithTotp();
    await services.email.requestPasswordReset(user.email, client);
    const mail = (await databaseOf(services).mailOutbox.list({ limit: 10 })).find((m) => m.kind === 'reset_password');
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
    await services.email.resetPassword(token, 'new-password-2', client);
    expect((await services.mfa.status(user.id)).totp).toBe(true);
    expect(await services.mfa.beginSignIn(user, 'password', client)).not.toBeNull();
  });

  it('lets an admin reset the factors, and mails the user', async () => {
    const { user } = await userWithTotp();
    await services.mfa.adminReset({ userId: 999, client }, user.id);
    expect(await services.mfa.status(user.id)).toEqual({ totp: false, backupCodesLeft: 0, passkeys: 0 });
    const mails = await databaseOf(services).mailOutbox.list({ limit: 10 });
    expect(mails.some((m) => m.kind === 'mfa_reset_notice' && m.to === user.email)).toBe(true);
  });

  it('needs a recent authentication for step-up, renewed by a code', async () => {
    const { user, secret } = await userWithTotp();
    const issued = await services.sessions.open(user, client);
    await services.stepUp.requireRecent(issued.sessionId);
    now += 10 * 60_000 + 1000;
    await expect(services.stepUp.requireRecent(issued.sessionId)).rejects.toMatchObject({ reason: 'REAUTH_REQUIRED' });
    // With an authenticator app, the password alone does not renew it.
    await expect(
      services.stepUp.reauthenticate(user, issued.sessionId, { password: 'password-1' }, client),
    ).rejects.toMatchObject({ field: 'code' });
    await services.stepUp.reauthenticate(user, issued.sessionId, { code: code(secret) }, client);
    await services.stepUp.requireRecent(issued.sessionId);
  });
});
