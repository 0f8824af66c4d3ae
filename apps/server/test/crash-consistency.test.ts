/**
 * Crash consistency: registrations, logins and refreshes against a server process on a SQLite
 * file, SIGKILL in the middle, restart on the same file. No acknowledged write may be lost, the
 * file must pass its integrity check, and no refresh token may work twice.
 * (The same on PostgreSQL: postgres-crash-consistency.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAfterRestart, loadUntilKilled, MIN_ACKNOWLEDGED } from './crash-support.js';
import { openSqliteFile, processEnv } from './process-support.js';
import { type ServerProcess, spawnServer } from './server-process.js';

const WORKERS = 8;
const LOAD_MS = 2000;

const running: ServerProcess[] = [];
afterEach(() => {
  for (const server of running.splice(0)) server.child.kill('SIGKILL');
});

describe('crash consistency (SIGKILL mid-load, restart on the same SQLite file)', () => {
  it('loses no acknowledged registration, passes integrity_check, and no refresh token works twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
    const env = processEnv(dir, { REFRESH_REUSE_GRACE: '0' });
    const first = await spawnServer(env);
    running.push(first);

    const load = await loadUntilKilled(first, WORKERS, LOAD_MS);
    const { registered, chains } = load;
    expect(load.signal).toBe('SIGKILL');
    expect(registered.length).toBeGreaterThan(MIN_ACKNOWLEDGED);

    // The file as the crash left it: recovered by SQLite on open, and sound.
    const file = openSqliteFile(join(dir, 'gatehouse.db'));
    try {
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(file.pragma('foreign_key_check')).toEqual([]);
      const keys = new Set(
        (file.prepare('select username_key as k from users').all() as Array<{ k: string }>).map((row) => row.k),
      );
      const lost = registered.filter((r) => !keys.has(r.username.toLowerCase()));
      expect(lost, 'acknowledged registrations missing after the crash').toEqual([]);
      const sessions = new Set(
        (file.prepare('select id from sessions').all() as Array<{ id: string }>).map((row) => row.id),
      );
      expect(
        chains.filter((c) => !sessions.has(c.sessionId)),
        'acknowledged logins without a session',
      ).toEqual([]);
    } finally {
      file.close();
    }

    // Restart on the same file.
    const second = await spawnServer(env);
    running.push(second);
    const { refused, settled } = await checkAfterRestart(second.url, load);
    console.log(
      `crash consistency: ${load.attempted} registrations attempted, ${registered.length} acknowledged and all present ` +
        `after SIGKILL; ${chains.length} sessions, ${refused} rotated-away refresh tokens all refused; ` +
        `${chains.length - settled} refreshes were in flight at the kill`,
    );
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 60_000);
});
