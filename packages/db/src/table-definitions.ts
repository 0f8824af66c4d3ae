/**
 * Every table, described once for both engines: pg-schema.ts and sqlite-schema.ts turn these
 * descriptions into drizzle tables of their dialect (see TableKit), so the two schemas cannot
 * drift apart.
 */
import type { BuildColumns, ColumnBuilderBaseConfig, HasDefault, NotNull } from 'drizzle-orm';
import type { PgColumnBuilderBase, PgTableWithColumns } from 'drizzle-orm/pg-core';
import type { SQLiteColumnBuilderBase, SQLiteTableWithColumns } from 'drizzle-orm/sqlite-core';
import { DEVICE_CODE_STATUSES } from './device-records.js';
import { EMAIL_TOKEN_PURPOSES, MAIL_STATUSES } from './email-records.js';
import type { AuditDetail } from './records.js';
import { ROLES, SIGNING_ALGORITHMS } from './records.js';
import { WEBAUTHN_CHALLENGE_PURPOSES } from './webauthn-records.js';

/**
 * How a column is stored; each dialect picks its own type for each kind. `expiry` is a rate-limit
 * counter's end in the format of that engine's rate-limiter-flexible store (epoch milliseconds on
 * SQLite, a timestamp on PostgreSQL).
 */
type ColumnKind = 'id' | 'text' | 'integer' | 'boolean' | 'time' | 'json' | 'expiry';

type TableName = keyof typeof TABLES;

/**
 * One column, engine-neutral. The type parameters carry what drizzle needs to type rows: the
 * value type, and whether the column is NOT NULL and has a default.
 */
class ColumnSpec<TData, TNotNull extends boolean = false, THasDefault extends boolean = false> {
  declare readonly data: TData;
  notNullable = false;
  defaultValue: TData | undefined = undefined;
  isPrimaryKey = false;
  isUnique = false;
  reference: { table: TableName; column: string; onDelete: 'cascade' | 'set null' } | undefined = undefined;

  constructor(
    readonly kind: ColumnKind,
    readonly name: string,
    readonly enumValues?: readonly [string, ...string[]],
  ) {}

  notNull(): ColumnSpec<TData, true, THasDefault> {
    return Object.assign(this, { notNullable: true }) as ColumnSpec<TData, true, THasDefault>;
  }

  default(value: TData): ColumnSpec<TData, TNotNull, true> {
    return Object.assign(this, { defaultValue: value }) as ColumnSpec<TData, TNotNull, true>;
  }

  primaryKey(): ColumnSpec<TData, true, THasDefault> {
    return Object.assign(this, { isPrimaryKey: true }) as ColumnSpec<TData, true, THasDefault>;
  }

  unique(): this {
    return Object.assign(this, { isUnique: true });
  }

