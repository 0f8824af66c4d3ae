import { hkdfSync } from 'node:crypto';
import type { Database, SigningAlgorithm } from '@gatehouse/db';
import { AccessTokens } from './access-tokens/access-tokens.js';
import { Authenticator } from './access-tokens/authentication.js';
import { AccountService } from './accounts/accounts.js';
import { AdministrationService } from './accounts/administration.js';
import { ApiKeyService } from './api-keys/api-keys.js';
import { AuditLog } from './audit/audit-log.js';
import {
  DEFAULT_DEVICE_CODE_TTL_SECONDS,
  DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
  DeviceSignIn,
} from './device/device-sign-in.js';
import { EmailLifecycle } from './email/email-lifecycle.js';
import { DEFAULT_EMAIL_TOKEN_TTLS, DEFAULT_REQUEST_FLOOR_MS, type EmailSettings } from './email/email-settings.js';
import { MailTemplates } from './email/mail-templates.js';
import { DEFAULT_MFA_SETTINGS, MfaService } from './mfa/mfa-service.js';
import { StepUp } from './mfa/step-up.js';
import type { OAuthProvider } from './oauth/providers.js';
import { createOAuthProviders, type OAuthSettings } from './oauth/settings.js';
import { OAuthService } from './oauth/sign-in.js';
import { PasskeyService, type PasskeySettings } from './passkeys/passkeys.js';
import { LoginThrottle } from './passwords/login-throttle.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { PasswordSignIn } from './passwords/password-sign-in.js';
import type { RateLimitSettings } from './rate-limits/rate-limit-settings.js';
import type { RateLimitStore } from './rate-limits/rate-limit-store.js';
import { RateLimits } from './rate-limits/rate-limits.js';
import { announcingChanges } from './session-view/announcing-database.js';
import { type SessionViewOptions, SharedSessionView } from './session-view/shared-session-view.js';
import { SessionService } from './sessions/sessions.js';
import { SigningKeyRing } from './signing-keys/signing-keys.js';

export interface RateLimitServiceOptions {
  settings?: Partial<RateLimitSettings>;
  /** memory (default, one process), database (this database's rate_limits table) or redis. */
  store?: 'memory' | 'database' | 'redis';
  /** Required for the redis store. */
  redisUrl?: string;
  /** Prefix of the keys in a shared store (default "gatehouse"). */
  keyPrefix?: string;
  onStoreError?: (error: Error) => void;
  /** The shared store answers again after onStoreError. */
  onStoreRecovered?: () => void;
}

/** Asymmetric access tokens: keys in the database, public halves in the JWKS. */
export interface SigningKeyOptions {
  algorithm: SigningAlgorithm;
  /** 32 bytes (JWT_KEY_ENCRYPTION_KEY); private keys are stored encrypted under it. */
  encryptionKey: Buffer;
  /** How long an instance trusts its copy of the key list (default 30 s). */
  cacheTtlMs?: number;
}

export interface AuthServicesOptions {
  db: Database;
  /** The HS256 secret; unused when `signingKeys` is given. */
  jwtSecret?: string;
  /** Sign with EdDSA/ES256 keys instead of the HS256 secret. */
  signingKeys?: SigningKeyOptions;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  bcryptCost: number;
  /** Grace window for a concurrent duplicate refresh, in ms (default 5000). */
  refreshReuseGraceMs?: number;
  passwordThreads?: number;
  /** Hashing tasks that may wait for a thread before password procedures answer 503 (default 32). */
  passwordQueueLimit?: number;
  rateLimits?: RateLimitServiceOptions;
  /** Sign-in through OAuth / OpenID Connect providers; none when absent. */
  oauth?: OAuthSettings | undefined;
  /** Providers built by the caller instead of from `oauth` (tests); publicUrl still comes from `oauth`. */
  oauthProviders?: OAuthProvider[] | undefined;
  /** The account lifecycle by email (verification, reset, email change, sign-in links). */
  email?: EmailOptions | undefined;
  /** Device sign-in (RFC 8628); the approval page is at the email settings' publicUrl + /device. */
  device?: DeviceOptions | undefined;
  /** Passkeys; RP name and public URL default to the email settings' product name and publicUrl. */
  passkeys?: Partial<PasskeySettings> | undefined;
  /** Second factors and step-up. */
  mfa?: MfaOptions | undefined;
  /** The in-process view of session state for authenticated calls; null reads the database on each call. */
  sessionView?: SessionViewOptions | null | undefined;
  /** The time source; tests pass a fake one. */
  clock?: () => Date;
}

export interface MfaOptions {
  /** 32 bytes (MFA_ENCRYPTION_KEY); without it TOTP set-up is refused. */
  encryptionKey?: Buffer | null | undefined;
  /** REAUTH_WINDOW in seconds (default 600). */
  reauthWindowSeconds?: number | undefined;
  /** The issuer authenticator apps show (default: the email product name, else Gatehouse). */
  issuer?: string | undefined;
}

