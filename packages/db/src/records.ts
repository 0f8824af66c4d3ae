/** Storage-level shapes shared by every engine. Domain rules live in @gatehouse/core. */

import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DeviceCodesRepository } from './device-records.js';
import type { EmailTokensRepository, MailOutboxRepository } from './email-records.js';
import type { WebAuthnChallengesRepository, WebAuthnCredentialsRepository } from './webauthn-records.js';

export const ROLES = ['admin', 'user', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  passwordHash: string | null;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  tokenVersion: number;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  usernameKey: string;
  email: string;
  emailKey: string;
  passwordHash: string | null;
  fullName: string | null;
  role: Role;
  /** False unless given (an address a provider vouched for starts verified). */
  emailVerified?: boolean;
}

export interface UserPatch {
  email?: string;
  emailKey?: string;
  fullName?: string | null;
  passwordHash?: string | null;
  role?: Role;
  isActive?: boolean;
  emailVerified?: boolean;
}

export interface UserListQuery {
  /** Id of the last user of the previous page. */
  cursor?: number | undefined;
  limit: number;
  search?: string | undefined;
  role?: Role | undefined;
  emailVerified?: boolean | undefined;
}

export interface UserPage {
  items: UserRecord[];
  nextCursor: number | null;
}

export interface SessionRecord {
  id: string;
  userId: number;
  tokenHash: string;
  previousTokenHash: string | null;
  rotatedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
  revokedAt: Date | null;
  /** Sign-in or the last re-authentication; null on sessions older than step-up (then createdAt counts). */
  authenticatedAt: Date | null;
}

export interface NewSession {
  id: string;
  userId: number;
  tokenHash: string;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export interface ApiKeyRecord {
  /** The public id, the middle part of `gh_<id>_<secret>`. */
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret part. */
  secretHash: string;
  scopes: string[];
  createdByUserId: number | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  createdByUserId: number | null;
  expiresAt: Date | null;
}

/** Extra facts of an audit event: short scalar values, never a secret. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEventRecord {
  id: number;
  type: string;
  at: Date;
  actorUserId: number | null;
  apiKeyId: string | null;
  targetUserId: number | null;
  ip: string | null;
  userAgent: string | null;
  detail: AuditDetail | null;
}

export type NewAuditEvent = Omit<AuditEventRecord, 'id'>;

export interface AuditQuery {
  /** Events where this user is the actor or the target. */
  userId?: number | undefined;
  type?: string | undefined;
  /** Inclusive lower bound on the event time. */
  from?: Date | undefined;
  /** Exclusive upper bound on the event time. */
  to?: Date | undefined;
  /** Id of the last event of the previous page; pages run newest first. */
  cursor?: number | undefined;
  limit: number;
}

export interface AuditPage {
  items: AuditEventRecord[];
  nextCursor: number | null;
}

/** Outcome of a change that must leave at least one active admin behind. */
export type GuardedChange = 'ok' | 'not_found' | 'last_admin';

/** What an authenticated call needs to know of its session. */
export type SessionState = Pick<SessionRecord, 'expiresAt' | 'revokedAt'>;

export interface UserWithSession {
  user: UserRecord;
  /** Null when no session has that id or it belongs to another user. */
  session: SessionState | null;
}

export interface UsersRepository {
  /** Throws UniqueViolationError when the username or email is taken. */
  create(user: NewUser, now: Date): Promise<UserRecord>;
  findById(id: number): Promise<UserRecord | null>;
  /**
   * The user and the state of one of their sessions, in one query: every authenticated call
   * needs both. Null when the user does not exist.
   */
  findWithSession(userId: number, sessionId: string): Promise<UserWithSession | null>;
  /** Looks a user up by lower-cased username or email. */
  findByLoginKey(key: string): Promise<UserRecord | null>;
  /** The usernames of those of `ids` that exist (for naming the parties of audit events). */
  usernames(ids: readonly number[]): Promise<Map<number, string>>;
  /** Throws UniqueViolationError when a new email is taken. */
  update(id: number, patch: UserPatch, now: Date): Promise<UserRecord | null>;
  /** Changes the password hash and invalidates every access token issued before. */
  setPassword(id: number, passwordHash: string, now: Date): Promise<UserRecord | null>;
  /** Stores a re-made hash only if the old one is still current. */
  replaceHash(id: number, oldHash: string, newHash: string): Promise<void>;
  setRole(id: number, role: UserRecord['role'], now: Date): Promise<GuardedChange>;
  setActive(id: number, active: boolean, now: Date): Promise<GuardedChange>;
  delete(id: number): Promise<GuardedChange>;
  list(query: UserListQuery): Promise<UserPage>;
  countAdmins(): Promise<number>;
}

