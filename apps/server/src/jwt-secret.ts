import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/**
 * The configured JWT_SECRET, or outside production a random one generated once and kept in
 * the data folder so tokens survive restarts.
 */
export function resolveJwtSecret(config: Config, logger: Logger): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  logger.warn({ file }, 'JWT_SECRET is not set: using a generated development secret; set JWT_SECRET in production');
  return readFileSync(file, 'utf8').trim();
}
