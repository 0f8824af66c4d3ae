/**
 * The device sign-in storage contract on every engine: a user code names one live request,
 * racing decisions and racing polls each have exactly one winner, and expired rows go.
 */
import { describe, expect, it } from 'vitest';
import type { Database, NewDeviceCode } from '../src/index.js';
import { databasePerTest, type Engine, postgresEngine, sqliteEngine } from './engines.js';
import { at, t0, user } from './fixtures.js';

const code = (n: number): NewDeviceCode => ({
  deviceCodeHash: `device-${n}`,
  userCodeHash: `user-${n}`,
  clientName: 'gatehouse CLI',
  interval: 5,
  expiresAt: at(600),
});

const engines: Engine[] = [sqliteEngine(), await postgresEngine()];

describe.each(engines.filter((e) => e.run))('device codes on $name', (engine) => {
  let db: Database;
  const twin = databasePerTest(engine, (opened) => {
    db = opened;
  });

  it('stores a pending code found by either hash, and refuses a second row with the same user code', async () => {
    const created = await db.deviceCodes.create(code(1), t0);
    expect(created).toMatchObject({ status: 'pending', userId: null, interval: 5, lastPolledAt: null });
    expect(created?.expiresAt.getTime()).toBe(at(600).getTime());
    expect((await db.deviceCodes.findByDeviceCode('device-1'))?.id).toBe(created?.id);
    expect((await db.deviceCodes.findByUserCode('user-1'))?.id).toBe(created?.id);
    expect(await db.deviceCodes.create({ ...code(2), userCodeHash: 'user-1' }, t0)).toBeNull();
    expect(await db.deviceCodes.findByDeviceCode('device-2')).toBeNull();
  });

  it('lets exactly one of two racing decisions land, and none after expiry', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const bob = await db.users.create(user('bob'), t0);
    await db.deviceCodes.create(code(1), t0);
    const other = await twin();
    const outcomes = await Promise.all([
      db.deviceCodes.decide('user-1', 'approved', ann.id, at(10)),
      other.deviceCodes.decide('user-1', 'denied', bob.id, at(10)),
    ]);
    const winners = outcomes.filter((o) => o !== null);
    expect(winners).toHaveLength(1);
    const stored = await db.deviceCodes.findByUserCode('user-1');
    expect(stored?.status).toBe(winners[0]?.status);
    expect(stored?.userId).toBe(winners[0]?.userId);

    await db.deviceCodes.create(code(2), t0);
    expect(await db.deviceCodes.decide('user-2', 'approved', ann.id, at(600))).toBeNull();
    expect((await db.deviceCodes.findByUserCode('user-2'))?.status).toBe('pending');
  });

  it('records a poll only if nobody polled since it was read', async () => {
    const created = await db.deviceCodes.create(code(1), t0);
    const id = created?.id ?? 0;
    const other = await twin();
    const first = await Promise.all([
      db.deviceCodes.recordPoll(id, null, at(1), 5),
      other.deviceCodes.recordPoll(id, null, at(1), 5),
    ]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await db.deviceCodes.recordPoll(id, at(1), at(3), 10)).toBe(true);
    expect(await db.deviceCodes.recordPoll(id, at(1), at(9), 10)).toBe(false);
    const stored = await db.deviceCodes.findByDeviceCode('device-1');
    expect(stored?.lastPolledAt?.getTime()).toBe(at(3).getTime());
    expect(stored?.interval).toBe(10);
  });

  it('hands an approved code to exactly one of two racing polls, and never a pending or denied one', async () => {
    const ann = await db.users.create(user('ann'), t0);
    const pending = await db.deviceCodes.create(code(1), t0);
    expect(await db.deviceCodes.consume(pending?.id ?? 0)).toBeNull();
    const denied = await db.deviceCodes.create(code(2), t0);
    await db.deviceCodes.decide('user-2', 'denied', ann.id, at(1));
    expect(await db.deviceCodes.consume(denied?.id ?? 0)).toBeNull();

    await db.deviceCodes.decide('user-1', 'approved', ann.id, at(1));
    const other = await twin();
    const outcomes = await Promise.all([
      db.deviceCodes.consume(pending?.id ?? 0),
      other.deviceCodes.consume(pending?.id ?? 0),
    ]);
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    expect((await db.deviceCodes.findByDeviceCode('device-1'))?.status).toBe('used');
    expect(await db.deviceCodes.consume(pending?.id ?? 0)).toBeNull();
  });

  it('purges expired codes, freeing their user codes, and goes with a deleted approver', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.deviceCodes.create(code(1), t0);
    await db.deviceCodes.create({ ...code(2), expiresAt: at(1200) }, t0);
    await db.deviceCodes.decide('user-2', 'approved', ann.id, at(1));
    expect(await db.deviceCodes.purgeExpired(at(601))).toBe(1);
    expect(await db.deviceCodes.create({ ...code(3), userCodeHash: 'user-1' }, at(601))).not.toBeNull();
    await db.users.delete(ann.id);
    expect(await db.deviceCodes.findByDeviceCode('device-2')).toBeNull();
  });
});
