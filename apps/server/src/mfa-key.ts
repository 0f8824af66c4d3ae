import { hkdfSync } from 'node:crypto';
import { parseKeyEncryptionKey } from '@gatehouse/core';
import type { Logger } from 'pino';
import type { Config } from './config.js';

const derive = (secret: Buffer | string, purpose: string) =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));

/** True when the deployment configured a key for TOTP secrets (not a development stand-in). */
export function mfaKeyConfigured(config: Config): boolean {
  return Boolean(config.MFA_ENCRYPTION_KEY || config.JWT_KEY_ENCRYPTION_KEY);
}

/**
 * The key TOTP secrets are encrypted under: MFA_ENCRYPTION_KEY; else one derived from
 * JWT_KEY_ENCRYPTION_KEY (its own purpose, so neither ciphertext opens with the other's key);
 * else outside production one derived from the JWT secret, with a warning. Null in production
 * without a key: set-up is refused, and start-up too once an account has TOTP (gatehouse.ts).
 */
export function resolveMfaKey(config: Config, logger: Logger, jwtSecret: string | undefined): Buffer | null {
  if (config.MFA_ENCRYPTION_KEY) return parseKeyEncryptionKey(config.MFA_ENCRYPTION_KEY);
  if (config.JWT_KEY_ENCRYPTION_KEY) {
    return derive(parseKeyEncryptionKey(config.JWT_KEY_ENCRYPTION_KEY), 'gatehouse/mfa-secrets/v1');
  }
  if (config.NODE_ENV === 'production' || !jwtSecret) return null;
  logger.warn(
    'MFA_ENCRYPTION_KEY is not set: TOTP secrets are encrypted under a key derived from the development JWT secret; set MFA_ENCRYPTION_KEY in production',
  );
  return derive(jwtSecret, 'gatehouse/mfa-secrets/dev/v1');
}
