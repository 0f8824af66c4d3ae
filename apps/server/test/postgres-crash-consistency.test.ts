/**
 * Crash consistency on PostgreSQL (runs in the "postgres" vitest project only): registrations,
 * logins and refreshes against a server process on a scratch database, SIGKILL in the middle,
 * restart on the same database. No acknowledged registration, login or rotation may be lost, the
 * rows must hang together, and no refresh token may work twice. The SQLite twin is
 * crash-consistency.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchPostgres, type ScratchDatabase } from '@gatehouse/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAfterRestart, loadUntilKilled, MIN_ACKNOWLEDGED, openPostgres, storedHash } from './crash-support.js';
import { TEST_DATABASE } from './harness.js';
import { processEnv } from './process-support.js';
import { type ServerProcess, spawnServer } from './server-process.js';

const WORKERS = 8;
const LOAD_MS = 2000;

const running: ServerProcess[] = [];
let scratch: ScratchDatabase | undefined;
afterEach(async () => {
  for (const server of running.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  await scratch?.drop();
  scratch = undefined;
});

describe.runIf(TEST_DATABASE === 'postgres')(
  'crash consistency (SIGKILL mid-load, restart on the same PostgreSQL database)',
  () => {
    it('loses no acknowledged registration or rotation, keeps its rows consistent, and no refresh token works twice', async () => {
      scratch = await createScratchPostgres();
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-pg-'));
      const env = processEnv(dir, { DATABASE_URL: scratch.url, REFRESH_REUSE_GRACE: '0' });
      const first = await spawnServer(env);
      running.push(first);

      const load = await loadUntilKilled(first, WORKERS, LOAD_MS);
      const { registered, chains } = load;
      expect(load.signal).toBe('SIGKILL');
      expect(registered.length).toBeGreaterThan(MIN_ACKNOWLEDGED);

      // The database as the crash left it, read directly.
      const sql = openPostgres(scratch.url);
      try {
        // Referential consistency: no session without its user, no constraint left unvalidated.
        expect(
          await sql.unsafe('select s.id from sessions s left join users u on u.id = s.user_id where u.id is null'),
          'sessions without their user',
        ).toEqual([]);
        expect(
          await sql.unsafe(
            `select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace
            where n.nspname = current_schema() and not c.convalidated`,
          ),
          'constraints not validated',
        ).toEqual([]);

        const keys = new Set(
          (await sql.unsafe<Array<{ k: string }>>('select username_key as k from users')).map((row) => row.k),
        );
        const lost = registered.filter((r) => !keys.has(r.username.toLowerCase()));
        expect(lost, 'acknowledged registrations missing after the crash').toEqual([]);

        const sessions = new Map(
          (
            await sql.unsafe<
              Array<{ id: string; token_hash: string; previous_token_hash: string | null; revoked: boolean }>
            >('select id, token_hash, previous_token_hash, revoked_at is not null as revoked from sessions')
          ).map((row) => [row.id, row]),
        );
        expect(
          chains.filter((c) => !sessions.has(c.sessionId)).map((c) => c.username),
          'acknowledged logins without a session',
        ).toEqual([]);
        // Each settled chain's session holds exactly its last acknowledged token: every
        // acknowledged rotation is there. A chain cut mid-refresh holds that token or its successor.
        const notDurable = chains.filter((c) => {
          const row = sessions.get(c.sessionId)!;
          const current = storedHash(c.current);
          if (row.revoked) return true;
          return c.inFlight
            ? row.token_hash !== current && row.previous_token_hash !== current
            : row.token_hash !== current;
        });
        expect(
          notDurable.map((c) => c.username),
          'sessions whose last acknowledged rotation is missing',
        ).toEqual([]);
      } finally {
        await sql.end({ timeout: 1 });
      }

      // Restart on the same database.
      const second = await spawnServer(env);
      running.push(second);
      const { refused, settled } = await checkAfterRestart(second.url, load);
      console.log(
        `crash consistency (PostgreSQL): ${load.attempted} registrations attempted, ${registered.length} acknowledged ` +
          `and all present after SIGKILL; ${chains.length} sessions, ${refused} rotated-away refresh tokens all refused; ` +
          `${chains.length - settled} refreshes were in flight at the kill`,
      );
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    }, 60_000);
  },
);
