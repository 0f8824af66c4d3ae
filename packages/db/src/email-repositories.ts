import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type {
  EmailTokenPurpose,
  EmailTokenRecord,
  EmailTokensRepository,
  MailOutboxRepository,
  MailQuery,
  MailRecord,
  NewEmailToken,
  NewMail,
} from './email-records.js';
import { LAST_ERROR_MAX, type MailRow, mailValues, toMailRecord } from './mail-rows.js';
import type { Dialect, Statements } from './statements.js';

type Tables = Statements<Dialect>['tables'];

/** The account's unused tokens of the purpose a new one supersedes. */
export function supersededBy(t: Tables['emailTokens'], token: Pick<NewEmailToken, 'userId' | 'purpose'>) {
  return and(eq(t.userId, token.userId), eq(t.purpose, token.purpose), isNull(t.usedAt), isNull(t.revokedAt));
}

/** Mail due for delivery and held by no live claim. */
export function dueMail(m: Tables['mailOutbox'], now: Date) {
  return and(eq(m.status, 'pending'), lte(m.nextAttemptAt, now), or(isNull(m.lockedUntil), lte(m.lockedUntil, now)));
}

/** What a claim writes: the sender, its lease, one more attempt. */
export function claimOf(m: Tables['mailOutbox'], workerId: string, leaseUntil: Date) {
  return { claimedBy: workerId, lockedUntil: leaseUntil, attempts: sql`${m.attempts} + 1` };
}

/** Claimed rows as records, oldest first. */
export function inOrder(rows: MailRow[]): MailRecord[] {
  return rows.sort((a, b) => a.id - b.id).map(toMailRecord);
}

/** Where the engines differ: issuing under the account's lock, and claiming mail under a lease. */
export interface EmailEngine {
  issue: EmailTokensRepository['issue'];
  claim: MailOutboxRepository['claim'];
}

/** Mailed one-time tokens on any engine; issuing is the engine's (it needs a transaction). */
export class SqlEmailTokensRepository implements EmailTokensRepository {
  readonly issue: EmailTokensRepository['issue'];

  constructor(
    private readonly statements: Statements<Dialect>,
    engine: EmailEngine,
  ) {
    this.issue = engine.issue;
  }

  private get emailTokens() {
    return this.statements.tables.emailTokens;
  }

  /** One conditional update: of two racing uses, one finds the token still live. */
  async consume(tokenHash: string, purpose: EmailTokenPurpose, now: Date): Promise<EmailTokenRecord | null> {
    const t = this.emailTokens;
    const live = and(isNull(t.usedAt), isNull(t.revokedAt), gt(t.expiresAt, now));
    const [row] = await this.statements.update(
      t,
      { usedAt: now },
      and(eq(t.tokenHash, tokenHash), eq(t.purpose, purpose), live),
    );
    return row ?? null;
  }

  async revokeForUser(userId: number, now: Date, purposes?: readonly EmailTokenPurpose[]): Promise<number> {
    const t = this.emailTokens;
    const which = purposes ? inArray(t.purpose, [...purposes]) : undefined;
    const unused = and(eq(t.userId, userId), isNull(t.usedAt), isNull(t.revokedAt), which);
    return this.statements.updateCount(t, { revokedAt: now }, unused);
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.statements.deleteCount(this.emailTokens, lt(this.emailTokens.expiresAt, before));
  }
}

/** The mail outbox on any engine; claiming is the engine's (locking differs). */
export class SqlMailOutboxRepository implements MailOutboxRepository {
  readonly claim: MailOutboxRepository['claim'];

  constructor(
    private readonly statements: Statements<Dialect>,
    engine: EmailEngine,
  ) {
    this.claim = engine.claim;
  }

  private get mailOutbox() {
    return this.statements.tables.mailOutbox;
  }

  async enqueue(mails: readonly NewMail[], now: Date): Promise<void> {
    if (mails.length === 0) return;
    await this.statements.insertAll(
      this.mailOutbox,
      mails.map((mail) => mailValues(mail, now)),
    );
  }

  async markSent(id: number, workerId: string, now: Date): Promise<boolean> {
    const changes = { status: 'sent' as const, sentAt: now, lockedUntil: null, lastError: null };
    return (await this.statements.updateCount(this.mailOutbox, changes, this.claimedBy(id, workerId))) === 1;
  }

  async markFailed(id: number, workerId: string, error: string, retryAt: Date | null): Promise<boolean> {
    const m = this.mailOutbox;
    const changes = {
      status: retryAt ? ('pending' as const) : ('failed' as const),
      nextAttemptAt: retryAt ?? sql`${m.nextAttemptAt}`,
      lockedUntil: null,
      lastError: error.slice(0, LAST_ERROR_MAX),
    };
    return (await this.statements.updateCount(m, changes, this.claimedBy(id, workerId))) === 1;
  }

  async list(query: MailQuery): Promise<MailRecord[]> {
    const m = this.mailOutbox;
    const where = and(
      query.status ? eq(m.status, query.status) : undefined,
      query.to ? eq(m.toAddress, query.to) : undefined,
    );
    const rows = await this.statements.select(m, where, { orderBy: [asc(m.id)], limit: query.limit });
    return rows.map(toMailRecord);
  }

  async purgeSent(before: Date): Promise<number> {
    const m = this.mailOutbox;
    return this.statements.deleteCount(m, and(eq(m.status, 'sent'), lt(m.sentAt, before)));
  }

  /** Only the sender holding the claim may settle a mail, and only once. */
  private claimedBy(id: number, workerId: string) {
    const m = this.mailOutbox;
    return and(eq(m.id, id), eq(m.claimedBy, workerId), eq(m.status, 'pending'));
  }
}
