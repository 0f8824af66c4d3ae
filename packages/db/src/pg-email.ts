import { asc, eq, inArray } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { claimOf, dueMail, type EmailEngine, inOrder, supersededBy } from './email-repositories.js';
import { mailValues } from './mail-rows.js';
import { emailTokens, mailOutbox, type tables, users } from './pg-schema.js';

type Db = PostgresJsDatabase<typeof tables>;

/** Issuing locks the account row; claiming skips rows another instance holds. */
export function pgEmailEngine(db: Db): EmailEngine {
  return {
    issue: async (token, mails, now) => {
      return db.transaction(async (tx) => {
        // Two links issued at once for one account take turns, so exactly one stays live (under READ
        // COMMITTED neither would otherwise see the other's new token to supersede it).
        await tx.select({ id: users.id }).from(users).where(eq(users.id, token.userId)).for('update');
        await tx.update(emailTokens).set({ revokedAt: now }).where(supersededBy(emailTokens, token));
        const [row] = await tx
          .insert(emailTokens)
          .values({ ...token, createdAt: now })
          .returning();
        if (mails.length > 0) await tx.insert(mailOutbox).values(mails.map((m) => mailValues(m, now)));
        return row!;
      });
    },
    claim: async (workerId, now, leaseUntil, limit) => {
      // SKIP LOCKED: instances claiming at once each take different rows instead of waiting.
      const due = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(dueMail(mailOutbox, now))
        .orderBy(asc(mailOutbox.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      const rows = await db
        .update(mailOutbox)
        .set(claimOf(mailOutbox, workerId, leaseUntil))
        .where(inArray(mailOutbox.id, due))
        .returning();
      return inOrder(rows);
    },
  };
}
