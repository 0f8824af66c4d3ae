/**
 * The email-lifecycle storage contract on every engine: one-time tokens (supersede, single use
 * under races, expiry, purpose) and the mail outbox (claims never overlap, leases, retries).
 */
import { describe, expect, it } from 'vitest';
import type { Database, NewEmailToken, NewMail } from '../src/index.js';
import { databasePerTest, type Engine, postgresEngine, sqliteEngine } from './engines.js';
import { at, t0, user } from './fixtures.js';

const token = (userId: number, tokenHash: string, purpose: NewEmailToken['purpose'] = 'verify_email') => ({
  purpose,
  userId,
  tokenHash,
  newEmail: null,
  expiresAt: at(3600),
});
const mail = (to: string, kind = 'verify_email'): NewMail => ({
  kind,
  userId: null,
  to,
  subject: `subject for ${to}`,
  text: 'text',
  html: '<p>html</p>',
});

const engines: Engine[] = [sqliteEngine(), await postgresEngine()];

describe.each(engines.filter((e) => e.run))('email storage on $name', (engine) => {
  let db: Database;
  const twin = databasePerTest(engine, (opened) => {
    db = opened;
  });

  it('starts users unverified unless told otherwise, and filters the list on it', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const bob = await db.users.create({ ...user('bob'), emailVerified: true }, t0);
    expect(ann.emailVerified).toBe(false);
    expect(bob.emailVerified).toBe(true);
    expect((await db.users.update(ann.id, { emailVerified: true }, at(1)))?.emailVerified).toBe(true);
    await db.users.create(user('cid'), t0);
    const verified = await db.users.list({ limit: 10, emailVerified: true });
    expect(verified.items.map((u) => u.username)).toEqual(['ann', 'bob']);
    const unverified = await db.users.list({ limit: 10, emailVerified: false });
    expect(unverified.items.map((u) => u.username)).toEqual(['cid']);
  });

  it('stores a token with its mails, and a newer token of the same purpose supersedes it', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.emailTokens.issue(token(ann.id, 'h1'), [mail('ann@example.com')], t0);
    await db.emailTokens.issue(token(ann.id, 'r1', 'reset_password'), [mail('ann@example.com', 'reset')], t0);
    await db.emailTokens.issue(token(ann.id, 'h2'), [mail('ann@example.com'), mail('old@example.com')], at(1));
    expect(await db.emailTokens.consume('h1', 'verify_email', at(2))).toBeNull();
    expect((await db.emailTokens.consume('h2', 'verify_email', at(2)))?.userId).toBe(ann.id);
    // Another purpose is not superseded.
    expect((await db.emailTokens.consume('r1', 'reset_password', at(2)))?.userId).toBe(ann.id);
    const queued = await db.mailOutbox.list({ limit: 10 });
    expect(queued.map((m) => [m.to, m.kind, m.status])).toEqual([
      ['ann@example.com', 'verify_email', 'pending'],
      ['ann@example.com', 'reset', 'pending'],
      ['ann@example.com', 'verify_email', 'pending'],
      ['old@example.com', 'verify_email', 'pending'],
    ]);
  });

  it('refuses a token used once, of another purpose, expired or revoked', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.emailTokens.issue({ ...token(ann.id, 'h1'), newEmail: 'new@example.com' }, [], t0);
    expect(await db.emailTokens.consume('h1', 'reset_password', at(1))).toBeNull();
    expect(await db.emailTokens.consume('nope', 'verify_email', at(1))).toBeNull();
    const used = await db.emailTokens.consume('h1', 'verify_email', at(1));
    expect(used).toMatchObject({ purpose: 'verify_email', newEmail: 'new@example.com', usedAt: at(1) });
    expect(await db.emailTokens.consume('h1', 'verify_email', at(2))).toBeNull();

    await db.emailTokens.issue(token(ann.id, 'h2', 'sign_in'), [], t0);
    expect(await db.emailTokens.consume('h2', 'sign_in', at(3600))).toBeNull();

    await db.emailTokens.issue(token(ann.id, 'h3', 'sign_in'), [], t0);
    await db.emailTokens.issue(token(ann.id, 'h4', 'reset_password'), [], t0);
    expect(await db.emailTokens.revokeForUser(ann.id, at(1), ['sign_in'])).toBe(1);
    expect(await db.emailTokens.consume('h3', 'sign_in', at(2))).toBeNull();
    expect(await db.emailTokens.revokeForUser(ann.id, at(1))).toBe(1);
    expect(await db.emailTokens.consume('h4', 'reset_password', at(2))).toBeNull();
  });

  it('lets exactly one of many racing uses of a token win, across instances', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.emailTokens.issue(token(ann.id, 'race', 'reset_password'), [], t0);
    const other = await twin();
    const attempts = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? other : db).emailTokens.consume('race', 'reset_password', at(1)),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
  });

  it('leaves exactly one live token when several of one purpose are issued at once', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const other = await twin();
    const hashes = Array.from({ length: 6 }, (_, i) => `c${i}`);
    await Promise.all(hashes.map((h, i) => (i % 2 ? other : db).emailTokens.issue(token(ann.id, h), [], t0)));
    const used = await Promise.all(hashes.map((h) => db.emailTokens.consume(h, 'verify_email', at(1))));
    expect(used.filter((u) => u !== null)).toHaveLength(1);
  });

  it('purges expired tokens', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.emailTokens.issue(token(ann.id, 'h1'), [], t0);
    expect(await db.emailTokens.purgeExpired(at(3599))).toBe(0);
    expect(await db.emailTokens.purgeExpired(at(3601))).toBe(1);
  });

  it('never gives one mail to two concurrent claims, and re-offers it once a lease runs out', async () => {
    await db.mailOutbox.enqueue(
      Array.from({ length: 20 }, (_, i) => mail(`u${i}@example.com`)),
      t0,
    );
    const other = await twin();
    const [a, b, c] = await Promise.all([
      db.mailOutbox.claim('a', at(1), at(61), 10),
      other.mailOutbox.claim('b', at(1), at(61), 10),
      other.mailOutbox.claim('c', at(1), at(61), 10),
    ]);
    const ids = [...a!, ...b!, ...c!].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
    expect(a!.every((m) => m.attempts === 1 && m.claimedBy === 'a')).toBe(true);
    // Nothing is due while the leases hold.
    expect(await db.mailOutbox.claim('d', at(30), at(90), 50)).toEqual([]);
    const first = a![0]!;
    expect(await db.mailOutbox.markSent(first.id, 'a', at(2))).toBe(true);
    // After the leases lapse, the unsent ones go to whoever claims; the sent one never again.
    const again = await db.mailOutbox.claim('d', at(61), at(120), 50);
    expect(again).toHaveLength(19);
    expect(again.some((m) => m.id === first.id)).toBe(false);
    // The first claimant lost the rest: its late report changes nothing.
    expect(await db.mailOutbox.markSent(a![1]!.id, 'a', at(62))).toBe(false);
    expect((await db.mailOutbox.list({ status: 'sent', limit: 50 })).map((m) => m.id)).toEqual([first.id]);
  });

  it('puts a failed mail back for a later attempt, or gives up on it', async () => {
    await db.mailOutbox.enqueue([mail('x@example.com'), mail('y@example.com')], t0);
    const [x, y] = await db.mailOutbox.claim('w', t0, at(60), 10);
    expect(await db.mailOutbox.markFailed(x!.id, 'w', 'connection refused', at(30))).toBe(true);
    expect(await db.mailOutbox.markFailed(y!.id, 'w', 'x'.repeat(2000), null)).toBe(true);
    expect(await db.mailOutbox.claim('w', at(29), at(90), 10)).toEqual([]);
    const [retried] = await db.mailOutbox.claim('w', at(30), at(90), 10);
    expect(retried).toMatchObject({ id: x!.id, attempts: 2, lastError: 'connection refused' });
    const [failed] = await db.mailOutbox.list({ status: 'failed', limit: 10 });
    expect(failed?.to).toBe('y@example.com');
    expect(failed?.lastError?.length).toBeLessThanOrEqual(500);
    expect(await db.mailOutbox.markSent(retried!.id, 'w', at(31))).toBe(true);
    expect(await db.mailOutbox.purgeSent(at(32))).toBe(1);
    expect((await db.mailOutbox.list({ limit: 10 })).map((m) => m.to)).toEqual(['y@example.com']);
  });
});