/** What health checks and start-up logs may know of the storage, without its handle. */
export interface StorageStatus {
  engine: Database['engine'];
  /** True when the database answers a trivial query. */
  isUp(): Promise<boolean>;
}

export interface EmailOptions extends Partial<Omit<EmailSettings, 'ttls'>> {
  ttls?: Partial<EmailSettings['ttls']>;
  /** A folder of template files that replace the built-in mails (see MailTemplates). */
  templatesDir?: string | undefined;
}

export interface DeviceOptions {
  /** Seconds a started device sign-in waits for approval (default 600). */
  ttlSeconds?: number | undefined;
  /** Seconds between polls (default 5). */
  intervalSeconds?: number | undefined;
}

/** Every auth service wired to one database; what the API layer works with. */
export interface AuthServices {
  storage: StorageStatus;
  passwords: PasswordHasher;
  accessTokens: AccessTokens;
  /** The asymmetric signing keys; null with HS256. */
  signingKeys: SigningKeyRing | null;
  sessions: SessionService;
  accounts: AccountService;
  /** Password sign-in behind the rate limits, the account lock and the audit log. */
  signIn: PasswordSignIn;
  administration: AdministrationService;
  authenticator: Authenticator;
  apiKeys: ApiKeyService;
  /** Sign-in through OAuth / OpenID Connect providers. */
  oauth: OAuthService;
  /** Verification, password reset, email change and sign-in links; mail goes to the outbox. */
  email: EmailLifecycle;
  /** Device sign-in (RFC 8628) for the CLI and other devices without a browser. */
  device: DeviceSignIn;
  /** Passkeys (WebAuthn): registration, management and sign-in. */
  passkeys: PasskeyService;
  audit: AuditLog;
  rateLimits: RateLimits;
  /** TOTP, backup codes and sign-ins waiting for a second factor. */
  mfa: MfaService;
  /** Recent-authentication checks for sensitive changes. */
  stepUp: StepUp;
  /** What authenticated calls read instead of the database; null when SESSION_CACHE=off. */
  sessionView: SharedSessionView | null;
  /** Stops the hashing pool, disconnects the rate-limit store and closes the database. */
  close(): Promise<void>;
}

function rateLimitStore(db: Database, options: RateLimitServiceOptions): RateLimitStore {
  if (options.store === 'database') return { kind: 'database', counters: db.rateLimitTable };
  if (options.store === 'redis') {
    if (!options.redisUrl) throw new Error('The redis rate-limit store needs a Redis URL');
    return { kind: 'redis', url: options.redisUrl };
  }
  return { kind: 'memory' };
}

/**
 * The key refresh-token secrets derive from, from the secret the deployment already keeps
 * (JWT_SECRET, or the key-encryption key with asymmetric signing). Changing that secret
 * therefore also ends every session.
 */
function refreshChainKey(options: AuthServicesOptions): Buffer {
  const secret = options.signingKeys ? options.signingKeys.encryptionKey : Buffer.from(options.jwtSecret ?? '');
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse/refresh-token-chain/v1', 32));
}

