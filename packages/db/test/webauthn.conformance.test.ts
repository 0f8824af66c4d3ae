/**
 * The passkey storage contract on every engine: credentials belong to one account, challenges
 * are single use (even when raced across instances), expire and keep to their purpose, and a
 * signature counter only moves on from the value it was read at.
 */
import { describe, expect, it } from 'vitest';
import type { Database, NewWebAuthnCredential } from '../src/index.js';
import { databasePerTest, type Engine, postgresEngine, sqliteEngine } from './engines.js';
import { at, t0, user } from './fixtures.js';

const credential = (userId: number, id: string): NewWebAuthnCredential => ({
  id,
  userId,
  publicKey: 'pQECAyYgASFYIA',
  counter: 0,
  transports: ['internal', 'hybrid'],
  name: 'Laptop',
  deviceType: 'multiDevice',
  backedUp: true,
});

const engines: Engine[] = [sqliteEngine(), await postgresEngine()];

describe.each(engines.filter((e) => e.run))('passkey storage on $name', (engine) => {
  let db: Database;
  const twin = databasePerTest(engine, (opened) => {
    db = opened;
  });

  it('stores a credential once, lists and counts it for its owner only', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const bob = await db.users.create(user('bob'), t0);
    const stored = await db.webauthnCredentials.create(credential(ann.id, 'cred-1'), t0);
    expect(stored).toMatchObject({ id: 'cred-1', userId: ann.id, transports: ['internal', 'hybrid'], backedUp: true });
    expect(stored?.createdAt).toEqual(t0);
    expect(stored?.lastUsedAt).toBeNull();
    // The same credential id cannot be registered again, not even to another account.
    expect(await db.webauthnCredentials.create(credential(bob.id, 'cred-1'), at(1))).toBeNull();
    await db.webauthnCredentials.create(credential(ann.id, 'cred-2'), at(2));
    expect((await db.webauthnCredentials.listForUser(ann.id)).map((c) => c.id)).toEqual(['cred-1', 'cred-2']);
    expect(await db.webauthnCredentials.countForUser(ann.id)).toBe(2);
    expect(await db.webauthnCredentials.countForUser(bob.id)).toBe(0);
    expect((await db.webauthnCredentials.findById('cred-2'))?.userId).toBe(ann.id);
  });

  it("renames and deletes only the owner's credential", async () => {
    const ann = await db.users.create(user('ann'), t0);
    const bob = await db.users.create(user('bob'), t0);
    await db.webauthnCredentials.create(credential(ann.id, 'cred-1'), t0);
    expect(await db.webauthnCredentials.rename(bob.id, 'cred-1', 'Stolen')).toBe(false);
    expect(await db.webauthnCredentials.delete(bob.id, 'cred-1')).toBe(false);
    expect(await db.webauthnCredentials.rename(ann.id, 'cred-1', 'Phone')).toBe(true);
    expect((await db.webauthnCredentials.findById('cred-1'))?.name).toBe('Phone');
    expect(await db.webauthnCredentials.delete(ann.id, 'cred-1')).toBe(true);
    expect(await db.webauthnCredentials.findById('cred-1')).toBeNull();
  });

  it('moves the counter only from the value it was read at', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.webauthnCredentials.create(credential(ann.id, 'cred-1'), t0);
    const other = await twin();
    const racing = await Promise.all([
      db.webauthnCredentials.recordUse('cred-1', 0, 1, at(1)),
      other.webauthnCredentials.recordUse('cred-1', 0, 1, at(1)),
    ]);
    expect(racing.filter(Boolean)).toHaveLength(1);
    const after = await db.webauthnCredentials.findById('cred-1');
    expect(after).toMatchObject({ counter: 1, lastUsedAt: at(1) });
  });

  it('hands a challenge out once, to its purpose, before it expires', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const challenges = db.webauthnChallenges;
    await challenges.create(
      { id: 'c1', challengeHash: 'h1', purpose: 'registration', userId: ann.id, expiresAt: at(300) },
      t0,
    );
    expect(await challenges.consume('h1', 'authentication', at(1))).toBeNull();
    expect(await challenges.consume('h1', 'registration', at(1))).toMatchObject({ id: 'c1', userId: ann.id });
    expect(await challenges.consume('h1', 'registration', at(2))).toBeNull();
    await challenges.create(
      { id: 'c2', challengeHash: 'h2', purpose: 'authentication', userId: null, expiresAt: at(300) },
      t0,
    );
    expect(await challenges.consume('h2', 'authentication', at(300))).toBeNull();
    expect(await challenges.consume('unknown', 'authentication', at(1))).toBeNull();
  });

  it('lets exactly one of many racing uses of a challenge win, across instances', async () => {
    await db.webauthnChallenges.create(
      { id: 'c1', challengeHash: 'race', purpose: 'authentication', userId: null, expiresAt: at(300) },
      t0,
    );
    const other = await twin();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : db).webauthnChallenges.consume('race', 'authentication', at(1)),
      ),
    );
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
  });

  it('purges expired challenges and removes an account’s passkeys with it', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.webauthnChallenges.create(
      { id: 'c1', challengeHash: 'h1', purpose: 'registration', userId: ann.id, expiresAt: at(300) },
      t0,
    );
    expect(await db.webauthnChallenges.purgeExpired(at(299))).toBe(0);
    expect(await db.webauthnChallenges.purgeExpired(at(301))).toBe(1);
    await db.webauthnCredentials.create(credential(ann.id, 'cred-1'), t0);
    await db.users.delete(ann.id);
    expect(await db.webauthnCredentials.findById('cred-1')).toBeNull();
  });
});
