import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SessionView } from './session-view.js';

/**
 * A message bus every instance of a deployment reads: Redis pub/sub, PostgreSQL LISTEN/NOTIFY,
 * or the cluster primary relaying between its workers. It must deliver every message to every
 * open subscriber, this one included, in one order for all.
 */
export interface ViewChannel {
  readonly kind: 'redis' | 'postgres' | 'cluster';
  /** Starts delivery. `onGap` reports that messages may have been lost (a reconnection). */
  open(handlers: { onMessage(message: string): void; onGap(): void }): Promise<void>;
  /** Resolves once the bus has taken the message (its place in the order is fixed by then). */
  publish(message: string): Promise<void>;
  close(): Promise<void>;
}

/** What changed: the users and sessions whose entries every instance must drop. */
export interface ViewChange {
  users: number[];
  sessions: string[];
}

export interface ViewSyncSettings {
  /**
   * How long an instance trusts its view after it last heard its own heartbeat come back, and
   * how long a change waits at most for the other instances to confirm it.
   */
  leaseMs: number;
  heartbeatMs: number;
  now?: () => number;
  onStatus?: (status: 'trusted' | 'lapsed', reason: string) => void;
  /** A change was not confirmed by every instance within the lease (they lapse by themselves). */
  onUnconfirmed?: (missing: number) => void;
}

export const DEFAULT_VIEW_SYNC: Pick<ViewSyncSettings, 'leaseMs' | 'heartbeatMs'> = { leaseMs: 1000, heartbeatMs: 200 };

/**
 * A change waits for every instance heard from within this time, not only within the lease: on
 * a busy machine this instance may read the others' heartbeats late, and skipping an instance
 * that still trusts its view would let it answer from a stale entry. One that stopped without
 * saying goodbye (killed) costs each change a lease of waiting until it is forgotten.
 */
const PEER_MEMORY_MS = 30_000;

const messageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ping'), from: z.string(), seq: z.number(), at: z.number() }),
  z.object({
    kind: z.literal('change'),
    from: z.string(),
    id: z.number(),
    users: z.array(z.number()),
    sessions: z.array(z.string()),
  }),
  z.object({ kind: z.literal('ack'), from: z.string(), to: z.string(), id: z.number() }),
  z.object({ kind: z.literal('bye'), from: z.string() }),
]);
type Message = z.infer<typeof messageSchema>;

interface PendingChange {
  waitingFor: Set<string>;
  done: () => void;
}

/**
 * Keeps the session views of all instances in step, so that a change which has returned to its
 * caller is honoured on the next call by every instance:
 *
 * - A change is published, and its writer waits until every instance it has heard from lately
 *   confirms it, or until the lease has run out (whichever comes first).
 * - An instance trusts its view only while its own heartbeat comes back through the bus within
 *   the lease. One that misses a change (bus down, reconnection, a long pause) therefore stops
 *   using the view by the time the writer stops waiting for it, and reads the database instead.
 *   The bus's single order guarantees that a heartbeat which came back was published before
 *   any change it has not yet seen.
 */
export class ViewSync {
  readonly instanceId = randomUUID();
  private readonly now: () => number;
  private readonly peers = new Map<string, number>();
  private readonly pending = new Map<number, PendingChange>();
  private trustedUntil = Number.NEGATIVE_INFINITY;
  private lapsed = true;
  private nextChangeId = 1;
  private sentSeq = 0;
  private heardSeq = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private pinging = false;
  private closed = false;

  constructor(
    private readonly view: SessionView,
    private readonly channel: ViewChannel,
    private readonly settings: ViewSyncSettings,
  ) {
    this.now = settings.now ?? (() => performance.now());
  }

  async start(): Promise<void> {
    await this.channel.open({
      onMessage: (m) => this.receive(m),
      onGap: () => this.lapse('messages may have been lost'),
    });
    this.heartbeat = setInterval(() => this.ping(), this.settings.heartbeatMs);
    this.heartbeat.unref();
    this.ping();
  }

  /** True while this instance may answer from its view; drops the view when trust has lapsed. */
  isTrusted(): boolean {
    if (this.now() < this.trustedUntil) return true;
    if (!this.lapsed) this.lapse('heartbeat not heard within the lease');
    return false;
  }