export interface SessionsRepository {
  create(session: NewSession, now: Date): Promise<SessionRecord>;
  findById(id: string): Promise<SessionRecord | null>;
  /**
   * Swaps the current secret hash for a new one, only if `currentHash` is still current and the
   * session is live. Returns false when another call got there first.
   */
  rotate(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean>;
  revoke(id: string, now: Date): Promise<boolean>;
  revokeForUser(userId: number, now: Date, exceptSessionId?: string): Promise<number>;
  listLive(userId: number, now: Date): Promise<SessionRecord[]>;
  /** Removes sessions that ended before `before`. */
  purgeEnded(before: Date): Promise<number>;
  /** True when the user opened a session from this address at or after `since`. */
  hasSessionFrom(userId: number, ip: string, since: Date): Promise<boolean>;
  /** Records a fresh proof of identity on a live session (step-up); false when it is not live. */
  markAuthenticated(id: string, now: Date): Promise<boolean>;
}

export interface ApiKeysRepository {
  create(key: NewApiKey, now: Date): Promise<ApiKeyRecord>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  /** Every key, revoked ones included, newest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Returns false when the key does not exist or was already revoked. */
  revoke(id: string, now: Date): Promise<boolean>;
  /** Records a use, only when the last recorded use is older than `staleBefore` (coarse, not a write per call). */
  touch(id: string, now: Date, staleBefore: Date): Promise<void>;
}

/** Append-only: there is deliberately no way to change or remove an event. */
export interface AuditRepository {
  append(event: NewAuditEvent): Promise<AuditEventRecord>;
  list(query: AuditQuery): Promise<AuditPage>;
  /** Deletes events from before `before`; returns how many. */
  purgeBefore(before: Date): Promise<number>;
  /** Deletes events that name no user (e.g. sign-ins to accounts that do not exist) from before `before`. */
  purgeUnattributedBefore(before: Date): Promise<number>;
}

export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A key pair that signs access tokens when they are asymmetric (JWT_ALG=EdDSA or ES256). */
export interface SigningKeyRecord {
  /** The `kid` in token headers and in the JWKS. */
  kid: string;
  algorithm: SigningAlgorithm;
  /** The public key as a JWK, JSON text. */
  publicJwk: string;
  /** The PKCS#8 private key, encrypted by core (AES-256-GCM); never stored in the clear. */
  encryptedPrivateKey: string;
  createdAt: Date;
  /** When it stopped signing; null while it is a current key. */
  retiredAt: Date | null;
  /** Until when a retired key stays in the JWKS (tokens it signed may still be alive). */
  publishUntil: Date | null;
}

export type NewSigningKey = Omit<SigningKeyRecord, 'createdAt' | 'retiredAt' | 'publishUntil'>;

export interface SigningKeysRepository {
  /**
   * Adds a key. With `retireOthersUntil`, every other current key stops signing now and stays
   * published until then, in the same transaction (a rotation).
   */
  add(key: NewSigningKey, now: Date, retireOthersUntil?: Date): Promise<SigningKeyRecord>;
  /** Current keys and retired keys still published at `now`, newest first. */
  listPublished(now: Date): Promise<SigningKeyRecord[]>;
}

/** What a limiter needs to know; where its counters live is the database's business. */
export interface RateLimiterOptions {
  /** Part of every stored key, so limiters sharing the table never share counters. */
  keyPrefix: string;
  points: number;
  /** The window, in seconds. */
  duration: number;
}

/** The rate_limits table, as rate-limiter-flexible's database store of this engine uses it. */
export interface RateLimitCounters {
  /**
   * A limiter keeping its counters in this database, on its own connection and migrated table.
   * Expired counters stay until purgeExpired runs (the limiter does not sweep on its own).
   */
  createLimiter(options: RateLimiterOptions): RateLimiterAbstract;
  /** Deletes counters that expired before `before`. */
  purgeExpired(before: Date): Promise<number>;
}

/** A sign-in identity at an OAuth / OpenID Connect provider, linked to one user. */
export interface OAuthAccountRecord {
  id: number;
  /** Provider id: google, github or oidc. */
  provider: string;
  /** The provider's stable user id (the OIDC `sub`, GitHub's numeric id); never the email. */
  providerUserId: string;
  userId: number;
  /** The email the provider reported when the identity was linked (informational). */
  email: string | null;
  createdAt: Date;
}

export type NewOAuthAccount = Omit<OAuthAccountRecord, 'id' | 'createdAt'>;

export interface OAuthAccountsRepository {
  /** Links an identity; returns null when that (provider, providerUserId) is already linked. */
  link(account: NewOAuthAccount, now: Date): Promise<OAuthAccountRecord | null>;
  find(provider: string, providerUserId: string): Promise<OAuthAccountRecord | null>;
  listForUser(userId: number): Promise<OAuthAccountRecord[]>;
  /**
   * Removes one of the user's identities, unless it is their last way to sign in (no password,
   * no other identity): the check and the removal are one transaction, so two concurrent
   * unlinks cannot both pass it.
   */
  unlink(userId: number, id: number): Promise<UnlinkOutcome>;
}

export type UnlinkOutcome = 'ok' | 'not_found' | 'last_way';

/**
 * One authorization request in flight (oauth.start until oauth.callback). Only a hash of the
 * state is stored, so a leaked row cannot complete someone's sign-in.
 */
export interface OAuthStateRecord {
  /** SHA-256 (hex) of the state parameter. */
  stateHash: string;
  provider: string;
  /** The PKCE verifier: needed in the clear for the code exchange, and useless without the code. */
  codeVerifier: string;
  /** OIDC nonce (null for plain OAuth providers such as GitHub). */
  nonce: string | null;
  /** SHA-256 (hex) of the browser-binding cookie of the browser that started. */
  browserHash: string;
  /** A same-origin path to return to after sign-in. */
  returnTo: string | null;
  /** Set when a signed-in user is linking another identity to their account. */
  linkUserId: number | null;
  expiresAt: Date;
  createdAt: Date;
}

export type NewOAuthState = Omit<OAuthStateRecord, 'createdAt'>;

export interface OAuthStatesRepository {
  create(state: NewOAuthState, now: Date): Promise<void>;
  /**
   * Deletes and returns the state in one statement, so it is single-use even when two callbacks
   * race; expired states are returned too (the caller refuses them), null when unknown.
   */
  consume(stateHash: string): Promise<OAuthStateRecord | null>;
  purgeExpired(before: Date): Promise<number>;
}

export interface TotpFactorRecord {
  userId: number;
  encryptedSecret: string;
  enabledAt: Date | null;
  lastUsedStep: number | null;
  createdAt: Date;
}

export interface MfaChallengeRecord {
  id: number;
  tokenHash: string;
  userId: number;
  /** How the first factor was given: password, link, oauth:<provider>. */
  firstFactor: string;
  attempts: number;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | null;
}

export interface NewMfaChallenge {
  tokenHash: string;
  userId: number;
  firstFactor: string;
  expiresAt: Date;
}

/** Which second factors some users have, for admin lists. */
export interface UserFactors {
  totp: boolean;
  backupCodesLeft: number;
}

/** Second factors (TOTP, backup codes) and sign-ins waiting for one. */
export interface MfaRepository {
  findTotp(userId: number): Promise<TotpFactorRecord | null>;
  /** Stores a new pending secret, replacing a pending one; false when TOTP is already enabled. */
  putPendingTotp(userId: number, encryptedSecret: string, now: Date): Promise<boolean>;
  /** Enables the pending secret with its first accepted step; false when there is none pending. */
  enableTotp(userId: number, step: number, now: Date): Promise<boolean>;
  /**
   * Accepts a time step only when it is newer than the last accepted one, atomically: two
   * requests with the same code cannot both win.
   */
  useTotpStep(userId: number, step: number): Promise<boolean>;
  /** Replaces every backup code of the user with these hashes. */
  replaceBackupCodes(userId: number, codeHashes: string[], now: Date): Promise<void>;
  /** Marks an unused code used; false when no unused code has this hash. */
  useBackupCode(userId: number, codeHash: string, now: Date): Promise<boolean>;
  backupCodesLeft(userId: number): Promise<number>;
  /** Removes TOTP and backup codes; returns what was there. */
  removeFactors(userId: number): Promise<UserFactors>;
  factorsOf(userIds: number[]): Promise<Map<number, UserFactors>>;
  /** True when any account has TOTP enabled (start-up refuses to run without its key then). */
  /** One enabled authenticator app, if any account has one (to check the key at start-up). */
  anyEnabledTotp(): Promise<TotpFactorRecord | null>;
  createChallenge(challenge: NewMfaChallenge, now: Date): Promise<MfaChallengeRecord>;
  findChallenge(tokenHash: string): Promise<MfaChallengeRecord | null>;
  /** Counts a wrong code; returns the attempts now recorded. */
  countChallengeFailure(id: number): Promise<number>;
  /** Ends a challenge; false when it was already ended (exactly one caller wins). */
  endChallenge(id: number, now: Date): Promise<boolean>;
  /** Removes challenges that expired before `before`. */
  purgeChallenges(before: Date): Promise<number>;
}

export interface Database {
  readonly engine: 'sqlite' | 'postgres';
  readonly oauthAccounts: OAuthAccountsRepository;
  readonly oauthStates: OAuthStatesRepository;
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly audit: AuditRepository;
  readonly signingKeys: SigningKeysRepository;
  /** Rate-limit counters in this database: limiters on them and the sweep of expired ones. */
  readonly rateLimitTable: RateLimitCounters;
  readonly emailTokens: EmailTokensRepository;
  readonly mailOutbox: MailOutboxRepository;
  readonly deviceCodes: DeviceCodesRepository;
  readonly webauthnCredentials: WebAuthnCredentialsRepository;
  readonly webauthnChallenges: WebAuthnChallengesRepository;
  readonly mfa: MfaRepository;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** LISTEN/NOTIFY on PostgreSQL, for instances sharing the database to tell each other of changes. */
  readonly notifications: DatabaseNotifications | null;
  close(): Promise<void>;
}

export interface DatabaseNotifications {
  /** Delivers every notification on `channel`; `onListen` runs on each (re)connection of the listener. */
  listen(channel: string, onMessage: (payload: string) => void, onListen: () => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
}
