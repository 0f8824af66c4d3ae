import { asc, inArray } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { claimOf, dueMail, type EmailEngine, inOrder, supersededBy } from './email-repositories.js';
import { mailValues } from './mail-rows.js';
import { emailTokens, mailOutbox, type tables } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof tables>;

/** Issuing in an immediate transaction; claiming in one statement (SQLite has one writer). */
export function sqliteEmailEngine(db: Db): EmailEngine {
  return {
    issue: async (token, mails, now) => {
      return db.transaction(
        (tx) => {
          tx.update(emailTokens).set({ revokedAt: now }).where(supersededBy(emailTokens, token)).run();
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
    },
    claim: async (workerId, now, leaseUntil, limit) => {
      // One UPDATE … WHERE id IN (SELECT …): with one writer at a time no two claims overlap.
      const due = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(dueMail(mailOutbox, now))
        .orderBy(asc(mailOutbox.id))
        .limit(limit);
      const rows = db
        .update(mailOutbox)
        .set(claimOf(mailOutbox, workerId, leaseUntil))
        .where(inArray(mailOutbox.id, due))
        .returning()
        .all();
      return inOrder(rows);
    },
  };
}
