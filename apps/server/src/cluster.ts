import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { openDatabase } from '@gatehouse/db';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createServices, databaseTimeouts } from './gatehouse.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { relaySessionViewMessages } from './session-view-settings.js';

/** A worker that dies this soon after starting is not restarted again (it would loop). */
const CRASH_LOOP_MS = 5000;

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** Hashing threads per worker, so N workers together use about every core, not N times each. */
export function passwordThreadsPerWorker(workers: number): number {
  return Math.max(1, Math.floor(availableParallelism() / workers));
}

/**
 * Does once, before any worker starts, what workers would otherwise race for: migrations, the
 * development JWT secret file, the first signing key.
 */
async function prepareShared(config: Config, logger: Logger): Promise<void> {
  const db = await openDatabase(config.DATABASE_URL, databaseTimeouts(config));
  await db.close();
  if (config.JWT_ALG === 'HS256') {
    resolveJwtSecret(config, logger);
    return;
  }
  const services = await createServices(config, logger, { passwordThreads: 1 });
  try {
    await services.signingKeys?.ensureKey();
  } finally {
    await services.close();
  }
}

/**
 * The primary of WORKERS=N: forks the workers (which share the listening port through
 * node:cluster), restarts one that crashes, and passes SIGTERM/SIGINT on for a graceful stop.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  await prepareShared(config, logger);
  let stopping = false;
  let exitCode = 0;
  const startedAt = new Map<Worker, number>();
  relaySessionViewMessages();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  for (let i = 0; i < config.WORKERS; i++) fork();
  logger.info({ workers: config.WORKERS }, 'cluster primary started');

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(exitCode);
      return;
    }
    logger.error({ worker: worker.id, code, signal }, 'worker exited');
    if (lived < CRASH_LOOP_MS) {
      logger.fatal('a worker failed right after starting; stopping the cluster');
      stop('crash');
      return;
    }
    fork();
  });

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    if (reason === 'crash') exitCode = 1;
    logger.info({ reason }, 'stopping workers');
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    if (startedAt.size === 0) process.exit(exitCode);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
