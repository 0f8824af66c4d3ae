#!/usr/bin/env node
// `node bench/username-spray.mjs [count]`: signs in as `count` (default 100,000) distinct made-up
// usernames against core's services on a SQLite file with the database rate-limit store, then
// shows what that left behind and what remains once its bounded lifetimes have passed:
// rate-limit counters (24 h at most), audit events naming no user (30 days), heap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServices, databaseOf } from '@gatehouse/core/testing';
import { openDatabase } from '@gatehouse/db';

const COUNT = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-spray-'));
const db = await openDatabase(`file:${join(dir, 'g.db')}`);
const services = await createTestServices({
  db,
  passwordThreads: 2,
  rateLimits: { store: 'database', settings: { loginPerMinute: 1e9 } },
});

const heapBefore = process.memoryUsage().heapUsed;
const started = Date.now();
let next = 0;
const worker = async () => {
  while (next < COUNT) {
    const i = next++;
    const ip = `198.18.${(i >> 8) & 255}.${i & 255}`;
    await services.signIn.signIn(`spray-${i}`, 'wrong-password', { ip, userAgent: 'spray' }).catch(() => {});
  }
};
await Promise.all(Array.from({ length: 16 }, worker));
const seconds = (Date.now() - started) / 1000;
const audit = async () => {
  let n = 0;
  let cursor;
  do {
    const page = await services.audit.list({ limit: 100, cursor });
    n += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return n;
};
const report = { usernames: COUNT, seconds, heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 };
report.auditEvents = await audit();
report.counterRowsPurgeableNow = await db.rateLimitTable.purgeExpired(new Date());
report.counterRowsPurgedAfter25h = await db.rateLimitTable.purgeExpired(new Date(Date.now() + 25 * 3600_000));
report.auditPurgedAfter31d = await databaseOf(services).audit.purgeUnattributedBefore(
  new Date(Date.now() + 31 * 86400_000),
);
report.auditEventsLeft = await audit();
console.log(JSON.stringify(report, null, 2));
await services.close();
rmSync(dir, { recursive: true, force: true });
