import type { AuthServices } from '@gatehouse/core';
import { createTestServices, databaseOf } from '@gatehouse/core/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHousekeeping } from '../src/housekeeping.js';

const DAY = 86400_000;

describe('housekeeping', () => {
  let services: AuthServices;
  let userId: number;
  const lines: Array<{ msg: string; purged?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });

  /** A session of the user that ended `daysAgo` days ago (or ends in the future when negative). */
  const sessionEndedDaysAgo = (id: string, daysAgo: number) => {
    const expiresAt = new Date(Date.now() - daysAgo * DAY);
    return databaseOf(services).sessions.create(
      { id, userId, tokenHash: `hash-${id}`, expiresAt, userAgent: null, ip: '10.0.0.1' },
      new Date(expiresAt.getTime() - DAY),
    );
  };

  beforeEach(async () => {
    lines.length = 0;
    services = await createTestServices();
    const user = await services.accounts.register({
      username: 'hana',
      email: 'hana@example.com',
      password: 'hk-password-1',
    });
    userId = user.id;
  });
  afterEach(() => services.close());

  it('deletes sessions that ended over 30 days ago at start-up and again on schedule, and says how many', async () => {
    await sessionEndedDaysAgo('old-1', 40);
    await sessionEndedDaysAgo('recent', 29);
    await sessionEndedDaysAgo('live', -5);
    const stop = startHousekeeping(services, logger, { auditRetentionSeconds: 0, everyMs: 25 });
    await vi.waitFor(() => expect(lines.filter((l) => l.purged === 1)).toHaveLength(1));
    await sessionEndedDaysAgo('old-2', 31);
    await vi.waitFor(() => expect(lines.filter((l) => l.purged === 1)).toHaveLength(2));
    await stop();
    for (const id of ['old-1', 'old-2']) expect(await databaseOf(services).sessions.findById(id)).toBeNull();
    for (const id of ['recent', 'live']) expect(await databaseOf(services).sessions.findById(id)).not.toBeNull();
    expect(lines[0]?.msg).toBe('deleted sessions that ended more than 30 days ago');
  });

  it('deletes audit events past the retention when one is set, and none without', async () => {
    const event = (daysAgo: number) =>
      databaseOf(services).audit.append({
        type: 'login_succeeded',
        at: new Date(Date.now() - daysAgo * DAY),
        actorUserId: userId,
        apiKeyId: null,
        targetUserId: userId,
        ip: null,
        userAgent: null,
        detail: null,
      });
    await event(400);
    await event(10);
    // The schedule's timer is faked so the start-up sweep and three scheduled ones surely ran.
    const sweeps = vi.spyOn(services.sessions, 'purgeEnded');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const keepAll = startHousekeeping(services, logger, { auditRetentionSeconds: 0, everyMs: 25 });
      await vi.advanceTimersByTimeAsync(75);
      await keepAll();
    } finally {
      vi.useRealTimers();
    }
    expect(sweeps).toHaveBeenCalledTimes(4);
    const count = async () =>
      (await databaseOf(services).audit.list({ limit: 100, type: 'login_succeeded' })).items.length;
    expect(await count()).toBe(2);
    const stop = startHousekeeping(services, logger, { auditRetentionSeconds: 365 * 86400, everyMs: 25 });
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'deleted audit events past AUDIT_RETENTION')).toBe(true));
    await stop();
    expect(await count()).toBe(1);
  });

  it('logs a failed sweep as a warning and keeps the schedule', async () => {
    await databaseOf(services).close(); // every sweep now fails
    const stop = startHousekeeping(services, logger, { auditRetentionSeconds: 0, everyMs: 25 });
    await vi.waitFor(() =>
      expect(lines.filter((l) => l.msg.startsWith('housekeeping failed')).length).toBeGreaterThan(1),
    );
    await stop();
  });
});
