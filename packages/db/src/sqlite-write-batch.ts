import type BetterSqlite3 from 'better-sqlite3';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/**
 * Group commit for SQLite. With synchronous=FULL every commit waits for an fsync, and
 * better-sqlite3 waits on the event loop. Writes queued during one turn of the event loop run
 * together in one transaction at the end of it, so N concurrent refreshes cost one fsync, not N.
 * Each caller's promise settles only after the commit: nothing is acknowledged before it is
 * durable. Each write runs in a savepoint of its own, so one that throws fails alone and leaves
 * nothing behind; a failed commit fails the whole batch, and none of it is kept (so does a
 * write that ends the transaction itself, as a full disk does).
 */
export class SqliteWriteBatch {
  private queue: Job[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private readonly commit: BetterSqlite3.Transaction<(jobs: Job[]) => void>;

  constructor(sqlite: BetterSqlite3.Database) {
    // Called inside the batch's transaction, a better-sqlite3 transaction function is a savepoint.
    const atomically = sqlite.transaction((work: () => unknown) => work());
    this.commit = sqlite.transaction((jobs: Job[]) => {
      for (const job of jobs) {
        try {
          job.outcome = { ok: true, value: atomically(job.work) };
        } catch (error) {
          // SQLITE_FULL and I/O errors roll back the whole transaction, not just the savepoint:
          // the writes before it are gone and the ones after would each commit on their own
          // (reported as failed). Fail the whole batch with that error instead.
          if (!sqlite.inTransaction) throw error;
          job.outcome = { ok: false, error };
        }
      }
    });
  }

  /** Runs `work` (synchronous statements on this database) in the next batch. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also before the database closes). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    try {
      this.commit.immediate(jobs);
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const job of jobs) {
      const outcome = job.outcome as NonNullable<Job['outcome']>;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
  }
}
