import { randomBytes, randomInt } from 'node:crypto';

/**
 * Letters a person reads off one screen and types on another: no vowels (no words, no 0/O or
 * 1/I confusion) and no digits. 20^8 ≈ 2.6e10 codes, alive for minutes, guesses held hard.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

/** What a user may type: the eight letters in any case, with or without the dash (or a space). */
export const USER_CODE_PATTERN = new RegExp(`^[${USER_CODE_ALPHABET}]{4}[-\\s]?[${USER_CODE_ALPHABET}]{4}$`, 'i');

/** Device codes are 256-bit secrets, base64url: 43 characters. */
export const DEVICE_CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh user code as shown: `XXXX-XXXX`. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The stored form's input: upper case, dash and spaces dropped. */
export function normalizeUserCode(typed: string): string {
  return typed.toUpperCase().replace(/[-\s]/g, '');
}

export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}
