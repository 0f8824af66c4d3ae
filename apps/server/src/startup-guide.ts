import cluster from 'node:cluster';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthServices } from '@gatehouse/core';
import type { Logger } from 'pino';
import type { Config } from './config.js';

async function hasActiveAdmin(services: AuthServices): Promise<boolean> {
  const admins = await services.administration.list({ role: 'admin', limit: 100 });
  return admins.items.some((admin) => admin.isActive);
}

/**
 * After start-up, tells whoever ran `pnpm start` where the demo is and, on a database with no
 * admin yet, the two ways to make the first one. Logged once, not by every worker.
 */
export async function logStartupGuide(logger: Logger, config: Config, services: AuthServices, url: string) {
  if (cluster.isWorker && cluster.worker?.id !== 1) return;
  const base = config.PUBLIC_URL ?? url;
  if (config.WEB_DIST) {
    logger.info(`web demo: ${base}/ (API reference: ${base}/api, OpenAPI document: ${base}/openapi.json)`);
  }
  if (await hasActiveAdmin(services)) return;
  const main = relative(process.cwd(), fileURLToPath(new URL('./main.js', import.meta.url)));
  logger.warn(
    [
      'no admin account yet; create the first one with',
      `  node ${main} create-admin --username admin --email admin@example.com --password '<a long password>'`,
      'or set GATEHOUSE_ADMIN_USERNAME, GATEHOUSE_ADMIN_EMAIL and GATEHOUSE_ADMIN_PASSWORD (e.g. in .env) and restart',
    ].join('\n'),
  );
}
