import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
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
import { LAST_ERROR_MAX, mailValues, toMailRecord } from './mail-rows.js';
import { emailTokens, mailOutbox, type tables } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof tables>;

const live = (now: Date) =>
  and(isNull(emailTokens.usedAt), isNull(emailTokens.revokedAt), gt(emailTokens.expiresAt, now));

export class SqliteEmailTokensRepository implements EmailTokensRepository {
  constructor(private readonly db: Db) {}

  async issue(token: NewEmailToken, mails: readonly NewMail[], now: Date): Promise<EmailTokenRecord> {
    return this.db.transaction(
      (tx) => {
        tx.update(emailTokens)
          .set({ revokedAt: now })
          .where(
            and(
              eq(emailTokens.userId, token.userId),
              eq(emailTokens.purpose, token.purpose),
              isNull(emailTokens.usedAt),
              isNull(emailTokens.revokedAt),
            ),
          )
          .run();
        const row = tx
          .insert(emailTokens)
          .values({ ...token, createdAt: now })
          .returning()
          .get();
        if (mails.length > 0)
          tx.insert(mailOutbox)
            .values(mails.map((m) => mailValues(m, now)))
            .run();
        return row;
      },
      { behavior: 'immediate' },
    );
  }

  async consume(tokenHash: string, purpose: EmailTokenPurpose, now: Date): Promise<EmailTokenRecord | null> {
    // One statement: SQLite's single writer makes the check and the mark one step.
    // all(), not get(): see sqlite-statements.ts (a failed autocommit must not pass unseen).
    const [row] = this.db
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.purpose, purpose), live(now)))
      .returning()
      .all();
    return row ?? null;
  }

  async revokeForUser(userId: number, now: Date, purposes?: readonly EmailTokenPurpose[]): Promise<number> {
    const which = purposes ? inArray(emailTokens.purpose, [...purposes]) : undefined;
    return this.db
      .update(emailTokens)
      .set({ revokedAt: now })
      .where(and(eq(emailTokens.userId, userId), isNull(emailTokens.usedAt), isNull(emailTokens.revokedAt), which))
      .run().changes;
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.db.delete(emailTokens).where(lt(emailTokens.expiresAt, before)).run().changes;
  }
}

export class SqliteMailOutboxRepository implements MailOutboxRepository {
  constructor(private readonly db: Db) {}

  async enqueue(mails: readonly NewMail[], now: Date): Promise<void> {
    if (mails.length === 0) return;
    this.db
      .insert(mailOutbox)
      .values(mails.map((m) => mailValues(m, now)))
      .run();
  }

  async claim(workerId: string, now: Date, leaseUntil: Date, limit: number): Promise<MailRecord[]> {
    // One UPDATE … WHERE id IN (SELECT …): with one writer at a time no two claims overlap.
    const due = this.db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(
        and(
          eq(mailOutbox.status, 'pending'),
          lte(mailOutbox.nextAttemptAt, now),
          or(isNull(mailOutbox.lockedUntil), lte(mailOutbox.lockedUntil, now)),
        ),
      )
      .orderBy(asc(mailOutbox.id))
      .limit(limit);
    const rows = this.db
      .update(mailOutbox)
      .set({ claimedBy: workerId, lockedUntil: leaseUntil, attempts: sql`${mailOutbox.attempts} + 1` })
      .where(inArray(mailOutbox.id, due))
      .returning()
      .all();
    return rows.sort((a, b) => a.id - b.id).map(toMailRecord);
  }

  async markSent(id: number, workerId: string, now: Date): Promise<boolean> {
    const result = this.db
      .update(mailOutbox)
      .set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: null })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.claimedBy, workerId), eq(mailOutbox.status, 'pending')))
      .run();
    return result.changes === 1;
  }

  async markFailed(id: number, workerId: string, error: string, retryAt: Date | null): Promise<boolean> {
    const result = this.db
      .update(mailOutbox)
      .set({
        status: retryAt ? 'pending' : 'failed',
        nextAttemptAt: retryAt ?? sql`${mailOutbox.nextAttemptAt}`,
        lockedUntil: null,
        lastError: error.slice(0, LAST_ERROR_MAX),
      })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.claimedBy, workerId), eq(mailOutbox.status, 'pending')))
      .run();
    return result.changes === 1;
  }

  async list(query: MailQuery): Promise<MailRecord[]> {
    const rows = this.db
      .select()
      .from(mailOutbox)
      .where(
        and(
          query.status ? eq(mailOutbox.status, query.status) : undefined,
          query.to ? eq(mailOutbox.toAddress, query.to) : undefined,
        ),
      )
      .orderBy(asc(mailOutbox.id))
      .limit(query.limit)
      .all();
    return rows.map(toMailRecord);
  }

  async purgeSent(before: Date): Promise<number> {
    return this.db
      .delete(mailOutbox)
      .where(and(eq(mailOutbox.status, 'sent'), lt(mailOutbox.sentAt, before)))
      .run().changes;
  }
}
