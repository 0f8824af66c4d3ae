import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';

/** The ID token claims Gatehouse reads; anything else the provider puts in is ignored. */
const idTokenClaims = z.object({
  sub: z.string().min(1).max(255),
  nonce: z.string().optional(),
  azp: z.string().optional(),
  email: z.string().max(254).optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.string().max(200).optional(),
  preferred_username: z.string().max(200).optional(),
});

export type IdTokenClaims = z.output<typeof idTokenClaims>;

export interface IdTokenExpectations {
  /** Accepted `iss` values (Google uses two spellings). */
  issuer: string | string[];
  /** The client id: the token must be meant for Gatehouse. */
  clientId: string;
  /** The nonce stored when the sign-in started. */
  nonce: string;
  /** The provider's signing keys (its JWKS). */
  keys: JWTVerifyGetKey;
  /** Seconds of clock skew tolerated on exp/iat/nbf. */
  clockToleranceSeconds?: number;
  currentDate?: Date;
}

const refused = (why: string) => new GatehouseError('UNAUTHORIZED', `The provider's ID token was refused (${why})`);

/**
 * Verifies an OpenID Connect ID token: signature against the provider's JWKS, iss, aud = our
 * client id, exp, and the nonce of this very sign-in (which defeats replayed or injected tokens).
 */
export async function verifyIdToken(token: string, expect: IdTokenExpectations): Promise<IdTokenClaims> {
  let payload: unknown;
  try {
    const verified = await jwtVerify(token, expect.keys, {
      issuer: expect.issuer,
      audience: expect.clientId,
      requiredClaims: ['exp', 'iat', 'sub'],
      // "none" and HMAC (keyed with the client secret) are never accepted.
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      clockTolerance: expect.clockToleranceSeconds ?? 60,
      ...(expect.currentDate ? { currentDate: expect.currentDate } : {}),
    });
    payload = verified.payload;
    const aud = verified.payload.aud;
    // With several audiences, the authorized party must be us (OIDC Core 3.1.3.7).
    if (Array.isArray(aud) && aud.length > 1 && verified.payload.azp !== expect.clientId) throw refused('azp');
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    // jose names the failing claim (iss, aud, exp…) or the failure (signature, algorithm).
    const { claim, code } = error as { claim?: string; code?: string };
    throw refused(claim ?? code ?? 'invalid');
  }
  const claims = idTokenClaims.safeParse(payload);
  if (!claims.success) throw refused('claims');
  if (claims.data.nonce !== expect.nonce) throw refused('nonce');
  return claims.data;
}

export function isVerified(value: IdTokenClaims['email_verified']): boolean {
  return value === true || value === 'true';
}
