import type { RateLimitCounters } from '@gatehouse/db';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { loadRedis } from '../redis.js';

/** Where counters live: this process, the shared database, or Redis. */
export type RateLimitStore =
  | { kind: 'memory' }
  | { kind: 'database'; counters: RateLimitCounters }
  | { kind: 'redis'; url: string };

interface LimiterSpec {
  /** Part of every stored key, so limiters sharing a store never share counters. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** Builds rate-limiter-flexible limiters on one store: the same spec is the same limit on any store. */
export interface LimiterFactory {
  readonly kind: RateLimitStore['kind'];
  create(spec: LimiterSpec): RateLimiterAbstract;
  /** Resolves once the store answers; rejects when it cannot be reached in time. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface LimiterFactoryOptions {
  /** Prefix of every key in a shared store (Redis, database); lets deployments or tests share one. */
  keyPrefix: string;
  /** Problems of the shared store (Redis connection errors); limits fall back to this process meanwhile. */
  onStoreError?: (error: Error) => void;
  /** The shared store answers again after errors; counting is back there. */
  onStoreRecovered?: () => void;
}

const PURGE_EVERY_MS = 5 * 60_000;
const REDIS_READY_TIMEOUT_MS = 5000;

function memoryFactory(): LimiterFactory {
  return {
    kind: 'memory',
    create: (spec) =>
      new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationSeconds }),
    ready: async () => {},
    close: async () => {},
  };
}

function databaseFactory(counters: RateLimitCounters, options: LimiterFactoryOptions): LimiterFactory {
  // A database store replaces an expired counter when its key comes back, but keys that never
  // come back (one-off addresses) would stay forever without this sweep.
  const purge = setInterval(() => {
    counters.purgeExpired(new Date()).catch((error: unknown) => options.onStoreError?.(error as Error));
  }, PURGE_EVERY_MS);
  purge.unref();
  return {
    kind: 'database',
    create: (spec) =>
      counters.createLimiter({
        keyPrefix: `${options.keyPrefix}:${spec.name}`,
        points: spec.points,
        duration: spec.durationSeconds,
      }),
    ready: async () => {},
    close: async () => clearInterval(purge),
  };
}

/** How long one Redis command may take before the limiter falls back to per-process counting. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

function redisFactory(url: string, options: LimiterFactoryOptions): LimiterFactory {
  const Redis = loadRedis();
  // A command caught by a dropped connection would otherwise wait for reconnection attempts
  // (seconds): time it out so the limiter answers from its in-process insurance at once.
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  // One report per outage, not one per reconnection attempt; and one when Redis is back.
  let failing = false;
  client.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    options.onStoreError?.(error);
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    options.onStoreRecovered?.();
  });
  return {
    kind: 'redis',
    create: (spec) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${options.keyPrefix}:${spec.name}`,
        points: spec.points,
        duration: spec.durationSeconds,
        // While Redis is unreachable, answer from this process's own counters rather than
        // stall every login (or let every attempt through).
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: spec.name,
          points: spec.points,
          duration: spec.durationSeconds,
        }),
      }),
    ready: async () => {
      if (client.status === 'ready') return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer within ${REDIS_READY_TIMEOUT_MS} ms`)),
          REDIS_READY_TIMEOUT_MS,
        );
      });
      const connected =
        client.status === 'wait' ? client.connect() : new Promise((resolve) => client.once('ready', resolve));
      try {
        await Promise.race([connected, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      // QUIT only on a live connection: on any other it would wait for a reconnect first.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

export function createLimiterFactory(store: RateLimitStore, options: LimiterFactoryOptions): LimiterFactory {
  if (store.kind === 'database') return databaseFactory(store.counters, options);
  if (store.kind === 'redis') return redisFactory(store.url, options);
  return memoryFactory();
}
