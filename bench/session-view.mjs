#!/usr/bin/env node
// `node bench/session-view.mjs [me-off,memory,pg-xacts,revocation] [seconds]`: the session-view
// scenarios of `pnpm bench` on their own, each on a fresh database, for a quick before/after
// while working on the view. PostgreSQL scenarios use DATABASE_URL when it is a postgres URL,
// else BENCH_PG, else postgres://127.0.0.1:5432/test (a fresh database is created and dropped).
// BENCH_VIEW_SESSIONS (default 100000) and BENCH_REVOCATIONS (default 200) shorten them.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchPasswordHash, mintAccessTokens, PASSWORD, seedSessionsAcrossUsers, seedUsers } from './lib/seed.mjs';
import { benchServerEnv, JWT_AUDIENCE, JWT_ISSUER, serverMain, startServer, trpc } from './lib/server.mjs';
import {
  freshDatabase,
  meVersusHealth,
  postgresTarget,
  postgresTransactionsPerCall,
  revocationPropagation,
  selectScenarios,
  viewMemory,
} from './lib/session-view.mjs';

const env = process.env;
const wanted = selectScenarios(process.argv[2]);
const SECONDS = Number(process.argv[3] ?? 5);
const SESSIONS = Number(env.BENCH_VIEW_SESSIONS ?? 100_000);
const COST = Number(env.BCRYPT_COST ?? 12);
const id = randomBytes(4).toString('hex');
const runDir = fileURLToPath(new URL(`.data/view-${id}`, import.meta.url));
mkdirSync(runDir, { recursive: true });
const started = Date.now();
const log = (...args) => console.log(`[view ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...args);
const jwtSecret = randomBytes(48).toString('base64url');
const dbPath = join(runDir, 'gatehouse.db');
const baseEnv = benchServerEnv({ runDir, databaseUrl: `file:${dbPath}`, cost: COST, jwtSecret, logLevel: 'warn' });
for (const key of ['REDIS_URL', 'RATE_LIMIT_STORE']) if (env[key]) baseEnv[key] = env[key];
const results = {};

async function onSqlite() {
  const migrated = spawnSync(process.execPath, [serverMain, 'migrate'], {
    env: baseEnv,
    cwd: runDir,
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const users = wanted.has('memory') ? SESSIONS + 1 : 11;
  seedUsers(dbPath, await benchPasswordHash(COST), 0, users);
  log(`seeded ${users} users`);
  if (wanted.has('me-off')) {
    results.meOnOff = [];
    for (const mode of ['on', 'off']) {
      const server = await startServer({ env: { ...baseEnv, SESSION_CACHE: mode }, cwd: runDir });
      const login = { username: 'user2', password: PASSWORD };
      const { accessToken } = await trpc(server.base, 'auth.login', { method: 'POST', body: login });
      await autocannon({
        url: `${server.base}/trpc/user.me`,
        duration: 2,
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const row = { sessionCache: mode, ...(await meVersusHealth(server.base, accessToken, SECONDS)) };
      log(`SQLite, SESSION_CACHE=${mode}: user.me ${row.meRps} vs health ${row.healthRps} req/s (${row.meOverHealth})`);
      results.meOnOff.push(row);
      await server.stop();
    }
  }
  if (wanted.has('memory')) {
    const sessions = seedSessionsAcrossUsers(dbPath, SESSIONS);
    const tokens = await mintAccessTokens({ secret: jwtSecret, issuer: JWT_ISSUER, audience: JWT_AUDIENCE }, sessions);
    log(`seeded ${sessions.length} sessions and minted their access tokens`);
    results.memory = await viewMemory({ env: baseEnv, runDir, tokens, warmToken: tokens[0], log });
  }
}

async function onPostgres() {
  const db = await freshDatabase(postgresTarget(env) ?? 'postgres://127.0.0.1:5432/test', id, log);
  try {
    if (wanted.has('pg-xacts')) {
      results.postgres = await postgresTransactionsPerCall({ env: baseEnv, runDir, db, seconds: SECONDS, log });
    }
    if (wanted.has('revocation')) {
      const count = Number(env.BENCH_REVOCATIONS ?? 200);
      results.revocation = await revocationPropagation({ env: baseEnv, runDir, db, count, log });
    }
  } finally {
    await db.drop();
  }
}

try {
  if (wanted.has('me-off') || wanted.has('memory')) await onSqlite();
  if (wanted.has('pg-xacts') || wanted.has('revocation')) await onPostgres();
  console.log(JSON.stringify(results, null, 2));
} finally {
  if (!env.BENCH_KEEP) rmSync(runDir, { recursive: true, force: true });
}
