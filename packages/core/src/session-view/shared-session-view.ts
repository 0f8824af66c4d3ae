import type { Database, UserWithSession } from '@gatehouse/db';
import { SessionView, type SessionViewStats } from './session-view.js';
import { DEFAULT_VIEW_SYNC, type ViewChange, type ViewChannel, ViewSync, type ViewSyncSettings } from './view-sync.js';

export interface SessionViewOptions {
  /** Sessions held at most (SESSION_CACHE_SIZE). */
  maxEntries: number;
  /** Re-read an entry after this long whatever happened (default 60 s). */
  maxAgeMs?: number;
  /** How the instances of a deployment tell each other of changes; null for a single process. */
  channel: ViewChannel | null;
  sync?: Partial<ViewSyncSettings>;
}

export interface SessionViewStatus extends SessionViewStats {
  channel: ViewChannel['kind'] | 'none';
  /** False while the instance cannot hear the channel: every call reads the database. */
  trusted: boolean;
  /** Other instances heard from lately. */
  peers: number;
}

const DEFAULT_MAX_AGE_MS = 60_000;

/**
 * The session view of this instance, kept in step with the other instances of the deployment:
 * what the authenticated path reads instead of the database, and where writes announce changes.
 */
export class SharedSessionView {
  private readonly view: SessionView;
  private readonly sync: ViewSync | null;

  constructor(options: SessionViewOptions) {
    this.view = new SessionView({ maxEntries: options.maxEntries, maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS });
    this.sync = options.channel
      ? new ViewSync(this.view, options.channel, { ...DEFAULT_VIEW_SYNC, ...options.sync })
      : null;
  }

  /** Starts listening to the other instances; until the first heartbeat returns, every call reads the database. */
  async start(): Promise<void> {
    await this.sync?.start();
  }

  /** The user and session from the view, else from the database (and then kept). */
  async findWithSession(db: Database, userId: number, sessionId: string): Promise<UserWithSession | null> {
    if (this.sync && !this.sync.isTrusted()) return db.users.findWithSession(userId, sessionId);
    const cached = this.view.get(userId, sessionId);
    if (cached) return cached;
    const generation = this.view.begin();
    const found = await db.users.findWithSession(userId, sessionId);
    this.view.put(generation, sessionId, found);
    return found;
  }

  /** Drops the entries here, then waits until every other instance has (or has stopped trusting its view). */
  readonly announce = async (change: ViewChange): Promise<void> => {
    this.view.forgetUsers(change.users);
    this.view.forgetSessions(change.sessions);
    await this.sync?.announce(change);
  };

  status(): SessionViewStatus {
    return {
      ...this.view.stats(),
      channel: this.sync ? this.sync.channelKind : 'none',
      trusted: this.sync ? this.sync.isTrusted() : true,
      peers: this.sync?.peerCount() ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.sync?.close();
  }
}
