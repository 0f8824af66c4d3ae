import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_REQUEST_FLOOR_MS,
  DEFAULT_EMAIL_TOKEN_TTLS as EMAIL_TTLS,
  EMAIL_VERIFICATION_MODES,
  DEFAULT_RATE_LIMITS as LIMITS,
  parseDuration,
  parseKeyEncryptionKey,
  urlProblem,
} from '@gatehouse/core';
import { SIGNING_ALGORITHMS } from '@gatehouse/db';
import { z } from 'zod';
import { secretWeakness } from './jwt-secret.js';

/** A duration in seconds, written 900, 90s, 15m, 12h or 30d. */
const duration = (fallback: string, min = 1) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === null || seconds < min) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 900, 90s, 15m, 12h or 30d, got "${text}"` });
      }
      return seconds ?? 0;
    });

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const n = Number(text);
      if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got "${text}"` });
      }
      return n;
    });

const list = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** on/off (also true/false, 1/0, yes/no). */
const onOff = (fallback: 'on' | 'off') =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = text.trim().toLowerCase();
      if (['on', 'true', '1', 'yes'].includes(value)) return true;
      if (['off', 'false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `expected on or off, got "${text}"` });
      return false;
    });

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));

/** apps/web/dist next to this package, if the web demo has been built. */
function bundledWebDist(): string | undefined {
  const dir = fileURLToPath(new URL('../../web/dist', import.meta.url));
  return existsSync(dir) ? dir : undefined;
}

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: integer(3000, 0, 65535),
    /** Server processes on this machine (node:cluster): a number, or "auto" for one per core. */
    WORKERS: z
      .string()
      .default('1')
      .transform((text, ctx) => {
        const n = text.trim() === 'auto' ? availableParallelism() : Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 256) {
          ctx.addIssue({ code: 'custom', message: `expected a whole number from 1 to 256 or "auto", got "${text}"` });
        }
        return n;
      }),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().min(1).default('file:./data/gatehouse.db'),
    /** PostgreSQL: how long to wait for a new connection before a call answers 503. */
    DB_CONNECT_TIMEOUT: duration('2s'),
    /** PostgreSQL: how long one statement (lock waits included) may run before it is cancelled; 0 = no limit. */
    DB_STATEMENT_TIMEOUT: duration('2s', 0),
    DATA_DIR: z.string().min(1).default('./data'),
    JWT_SECRET: optionalText,
    /** HS256 (shared secret) or EdDSA/ES256 (keys in the database, published at /.well-known/jwks.json). */
    JWT_ALG: z.enum(['HS256', ...SIGNING_ALGORITHMS]).default('HS256'),
    JWT_KEY_ENCRYPTION_KEY: optionalText,
    JWT_KEY_CACHE_TTL: duration('30s', 0),
    JWT_ISSUER: z.string().min(1).default('gatehouse'),
    JWT_AUDIENCE: z.string().min(1).default('gatehouse'),
    ACCESS_TOKEN_TTL: duration(String(LIMITS.accountLockSeconds)),
    REFRESH_TOKEN_TTL: duration('30d'),
    REFRESH_REUSE_GRACE: duration('5s', 0),
    /** How long audit events are kept; 0 keeps them for ever. */
    AUDIT_RETENTION: duration('0', 0),
    BCRYPT_COST: integer(12, 4, 15),
    /** The in-process view of session state that authenticated calls read (docs/session-view.md). */
    SESSION_CACHE: z.enum(['on', 'off']).default('on'),
    SESSION_CACHE_SIZE: integer(100_000, 1, 10_000_000),
    PASSWORD_QUEUE_LIMIT: integer(32, 1, 100_000),
    CORS_ORIGINS: list,
    TRUST_PROXY: integer(0, 0, 10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The built web demo to serve at /; unset means the bundled apps/web build when present. */
    WEB_DIST: optionalText.transform((dir) => dir ?? bundledWebDist()),
    // Abuse protection (docs/rate-limits-and-api-keys.md). Every limit is per client address unless named otherwise.
    RATE_LIMIT_STORE: z.enum(['memory', 'database', 'redis']).optional(),
    REDIS_URL: optionalText,
    RATE_LIMIT_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, "_", ".", ":" or "-", at most 64')
      .default('gatehouse'),
    RATE_LIMIT_LOGIN_PER_MINUTE: integer(LIMITS.loginPerMinute, 1, 1_000_000),
    RATE_LIMIT_REGISTER_PER_HOUR: integer(LIMITS.registerPerHour, 1, 1_000_000),
    RATE_LIMIT_REFRESH_PER_MINUTE: integer(LIMITS.refreshPerMinute, 1, 1_000_000),
    RATE_LIMIT_OAUTH_START_PER_MINUTE: integer(LIMITS.oauthStartPerMinute, 1, 1_000_000),
    RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR: integer(LIMITS.passwordChangePerHour, 1, 1_000_000),
    RATE_LIMIT_USER_WRITES_PER_MINUTE: integer(LIMITS.userWritesPerMinute, 1, 1_000_000),
    RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE: integer(LIMITS.apiKeyFailuresPerMinute, 1, 1_000_000),
    RATE_LIMIT_ACCOUNT_IP_FAILURES: integer(LIMITS.accountIpFailures, 1, 1_000_000),
    RATE_LIMIT_ACCOUNT_LOCK: duration(String(LIMITS.accountLockSeconds)),
    RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: integer(LIMITS.accountFailuresPerDay, 1, 1_000_000),
    RATE_LIMIT_IPV6_PREFIX: integer(LIMITS.ipv6PrefixBits, 1, 128),
    GATEHOUSE_ADMIN_USERNAME: optionalText,
    GATEHOUSE_ADMIN_EMAIL: optionalText,
    GATEHOUSE_ADMIN_PASSWORD: optionalText,
    // Sign-in with OAuth / OpenID Connect providers (docs/oauth.md); each enabled when its settings are present.
    /** Where the web app is served; redirect URIs are PUBLIC_URL/auth/callback/<provider>. */
    PUBLIC_URL: optionalText.transform((url) => url?.replace(/\/+$/, '')),
    OAUTH_GOOGLE_CLIENT_ID: optionalText,
    OAUTH_GOOGLE_CLIENT_SECRET: optionalText,
    OAUTH_GITHUB_CLIENT_ID: optionalText,
    OAUTH_GITHUB_CLIENT_SECRET: optionalText,
    OIDC_ISSUER: optionalText,
    OIDC_CLIENT_ID: optionalText,
    OIDC_CLIENT_SECRET: optionalText,
    OIDC_DISPLAY_NAME: z.string().trim().min(1).max(60).default('Single sign-on'),
    // Mail and the account lifecycle by email (docs/email.md).
    /** smtp://user:pass@host:587 or smtps://user:pass@host:465; unset in development: .eml files in MAIL_OUTBOX_DIR. */
    SMTP_URL: optionalText,
    MAIL_FROM: z.string().trim().min(3).max(254).default('Gatehouse <no-reply@localhost>'),
    /** Default: the outbox folder of DATA_DIR (./data/outbox). */
    MAIL_OUTBOX_DIR: optionalText,
    MAIL_TEMPLATES_DIR: optionalText,
    /** The product name the mails sign with. */
    MAIL_PRODUCT_NAME: z.string().trim().min(1).max(80).default('Gatehouse'),
    EMAIL_VERIFICATION: z.enum(EMAIL_VERIFICATION_MODES).default('optional'),
    SIGN_IN_LINKS: onOff('on'),
    PASSWORD_RESET: onOff('on'),
    EMAIL_VERIFICATION_TTL: duration(String(EMAIL_TTLS.verify_email), 60),
    PASSWORD_RESET_TTL: duration(String(EMAIL_TTLS.reset_password), 60),
    EMAIL_CHANGE_TTL: duration(String(EMAIL_TTLS.change_email), 60),
    SIGN_IN_LINK_TTL: duration(String(EMAIL_TTLS.sign_in), 60),
    /** Least time, in ms, a mail-request procedure takes, so unknown addresses answer as slowly as known ones. */
    EMAIL_REQUEST_MIN_MS: integer(DEFAULT_REQUEST_FLOOR_MS, 0, 10_000),
    MAIL_POLL_INTERVAL: duration('2s'),
    /** First wait after a failed delivery; doubles per failure up to an hour. */
    MAIL_RETRY_BASE: duration('10s'),
    /** Bound on each stage of one SMTP delivery (connect, greeting, each command). */
    MAIL_SEND_TIMEOUT: duration('20s'),
    /** How long a sender owns a claimed mail; after a crash, the mail waits this long to be retried. */
    MAIL_LEASE: duration('2m'),
    RATE_LIMIT_EMAIL_REQUESTS_PER_HOUR: integer(LIMITS.emailRequestsPerHour, 1, 1_000_000),
    RATE_LIMIT_EMAILS_PER_TARGET_PER_HOUR: integer(LIMITS.emailsPerTargetPerHour, 1, 1_000_000),
    RATE_LIMIT_DEVICE_START_PER_MINUTE: integer(LIMITS.deviceStartPerMinute, 1, 1_000_000),
    RATE_LIMIT_DEVICE_POLL_PER_MINUTE: integer(LIMITS.devicePollPerMinute, 1, 1_000_000),
    RATE_LIMIT_DEVICE_CODE_FAILURES_PER_HOUR: integer(LIMITS.deviceCodeFailuresPerHour, 1, 1_000_000),
    // Passkeys (docs/passkeys.md): RP ID and origin come from PUBLIC_URL.
    RATE_LIMIT_PASSKEY_CHALLENGES_PER_MINUTE: integer(LIMITS.passkeyChallengesPerMinute, 1, 1_000_000),
    // Second factors and step-up (docs/mfa.md).
    /** 32 bytes encrypting stored TOTP secrets; falls back to JWT_KEY_ENCRYPTION_KEY. */
    MFA_ENCRYPTION_KEY: optionalText,
    /** How long a sign-in or auth.reauthenticate lets a session make sensitive changes. */
    REAUTH_WINDOW: duration('10m'),
    RATE_LIMIT_MFA_ATTEMPTS_PER_HOUR: integer(LIMITS.mfaAttemptsPerHour, 1, 1_000_000),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production';
    if (production && env.BCRYPT_COST < 10) {
      ctx.addIssue({ code: 'custom', path: ['BCRYPT_COST'], message: 'must be at least 10 when NODE_ENV=production' });
    }
    if (production && !env.JWT_SECRET && env.JWT_ALG === 'HS256') {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.JWT_ALG !== 'HS256' && !env.JWT_KEY_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_KEY_ENCRYPTION_KEY'],
        message: `is required when JWT_ALG=${env.JWT_ALG} (32 random bytes as base64: openssl rand -base64 32)`,
      });
    }
    if (env.JWT_KEY_ENCRYPTION_KEY) {
      try {
        parseKeyEncryptionKey(env.JWT_KEY_ENCRYPTION_KEY);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['JWT_KEY_ENCRYPTION_KEY'], message: (error as Error).message });
      }
    }
    if (env.MFA_ENCRYPTION_KEY) {
      try {
        parseKeyEncryptionKey(env.MFA_ENCRYPTION_KEY);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['MFA_ENCRYPTION_KEY'], message: (error as Error).message });
      }
    }
    if (env.JWT_SECRET && Buffer.byteLength(env.JWT_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 bytes' });
    } else if (production && env.JWT_SECRET) {
      const weakness = secretWeakness(env.JWT_SECRET);
      if (weakness) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: `looks guessable: ${weakness}` });
    }
    const admin = [env.GATEHOUSE_ADMIN_USERNAME, env.GATEHOUSE_ADMIN_EMAIL, env.GATEHOUSE_ADMIN_PASSWORD];
    if (admin.some(Boolean) && !admin.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GATEHOUSE_ADMIN_PASSWORD'],
        message: 'GATEHOUSE_ADMIN_USERNAME, GATEHOUSE_ADMIN_EMAIL and GATEHOUSE_ADMIN_PASSWORD must be set together',
      });
    }
    if (env.WORKERS > 1 && env.RATE_LIMIT_STORE === 'memory') {
      ctx.addIssue({
        code: 'custom',
        path: ['RATE_LIMIT_STORE'],
        message: 'memory keeps limits per process; with WORKERS > 1 use database or redis (or leave it unset)',
      });
    }
    if (env.WORKERS > 1 && env.DATABASE_URL.includes(':memory:')) {
      ctx.addIssue({ code: 'custom', path: ['WORKERS'], message: 'workers cannot share an in-memory database' });
    }
    if (env.RATE_LIMIT_STORE === 'redis' && !env.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['RATE_LIMIT_STORE'], message: 'redis needs REDIS_URL' });
    }
    if (env.REDIS_URL && !/^rediss?:\/\/./.test(env.REDIS_URL)) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'expected redis://host:port or rediss://…' });
    }
    if (env.RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY < env.RATE_LIMIT_ACCOUNT_IP_FAILURES) {
      ctx.addIssue({
        code: 'custom',
        path: ['RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY'],
        message: 'must be at least RATE_LIMIT_ACCOUNT_IP_FAILURES (it is the ceiling across all addresses)',
      });
    }
    const together = (names: (keyof typeof env)[]) => {
      const set = names.filter((name) => env[name] !== undefined);
      if (set.length > 0 && set.length < names.length) {
        ctx.addIssue({
          code: 'custom',
          path: [names.at(-1) as string],
          message: `${names.join(', ')} must be set together`,
        });
      }
      return set.length === names.length;
    };
    const oauth = [
      together(['OAUTH_GOOGLE_CLIENT_ID', 'OAUTH_GOOGLE_CLIENT_SECRET']),
      together(['OAUTH_GITHUB_CLIENT_ID', 'OAUTH_GITHUB_CLIENT_SECRET']),
      together(['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']),
    ];
    if (oauth.some(Boolean) && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required with an OAuth provider (redirect URIs are PUBLIC_URL/auth/callback/<provider>)',
      });
    }
    for (const name of ['PUBLIC_URL', 'OIDC_ISSUER'] as const) {
      const problem = env[name] ? urlProblem(env[name], production) : null;
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    if (env.MAIL_LEASE <= 3 * env.MAIL_SEND_TIMEOUT) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_LEASE'],
        message:
          'must be longer than 3 × MAIL_SEND_TIMEOUT (a delivery may take that long; a shorter lease could send a mail twice)',
      });
    }
    if (env.SMTP_URL) {
      const url = URL.canParse(env.SMTP_URL) ? new URL(env.SMTP_URL) : null;
      if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
        ctx.addIssue({
          code: 'custom',
          path: ['SMTP_URL'],
          message: 'expected smtp://user:password@host:587 or smtps://user:password@host:465',
        });
      }
    }
    for (const origin of env.CORS_ORIGINS) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        ctx.addIssue({
          code: 'custom',
          path: ['CORS_ORIGINS'],
          message: `"${origin}" is not an origin like https://app.example.com`,
        });
      }
    }
  });

export type Config = z.output<typeof envSchema>;

/** A variable the schema reads, and its default as written in the environment (none when unset means absent). */
export interface ConfigVariable {
  name: string;
  default: string | undefined;
}

/** Every variable the schema reads, in schema order: what docs/configuration.md and .env.example are checked against. */
export function configVariables(): ConfigVariable[] {
  const { properties = {} } = z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' });
  return Object.entries(properties).map(([name, property]) => {
    const fallback: unknown = typeof property === 'object' ? property.default : undefined;
    // An empty default is no default: loadConfig treats empty values as unset.
    return { name, default: fallback === undefined || fallback === '' ? undefined : String(fallback) };
  });
}

/**
 * Where rate-limit counters live: as configured, else Redis when REDIS_URL is set, else the
 * database when several workers must share them, else memory.
 */
export function rateLimitStore(config: Config): 'memory' | 'database' | 'redis' {
  if (config.RATE_LIMIT_STORE) return config.RATE_LIMIT_STORE;
  if (config.REDIS_URL) return 'redis';
  return config.WORKERS > 1 ? 'database' : 'memory';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value means unset, so a copied .env.example with blanks starts on the defaults.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const result = envSchema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
  );
}
