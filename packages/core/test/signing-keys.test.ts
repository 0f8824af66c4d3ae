import { randomBytes } from 'node:crypto';
import { type Database, openDatabase } from '@gatehouse/db';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccessTokens,
  decryptPrivateKey,
  encryptPrivateKey,
  parseKeyEncryptionKey,
  SigningKeyRing,
} from '../src/index.js';

const encryptionKey = randomBytes(32);
const subject = { userId: 7, sessionId: 'session-id-0000001', tokenVersion: 3 };

describe('private key encryption', () => {
  it('round-trips, and fails with another key or on another kid', () => {
    const sealed = encryptPrivateKey('-----BEGIN PRIVATE KEY-----', encryptionKey, 'k1');
    expect(sealed).not.toContain('PRIVATE');
    expect(decryptPrivateKey(sealed, encryptionKey, 'k1')).toBe('-----BEGIN PRIVATE KEY-----');
    expect(() => decryptPrivateKey(sealed, randomBytes(32), 'k1')).toThrow(/JWT_KEY_ENCRYPTION_KEY/);
    expect(() => decryptPrivateKey(sealed, encryptionKey, 'k2')).toThrow(/does not decrypt/);
  });

  it('reads 32-byte keys as base64 or hex, and nothing shorter', () => {
    expect(parseKeyEncryptionKey(encryptionKey.toString('base64'))).toEqual(encryptionKey);
    expect(parseKeyEncryptionKey(encryptionKey.toString('hex'))).toEqual(encryptionKey);
    expect(() => parseKeyEncryptionKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});

describe.each(['EdDSA', 'ES256'] as const)('%s access tokens', (algorithm) => {
  let db: Database;
  let now: Date;
  const ring = (cacheTtlMs = 60_000) =>
    new SigningKeyRing({
      db,
      algorithm,
      encryptionKey,
      cacheTtlMs,
      accessTokenTtlSeconds: 60,
      clock: () => now,
    });
  const tokensOn = (keys: SigningKeyRing) =>
    new AccessTokens({ keys, issuer: 'gatehouse', audience: 'gatehouse', ttlSeconds: 60 });

  beforeEach(async () => {
    db = await openDatabase(':memory:');
    now = new Date();
  });
  afterEach(() => db.close());

  it('signs with the current kid and verifies', async () => {
    const keys = ring();
    const kid = await keys.ensureKey();
    expect(await keys.ensureKey()).toBe(kid);
    const tokens = tokensOn(keys);
    const token = await tokens.sign(subject);
    expect(decodeProtectedHeader(token)).toEqual({ alg: algorithm, kid, typ: 'at+jwt' });
    expect(await tokens.verify(token)).toMatchObject(subject);
    expect(tokens.algorithm).toBe(algorithm);
  });

  it('lets another instance verify after this one rotates, until the old key is unpublished', async () => {
    const a = ring();
    const b = ring();
    await a.ensureKey();
    const old = await tokensOn(a).sign(subject);
    expect(await tokensOn(b).verify(old)).toMatchObject(subject);
    now = new Date(now.getTime() + 1000);
    const { kid, retired } = await a.rotate();
    // b holds the old list in its (fresh) cache: the new kid is found by reloading on a miss,
    // and b's JWKS already shows it.
    expect(await tokensOn(b).verify(await tokensOn(a).sign(subject))).toMatchObject(subject);
    expect((await b.jwks()).keys.map((k) => k.kid)).toContain(kid);
    expect(await tokensOn(b).verify(old)).toMatchObject(subject);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual([kid, retired[0]!.kid]);
    now = new Date(retired[0]!.publishUntil.getTime() + 1);
    expect((await ring().jwks()).keys.map((k) => k.kid)).toEqual([kid]);
  });

  it('stops accepting a token it verified before once its key is no longer published', async () => {
    const keys = ring(0); // no key-list cache: the unpublishing is seen at once
    await keys.ensureKey();
    const tokens = tokensOn(keys);
    const old = await tokens.sign(subject);
    expect(await tokens.verify(old)).toMatchObject(subject); // now remembered
    const { retired } = await keys.rotate();
    expect(await tokens.verify(old)).toMatchObject(subject);
    now = new Date(retired[0]!.publishUntil.getTime() + 1);
    await expect(tokens.verify(old)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
  });

  it('refuses an HS256 token and a token without a kid', async () => {
    const keys = ring();
    await keys.ensureKey();
    const hmac = new AccessTokens({
      secret: 's'.repeat(32),
      issuer: 'gatehouse',
      audience: 'gatehouse',
      ttlSeconds: 60,
    });
    await expect(tokensOn(keys).verify(await hmac.sign(subject))).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
    expect(await hmac.jwks()).toBeNull();
  });

  it('retires the keys of another algorithm when JWT_ALG changes', async () => {
    const other = algorithm === 'EdDSA' ? 'ES256' : 'EdDSA';
    const before = await new SigningKeyRing({
      db,
      algorithm: other,
      encryptionKey,
      cacheTtlMs: 60_000,
      accessTokenTtlSeconds: 60,
      clock: () => now,
    }).ensureKey();
    now = new Date(now.getTime() + 1000);
    const kid = await ring().ensureKey();
    const published = await db.signingKeys.listPublished(now);
    expect(published.map((k) => [k.kid, k.retiredAt === null])).toEqual([
      [kid, true],
      [before, false],
    ]);
  });
});
