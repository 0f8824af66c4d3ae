import { boolean, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Times are `timestamptz` read as Date: the same values the SQLite schema keeps as milliseconds. */
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** Mirrors sqlite-schema.ts table for table; the repositories depend on the two staying alike. */
export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
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
    isActive: boolean('is_active').notNull().default(true),
    tokenVersion: integer('token_version').notNull().default(0),
    // Set once the user proved they receive mail at `email` (a link, a reset, a provider's word).
    emailVerified: boolean('email_verified').notNull().default(false),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [index('users_role_idx').on(t.role, t.id)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    previousTokenHash: text('previous_token_hash'),
    rotatedAt: time('rotated_at'),
    expiresAt: time('expires_at').notNull(),
    createdAt: time('created_at').notNull(),
    lastUsedAt: time('last_used_at').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    revokedAt: time('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId, t.createdAt)],
);

/** Service credentials; only a SHA-256 of the secret is kept (see sqlite-schema.ts). */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    // Kept when the creating admin is deleted: the key outlives them until revoked.
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at'),
    lastUsedAt: time('last_used_at'),
    revokedAt: time('revoked_at'),
  },
  (t) => [index('api_keys_created_idx').on(t.createdAt)],
);

/** Security events, append-only; no foreign keys so a deleted account's history survives. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: serial('id').primaryKey(),
    type: text('type').notNull(),
    at: time('at').notNull(),
    actorUserId: integer('actor_user_id'),
    apiKeyId: text('api_key_id'),
    targetUserId: integer('target_user_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_type_idx').on(t.type, t.id),
    index('audit_events_actor_idx').on(t.actorUserId, t.id),
    index('audit_events_target_idx').on(t.targetUserId, t.id),
  ],
);

/**
 * Counters of rate-limiter-flexible's drizzle store (RateLimiterDrizzle), in the layout it
 * expects (key, points, expire). Created here so migrations own the schema.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: time('expire'),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);

/** Access-token signing keys (JWT_ALG=EdDSA/ES256); the private half is encrypted by core. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm', { enum: ['EdDSA', 'ES256'] }).notNull(),
    publicJwk: text('public_jwk').notNull(),
    encryptedPrivateKey: text('encrypted_private_key').notNull(),
    createdAt: time('created_at').notNull(),
    retiredAt: time('retired_at'),
    publishUntil: time('publish_until'),
  },
  (t) => [index('signing_keys_created_idx').on(t.createdAt)],
);

/** Identities at OAuth / OpenID Connect providers; (provider, provider user id) names one identity. */
export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: serial('id').primaryKey(),
    provider: text('provider').notNull(),
    providerUserId: text('provider_user_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    createdAt: time('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('oauth_accounts_identity_idx').on(t.provider, t.providerUserId),
    index('oauth_accounts_user_idx').on(t.userId),
  ],
);

/** Authorization requests in flight, for ten minutes at most; keyed by a hash of the state. */
export const oauthStates = pgTable(
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
    expiresAt: time('expires_at').notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

/**
 * One-time links sent by mail (verify, reset, email change, sign-in); only a SHA-256 of the
 * token is kept. `usedAt` and `revokedAt` end a token: used once, or superseded/invalidated.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: serial('id').primaryKey(),
    purpose: text('purpose', { enum: ['verify_email', 'reset_password', 'change_email', 'sign_in'] }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    // The address an email-change token moves the account to.
    newEmail: text('new_email'),
    expiresAt: time('expires_at').notNull(),
    createdAt: time('created_at').notNull(),
    usedAt: time('used_at'),
    revokedAt: time('revoked_at'),
  },
  (t) => [index('email_tokens_user_idx').on(t.userId, t.purpose), index('email_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * Mail waiting to go out, written in the transaction that decided to send it; a sender claims
 * rows (lease in `lockedUntil`) and marks them sent. No foreign key: a notice outlives its account.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: serial('id').primaryKey(),
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
    nextAttemptAt: time('next_attempt_at').notNull(),
    lockedUntil: time('locked_until'),
    claimedBy: text('claimed_by'),
    createdAt: time('created_at').notNull(),
    sentAt: time('sent_at'),
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
