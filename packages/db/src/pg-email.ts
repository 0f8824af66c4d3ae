import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
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
import { emailTokens, mailOutbox, type tables, users } from './pg-schema.js';

type Db = PostgresJsDatabase<typeof tables>;

const live = (now: Date) =>
  and(isNull(emailTokens.usedAt), isNull(emailTokens.revokedAt), gt(emailTokens.expiresAt, now));

export class PgEmailTokensRepository implements EmailTokensRepository {
  constructor(private readonly db: Db) {}

  async issue(token: NewEmailToken, mails: readonly NewMail[], now: Date): Promise<EmailTokenRecord> {
    return this.db.transaction(async (tx) => {
      // Two links issued at once for one account take turns, so exactly one stays live (under READ
      // COMMITTED neither would otherwise see the other's new token to supersede it).
      await tx.select({ id: users.id }).from(users).where(eq(users.id, token.userId)).for('update');
      await tx
        .update(emailTokens)
        .set({ revokedAt: now })
        .where(
          and(
            eq(emailTokens.userId, token.userId),
            eq(emailTokens.purpose, token.purpose),
            isNull(emailTokens.usedAt),
            isNull(emailTokens.revokedAt),
          ),
        );
      const [row] = await tx
        .insert(emailTokens)
        .values({ ...token, createdAt: now })
        .returning();
      if (mails.length > 0) await tx.insert(mailOutbox).values(mails.map((m) => mailValues(m, now)));
      return row!;
    });
  }

  async consume(tokenHash: string, purpose: EmailTokenPurpose, now: Date): Promise<EmailTokenRecord | null> {
    const [row] = await this.db
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.purpose, purpose), live(now)))
      .returning();
    return row ?? null;
  }

  async revokeForUser(userId: number, now: Date, purposes?: readonly EmailTokenPurpose[]): Promise<number> {
    const which = purposes ? inArray(emailTokens.purpose, [...purposes]) : undefined;
    const rows = await this.db
      .update(emailTokens)
      .set({ revokedAt: now })
      .where(and(eq(emailTokens.userId, userId), isNull(emailTokens.usedAt), isNull(emailTokens.revokedAt), which))
      .returning({ id: emailTokens.id });
    return rows.length;
  }

  async purgeExpired(before: Date): Promise<number> {
    const rows = await this.db
      .delete(emailTokens)
      .where(lt(emailTokens.expiresAt, before))
      .returning({ id: emailTokens.id });
    return rows.length;
  }
}

export class PgMailOutboxRepository implements MailOutboxRepository {
  constructor(private readonly db: Db) {}

  async enqueue(mails: readonly NewMail[], now: Date): Promise<void> {
    if (mails.length === 0) return;
    await this.db.insert(mailOutbox).values(mails.map((m) => mailValues(m, now)));
  }

  async claim(workerId: string, now: Date, leaseUntil: Date, limit: number): Promise<MailRecord[]> {
    // SKIP LOCKED: instances claiming at once each take different rows instead of waiting.
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
      .limit(limit)
      .for('update', { skipLocked: true });
    const rows = await this.db
      .update(mailOutbox)
      .set({ claimedBy: workerId, lockedUntil: leaseUntil, attempts: sql`${mailOutbox.attempts} + 1` })
      .where(inArray(mailOutbox.id, due))
      .returning();
    return rows.sort((a, b) => a.id - b.id).map(toMailRecord);
  }

  async markSent(id: number, workerId: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(mailOutbox)
      .set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: null })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.claimedBy, workerId), eq(mailOutbox.status, 'pending')))
      .returning({ id: mailOutbox.id });
    return rows.length === 1;
  }

  async markFailed(id: number, workerId: string, error: string, retryAt: Date | null): Promise<boolean> {
    const rows = await this.db
      .update(mailOutbox)
      .set({
        status: retryAt ? 'pending' : 'failed',
        nextAttemptAt: retryAt ?? sql`${mailOutbox.nextAttemptAt}`,
        lockedUntil: null,
        lastError: error.slice(0, LAST_ERROR_MAX),
      })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.claimedBy, workerId), eq(mailOutbox.status, 'pending')))
      .returning({ id: mailOutbox.id });
    return rows.length === 1;
  }

  async list(query: MailQuery): Promise<MailRecord[]> {
    const rows = await this.db
      .select()
      .from(mailOutbox)
      .where(
        and(
          query.status ? eq(mailOutbox.status, query.status) : undefined,
          query.to ? eq(mailOutbox.toAddress, query.to) : undefined,
        ),
      )
      .orderBy(asc(mailOutbox.id))
      .limit(query.limit);
    return rows.map(toMailRecord);
  }

  async purgeSent(before: Date): Promise<number> {
    const rows = await this.db
      .delete(mailOutbox)
      .where(and(eq(mailOutbox.status, 'sent'), lt(mailOutbox.sentAt, before)))
      .returning({ id: mailOutbox.id });
    return rows.length;
  }
}
