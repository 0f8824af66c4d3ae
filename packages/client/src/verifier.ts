/**
 * Local verification of Gatehouse access tokens for resource servers (`@gatehouse/client/verifier`):
 * the public keys come from Gatehouse's JWKS, so no call back per request and no shared secret.
 * Needs Gatehouse with JWT_ALG=EdDSA or ES256.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

/**
 * The algorithms Gatehouse signs with when tokens are asymmetric (SIGNING_ALGORITHMS in
 * the db package). Restated: the client may not depend on server packages at run time.
 */
const GATEHOUSE_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface TokenVerifierOptions {
  /** Gatehouse's JWT_ISSUER. */
  issuer: string;
  /** Gatehouse's JWT_AUDIENCE. */
  audience: string;
  /** e.g. https://auth.example.com/.well-known/jwks.json */
  jwksUrl: string | URL;
  /** Accepted algorithms (default EdDSA and ES256; never HS256 or none). */
  algorithms?: Array<(typeof GATEHOUSE_ALGORITHMS)[number]>;
  /** Tolerated clock difference with Gatehouse, in seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches, in ms (default 30000). An unknown kid triggers a fetch. */
  jwksCooldownMs?: number;
  /** How long a fetched JWKS is trusted, in ms (default 10 minutes). */
  jwksMaxAgeMs?: number;
}

/** The claims of a valid access token. */
export interface GatehouseClaims {
  /** The user id (the `sub` claim as a number). */
  userId: number;
  /** The session the token belongs to. */
  sessionId: string;
  /** The user's token version when it was issued; Gatehouse bumps it on a password change. */
  tokenVersion: number;
  /** The token id. */
  jti: string;
  issuer: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The kid of the key that signed it. */
  keyId: string;
}

export type TokenVerificationErrorCode = 'missing' | 'expired' | 'invalid' | 'keys_unavailable';

/** Why a token was refused: `missing`/`expired`/`invalid` are the caller's fault (401); `keys_unavailable` is not (503). */
export class TokenVerificationError extends Error {
  constructor(
    readonly code: TokenVerificationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenVerificationError';
  }

  /** The HTTP status a resource server should answer with. */
  get status(): 401 | 503 {
    return this.code === 'keys_unavailable' ? 503 : 401;
  }
}

export interface TokenVerifier {
  /** Resolves with the claims of a valid token; rejects with TokenVerificationError otherwise. */
  verify(token: string): Promise<GatehouseClaims>;
  /** Same, from an Authorization header value ("Bearer <token>"). */
  verifyAuthorizationHeader(header: string | null | undefined): Promise<GatehouseClaims>;
}

const ACCESS_TOKEN_TYPE = 'at+jwt';

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
  });

  async function verify(token: string): Promise<GatehouseClaims> {
    if (!token) throw new TokenVerificationError('missing', 'No access token');
    try {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms ?? [...GATEHOUSE_ALGORITHMS],
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      const userId = Number(payload.sub);
      const { sid, ver } = payload;
      if (!Number.isSafeInteger(userId) || typeof sid !== 'string' || typeof ver !== 'number') {
        throw new TokenVerificationError('invalid', 'The token is not a Gatehouse access token');
      }
      return {
        userId,
        sessionId: sid,
        tokenVersion: ver,
        jti: payload.jti as string,
        issuer: payload.iss as string,
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
        keyId: protectedHeader.kid ?? '',
      };
    } catch (error) {
      if (error instanceof TokenVerificationError) throw error;
      if (error instanceof errors.JWTExpired) {
        throw new TokenVerificationError('expired', 'The access token has expired', { cause: error });
      }
      // The JWKS could not be fetched or read: the token may be fine, the keys are not at hand.
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || isFetchFailure(error)) {
        throw new TokenVerificationError('keys_unavailable', 'The signing keys could not be fetched', { cause: error });
      }
      throw new TokenVerificationError('invalid', 'The access token is not valid', { cause: error });
    }
  }

  return {
    verify,
    verifyAuthorizationHeader: (header) => {
      const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
      return match ? verify(match[1]!) : Promise.reject(new TokenVerificationError('missing', 'No Bearer token'));
    },
  };
}

function isFetchFailure(error: unknown): boolean {
  // jose's fetch rejects with a plain TypeError (network) or a JOSEError for a non-200 answer.
  return (
    (error instanceof TypeError && /fetch/i.test(error.message)) ||
    (error instanceof errors.JOSEError && /Expected 200 OK/.test(error.message))
  );
}
