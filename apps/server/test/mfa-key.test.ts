/**
 * The key TOTP secrets are stored under: production refuses to start without one once an
 * account has an authenticator app, and with the key set the stored secrets keep working.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/index.js';
import { call, createTestClock, newUser, startTestServer } from './harness.js';
import { enableTotp, totpAt } from './mfa-support.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: randomBytes(48).toString('base64'),
  BCRYPT_COST: '10',
  // No mail features, so production needs no SMTP_URL here.
  EMAIL_VERIFICATION: 'off',
  SIGN_IN_LINKS: 'off',
  PASSWORD_RESET: 'off',
};

describe('MFA_ENCRYPTION_KEY', () => {
  it('is required in production once an account has TOTP; with it, stored secrets still verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mfakey-'));
    const key = randomBytes(32).toString('base64');
    const clock = createTestClock();
    const common = { DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`, DATA_DIR: dir };
    const dev = await startTestServer({ ...common, MFA_ENCRYPTION_KEY: key }, { clock: clock.now });
    const user = await newUser(dev.url, 'keyed');
    const { secret } = await enableTotp(dev.url, user.tokens.accessToken, clock.now);
    await dev.close();

    const production = { ...common, ...PRODUCTION };
    const refused = await startTestServer(production).then(
      async (app) => {
        await app.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/MFA_ENCRYPTION_KEY: is required when NODE_ENV=production/);

    const app = await startTestServer({ ...production, MFA_ENCRYPTION_KEY: key }, { clock: clock.now });
    try {
      const answer = await call(app.url, 'auth.login', { username: user.username, password: user.password });
      expect(answer.data.mfaRequired).toBe(true);
      clock.advance(30_000);
      const code = totpAt(secret, clock.now());
      const verified = await call(app.url, 'auth.mfa.verify', { mfaToken: answer.data.mfaToken, code });
      expect(verified.data.accessToken).toBeTypeOf('string');
    } finally {
      await app.close();
    }
  });

  it('refuses to start in production with a key that does not open the stored secrets; elsewhere codes get 503, not 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mfakey-'));
    const clock = createTestClock();
    const common = { DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`, DATA_DIR: dir };
    const first = await startTestServer(
      { ...common, MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      { clock: clock.now },
    );
    const user = await newUser(first.url, 'rekeyed');
    const { secret } = await enableTotp(first.url, user.tokens.accessToken, clock.now);
    await first.close();

    const otherKey = randomBytes(32).toString('base64');
    const refused = await startTestServer({ ...common, ...PRODUCTION, MFA_ENCRYPTION_KEY: otherKey }).then(
      async (app) => {
        await app.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/does not decrypt the stored authenticator-app secrets/);

    const dev = await startTestServer({ ...common, MFA_ENCRYPTION_KEY: otherKey }, { clock: clock.now });
    try {
      const answer = await call(dev.url, 'auth.login', { username: user.username, password: user.password });
      clock.advance(30_000);
      const verified = await call(dev.url, 'auth.mfa.verify', {
        mfaToken: answer.data.mfaToken,
        code: totpAt(secret, clock.now()),
      });
      expect(verified.status).toBe(503);
      expect(verified.error?.message).toBe('Authenticator codes cannot be checked on this server right now');
    } finally {
      await dev.close();
    }
  });

  it('refuses a key that is not 32 bytes, naming the variable', async () => {
    const refused = await startTestServer({ MFA_ENCRYPTION_KEY: 'too-short' }).then(
      async (app) => {
        await app.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect((refused as Error).message).toMatch(/MFA_ENCRYPTION_KEY/);
  });
});
