// Seeds a Gatehouse SQLite file directly: one precomputed bcrypt hash for every user, so
// 100,000 users take seconds instead of hours of hashing.
import { createHash, randomBytes } from 'node:crypto';
import { AccessTokens, PasswordHasher } from '@gatehouse/core';
import Database from 'better-sqlite3';
import postgres from 'postgres';

export const PASSWORD = 'bench-password-123';

/** PASSWORD hashed the way the server stores passwords, so no seeded login triggers a re-hash. */
export async function benchPasswordHash(cost) {
  const hasher = new PasswordHasher({ cost, threads: 1 });
  try {
    return await hasher.hash(PASSWORD);
  } finally {
    await hasher.close();
  }
}

/** Inserts users `user<from>` … `user<to - 1>` (plus the admin `benchadmin` when from is 0). */
export function seedUsers(path, passwordHash, from, to) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    `INSERT INTO users (username, username_key, email, email_key, password_hash, full_name, role, is_active, token_version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    if (from === 0)
      insert.run(
        'benchadmin',
        'benchadmin',
        'admin@bench.test',
        'admin@bench.test',
        passwordHash,
        'Bench Admin',
        'admin',
        now,
        now,
      );
    for (let i = Math.max(from, 1); i < to; i++) {
      const name = `user${i}`;
      const email = `${name}@bench.test`;
      insert.run(name, name, email, email, passwordHash, `User ${i}`, 'user', now, now);
    }
  })();
  const { n, maxId } = db.prepare('SELECT count(*) AS n, max(id) AS maxId FROM users').get();
  db.close();
  return { users: n, maxId };
}

/**
 * Opens `count` live sessions for `username` and returns their refresh tokens, in the format
 * the server issues ("<session id>.<secret>", SHA-256 of the secret stored).
 */
export function seedSessions(path, username, count) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  const { id: userId } = db.prepare('SELECT id FROM users WHERE username_key = ?').get(username);
  const insert = db.prepare(
    `INSERT INTO sessions (id, user_id, token_hash, expires_at, created_at, last_used_at, user_agent, ip)
     VALUES (?, ?, ?, ?, ?, ?, 'bench', '127.0.0.1')`,
  );
  const now = Date.now();
  const tokens = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const sessionId = randomBytes(16).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      insert.run(sessionId, userId, createHash('sha256').update(secret).digest('hex'), now + 86400_000, now, now);
      tokens.push(`${sessionId}.${secret}`);
    }
  })();
  db.close();
  return tokens;
}

/**
 * seedSessions on PostgreSQL: `count` live sessions for `username`, each with its refresh token
 * and what an access token names (user id, session id, token version).
 */
export async function seedPostgresSessions(url, username, count) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [user] = await sql`SELECT id, token_version FROM users WHERE username_key = ${username}`;
    const now = new Date();
    const expires = new Date(now.getTime() + 86400_000);
    const sessions = Array.from({ length: count }, () => {
      const sessionId = randomBytes(16).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      return {
        row: {
          id: sessionId,
          user_id: user.id,
          token_hash: createHash('sha256').update(secret).digest('hex'),
          expires_at: expires,
          created_at: now,
          last_used_at: now,
          user_agent: 'bench',
          ip: '127.0.0.1',
        },
        session: {
          userId: user.id,
          sessionId,
          tokenVersion: user.token_version,
          refreshToken: `${sessionId}.${secret}`,
        },
      };
    });
    await sql`INSERT INTO sessions ${sql(sessions.map((s) => s.row))}`;
    return sessions.map((s) => s.session);
  } finally {
    await sql.end();
  }
}

/**
 * Opens one live session for each of the first `count` users (by id) and returns what an access
 * token names: user id, session id and token version.
 */
export function seedSessionsAcrossUsers(path, count) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  const users = db.prepare('SELECT id, token_version AS ver FROM users ORDER BY id LIMIT ?').all(count);
  if (users.length < count) throw new Error(`only ${users.length} users to open ${count} sessions for`);
  const insert = db.prepare(
    `INSERT INTO sessions (id, user_id, token_hash, expires_at, created_at, last_used_at, user_agent, ip)
     VALUES (?, ?, ?, ?, ?, ?, 'bench', '127.0.0.1')`,
  );
  const now = Date.now();
  const sessions = users.map((u) => ({
    userId: u.id,
    sessionId: randomBytes(16).toString('base64url'),
    tokenVersion: u.ver,
  }));
  db.transaction(() => {
    for (const s of sessions) {
      const hash = createHash('sha256').update(randomBytes(32)).digest('hex'); // nobody refreshes these
      insert.run(s.sessionId, s.userId, hash, now + 86400_000, now, now);
    }
  })();
  db.close();
  return sessions;
}

/**
 * Access tokens for seeded sessions, signed by the server's own token code with the secret,
 * issuer and audience the bench gives the server (HS256), so no sign-in is needed per session.
 */
export async function mintAccessTokens({ secret, issuer, audience }, sessions) {
  const tokens = new AccessTokens({ secret, issuer, audience, ttlSeconds: 900 });
  const out = [];
  for (let i = 0; i < sessions.length; i += 1000) {
    out.push(...(await Promise.all(sessions.slice(i, i + 1000).map((s) => tokens.sign(s)))));
  }
  return out;
}

/** EXPLAIN QUERY PLAN of the statements behind the hot procedures, for the report. */
export function queryPlans(path) {
  const db = new Database(path, { readonly: true });
  const plan = (sql) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((r) => r.detail)
      .join('; ');
  const plans = {
    'users.list (first page)': plan('SELECT * FROM users ORDER BY id LIMIT 21'),
    'users.list (cursor)': plan('SELECT * FROM users WHERE id > 99000 ORDER BY id LIMIT 21'),
    'users.findById': plan('SELECT * FROM users WHERE id = 1'),
    'users.findByLoginKey': plan("SELECT * FROM users WHERE username_key = 'a' OR email_key = 'a'"),
    'sessions.findById': plan("SELECT * FROM sessions WHERE id = 'x'"),
    'sessions.hasSessionFrom': plan(
      "SELECT id FROM sessions WHERE user_id = 1 AND ip = 'x' AND created_at >= 0 LIMIT 1",
    ),
  };
  db.close();
  return plans;
}
