import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { GatehouseError } from './errors.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';

export interface AccessTokenOptions {
  /** At least 32 bytes; the HMAC key. */
  secret: string;
  issuer: string;
  audience: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

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

/** Signs and verifies short-lived access JWTs (HS256, explicit algorithm list). */
export class AccessTokens {
  readonly ttlSeconds: number;
  private readonly key: Uint8Array;

  constructor(private readonly options: AccessTokenOptions) {
    this.key = new TextEncoder().encode(options.secret);
    if (this.key.byteLength < 32) throw new Error('The access token secret must be at least 32 bytes');
    this.ttlSeconds = options.ttlSeconds;
  }

  async sign(subject: AccessTokenSubject): Promise<string> {
    return new SignJWT({ sid: subject.sessionId, ver: subject.tokenVersion })
      .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setSubject(String(subject.userId))
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** Returns the claims of a valid token; throws UNAUTHORIZED for anything else. */
  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      const userId = Number(payload.sub);
      const { sid, ver } = payload;
      if (!Number.isSafeInteger(userId) || typeof sid !== 'string' || typeof ver !== 'number') {
        throw new GatehouseError('UNAUTHORIZED', 'Invalid access token');
      }
      return {
        userId,
        sessionId: sid,
        tokenVersion: ver,
        jti: payload.jti as string,
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
      };
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      if (error instanceof errors.JWTExpired) throw new GatehouseError('UNAUTHORIZED', 'Access token expired');
      throw new GatehouseError('UNAUTHORIZED', 'Invalid access token');
    }
  }
}
