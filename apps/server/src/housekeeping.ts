import type { AuthServices } from '@gatehouse/core';
import type { Logger } from 'pino';

export interface HousekeepingOptions {
  /** Audit events older than this many seconds are deleted; 0 keeps them for ever. */
  auditRetentionSeconds: number;
  /** Default: an hour. */
  everyMs?: number;
}

/**
 * At start-up and then every hour: deletes sessions that ended more than 30 days ago, so the
 * sessions table does not grow with every sign-in for ever, and audit events past
 * AUDIT_RETENTION when one is set. Idempotent: instances sharing a database may all run it.
 * Returns a stop function that also waits for a sweep under way.
 */
export function startHousekeeping(
  services: AuthServices,
  logger: Logger,
  { auditRetentionSeconds, everyMs = 60 * 60_000 }: HousekeepingOptions,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      try {
        const purged = await services.sessions.purgeEnded();
        if (purged > 0) logger.info({ purged }, 'deleted sessions that ended more than 30 days ago');
        const unattributed = await services.audit.purgeUnattributed();
        if (unattributed > 0)
          logger.info({ purged: unattributed }, 'deleted audit events naming no user, past 30 days');
        await services.email.purgeStale();
        await services.device.purgeExpired();
        await services.passkeys.purgeExpiredChallenges();
        await services.mfa.purgeExpired();
        if (auditRetentionSeconds > 0) {
          const events = await services.audit.purgeOlderThan(auditRetentionSeconds);
          if (events > 0) logger.info({ purged: events }, 'deleted audit events past AUDIT_RETENTION');
        }
      } catch (error) {
        logger.warn({ err: error }, 'housekeeping failed; trying again later');
      }
    })();
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
