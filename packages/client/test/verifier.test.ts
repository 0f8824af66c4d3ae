import { randomBytes } from 'node:crypto';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, TokenVerificationError } from '../src/verifier.js';
import { ADMIN, startServer } from './harness.js';

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  const body = (await response.json()) as { result: { data: { accessToken: string } } };
  return body.result.data.accessToken;
}

describe('createTokenVerifier against a real Gatehouse (JWT_ALG=EdDSA)', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer({ JWT_ALG: 'EdDSA', JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  });
  afterAll(() => app.close());

  const verifierFor = (url: string) =>
    createTokenVerifier({
      issuer: 'gatehouse',
      audience: 'gatehouse',
      jwksUrl: `${url}/.well-known/jwks.json`,
      jwksCooldownMs: 0,
    });

  it('returns typed claims, before and after a key rotation', async () => {
    const verifier = verifierFor(app.url);
    const before = await login(app.url);
    const claims = await verifier.verify(before);
    expect(claims).toMatchObject({ userId: expect.any(Number), sessionId: expect.any(String), issuer: 'gatehouse' });
    expect(claims.expiresAt - claims.issuedAt).toBe(900);

    const { kid } = await app.services.signingKeys!.rotate();
    const after = await login(app.url);
    expect((await verifier.verify(after)).keyId).toBe(kid);
    expect((await verifier.verifyAuthorizationHeader(`Bearer ${before}`)).keyId).toBe(claims.keyId);
  });

  it('throws a typed error for a missing, tampered or foreign token', async () => {
    const verifier = verifierFor(app.url);
    const token = await login(app.url);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: '1', sid: 'x', ver: 0 })).toString('base64url');
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => verifier.verifyAuthorizationHeader(undefined), 'missing'],
      [() => verifier.verify(`${header}.${forged}.${signature}`), 'invalid'],
      [() => verifier.verify(`${header}.${payload}`), 'invalid'],
      [
        () =>
          createTokenVerifier({
            issuer: 'other',
            audience: 'gatehouse',
            jwksUrl: `${app.url}/.well-known/jwks.json`,
          }).verify(token),
        'invalid',
      ],
    ];
    for (const [attempt, code] of cases) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenVerificationError);
      expect((error as TokenVerificationError).code).toBe(code);
      expect((error as TokenVerificationError).status).toBe(401);
    }
  });

  it('says the keys are unavailable (503) when the JWKS cannot be fetched', async () => {
    const token = await login(app.url);
    const error = await verifierFor('http://127.0.0.1:9')
      .verify(token)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'keys_unavailable', status: 503 });
  });
});
