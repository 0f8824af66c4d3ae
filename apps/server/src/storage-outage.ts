import type { AuthServices } from '@gatehouse/core';
import type { Logger } from 'pino';

/** How often the database is probed while it is down, to log its return. */
const PROBE_INTERVAL_MS = 1000;

export interface StorageOutageLog {
  /** A call failed because the database is unreachable, too slow or full. */
  failed(error: unknown): void;
  stop(): void;
}

/**
 * Says once that the database went away (not once per refused call) and once that it is back,
 * probing it meanwhile; the pool itself reconnects on the next call, this only tells the operator.
 */
export function storageOutageLog(services: AuthServices, logger: Logger): StorageOutageLog {
  let probe: NodeJS.Timeout | null = null;
  let since = 0;
  let lastFailure = 0;
  const stop = () => {
    if (probe) clearInterval(probe);
    probe = null;
  };
  return {
    failed(error) {
      lastFailure = Date.now();
      if (probe) return;
      since = Date.now();
      logger.error({ err: error }, 'database unavailable: calls that need it answer 503 until it returns');
      probe = setInterval(() => {
        void services.storage.isUp().then((up) => {
          // Back only when it answers and calls stopped failing (a full SQLite disk still answers reads).
          if (!up || !probe || Date.now() - lastFailure < PROBE_INTERVAL_MS) return;
          stop();
          logger.info({ downMs: Date.now() - since }, 'database reachable again');
        });
      }, PROBE_INTERVAL_MS);
      probe.unref();
    },
    stop,
  };
}
