import cluster from 'node:cluster';
import { postgresViewChannel, redisViewChannel, type SessionViewOptions, type ViewChannel } from '@gatehouse/core';
import type { Database } from '@gatehouse/db';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/** Marks the messages of the session view among the other IPC between primary and workers. */
const IPC_KEY = 'gatehouseSessionView';

/**
 * A worker's channel to the others of its cluster: the primary relays each message to every
 * worker (this one included), in the order it received them.
 */
function clusterViewChannel(): ViewChannel {
  let listener: ((message: unknown) => void) | undefined;
  return {
    kind: 'cluster',
    async open({ onMessage }) {
      listener = (message) => {
        const payload = (message as Record<string, unknown> | null)?.[IPC_KEY];
        if (typeof payload === 'string') onMessage(payload);
      };
      process.on('message', listener);
    },
    publish: (message) =>
      new Promise((resolve, reject) => {
        process.send?.({ [IPC_KEY]: message }, undefined, {}, (error) => (error ? reject(error) : resolve()));
      }),
    async close() {
      if (listener) process.off('message', listener);
    },
  };
}

/** In the primary of WORKERS=N: passes each worker's session-view messages to every worker. */
export function relaySessionViewMessages(): void {
  cluster.on('message', (_worker, message: unknown) => {
    if (typeof (message as Record<string, unknown> | null)?.[IPC_KEY] !== 'string') return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message as object);
    }
  });
}

/**
 * Which bus keeps the instances' views in step: Redis when REDIS_URL is set, else PostgreSQL's
 * LISTEN/NOTIFY, else (SQLite) the cluster primary; a single SQLite process needs none.
 */
function viewChannel(config: Config, db: Database): ViewChannel | null {
  if (config.REDIS_URL) return redisViewChannel(config.REDIS_URL, config.RATE_LIMIT_KEY_PREFIX);
  if (db.notifications) return postgresViewChannel(db.notifications);
  return cluster.isWorker ? clusterViewChannel() : null;
}

export function sessionViewOptions(config: Config, db: Database, logger: Logger): SessionViewOptions | null {
  if (config.SESSION_CACHE === 'off') return null;
  return {
    maxEntries: config.SESSION_CACHE_SIZE,
    channel: viewChannel(config, db),
    sync: {
      onStatus: (status, reason) =>
        status === 'lapsed'
          ? logger.warn({ reason }, 'session view not in step with other instances; reading the database meanwhile')
          : logger.info('session view in step with the other instances again'),
      onUnconfirmed: (missing) =>
        logger.warn({ missing }, 'a session change was not confirmed by every instance within the lease'),
    },
  };
}
