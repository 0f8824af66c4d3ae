import { randomInt } from 'node:crypto';
import { hashSecret } from '../secret-hashing.js';

export const BACKUP_CODE_COUNT = 10;
// Crockford-style alphabet without look-alikes (0/O, 1/I/L): easy to copy from paper.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const LENGTH = 10;

/** Ten fresh codes like "K7QX-M3P9RT" (about 50 bits each), shown to the user once. */
export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 4)}-${code.slice(4)}`;
  });
}

/** What is typed, made comparable: case, spaces and dashes do not matter. */
export function normalizeBackupCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * Stored form of a code. SHA-256 suffices: a code is random (≈50 bits), single use, and every
 * guess counts against the per-account limit.
 */
export function hashBackupCode(typed: string): string {
  return hashSecret(`backup-code:${normalizeBackupCode(typed)}`);
}

/** True when the input has the shape of a backup code rather than a 6-digit TOTP code. */
export function looksLikeBackupCode(typed: string): boolean {
  return normalizeBackupCode(typed).length === LENGTH;
}
