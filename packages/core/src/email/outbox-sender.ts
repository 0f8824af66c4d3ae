import { randomBytes } from 'node:crypto';
import type { Database, MailRecord } from '@gatehouse/db';
import type { MailTransport } from './mail-transport.js';

export interface OutboxSenderOptions {
  db: Database;
  transport: MailTransport;
  /** Names this sender's claims; random by default (one per process). */
  workerId?: string;
  /** How often to look for due mail when nothing woke the sender (default 2 s). */
  pollIntervalMs?: number;
  /** How long a claim lasts (default 2 min); longer than any one delivery may take. */
  leaseMs?: number;
  batchSize?: number;
  /** Wait before the first retry; doubles with each failure (default 10 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Attempts before a mail is given up as failed (default 20: about 11 hours of retries at the defaults). */
  maxAttempts?: number;
  clock?: () => Date;
  onSent?: (mail: MailRecord) => void;
  onFailed?: (mail: MailRecord, error: Error, retryAt: Date | null) => void;
  /** Errors of the outbox itself (database unreachable…), once until a round succeeds; the sender keeps going. */
  onError?: (error: Error) => void;
}

/**
 * Delivers the mail outbox, off the request path. Each round claims due mails under a lease
 * (instances sharing a database never claim the same row), sends them one by one, and marks
 * each sent or schedules a retry with exponential backoff. A mail whose sender died mid-way
 * is claimed again once its lease ends: a crash can repeat a mail (same Message-ID), never lose one.
 */
export class OutboxSender {
  readonly workerId: string;
  private unreachable = false;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopping = false;
  private readonly o: Required<
    Pick<OutboxSenderOptions, 'pollIntervalMs' | 'leaseMs' | 'batchSize' | 'retryBaseMs' | 'retryMaxMs' | 'maxAttempts'>
  >;
  private readonly clock: () => Date;

  constructor(private readonly options: OutboxSenderOptions) {
    this.workerId = options.workerId ?? `sender-${randomBytes(6).toString('hex')}`;
    this.clock = options.clock ?? (() => new Date());
    this.o = {
      pollIntervalMs: options.pollIntervalMs ?? 2000,
      leaseMs: options.leaseMs ?? 120_000,
      batchSize: options.batchSize ?? 10,
      retryBaseMs: options.retryBaseMs ?? 10_000,
      retryMaxMs: options.retryMaxMs ?? 3_600_000,
      maxAttempts: options.maxAttempts ?? 20,
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.wake();
  }

  /** Looks for mail now (called right after a request queued some). */
  wake(): void {
    if (!this.started || this.stopping) return;
    if (this.round) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.round = this.runRounds().finally(() => {
      this.round = null;
      if (!this.stopping) this.timer = setTimeout(() => this.wake(), this.o.pollIntervalMs);
    });
  }

  /**
   * Stops looking, waits up to `graceMs` for the mail being sent, and closes the transport. A
   * send still stuck after that (a stalled SMTP server) is left to its lease: another instance,
   * or this one after a restart, sends it again.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.round) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.round, grace]);
      clearTimeout(timer);
    }
    this.options.transport.close();
  }

  /** One claim-and-send round; returns how many mails it handled. For tests and the loop. */
  async deliverDue(): Promise<number> {
    const now = this.clock();
    const lease = new Date(now.getTime() + this.o.leaseMs);
    const mails = await this.options.db.mailOutbox.claim(this.workerId, now, lease, this.o.batchSize);
    for (const mail of mails) {
      // Shutting down: hand the rest back at once rather than leave them leased to a dead sender.
      if (this.stopping) await this.options.db.mailOutbox.markFailed(mail.id, this.workerId, 'sender stopped', now);
      else await this.deliver(mail);
    }
    return mails.length;
  }

  private async runRounds(): Promise<void> {
    do {
      this.again = false;
      try {
        // A full batch suggests more is waiting.
        while (!this.stopping && (await this.deliverDue()) === this.o.batchSize) {}
        this.unreachable = false;
      } catch (error) {
        // Once per outage, not once per poll while the database is away.
        if (!this.unreachable) this.options.onError?.(error as Error);
        this.unreachable = true;
      }
    } while (this.again && !this.stopping);
  }

  private async deliver(mail: MailRecord): Promise<void> {
    try {
      await this.options.transport.send(mail);
    } catch (error) {
      const retryAt = mail.attempts >= this.o.maxAttempts ? null : this.retryTime(mail.attempts);
      await this.options.db.mailOutbox.markFailed(mail.id, this.workerId, String((error as Error).message), retryAt);
      this.options.onFailed?.(mail, error as Error, retryAt);
      return;
    }
    await this.options.db.mailOutbox.markSent(mail.id, this.workerId, this.clock());
    this.options.onSent?.(mail);
  }

  private retryTime(attempts: number): Date {
    const backoff = Math.min(this.o.retryBaseMs * 2 ** (attempts - 1), this.o.retryMaxMs);
    // Up to a fifth more at random, so instances that failed together do not retry together.
    const jitter = backoff * 0.2 * Math.random();
    return new Date(this.clock().getTime() + backoff + jitter);
  }
}
