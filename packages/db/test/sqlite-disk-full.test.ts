// SQLite on a disk that fills up, with a real small tmpfs (root only). The write-ahead log is
// space only a checkpoint gives back, and a checkpoint itself needs room in the database file:
// when the log is what fills the disk, the space an operator frees goes to log growth (a few
// pages per write) and the disk is full again within a few writes.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/open-database.js';
import type { Database } from '../src/records.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-db-diskfull-'));
const mounted =
  process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]).status === 0;
if (!mounted) console.warn('SQLite disk-full test skipped: mounting a small tmpfs is not allowed here');

/** Fills `file` with zeros up to `bytes`, or until the disk is full. */
function reserve(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/** The driver's code, on the error or on the one drizzle wraps. */
const codeOf = (error: unknown) => {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return code ?? cause?.code;
};

describe.runIf(mounted)('SQLite on a full disk', () => {
  let db: Database;
  let n = 0;
  /** Registers one user; the driver's error code when it fails. */
  const register = async (): Promise<string | null> => {
    const name = `user${n++}`;
    const user = { username: name, usernameKey: name, email: `${name}@example.com`, emailKey: `${name}@example.com` };
    try {
      await db.users.create(
        { ...user, passwordHash: 'h'.repeat(60), fullName: 'x'.repeat(400), role: 'user', emailVerified: false },
        new Date(),
      );
      return null;
    } catch (error) {
      return codeOf(error) ?? String(error);
    }
  };

  beforeAll(async () => {
    db = await openDatabase(`file:${join(dir, 'gatehouse.db')}`);
  });
  afterAll(async () => {
    await db?.close();
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the log small, so writes go on once space is freed', async () => {
    const filler = join(dir, 'filler');
    reserve(filler, 1024 * 1024);
    let failure: string | null = null;
    while (failure === null) failure = await register();
    expect(failure).toBe('SQLITE_FULL');
    // The rows are in the database file, not held in an ever longer log.
    expect(statSync(join(dir, 'gatehouse.db-wal')).size).toBeLessThan(768 * 1024);

    rmSync(filler);
    // 200 rows need far less than the 512 KiB freed, but 200 × a few log pages would need more.
    const failures: string[] = [];
    for (let i = 0; i < 200; i++) {
      const error = await register();
      if (error) failures.push(error);
    }
    expect(failures).toEqual([]);
  });
});
