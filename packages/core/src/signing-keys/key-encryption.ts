import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** Reads JWT_KEY_ENCRYPTION_KEY: 32 bytes written as base64 (44 characters) or hex (64). */
export function parseKeyEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.byteLength !== 32) throw new Error('must be 32 bytes, written as base64 or hex');
  return bytes;
}

/**
 * Encrypts a small secret for storage with AES-256-GCM; `context` (a key id, "totp:<user id>")
 * is bound in as associated data, so a ciphertext copied onto another row does not decrypt.
 */
export function sealSecret(plain: string, encryptionKey: Buffer, context: string): string {
  return encryptPrivateKey(plain, encryptionKey, context);
}

/** Reverses sealSecret; throws when the key or the context is not the one used. */
export function openSealedSecret(stored: string, encryptionKey: Buffer, context: string): string {
  const [version, body] = stored.split('.');
  if (version !== VERSION || !body) throw new Error(`${context}: unknown sealed secret format`);
  const bytes = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/**
 * Encrypts a private key for storage with AES-256-GCM. The key id is bound in as associated
 * data, so a ciphertext moved onto another key's row does not decrypt.
 */
export function encryptPrivateKey(pem: string, encryptionKey: Buffer, kid: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
  cipher.setAAD(Buffer.from(kid));
  const sealed = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** Reverses encryptPrivateKey; throws when the encryption key or the kid is not the one used. */
export function decryptPrivateKey(stored: string, encryptionKey: Buffer, kid: string): string {
  const [version, body] = stored.split('.');
  if (version !== VERSION || !body) throw new Error(`signing key ${kid}: unknown private key format`);
  try {
    return openSealedSecret(stored, encryptionKey, kid);
  } catch {
    throw new Error(`signing key ${kid} does not decrypt: JWT_KEY_ENCRYPTION_KEY is not the key it was stored with`);
  }
}
