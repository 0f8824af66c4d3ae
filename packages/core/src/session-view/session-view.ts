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

interface CachedUser {
  record: UserRecord;
  sessionIds: Set<string>;
}

interface CachedSession {
  user: CachedUser;
  state: NonNullable<UserWithSession['session']>;
  loadedAt: number;
}

/** Counters for health output and benchmarks. */
export interface SessionViewStats {
  entries: number;
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
  private hits = 0;
  private misses = 0;

  constructor(private readonly settings: SessionViewSettings) {
    this.now = settings.now ?? (() => performance.now());
  }

  /** The cached user and session, or undefined when the database must be read. */
  get(userId: number, sessionId: string): UserWithSession | undefined {
    const entry = this.sessions.get(sessionId);
    if (!entry || entry.user.record.id !== userId || this.now() - entry.loadedAt > this.settings.maxAgeMs) {
      this.misses++;
      return undefined;
    }
    // Map order is the LRU order: move the entry to the end.
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, entry);
    this.hits++;
    return { user: entry.user.record, session: entry.state };
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
    user.sessionIds.add(sessionId);
    this.sessions.set(sessionId, { user, state: found.session, loadedAt: this.now() });
    if (this.sessions.size > this.settings.maxEntries) this.evictOldest();
  }

  forgetUsers(ids: readonly number[]): void {
    this.generation++;
    for (const id of ids) {
      const user = this.users.get(id);
      if (!user) continue;
      for (const sessionId of user.sessionIds) this.sessions.delete(sessionId);
      this.users.delete(id);
    }
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
    return { entries: this.sessions.size, hits: this.hits, misses: this.misses };
  }

  /** One shared record per user, replaced by the newest read (it is at least as fresh). */
  private cachedUser(record: UserRecord): CachedUser {
    const existing = this.users.get(record.id);
    const frozen = Object.freeze({ ...record });
    if (existing) {
      existing.record = frozen;
      return existing;
    }
    const user = { record: frozen, sessionIds: new Set<string>() };
    this.users.set(record.id, user);
    return user;
  }

  private removeSession(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    entry.user.sessionIds.delete(id);
    if (entry.user.sessionIds.size === 0 && this.users.get(entry.user.record.id) === entry.user) {
      this.users.delete(entry.user.record.id);
    }
  }

  private evictOldest(): void {
    const oldest = this.sessions.keys().next().value;
    if (oldest !== undefined) this.removeSession(oldest);
  }
}
