import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthServices,
  createAuthServices,
  GatehouseError,
  type OutboxSender,
  parseKeyEncryptionKey,
} from '@gatehouse/core';
import { openDatabase } from '@gatehouse/db';
import type { Logger } from 'pino';
import { type Config, ConfigError, rateLimitStore } from './config.js';
import { startHousekeeping } from './housekeeping.js';
import { createHttpServer } from './http-server.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { assertMailConfig, createMailTransport, emailOptions } from './mail-settings.js';
import { mfaKeyConfigured, resolveMfaKey } from './mfa-key.js';
import { oauthSettings } from './oauth-settings.js';
import { sessionViewOptions } from './session-view-settings.js';

export interface RunningGatehouse {
  server: Server;
  services: AuthServices;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stops accepting, lets in-flight requests finish, then closes the pool and database. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Hashing threads (default: the pool's own choice). */
  passwordThreads?: number;
  /** The time source of every service (default: the real time); tests pass one they can move. */
  clock?: () => Date;
}

/** The PostgreSQL pool's bounds, from DB_CONNECT_TIMEOUT and DB_STATEMENT_TIMEOUT. */
export function databaseTimeouts(config: Config): { connectTimeoutSeconds: number; statementTimeoutMs: number } {
  return { connectTimeoutSeconds: config.DB_CONNECT_TIMEOUT, statementTimeoutMs: config.DB_STATEMENT_TIMEOUT * 1000 };
}

/** Opens (and migrates) the database and wires every auth service to it. */
export async function createServices(
  config: Config,
  logger: Logger,
  { passwordThreads, clock }: ServiceOptions = {},
  ownUrl: () => string = () => `http://${config.HOST}:${config.PORT}`,
): Promise<AuthServices> {
  const db = await openDatabase(config.DATABASE_URL, databaseTimeouts(config));
  const jwtSecret = config.JWT_ALG === 'HS256' ? resolveJwtSecret(config, logger) : undefined;
  const services = createAuthServices({
    db,
    ...(config.JWT_ALG === 'HS256'
      ? { jwtSecret: jwtSecret ?? '' }
      : {
          signingKeys: {
            algorithm: config.JWT_ALG,
            encryptionKey: parseKeyEncryptionKey(config.JWT_KEY_ENCRYPTION_KEY ?? ''),
            cacheTtlMs: config.JWT_KEY_CACHE_TTL * 1000,
          },
        }),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL,
    refreshReuseGraceMs: config.REFRESH_REUSE_GRACE * 1000,
    bcryptCost: config.BCRYPT_COST,
    passwordQueueLimit: config.PASSWORD_QUEUE_LIMIT,
    oauth: oauthSettings(config),
    email: emailOptions(config, ownUrl),
    mfa: {
      encryptionKey: resolveMfaKey(config, logger, jwtSecret),
      reauthWindowSeconds: config.REAUTH_WINDOW,
    },
    ...(passwordThreads ? { passwordThreads } : {}),
    ...(clock ? { clock } : {}),
    sessionView: sessionViewOptions(config, db, logger),
    rateLimits: {
      store: rateLimitStore(config),
      ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
      keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
      settings: {
        loginPerMinute: config.RATE_LIMIT_LOGIN_PER_MINUTE,
        registerPerHour: config.RATE_LIMIT_REGISTER_PER_HOUR,
        refreshPerMinute: config.RATE_LIMIT_REFRESH_PER_MINUTE,
        oauthStartPerMinute: config.RATE_LIMIT_OAUTH_START_PER_MINUTE,
        passwordChangePerHour: config.RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR,
        userWritesPerMinute: config.RATE_LIMIT_USER_WRITES_PER_MINUTE,
        apiKeyFailuresPerMinute: config.RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE,
        accountIpFailures: config.RATE_LIMIT_ACCOUNT_IP_FAILURES,
        accountLockSeconds: config.RATE_LIMIT_ACCOUNT_LOCK,
        accountFailuresPerDay: config.RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY,
        ipv6PrefixBits: config.RATE_LIMIT_IPV6_PREFIX,
        emailRequestsPerHour: config.RATE_LIMIT_EMAIL_REQUESTS_PER_HOUR,
        emailsPerTargetPerHour: config.RATE_LIMIT_EMAILS_PER_TARGET_PER_HOUR,
        deviceStartPerMinute: config.RATE_LIMIT_DEVICE_START_PER_MINUTE,
        devicePollPerMinute: config.RATE_LIMIT_DEVICE_POLL_PER_MINUTE,
        deviceCodeFailuresPerHour: config.RATE_LIMIT_DEVICE_CODE_FAILURES_PER_HOUR,
        passkeyChallengesPerMinute: config.RATE_LIMIT_PASSKEY_CHALLENGES_PER_MINUTE,
        mfaAttemptsPerHour: config.RATE_LIMIT_MFA_ATTEMPTS_PER_HOUR,
      },
      onStoreError: (error) =>
        logger.warn({ err: error }, 'rate-limit store error; using per-process limits meanwhile'),
      onStoreRecovered: () => logger.info('rate-limit store reachable again; limits count there'),
    },
  });
  services.sessions.onEvent = (event) => logger.warn(event, 'refresh token reuse detected; session revoked');
  return services;
}

async function bootstrapAdmin(config: Config, services: AuthServices, logger: Logger): Promise<void> {
  const {
    GATEHOUSE_ADMIN_USERNAME: username,
    GATEHOUSE_ADMIN_EMAIL: email,
    GATEHOUSE_ADMIN_PASSWORD: password,
  } = config;
  if (!username || !email || !password) return;
  try {
    const outcome = await services.accounts.ensureAdmin({ username, email, password });
    if (outcome === 'created') logger.info({ username }, 'created the first admin from GATEHOUSE_ADMIN_*');
    if (outcome === 'created_elsewhere') logger.info({ username }, 'the first admin was created by another instance');
  } catch (error) {
    // A refused account (common password, taken e-mail…) is a problem of the GATEHOUSE_ADMIN_* settings.
    if (error instanceof GatehouseError) {
      throw new ConfigError([`GATEHOUSE_ADMIN_*: cannot create the first admin "${username}": ${error.message}`]);
    }
    throw error;
  }
}

/**
 * A server that cannot read the stored TOTP secrets cannot check anyone's codes: refuse to start
 * in production without a key once an account has one, and with a key that does not open them.
 */
async function assertMfaKey(config: Config, services: AuthServices, logger: Logger): Promise<void> {
  const status = await services.mfa.keyStatus();
  if (status === 'missing' && config.NODE_ENV === 'production' && !mfaKeyConfigured(config)) {
    throw new ConfigError([
      'MFA_ENCRYPTION_KEY: is required when NODE_ENV=production once an account has an authenticator app (32 random bytes as base64: openssl rand -base64 32)',
    ]);
  }
  if (status !== 'wrong') return;
  const problem =
    'MFA_ENCRYPTION_KEY (or the key it is derived from: JWT_KEY_ENCRYPTION_KEY, else the development JWT secret) does not decrypt the stored authenticator-app secrets; set the key they were stored with';
  if (config.NODE_ENV === 'production') throw new ConfigError([problem]);
  logger.warn(`${problem}; sign-in codes will be refused until then`);
}

/** Starts the whole service and resolves once it is listening. */
export async function startGatehouse(
  config: Config,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningGatehouse> {
  assertMailConfig(config);
  // Links fall back to this server's own address (PORT may be 0 until it listens).
  let ownUrl = `http://${config.HOST}:${config.PORT}`;
  const services = await createServices(config, logger, options, () => ownUrl);
  try {
    const running = await listenWith(config, logger, services);
    ownUrl = running.url;
    return running;
  } catch (error) {
    // Whatever stopped start-up (a refused admin bootstrap, EADDRINUSE…), leave no worker pool or
    // database connection behind; a failure to close must not hide the reason start-up failed.
    await services.close().catch((closeError: unknown) => {
      logger.warn({ err: closeError }, 'closing the services after a failed start-up failed');
    });
    throw error;
  }
}

async function listenWith(config: Config, logger: Logger, services: AuthServices): Promise<RunningGatehouse> {
  await services.rateLimits.ready().catch((error: unknown) => {
    // Starting anyway keeps sign-in available; limits hold per process until Redis answers.
    logger.warn({ err: error }, 'rate-limit store unreachable at start-up; using per-process limits until it answers');
  });
  await services.passwords.warmUp();
  // The first instance on a fresh database makes the first signing key.
  await services.signingKeys?.ensureKey();
  // Decrypt the signing key now: a wrong JWT_KEY_ENCRYPTION_KEY stops start-up, not every login.
  await services.signingKeys?.current();
  await assertMfaKey(config, services, logger);
  await bootstrapAdmin(config, services, logger);
  const server = createHttpServer({ config, services, logger });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const stopHousekeeping = startHousekeeping(services, logger, { auditRetentionSeconds: config.AUDIT_RETENTION });
  const sender = startOutboxSender(config, services, logger);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await stopHousekeeping();
      await new Promise<void>((resolve) => {
        // A keep-alive connection whose last in-flight call ends during the drain would otherwise
        // sit idle until keepAliveTimeout and hold the exit up; close such connections as they idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      // After the HTTP drain (in-flight requests may still queue mail), before the database closes.
      await sender.stop();
      await services.close();
    })();
    return closing;
  };
  return { server, services, url: `http://${host}:${address.port}`, close };
}

/**
 * Delivers the mail outbox from this process, off the request path: woken when a request queues
 * mail, and polling for mail queued by other instances or left over from before a restart.
 */
function startOutboxSender(config: Config, services: AuthServices, logger: Logger): OutboxSender {
  const transport = createMailTransport(config, logger);
  const sender = services.email.outboxSender({
    transport,
    pollIntervalMs: config.MAIL_POLL_INTERVAL * 1000,
    retryBaseMs: config.MAIL_RETRY_BASE * 1000,
    leaseMs: config.MAIL_LEASE * 1000,
    onSent: (mail) => logger.info({ mailId: mail.id, kind: mail.kind, attempts: mail.attempts }, 'mail sent'),
    onFailed: (mail, error, retryAt) =>
      logger.warn(
        { mailId: mail.id, kind: mail.kind, attempts: mail.attempts, err: error, retryAt },
        retryAt ? 'mail delivery failed; will retry' : 'mail delivery failed; giving up',
      ),
    onError: (error) => logger.warn({ err: error }, 'mail outbox unreachable; trying again later'),
  });
  services.email.onQueued = () => sender.wake();
  sender.start();
  logger.info({ transport: transport.description }, 'mail outbox sender started');
  return sender;
}