  /** Tells every instance; resolves once all have confirmed or the lease has run out. */
  async announce(change: ViewChange): Promise<void> {
    if (this.closed) return;
    const id = this.nextChangeId++;
    const waitingFor = new Set(this.recentPeers(PEER_MEMORY_MS));
    const confirmed = new Promise<void>((resolve) => this.pending.set(id, { waitingFor, done: resolve }));
    try {
      await this.send({ kind: 'change', from: this.instanceId, id, ...change });
    } catch {
      // Not taken by the bus: every instance that cannot hear it lapses within the lease.
    }
    if (waitingFor.size > 0) await Promise.race([confirmed, this.delay(this.settings.leaseMs)]);
    this.pending.delete(id);
    if (waitingFor.size > 0 && !this.closed) this.settings.onUnconfirmed?.(waitingFor.size);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    // The others stop waiting for this instance's confirmations at once.
    await this.send({ kind: 'bye', from: this.instanceId }).catch(() => {});
    for (const change of this.pending.values()) change.done();
    await this.channel.close();
  }

  get channelKind(): ViewChannel['kind'] {
    return this.channel.kind;
  }

  /** Instances heard from within the lease, this one excluded. */
  peerCount(): number {
    return this.recentPeers(this.settings.leaseMs).length;
  }

  private recentPeers(withinMs: number): string[] {
    const now = this.now();
    const recent: string[] = [];
    for (const [peer, heard] of this.peers) {
      if (now - heard < withinMs) recent.push(peer);
      else if (now - heard > PEER_MEMORY_MS) this.peers.delete(peer);
    }
    return recent;
  }

  private ping(): void {
    // While the bus is down a publish may take seconds to fail: never pile heartbeats up behind it
    // (on PostgreSQL each would hold a pooled connection that requests need).
    if (this.pinging) return;
    this.pinging = true;
    this.send({ kind: 'ping', from: this.instanceId, seq: ++this.sentSeq, at: this.now() })
      .catch(() => {
        // The lease runs out by itself when the bus is down.
      })
      .finally(() => {
        this.pinging = false;
      });
  }

  private receive(raw: string): void {
    let message: Message;
    try {
      message = messageSchema.parse(JSON.parse(raw));
    } catch {
      return; // Not ours (another deployment on the same bus, or a newer version).
    }
    if (message.kind === 'bye') {
      this.peers.delete(message.from);
      for (const change of this.pending.values()) this.confirm(change, message.from);
      return;
    }
    if (message.from !== this.instanceId) this.peers.set(message.from, this.now());
    if (message.kind === 'ping') this.onPing(message);
    else if (message.kind === 'change') this.onChange(message);
    else if (message.to === this.instanceId) this.onAck(message);
  }

  private onPing(message: Extract<Message, { kind: 'ping' }>): void {
    if (message.from !== this.instanceId) return;
    // A heartbeat of ours that never came back may have been lost with other messages.
    if (message.seq !== this.heardSeq + 1 && this.heardSeq !== 0) this.lapse('a heartbeat was lost');
    this.heardSeq = message.seq;
    this.trustedUntil = Math.max(this.trustedUntil, message.at + this.settings.leaseMs);
    if (this.lapsed && this.now() < this.trustedUntil) {
      this.lapsed = false;
      this.settings.onStatus?.('trusted', 'heartbeat heard');
    }
  }

  private onChange(message: Extract<Message, { kind: 'change' }>): void {
    if (message.from === this.instanceId) return;
    this.view.forgetUsers(message.users);
    this.view.forgetSessions(message.sessions);
    this.send({ kind: 'ack', from: this.instanceId, to: message.from, id: message.id }).catch(() => {
      // The writer stops waiting when the lease runs out.
    });
  }

  private onAck(message: Extract<Message, { kind: 'ack' }>): void {
    const change = this.pending.get(message.id);
    if (change) this.confirm(change, message.from);
  }

  private confirm(change: PendingChange, peer: string): void {
    change.waitingFor.delete(peer);
    if (change.waitingFor.size === 0) change.done();
  }

  private lapse(reason: string): void {
    this.view.clear();
    this.trustedUntil = Number.NEGATIVE_INFINITY;
    if (this.lapsed) return;
    this.lapsed = true;
    this.settings.onStatus?.('lapsed', reason);
  }

  private send(message: Message): Promise<void> {
    return this.channel.publish(JSON.stringify(message));
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
