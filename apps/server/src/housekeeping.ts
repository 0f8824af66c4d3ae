import type { AuthServices } from '@gatehouse/core';
import type { Logger } from 'pino';

const EVERY_MS = 60 * 60_000;

/**
 * Deletes long-ended sessions at start-up and then every hour, so the sessions table does not
 * grow with every sign-in forever. Idempotent: instances sharing a database may all run it.
 * Returns a stop function that also waits for a sweep under way.
 */
export function startHousekeeping(services: AuthServices, logger: Logger, everyMs = EVERY_MS): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      try {
        const purged = await services.sessions.purgeEnded();
        if (purged > 0) logger.info({ purged }, 'deleted sessions that ended more than 30 days ago');
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