  /** A foreign key to `users.id`, the only table others point at. */
  referencesUser(onDelete: 'cascade' | 'set null'): this {
    return Object.assign(this, { reference: { table: 'users' as const, column: 'id', onDelete } });
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any value type, NOT NULL or not, default or not.
type AnyColumnSpec = ColumnSpec<any, boolean, boolean>;

const id = () => new ColumnSpec<number, true, true>('id', 'id');
const text = (name: string) => new ColumnSpec<string>('text', name);
const textEnum = <const T extends readonly [string, ...string[]]>(name: string, values: T) =>
  new ColumnSpec<T[number]>('text', name, values);
const integer = (name: string) => new ColumnSpec<number>('integer', name);
const boolean = (name: string) => new ColumnSpec<boolean>('boolean', name);
/** A point in time, read as a Date with millisecond precision on both engines. */
const time = (name: string) => new ColumnSpec<Date>('time', name);
const json = <T>(name: string) => new ColumnSpec<T>('json', name);

interface IndexSpec<TColumn extends string> {
  name: string;
  on: readonly [TColumn, ...TColumn[]];
  unique?: boolean;
}

interface TableSpec<TColumns extends Record<string, AnyColumnSpec>> {
  name: string;
  columns: TColumns;
  indexes: ReadonlyArray<IndexSpec<keyof TColumns & string>>;
}

const table = <const TName extends string, TColumns extends Record<string, AnyColumnSpec>>(spec: {
  name: TName;
  columns: TColumns;
  indexes: ReadonlyArray<IndexSpec<keyof TColumns & string>>;
}) => spec;

const TABLES = {
  users: table({
    name: 'users',
    columns: {
      id: id(),
      username: text('username').notNull(),
      // Lower-cased copies carry the unique constraints, so "Alice" and "alice" collide.
      usernameKey: text('username_key').notNull().unique(),
      email: text('email').notNull(),
      emailKey: text('email_key').notNull().unique(),
      // Null for accounts that only sign in through an OAuth provider.
      passwordHash: text('password_hash'),
      fullName: text('full_name'),
      role: textEnum('role', ROLES).notNull().default('user'),
      isActive: boolean('is_active').notNull().default(true),
      tokenVersion: integer('token_version').notNull().default(0),
      // Set once the user proved they receive mail at `email` (a link, a reset, a provider's word).
      emailVerified: boolean('email_verified').notNull().default(false),
      createdAt: time('created_at').notNull(),
      updatedAt: time('updated_at').notNull(),
    },
    indexes: [{ name: 'users_role_idx', on: ['role', 'id'] }],
  }),
  sessions: table({
    name: 'sessions',
    columns: {
      id: text('id').primaryKey(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      tokenHash: text('token_hash').notNull().unique(),
      previousTokenHash: text('previous_token_hash'),
      rotatedAt: time('rotated_at'),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
      lastUsedAt: time('last_used_at').notNull(),
      userAgent: text('user_agent'),
      ip: text('ip'),
      revokedAt: time('revoked_at'),
      // The last time this session's user proved who they are (sign-in or re-authentication): step-up checks it.
      authenticatedAt: time('authenticated_at'),
    },
    indexes: [{ name: 'sessions_user_idx', on: ['userId', 'createdAt'] }],
  }),
  /**
   * Service credentials. The id is the public part of the key (`gh_<id>_<secret>`); only a
   * SHA-256 of the secret is kept, so a leaked database does not leak working keys.
   */
  apiKeys: table({
    name: 'api_keys',
    columns: {
      id: text('id').primaryKey(),
      name: text('name').notNull(),
      secretHash: text('secret_hash').notNull(),
      scopes: json<string[]>('scopes').notNull(),
      // Kept when the creating admin is deleted: the key outlives them until revoked.
      createdByUserId: integer('created_by_user_id').referencesUser('set null'),
      createdAt: time('created_at').notNull(),
      expiresAt: time('expires_at'),
      lastUsedAt: time('last_used_at'),
      revokedAt: time('revoked_at'),
    },
    indexes: [{ name: 'api_keys_created_idx', on: ['createdAt'] }],
  }),
  /**
   * Security events, append-only. User ids carry no foreign key on purpose: the history of a
   * deleted account must survive its deletion.
   */
  auditEvents: table({
    name: 'audit_events',
    columns: {
      id: id(),
      type: text('type').notNull(),
      at: time('at').notNull(),
      actorUserId: integer('actor_user_id'),
      apiKeyId: text('api_key_id'),
      targetUserId: integer('target_user_id'),
      ip: text('ip'),
      userAgent: text('user_agent'),
      detail: json<AuditDetail>('detail'),
    },
    indexes: [
      { name: 'audit_events_at_idx', on: ['at'] },
      { name: 'audit_events_type_idx', on: ['type', 'id'] },
      { name: 'audit_events_actor_idx', on: ['actorUserId', 'id'] },
      { name: 'audit_events_target_idx', on: ['targetUserId', 'id'] },
    ],
  }),
  /** Access-token signing keys (JWT_ALG=EdDSA/ES256); the private half is encrypted by core. */
  signingKeys: table({
    name: 'signing_keys',
    columns: {
      kid: text('kid').primaryKey(),
      algorithm: textEnum('algorithm', SIGNING_ALGORITHMS).notNull(),
      publicJwk: text('public_jwk').notNull(),
      encryptedPrivateKey: text('encrypted_private_key').notNull(),
      createdAt: time('created_at').notNull(),
      retiredAt: time('retired_at'),
      publishUntil: time('publish_until'),
    },
    indexes: [{ name: 'signing_keys_created_idx', on: ['createdAt'] }],
  }),
  /**
   * Counters of rate-limiter-flexible's database store, in the layout it expects (key, points,
   * expire). Created here so migrations own the schema.
   */
  rateLimits: table({
    name: 'rate_limits',
    columns: {
      key: text('key').primaryKey(),
      points: integer('points').notNull().default(0),
      expire: new ColumnSpec<Date | number>('expiry', 'expire'),
    },
    indexes: [{ name: 'rate_limits_expire_idx', on: ['expire'] }],
  }),
  /** Identities at OAuth / OpenID Connect providers; (provider, provider user id) names one identity. */
  oauthAccounts: table({
    name: 'oauth_accounts',
    columns: {
      id: id(),
      provider: text('provider').notNull(),
      providerUserId: text('provider_user_id').notNull(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      email: text('email'),
      createdAt: time('created_at').notNull(),
    },
    indexes: [
      { name: 'oauth_accounts_identity_idx', on: ['provider', 'providerUserId'], unique: true },
      { name: 'oauth_accounts_user_idx', on: ['userId'] },
    ],
  }),
  /** Authorization requests in flight, for ten minutes at most; keyed by a hash of the state. */
  oauthStates: table({
    name: 'oauth_states',
    columns: {
      stateHash: text('state_hash').primaryKey(),
      provider: text('provider').notNull(),
      codeVerifier: text('code_verifier').notNull(),
      nonce: text('nonce'),
      browserHash: text('browser_hash').notNull(),
      returnTo: text('return_to'),
      // A user deleted mid-flow takes their pending link with them.
      linkUserId: integer('link_user_id').referencesUser('cascade'),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
    },
    indexes: [{ name: 'oauth_states_expires_idx', on: ['expiresAt'] }],
  }),
  /**
   * One-time links sent by mail (verify, reset, email change, sign-in); only a SHA-256 of the
   * token is kept. `usedAt` and `revokedAt` end a token: used once, or superseded/invalidated.
   */
  emailTokens: table({
    name: 'email_tokens',
    columns: {
      id: id(),
      purpose: textEnum('purpose', EMAIL_TOKEN_PURPOSES).notNull(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      tokenHash: text('token_hash').notNull().unique(),
      // The address an email-change token moves the account to.
      newEmail: text('new_email'),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
      usedAt: time('used_at'),
      revokedAt: time('revoked_at'),
    },
    indexes: [
      { name: 'email_tokens_user_idx', on: ['userId', 'purpose'] },
      { name: 'email_tokens_expires_idx', on: ['expiresAt'] },
    ],
  }),
  /**
   * A user's authenticator-app secret, encrypted by core. `enabledAt` null: set up but not yet
   * confirmed with a code. `lastUsedStep`: the newest accepted time step, so a code is used once.
   */
  totpFactors: table({
    name: 'totp_factors',
    columns: {
      userId: integer('user_id').primaryKey().referencesUser('cascade'),
      encryptedSecret: text('encrypted_secret').notNull(),
      enabledAt: time('enabled_at'),
      lastUsedStep: integer('last_used_step'),
      createdAt: time('created_at').notNull(),
    },
    indexes: [],
  }),
  /** Single-use recovery codes; only a SHA-256 of each is kept. */
  backupCodes: table({
    name: 'backup_codes',
    columns: {
      id: id(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      codeHash: text('code_hash').notNull(),
      usedAt: time('used_at'),
      createdAt: time('created_at').notNull(),
    },
    indexes: [{ name: 'backup_codes_user_idx', on: ['userId', 'codeHash'], unique: true }],
  }),
  /**
   * Sign-ins waiting for their second factor: the first factor was right. Keyed by a SHA-256 of
   * the mfaToken; `attempts` counts wrong codes, `usedAt` ends it.
   */
  mfaChallenges: table({
    name: 'mfa_challenges',
    columns: {
      id: id(),
      tokenHash: text('token_hash').notNull().unique(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      firstFactor: text('first_factor').notNull(),
      attempts: integer('attempts').notNull().default(0),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
      usedAt: time('used_at'),
    },
    indexes: [{ name: 'mfa_challenges_expires_idx', on: ['expiresAt'] }],
  }),
  /**
   * Mail waiting to go out, written in the transaction that decided to send it; a sender claims
   * rows (lease in `lockedUntil`) and marks them sent. No foreign key: a notice outlives its account.
   */
  mailOutbox: table({
    name: 'mail_outbox',
    columns: {
      id: id(),
      kind: text('kind').notNull(),
      userId: integer('user_id'),
      toAddress: text('to_address').notNull(),
      subject: text('subject').notNull(),
      textBody: text('text_body').notNull(),
      htmlBody: text('html_body').notNull(),
      status: textEnum('status', MAIL_STATUSES).notNull().default('pending'),
      attempts: integer('attempts').notNull().default(0),
      nextAttemptAt: time('next_attempt_at').notNull(),
      lockedUntil: time('locked_until'),
      claimedBy: text('claimed_by'),
      createdAt: time('created_at').notNull(),
      sentAt: time('sent_at'),
      lastError: text('last_error'),
    },
    indexes: [{ name: 'mail_outbox_due_idx', on: ['status', 'nextAttemptAt'] }],
  }),
  /**
   * Device sign-in (RFC 8628) in flight: the device polls with its code while a signed-in user
   * approves the user code in a browser. Both codes are kept only as SHA-256 hashes.
   */
  deviceCodes: table({
    name: 'device_codes',
    columns: {
      id: id(),
      deviceCodeHash: text('device_code_hash').notNull().unique(),
      // Unique so a user code names one request; expired rows are purged, freeing their codes.
      userCodeHash: text('user_code_hash').notNull().unique(),
      clientName: text('client_name'),
      status: textEnum('status', DEVICE_CODE_STATUSES).notNull().default('pending'),
      // A user deleted before the device collects its tokens takes the approval with them.
      userId: integer('user_id').referencesUser('cascade'),
      interval: integer('interval').notNull(),
      lastPolledAt: time('last_polled_at'),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
    },
    indexes: [{ name: 'device_codes_expires_idx', on: ['expiresAt'] }],
  }),
  /** Passkeys; the id is the credential id (base64url) the authenticator chose. */
  webauthnCredentials: table({
    name: 'webauthn_credentials',
    columns: {
      id: text('id').primaryKey(),
      userId: integer('user_id').notNull().referencesUser('cascade'),
      publicKey: text('public_key').notNull(),
      counter: integer('counter').notNull().default(0),
      transports: json<string[]>('transports'),
      name: text('name').notNull(),
      deviceType: text('device_type').notNull(),
      backedUp: boolean('backed_up').notNull().default(false),
      createdAt: time('created_at').notNull(),
      lastUsedAt: time('last_used_at'),
    },
    indexes: [{ name: 'webauthn_credentials_user_idx', on: ['userId', 'createdAt'] }],
  }),
  /** Challenges of passkey ceremonies in flight (5 minutes), kept as hashes, single use. */
  webauthnChallenges: table({
    name: 'webauthn_challenges',
    columns: {
      id: text('id').primaryKey(),
      challengeHash: text('challenge_hash').notNull().unique(),
      purpose: textEnum('purpose', WEBAUTHN_CHALLENGE_PURPOSES).notNull(),
      userId: integer('user_id').referencesUser('cascade'),
      expiresAt: time('expires_at').notNull(),
      createdAt: time('created_at').notNull(),
      usedAt: time('used_at'),
    },
    indexes: [{ name: 'webauthn_challenges_expires_idx', on: ['expiresAt'] }],
  }),
};

/** The methods both dialects' column builders share, under the same names and meaning. */
export interface ColumnBuilderLike {
  notNull(): unknown;
  default(value: unknown): unknown;
  primaryKey(): unknown;
  unique(): unknown;
  references(ref: () => never, actions: { onDelete: 'cascade' | 'set null' }): unknown;
}

/** What a dialect supplies to turn the descriptions into its tables. */
export interface TableKit<TBuilder extends ColumnBuilderLike> {
  /** The column of each kind, before NOT NULL, defaults, keys and references. */
  kinds: Record<ColumnKind, (name: string) => TBuilder>;
  /** A text column holding one of `values`. */
  textEnum(name: string, values: readonly [string, ...string[]]): TBuilder;
  table(name: string, columns: Record<string, TBuilder>, extra: (self: Record<string, unknown>) => never[]): unknown;
  index(name: string): { on(...columns: never[]): unknown };
  uniqueIndex(name: string): { on(...columns: never[]): unknown };
}

/** Builds every described table with one dialect's kit; `TTables` is that dialect's typing of them. */
export function buildTables<TTables, TBuilder extends ColumnBuilderLike>(kit: TableKit<TBuilder>): TTables {
  const built: Record<string, Record<string, never>> = {};
  for (const [key, spec] of Object.entries(TABLES) as [string, TableSpec<Record<string, AnyColumnSpec>>][]) {
    const columns: Record<string, TBuilder> = {};
    for (const [name, column] of Object.entries(spec.columns)) {
      const builder = column.enumValues
        ? kit.textEnum(column.name, column.enumValues)
        : kit.kinds[column.kind](column.name);
      if (column.notNullable) builder.notNull();
      if (column.defaultValue !== undefined) builder.default(column.defaultValue);
      if (column.isPrimaryKey) builder.primaryKey();
      if (column.isUnique) builder.unique();
      const ref = column.reference;
      // Resolved lazily, as drizzle does: the referenced table is built by then.
      if (ref) builder.references(() => built[ref.table]?.[ref.column] as never, { onDelete: ref.onDelete });
      columns[name] = builder;
    }
    const indexes = (self: Record<string, unknown>) =>
      spec.indexes.map(({ name, on, unique }) =>
        (unique ? kit.uniqueIndex(name) : kit.index(name)).on(...on.map((column) => self[column] as never)),
      );
    built[key] = kit.table(spec.name, columns, indexes as (self: Record<string, unknown>) => never[]) as Record<
      string,
      never
    >;
  }
  return built as TTables;
}

type Dialect = 'pg' | 'sqlite';
type Described = typeof TABLES;

/** Drizzle's view of a column: its value type and the NOT NULL and default flags. */
type BuilderOf<TSpec, TDialect extends Dialect> =
  TSpec extends ColumnSpec<infer TData, infer TNotNull, infer THasDefault>
    ? Flags<
        TDialect extends 'pg'
          ? PgColumnBuilderBase<BuilderConfig<TData, 'PgCustomColumn'>>
          : SQLiteColumnBuilderBase<BuilderConfig<TData, 'SQLiteCustomColumn'>>,
        TNotNull,
        THasDefault
      >
    : never;

interface BuilderConfig<TData, TColumnType extends string> extends ColumnBuilderBaseConfig<'custom', TColumnType> {
  data: TData;
  enumValues: undefined;
}

type Flags<
  TBuilder extends PgColumnBuilderBase | SQLiteColumnBuilderBase,
  TNotNull,
  THasDefault,
> = TNotNull extends true
  ? THasDefault extends true
    ? HasDefault<NotNull<TBuilder>>
    : NotNull<TBuilder>
  : THasDefault extends true
    ? HasDefault<TBuilder>
    : TBuilder;

type BuiltColumns<TName extends keyof Described, TDialect extends Dialect> = BuildColumns<
  Described[TName]['name'],
  { [C in keyof Described[TName]['columns']]: BuilderOf<Described[TName]['columns'][C], TDialect> },
  TDialect
>;

/** The described tables as one dialect's drizzle tables, typed as if written out by hand. */
export type DialectTables<TDialect extends Dialect> = {
  [TName in keyof Described]: TDialect extends 'pg'
    ? PgTableWithColumns<{
        name: Described[TName]['name'];
        schema: undefined;
        columns: BuiltColumns<TName, 'pg'>;
        dialect: 'pg';
      }>
    : SQLiteTableWithColumns<{
        name: Described[TName]['name'];
        schema: undefined;
        columns: BuiltColumns<TName, 'sqlite'>;
        dialect: 'sqlite';
      }>;
};
