import { randomUUID, webcrypto } from 'node:crypto';
import { SIGNING_ALGORITHMS } from '@gatehouse/db';
import { type CryptoKey, errors, type JWK, type JWTHeaderParameters, jwtVerify, type KeyObject, SignJWT } from 'jose';
import { GatehouseError } from '../errors.js';
import type { SigningKeyRing } from '../signing-keys/signing-keys.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
const HMAC_ALGORITHM = 'HS256';
/** Tokens remembered as verified; ≈ 0.5 KB each, so at most a few MB. */
const VERIFIED_TOKENS_CACHED = 10_000;

interface CommonTokenOptions {
  issuer: string;
  audience: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** The time tokens are issued and checked at (default: the real time); tests pass one they move. */
  clock?: () => Date;
}

/** HS256 with a shared secret (the default, for one-service setups) ... */
export interface HmacTokenOptions extends CommonTokenOptions {
  /** At least 32 bytes; the HMAC key. */
  secret: string;
}

/** ... or EdDSA/ES256 with keys other services can fetch from the JWKS. */
export interface AsymmetricTokenOptions extends CommonTokenOptions {
  keys: SigningKeyRing;
}

export type AccessTokenOptions = HmacTokenOptions | AsymmetricTokenOptions;

export interface AccessTokenSubject {
  userId: number;
  sessionId: string;
  tokenVersion: number;
}

export interface AccessClaims extends AccessTokenSubject {
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

/** A token that passed verification: its claims and the header that chose the key. */
interface VerifiedToken {
  claims: Readonly<AccessClaims>;
  expiresAt: number;
  header: Pick<JWTHeaderParameters, 'alg' | 'kid'>;
}

/**
 * Signs and verifies short-lived access JWTs with an explicit algorithm list: HS256 with a
 * secret, or EdDSA/ES256 with database-held keys named by a `kid` in every header.
 */
export class AccessTokens {
  readonly ttlSeconds: number;
  /**
   * The HMAC key as a WebCrypto key, imported once: jose uses a CryptoKey as it is, but exports
   * and re-imports a KeyObject's bytes on every call. Null when asymmetric.
   */
  private readonly key: Promise<CryptoKey> | null;
  private readonly keys: SigningKeyRing | null;
  private readonly verified = new VerifiedTokenCache<VerifiedToken>(VERIFIED_TOKENS_CACHED);
  private readonly clock: () => Date;

  constructor(private readonly options: AccessTokenOptions) {
    if ('keys' in options) {
      this.key = null;
      this.keys = options.keys;
    } else {
      const secret = new TextEncoder().encode(options.secret);
      if (secret.byteLength < 32) throw new Error('The access token secret must be at least 32 bytes');
      this.key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ]);
      this.keys = null;
    }
    this.ttlSeconds = options.ttlSeconds;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Now, in whole seconds since the epoch: the unit of iat and exp. */
  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  /** HS256, EdDSA or ES256. */
  get algorithm(): string {
    return this.keys ? this.keys.algorithm : HMAC_ALGORITHM;
  }

  /** The public keys other services verify tokens with; null for HS256 (nothing to publish). */
  async jwks(): Promise<{ keys: JWK[] } | null> {
    return this.keys ? this.keys.jwks() : null;
  }

  async sign(subject: AccessTokenSubject): Promise<string> {
    const signer = this.keys ? await this.keys.current() : null;
    const issuedAt = this.nowSeconds();
    return new SignJWT({ sid: subject.sessionId, ver: subject.tokenVersion })
      .setProtectedHeader(
        signer
          ? { alg: signer.algorithm, kid: signer.kid, typ: ACCESS_TOKEN_TYPE }
          : { alg: HMAC_ALGORITHM, typ: ACCESS_TOKEN_TYPE },
      )
      .setSubject(String(subject.userId))
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(signer ? signer.privateKey : await (this.key as Promise<CryptoKey>));
  }

  /** The verification key for a token header: the secret, or the published key its kid names. */
  private async keyFor(header: Pick<JWTHeaderParameters, 'alg' | 'kid'>): Promise<KeyObject | CryptoKey> {
    if (!this.keys) return this.key as Promise<CryptoKey>;
    const published = header.kid ? await this.keys.publicKey(header.kid) : null;
    if (!published || published.algorithm !== header.alg) {
      throw new GatehouseError('UNAUTHORIZED', 'Invalid access token');
    }
    return published.publicKey;
  }

  /** Returns the claims of a valid token; throws UNAUTHORIZED for anything else. */
  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token, this.nowSeconds());
    if (known) {
      // The signature was checked before; the key that made it must still be published.
      if (this.keys) await this.keyFor(known.header);
      return known.claims;
    }
    const verified = await this.verifyFully(token);
    this.verified.set(token, verified);
    return verified.claims;
  }

  private async verifyFully(token: string): Promise<VerifiedToken> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header) => this.keyFor(header), {
        algorithms: this.keys ? [...SIGNING_ALGORITHMS] : [HMAC_ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN_TYPE,
        currentDate: this.clock(),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      const userId = Number(payload.sub);
      const { sid, ver } = payload;
      if (!Number.isSafeInteger(userId) || typeof sid !== 'string' || typeof ver !== 'number') {
        throw new GatehouseError('UNAUTHORIZED', 'Invalid access token');
      }
      const claims = Object.freeze({
        userId,
        sessionId: sid,
        tokenVersion: ver,
        jti: payload.jti as string,
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
      });
      return { claims, expiresAt: claims.expiresAt, header: { alg: protectedHeader.alg, kid: protectedHeader.kid } };
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      if (error instanceof errors.JWTExpired) throw new GatehouseError('UNAUTHORIZED', 'Access token expired');
      throw new GatehouseError('UNAUTHORIZED', 'Invalid access token');
    }
  }
}
