import { randomBytes } from 'node:crypto';
/**
 * Mail configuration: bad values named at start-up, production refusing to run mail features
 * without SMTP, and the development fallback (.eml files plus the link in the log).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startGatehouse } from '../src/index.js';
import { assertMailConfig } from '../src/mail-settings.js';
import { RELAXED_RATE_LIMITS } from '../src/relaxed-limits.js';
import { call } from './harness.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

const STRONG_SECRET = randomBytes(48).toString('base64');
const production = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, BCRYPT_COST: '10' };

describe('mail configuration', () => {
  it('names a bad SMTP_URL, EMAIL_VERIFICATION, SIGN_IN_LINKS or link lifetime', () => {
    expect(problems({ SMTP_URL: 'http://mail.example.com' })).toEqual([
      'SMTP_URL: expected smtp://user:password@host:587 or smtps://user:password@host:465',
    ]);
    expect(problems({ SMTP_URL: 'smtps://u:p@mail.example.com:465' })).toEqual([]);
    expect(problems({ EMAIL_VERIFICATION: 'always' })[0]).toMatch(/^EMAIL_VERIFICATION: /);
    expect(problems({ SIGN_IN_LINKS: 'maybe' })).toEqual(['SIGN_IN_LINKS: expected on or off, got "maybe"']);
    expect(problems({ PASSWORD_RESET_TTL: '10s' })[0]).toMatch(/^PASSWORD_RESET_TTL: expected a duration/);
    // A lease shorter than a delivery may take would let a second sender send the mail again.
    expect(problems({ MAIL_LEASE: '1m' })).toEqual([
      'MAIL_LEASE: must be longer than 3 × MAIL_SEND_TIMEOUT (a delivery may take that long; a shorter lease could send a mail twice)',
    ]);
    expect(problems({ MAIL_LEASE: '1m', MAIL_SEND_TIMEOUT: '15s' })).toEqual([]);
    const config = loadConfig({});
    expect(config).toMatchObject({
      EMAIL_VERIFICATION: 'optional',
      SIGN_IN_LINKS: true,
      PASSWORD_RESET: true,
      EMAIL_VERIFICATION_TTL: 86400,
      PASSWORD_RESET_TTL: 1800,
      EMAIL_CHANGE_TTL: 3600,
      SIGN_IN_LINK_TTL: 900,
      EMAIL_REQUEST_MIN_MS: 250,
    });
  });

  it('stops a production start-up that would need mail without SMTP_URL and PUBLIC_URL, saying which', async () => {
    const config = loadConfig(production);
    expect(() => assertMailConfig(config)).toThrow(ConfigError);
    const error = await startGatehouse(config, pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const [smtp, publicUrl] = (error as ConfigError).problems;
    expect(smtp).toMatch(
      /^SMTP_URL: is needed in production for password reset \(PASSWORD_RESET=on\), email verification/,
    );
    expect(smtp).toMatch(/sign-in links \(SIGN_IN_LINKS=on\)/);
    expect(publicUrl).toMatch(/^PUBLIC_URL: is needed in production/);
    // With SMTP and PUBLIC_URL, or with every mail feature off, the check passes.
    const withSmtp = { ...production, SMTP_URL: 'smtp://mail.example.com:587', PUBLIC_URL: 'https://a.example.com' };
    expect(() => assertMailConfig(loadConfig(withSmtp))).not.toThrow();
    const off = { ...production, EMAIL_VERIFICATION: 'off', SIGN_IN_LINKS: 'off', PASSWORD_RESET: 'off' };
    expect(() => assertMailConfig(loadConfig(off))).not.toThrow();
  });

  it('in development without SMTP_URL, writes each mail as an .eml file and logs its link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-dev-'));
    const outbox = join(dir, 'outbox');
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const config = loadConfig({
      ...RELAXED_RATE_LIMITS,
      NODE_ENV: 'development',
      PORT: '0',
      DATABASE_URL: ':memory:',
      DATA_DIR: dir,
      WEB_DIST: dir,
      JWT_SECRET: STRONG_SECRET,
      BCRYPT_COST: '4',
      MAIL_POLL_INTERVAL: '1s',
    });
    const app = await startGatehouse(config, logger);
    try {
      const email = 'newcomer@example.com';
      expect(
        (await call(app.url, 'auth.register', { username: 'newcomer', email, password: 'password-123' })).status,
      ).toBe(200);
      const deadline = Date.now() + 10_000;
      let files: string[] = [];
      while (files.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        files = readdirSync(outbox, { withFileTypes: true })
          .filter((f) => f.name.endsWith('.eml'))
          .map((f) => f.name);
      }
      expect(files).toEqual(['000001-verify_email.eml']);
      const eml = await simpleParser(readFileSync(join(outbox, files[0]!)));
      expect(eml.headers.get('to')).toMatchObject({ text: email });
      // Links point at the server itself when PUBLIC_URL is unset (it serves the web app).
      const link = /http:\/\/127\.0\.0\.1:\d+\/verify-email\?token=[A-Za-z0-9_-]{43}/.exec(eml.text ?? '')?.[0];
      expect(link).toBeDefined();
      const logged = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'mail written (no SMTP_URL)');
      expect(logged).toMatchObject({ to: email, link });
      const token = new URL(link!).searchParams.get('token');
      expect((await call(app.url, 'auth.verifyEmail', { token })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
