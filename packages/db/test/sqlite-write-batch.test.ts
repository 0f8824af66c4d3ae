import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriteBatch } from '../src/sqlite-write-batch.js';

/** Two connections to one WAL file: the writer under test and an observer, as another process would be. */
function openPair(dir: string) {
  const file = join(dir, 'batch.db');
  const writer = new BetterSqlite3(file, { timeout: 50 });
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = FULL');
  writer.exec('create table items (id integer primary key, name text not null unique)');
  const observer = new BetterSqlite3(file, { timeout: 50 });
  return { writer, observer };
}

describe('SqliteWriteBatch (group commit)', () => {
  let dir: string;
  let writer: BetterSqlite3.Database;
  let observer: BetterSqlite3.Database;
  let batch: SqliteWriteBatch;
  const count = () => (observer.prepare('select count(*) as n from items').get() as { n: number }).n;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-batch-'));
    ({ writer, observer } = openPair(dir));
    batch = new SqliteWriteBatch(writer);
  });
  afterEach(() => {
    writer.close();
    observer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits writes queued together in one transaction, and answers only after the commit', async () => {
    const insert = writer.prepare('insert into items (name) values (?)');
    const seenByOthersDuringBatch: number[] = [];
    const writes = ['a', 'b', 'c', 'd'].map((name) =>
      batch.run(() => {
        insert.run(name);
        seenByOthersDuringBatch.push(count());
        return name.toUpperCase();
      }),
    );
    expect(count()).toBe(0); // nothing runs before the end of this turn
    expect(await Promise.all(writes)).toEqual(['A', 'B', 'C', 'D']);
    // While the batch ran, another connection saw none of it: one transaction, one commit.
    expect(seenByOthersDuringBatch).toEqual([0, 0, 0, 0]);
    expect(count()).toBe(4);
  });

  it('lets exactly one of two conditional updates of the same row in one batch win', async () => {
    writer.prepare("insert into items (name) values ('v1')").run();
    const swap = writer.prepare('update items set name = ? where name = ?');
    const results = await Promise.all([
      batch.run(() => swap.run('v2', 'v1').changes === 1),
      batch.run(() => swap.run('v3', 'v1').changes === 1),
    ]);
    expect(results).toEqual([true, false]);
    expect(observer.prepare('select name from items').all()).toEqual([{ name: 'v2' }]);
  });

  it('fails a throwing write alone and undoes all of it; the rest of the batch is kept', async () => {
    const insert = writer.prepare('insert into items (name) values (?)');
    const kept = batch.run(() => insert.run('kept').changes);
    const failing = batch.run(() => {
      insert.run('half-done');
      insert.run('kept'); // unique violation
    });
    const alsoKept = batch.run(() => insert.run('also kept').changes);
    await expect(failing).rejects.toThrow(/UNIQUE/);
    expect(await kept).toBe(1);
    expect(await alsoKept).toBe(1);
    expect(observer.prepare('select name from items order by id').all()).toEqual([
      { name: 'kept' },
      { name: 'also kept' },
    ]);
  });

  it('fails every write of a batch that cannot commit, and keeps none of them', async () => {
    observer.exec('begin immediate'); // another process holds the write lock past the timeout
    const insert = writer.prepare('insert into items (name) values (?)');
    const writes = [batch.run(() => insert.run('x')), batch.run(() => insert.run('y'))];
    for (const write of writes) await expect(write).rejects.toThrow(/locked|busy/i);
    observer.exec('rollback');
    expect(count()).toBe(0);
    // The batch is usable again afterwards.
    await batch.run(() => insert.run('z'));
    expect(count()).toBe(1);
  });

  it('fails the whole batch with the disk-full error when one write meets a full database', async () => {
    const insert = writer.prepare('insert into items (name) values (?)');
    insert.run('seed');
    // No page beyond those in use: a write that needs a new page fails with SQLITE_FULL, which
    // rolls back the batch's whole transaction, not only that write's savepoint.
    writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true })}`);
    const writes = [
      batch.run(() => insert.run('before')),
      batch.run(() => insert.run('x'.repeat(20_000))),
      batch.run(() => insert.run('after')),
    ];
    const codes = (await Promise.allSettled(writes)).map((outcome) =>
      outcome.status === 'rejected' ? (outcome.reason as { code?: string }).code : 'kept',
    );
    expect(codes).toEqual(['SQLITE_FULL', 'SQLITE_FULL', 'SQLITE_FULL']);
    expect(observer.prepare('select name from items').all()).toEqual([{ name: 'seed' }]);
    expect(writer.inTransaction).toBe(false);
  });

  it('commits what is queued when flushed by hand (before the database closes)', async () => {
    const write = batch.run(() => writer.prepare("insert into items (name) values ('late')").run().changes);
    batch.flush();
    expect(count()).toBe(1);
    expect(await write).toBe(1);
  });
});
