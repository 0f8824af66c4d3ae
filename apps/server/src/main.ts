#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAdminCommand, migrateCommand, rotateKeysCommand } from './admin-commands.js';
import { isClusterWorker, passwordThreadsPerWorker, runPrimary } from './cluster.js';
import { ConfigError, loadConfig } from './config.js';
import { loadEnvFile } from './env-file.js';
import { startGatehouse } from './gatehouse.js';
import { createLogger } from './logger.js';
import { logStartupGuide } from './startup-guide.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  if (config.WORKERS > 1 && !isClusterWorker()) return runPrimary(config, logger);
  const app = await startGatehouse(
    config,
    logger,
    config.WORKERS > 1 ? { passwordThreads: passwordThreadsPerWorker(config.WORKERS) } : {},
  );
  logger.info({ url: app.url, db: app.services.storage.engine }, `Gatehouse listening on ${app.url}`);
  await logStartupGuide(logger, config, app.services, app.url).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not check for an admin account');
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; closing remaining connections');
      app.server.closeAllConnections();
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  loadEnvFile(resolve(process.cwd(), '.env'));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { username: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' } },
  });
  const command = positionals[0] ?? 'serve';
  if (command === 'serve') return serve();
  if (command === 'migrate') return migrateCommand(loadConfig());
  if (command === 'create-admin') return createAdminCommand(loadConfig(), values);
  if (command === 'rotate-keys') return rotateKeysCommand(loadConfig());
  throw new ConfigError([`unknown command "${command}"; use serve, migrate, create-admin or rotate-keys`]);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
  } else {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
