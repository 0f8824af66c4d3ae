import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are stored as integer milliseconds since the epoch. */
const millis = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    // Lower-cased copies carry the unique constraints, so "Alice" and "alice" collide.
    usernameKey: text('username_key').notNull().unique(),
    email: text('email').notNull(),
    emailKey: text('email_key').notNull().unique(),
    // Null for accounts that only sign in through an OAuth provider.
    passwordHash: text('password_hash'),
    fullName: text('full_name'),
    role: text('role', { enum: ['admin', 'user', 'viewer'] })
      .notNull()
      .default('user'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    tokenVersion: integer('token_version').notNull().default(0),
    // Set once the user proved they receive mail at `email` (a link, a reset, a provider's word).
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [index('users_role_idx').on(t.role, t.id)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    previousTokenHash: text('previous_token_hash'),
    rotatedAt: millis('rotated_at'),
    expiresAt: millis('expires_at').notNull(),
    createdAt: millis('created_at').notNull(),
    lastUsedAt: millis('last_used_at').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    revokedAt: millis('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId, t.createdAt)],
);

/**
 * Service credentials. The id is the public part of the key (`gh_<id>_<secret>`); only a
 * SHA-256 of the secret is kept, so a leaked database does not leak working keys.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    // Kept when the creating admin is deleted: the key outlives them until revoked.
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at'),
    lastUsedAt: millis('last_used_at'),
    revokedAt: millis('revoked_at'),
  },
  (t) => [index('api_keys_created_idx').on(t.createdAt)],
);

/**
 * Security events, append-only. User ids carry no foreign key on purpose: the history of a
 * deleted account must survive its deletion.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    at: millis('at').notNull(),
    actorUserId: integer('actor_user_id'),
    apiKeyId: text('api_key_id'),
    targetUserId: integer('target_user_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_type_idx').on(t.type, t.id),
    index('audit_events_actor_idx').on(t.actorUserId, t.id),
    index('audit_events_target_idx').on(t.targetUserId, t.id),
  ],
);

/**
 * Counters of rate-limiter-flexible's SQLite store (RateLimiterSQLite), in the layout it
 * expects: `expire` is milliseconds since the epoch. Created here so migrations own the schema.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: integer('expire'),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);

/** Access-token signing keys (JWT_ALG=EdDSA/ES256); the private half is encrypted by core. */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm', { enum: ['EdDSA', 'ES256'] }).notNull(),
    publicJwk: text('public_jwk').notNull(),
    encryptedPrivateKey: text('encrypted_private_key').notNull(),
    createdAt: millis('created_at').notNull(),
    retiredAt: millis('retired_at'),
    publishUntil: millis('publish_until'),
  },
  (t) => [index('signing_keys_created_idx').on(t.createdAt)],
);

/** Identities at OAuth / OpenID Connect providers; (provider, provider user id) names one identity. */
export const oauthAccounts = sqliteTable(
  'oauth_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    providerUserId: text('provider_user_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('oauth_accounts_identity_idx').on(t.provider, t.providerUserId),
    index('oauth_accounts_user_idx').on(t.userId),
  ],
);

/** Authorization requests in flight, for ten minutes at most; keyed by a hash of the state. */
export const oauthStates = sqliteTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    nonce: text('nonce'),
    browserHash: text('browser_hash').notNull(),
    returnTo: text('return_to'),
    // A user deleted mid-flow takes their pending link with them.
    linkUserId: integer('link_user_id').references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: millis('expires_at').notNull(),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

/**
 * One-time links sent by mail (verify, reset, email change, sign-in); only a SHA-256 of the
 * token is kept. `usedAt` and `revokedAt` end a token: used once, or superseded/invalidated.
 */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    purpose: text('purpose', { enum: ['verify_email', 'reset_password', 'change_email', 'sign_in'] }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    // The address an email-change token moves the account to.
    newEmail: text('new_email'),
    expiresAt: millis('expires_at').notNull(),
    createdAt: millis('created_at').notNull(),
    usedAt: millis('used_at'),
    revokedAt: millis('revoked_at'),
  },
  (t) => [index('email_tokens_user_idx').on(t.userId, t.purpose), index('email_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * Mail waiting to go out, written in the transaction that decided to send it; a sender claims
 * rows (lease in `lockedUntil`) and marks them sent. No foreign key: a notice outlives its account.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    userId: integer('user_id'),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: millis('next_attempt_at').notNull(),
    lockedUntil: millis('locked_until'),
    claimedBy: text('claimed_by'),
    createdAt: millis('created_at').notNull(),
    sentAt: millis('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

export const schema = {
  users,
  sessions,
  apiKeys,
  auditEvents,
  rateLimits,
  signingKeys,
  oauthAccounts,
  oauthStates,
  emailTokens,
  mailOutbox,
};
