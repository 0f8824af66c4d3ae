import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';

const MAKE_ONE = 'make one with: openssl rand -base64 48';

/**
 * Why a JWT_SECRET looks guessable, or null. Length alone lets 'a'×48 or 'changeme-changeme-…'
 * through; these checks catch few distinct characters, repetition and low total entropy
 * (a base64 secret from openssl passes with a wide margin).
 */
export function secretWeakness(secret: string): string | null {
  const chars = [...secret];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size < 10) return `it uses only ${counts.size} different characters; ${MAKE_ONE}`;
  const grams = new Set<string>();
  for (let i = 0; i + 4 <= chars.length; i++) grams.add(chars.slice(i, i + 4).join(''));
  if (grams.size < 0.75 * (chars.length - 3)) return `it repeats itself; ${MAKE_ONE}`;
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / chars.length);
  if (bits < 128) return `it holds about ${Math.round(bits)} bits of entropy, fewer than 128; ${MAKE_ONE}`;
  return null;
}

/**
 * The configured JWT_SECRET, or outside production a random one generated once and kept in
 * the data folder so tokens survive restarts.
 */
export function resolveJwtSecret(config: Config, logger: Logger): string {
  if (config.JWT_SECRET) {
    // Production refuses a weak secret at start-up (config.ts); development only warns.
    const weakness = secretWeakness(config.JWT_SECRET);
    if (weakness) logger.warn(`JWT_SECRET looks guessable: ${weakness}`);
    return config.JWT_SECRET;
  }
  const file = join(config.DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  logger.warn({ file }, 'JWT_SECRET is not set: using a generated development secret; set JWT_SECRET in production');
  return readFileSync(file, 'utf8').trim();
}
