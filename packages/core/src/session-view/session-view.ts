import type { UserRecord, UserWithSession } from '@gatehouse/db';

export interface SessionViewSettings {
  /** Sessions held at most; the least recently used goes first (SESSION_CACHE_SIZE). */
  maxEntries: number;
  /**
   * An entry older than this is read again from the database. Invalidation keeps entries right;
   * this only bounds how long a change nobody announced (see docs/session-view.md) can go unseen.
   */
  maxAgeMs: number;
  /** Monotonic milliseconds (tests pass their own). */
  now?: () => number;
}

/**
 * A user's entry. Its epoch is new each time the entry is made, so dropping a user also drops
 * every session entry made under the old one, without an index from users to sessions.
 */
interface CachedUser {
  record: UserRecord;
  epoch: number;
  /** Session entries made under this epoch; the user entry goes with the last of them. */
  sessions: number;
}

interface CachedSession {
  userId: number;
  epoch: number;
  state: NonNullable<UserWithSession['session']>;
  loadedAt: number;
}

/** Counters for health output and benchmarks. */
export interface SessionViewStats {
  /** Sessions held (some may belong to a user dropped since: they no longer answer). */
  entries: number;
  users: number;
  hits: number;
  misses: number;
}

/**
 * This process's copy of what an authenticated call checks: the user (active, role, token
 * version…) and the state of one of their sessions (expiry, revocation). Whoever changes either
 * drops the entries first (forgetUsers / forgetSessions), so the next call reads the database.
 *
 * A read that began before a drop must not put back what it read: `begin()` hands out the
 * generation, and `put` ignores results from an older one.
 */
export class SessionView {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly users = new Map<number, CachedUser>();
  private readonly now: () => number;
  private generation = 0;
  private epochs = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly settings: SessionViewSettings) {
    this.now = settings.now ?? (() => performance.now());
  }

  /** The cached user and session, or undefined when the database must be read. */
  get(userId: number, sessionId: string): UserWithSession | undefined {
    const entry = this.sessions.get(sessionId);
    const user = entry?.userId === userId ? this.users.get(userId) : undefined;
    if (!entry || user?.epoch !== entry.epoch || this.now() - entry.loadedAt > this.settings.maxAgeMs) {
      // Left behind by a dropped user (or too old): make room now rather than at eviction.
      if (entry && entry.userId === userId) this.removeSession(sessionId);
      this.misses++;
      return undefined;
    }
    // Map order is the LRU order: move the entry to the end.
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, entry);
    this.hits++;
    return { user: user.record, session: entry.state };
  }

  /** Call before reading the database; pass the answer to put(). */
  begin(): number {
    return this.generation;
  }

  /** Keeps what the database answered, unless something was dropped since `generation`. */
  put(generation: number, sessionId: string, found: UserWithSession | null): void {
    if (generation !== this.generation || !found?.session || this.settings.maxEntries <= 0) return;
    this.removeSession(sessionId);
    const user = this.cachedUser(found.user);
    user.sessions++;
    this.sessions.set(sessionId, {
      userId: user.record.id,
      epoch: user.epoch,
      state: found.session,
      loadedAt: this.now(),
    });
    if (this.sessions.size > this.settings.maxEntries) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.removeSession(oldest);
    }
  }

  forgetUsers(ids: readonly number[]): void {
    this.generation++;
    // Their session entries no longer match any user entry's epoch; LRU order removes them.
    for (const id of ids) this.users.delete(id);
  }

  forgetSessions(ids: readonly string[]): void {
    this.generation++;
    for (const id of ids) this.removeSession(id);
  }

  clear(): void {
    this.generation++;
    this.sessions.clear();
    this.users.clear();
  }

  stats(): SessionViewStats {
    return { entries: this.sessions.size, users: this.users.size, hits: this.hits, misses: this.misses };
  }

  /** One record per user, replaced by the newest read (it is at least as fresh). */
  private cachedUser(record: UserRecord): CachedUser {
    // The row the database handed over is kept as it is (no copy); frozen, as every call shares it.
    Object.freeze(record);
    const existing = this.users.get(record.id);
    if (existing) {
      existing.record = record;
      return existing;
    }
    const user = { record, epoch: ++this.epochs, sessions: 0 };
    this.users.set(record.id, user);
    return user;
  }

  private removeSession(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    const user = this.users.get(entry.userId);
    if (user?.epoch !== entry.epoch) return;
    user.sessions--;
    if (user.sessions === 0) this.users.delete(entry.userId);
  }
}
