import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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

export const schema = { users, sessions };
