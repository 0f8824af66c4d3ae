// SQLite on a disk that fills up (a 3 MiB tmpfs as the data folder): writes answer 503 with
// Retry-After, never 500; nothing is corrupted; writes succeed again once space is freed.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { openSqliteFile } from '../process-support.js';
import {
  type LoggedGatehouse,
  logCount,
  printFigures,
  secondsUntil,
  send,
  sentBetween,
  sleep,
  startLoad,
  startLoggedGatehouse,
} from './fault-support.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-diskfull-'));
const mounted =
  process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]).status === 0;
if (!mounted) console.warn('SQLite disk-full test skipped: mounting a small tmpfs is not allowed here');

/** Writes zeros into `file` until the disk is full. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!mounted)('SQLite disk full under load', () => {
  const filler = join(dir, 'filler');
  const file = join(dir, 'gatehouse.db');
  afterAll(() => {
    spawnSync('umount', ['-l', dir]);
  });

  /**
   * The server, its database and the load belong to one attempt: a retry (the faults project's
   * `retry`) starts from an empty disk, not from what a failed attempt left running or stored.
   */
  async function startAttempt(): Promise<LoggedGatehouse> {
    const server = await startLoggedGatehouse({
      DATABASE_URL: `file:${file}`,
      DATA_DIR: dir,
      EMAIL_VERIFICATION: 'off',
    });
    onTestFinished(async () => {
      await server.close();
      for (const path of [filler, file, `${file}-wal`, `${file}-shm`]) rmSync(path, { force: true });
    });
    return server;
  }

  it('writes answer 503 while the disk is full, nothing is corrupted, service resumes when space is freed', async () => {
    const server = await startAttempt();
    const acknowledged: string[] = [];
    const load = startLoad(4, async (n) => {
      const username = `diskfull${n}`;
      const answer = await send(server.url, '/trpc/auth.register', {
        username,
        // Long values, so the full disk is met within a few rows.
        fullName: 'x'.repeat(100),
        email: `${username}@example.com`,
        password: 'fault-password-1',
      });
      if (answer.status === 200) acknowledged.push(username);
      return answer;
    });
    onTestFinished(() => load.stop());
    await sleep(500);
    const logsBefore = server.logs.length;
    const faultAt = Date.now();
    fillDisk(filler);
    await secondsUntil(() => load.answers.some((a) => a.at > faultAt && a.status === 503), 10_000);
    await sleep(1500);
    expect((await send(server.url, '/healthz')).status).toBe(200);
    const backAt = Date.now();
    rmSync(filler);
    const recoverSeconds = await secondsUntil(async () => {
      const probe = await send(server.url, '/trpc/auth.register', {
        username: `diskback${Date.now()}`,
        email: `diskback${Date.now()}@example.com`,
        password: 'fault-password-1',
      });
      return probe.status === 200;
    }, 30_000);
    await sleep(500);
    await load.stop();

    const during = sentBetween(load.answers, faultAt, backAt);
    for (const a of during) {
      expect([200, 503]).toContain(a.status);
      if (a.status === 503) expect(a.retryAfter).toMatch(/^\d+$/);
    }
    expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(2000);
    expect(recoverSeconds).toBeLessThan(5);
    expect(logCount(server.logs.slice(logsBefore), 'procedure failed')).toBe(0);
    expect(logCount(server.logs.slice(logsBefore), 'database unavailable')).toBe(1);

    await server.close();
    const db = openSqliteFile(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = new Set(
      (db.prepare("select username from users where username like 'diskfull%'").all() as { username: string }[]).map(
        (row) => row.username,
      ),
    );
    db.close();
    const found = acknowledged.filter((name) => stored.has(name)).length;
    expect(found).toBe(acknowledged.length);
    printFigures({
      fault: 'SQLite disk full 1.5 s+',
      during,
      recoverSeconds,
      acknowledged: acknowledged.length,
      found,
    });
  }, 60_000);
});