export function createAuthServices(options: AuthServicesOptions): AuthServices {
  const sessionView = options.sessionView ? new SharedSessionView(options.sessionView) : null;
  // Every service writes through this handle, so each change an authenticated call would notice is announced.
  const db = sessionView ? announcingChanges(options.db, sessionView.announce) : options.db;
  const clock = options.clock ?? (() => new Date());
  const threads = options.passwordThreads;
  const passwords = new PasswordHasher({
    cost: options.bcryptCost,
    ...(threads ? { threads } : {}),
    ...(options.passwordQueueLimit ? { maxQueue: options.passwordQueueLimit } : {}),
  });
  const signingKeys = options.signingKeys
    ? new SigningKeyRing({
        db,
        algorithm: options.signingKeys.algorithm,
        encryptionKey: options.signingKeys.encryptionKey,
        cacheTtlMs: options.signingKeys.cacheTtlMs ?? 30_000,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        clock,
      })
    : null;
  const tokenOptions = {
    issuer: options.issuer,
    audience: options.audience,
    ttlSeconds: options.accessTokenTtlSeconds,
    clock,
  };
  if (!signingKeys && options.jwtSecret === undefined) throw new Error('HS256 access tokens need jwtSecret');
  const accessTokens = new AccessTokens(
    signingKeys ? { ...tokenOptions, keys: signingKeys } : { ...tokenOptions, secret: options.jwtSecret ?? '' },
  );
  const audit = new AuditLog(db, clock);
  const limitOptions = options.rateLimits ?? {};
  const rateLimits = new RateLimits({
    store: rateLimitStore(db, limitOptions),
    ...(limitOptions.settings ? { settings: limitOptions.settings } : {}),
    ...(limitOptions.keyPrefix ? { keyPrefix: limitOptions.keyPrefix } : {}),
    ...(limitOptions.onStoreError ? { onStoreError: limitOptions.onStoreError } : {}),
    ...(limitOptions.onStoreRecovered ? { onStoreRecovered: limitOptions.onStoreRecovered } : {}),
  });
  const sessions = new SessionService(db, accessTokens, {
    refreshTtlSeconds: options.refreshTokenTtlSeconds,
    reuseGraceMs: options.refreshReuseGraceMs ?? 5000,
    clock,
    audit,
    chainKey: refreshChainKey(options),
  });
  const accounts = new AccountService(db, passwords, sessions, audit, clock);
  const emailOptions = options.email ?? {};
  const emailSettings: EmailSettings = {
    productName: emailOptions.productName ?? 'Gatehouse',
    publicUrl: emailOptions.publicUrl ?? (() => 'http://localhost:3000'),
    verification: emailOptions.verification ?? 'optional',
    signInLinks: emailOptions.signInLinks ?? true,
    passwordReset: emailOptions.passwordReset ?? true,
    mailEnabled: emailOptions.mailEnabled ?? true,
    ttls: { ...DEFAULT_EMAIL_TOKEN_TTLS, ...emailOptions.ttls },
    requestFloorMs: emailOptions.requestFloorMs ?? DEFAULT_REQUEST_FLOOR_MS,
  };
  const email = new EmailLifecycle({
    db,
    passwords,
    sessions,
    audit,
    limits: rateLimits,
    templates: new MailTemplates(emailOptions.templatesDir),
    settings: emailSettings,
    clock,
  });
  const mfa = new MfaService({
    db,
    audit,
    limits: rateLimits,
    email,
    clock,
    settings: {
      ...DEFAULT_MFA_SETTINGS,
      encryptionKey: options.mfa?.encryptionKey ?? null,
      issuer: options.mfa?.issuer ?? emailSettings.productName,
    },
  });
  const passkeys = new PasskeyService({
    db,
    audit,
    clock,
    settings: {
      rpName: options.passkeys?.rpName ?? emailSettings.productName,
      publicUrl: options.passkeys?.publicUrl ?? emailSettings.publicUrl,
      ...(options.passkeys?.challengeTtlSeconds ? { challengeTtlSeconds: options.passkeys.challengeTtlSeconds } : {}),
    },
  });
  // user.mfa.status and admin listings count a user's passkeys.
  mfa.countPasskeys = (userId) => passkeys.count(userId);
  const stepUp = new StepUp({
    db,
    passwords,
    mfa,
    audit,
    limits: rateLimits,
    windowSeconds: options.mfa?.reauthWindowSeconds ?? 600,
    clock,
  });
  const services: AuthServices = {
    storage: { engine: db.engine, isUp: () => db.ping().catch(() => false) },
    passwords,
    accessTokens,
    signingKeys,
    sessions,
    accounts,
    signIn: new PasswordSignIn(
      db,
      accounts,
      rateLimits,
      new LoginThrottle(rateLimits),
      audit,
      clock,
      emailSettings.verification === 'required',
    ),
    administration: new AdministrationService(db, sessions, audit, clock),
    authenticator: new Authenticator(db, accessTokens, sessions, sessionView),
    apiKeys: new ApiKeyService(db, audit, rateLimits, { clock }),
    oauth: new OAuthService(
      db,
      audit,
      options.oauthProviders ?? (options.oauth ? createOAuthProviders(options.oauth) : []),
      options.oauth?.publicUrl ?? null,
      clock,
    ),
    email,
    device: new DeviceSignIn({
      db,
      sessions,
      audit,
      limits: rateLimits,
      settings: {
        publicUrl: emailSettings.publicUrl,
        ttlSeconds: options.device?.ttlSeconds ?? DEFAULT_DEVICE_CODE_TTL_SECONDS,
        intervalSeconds: options.device?.intervalSeconds ?? DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
      },
      clock,
    }),
    passkeys,
    audit,
    rateLimits,
    mfa,
    stepUp,
    sessionView,
    close: async () => {
      await sessionView?.close();
      await rateLimits.close();
      await passwords.close();
      await db.close();
    },
  };
  databases.set(services, db);
  // Until its first heartbeat returns, the view is not used: calls read the database meanwhile.
  sessionView?.start().catch(() => {});
  return services;
}

const databases = new WeakMap<AuthServices, Database>();

/** The database behind a set of services: for test set-up only (see @gatehouse/core/testing). */
export function databaseOf(services: AuthServices): Database {
  const db = databases.get(services);
  if (!db) throw new Error('These services were not made by createAuthServices');
  return db;
}
