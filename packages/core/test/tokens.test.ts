import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AccessTokens,
  formatRefreshToken,
  newSecret,
  newSessionId,
  parseDuration,
  parseRefreshToken,
} from '../src/index.js';

const options = { secret: 's'.repeat(32), issuer: 'gatehouse', audience: 'gatehouse', ttlSeconds: 60 };
const subject = { userId: 7, sessionId: 'session-id-0000001', tokenVersion: 3 };

describe('AccessTokens', () => {
  const tokens = new AccessTokens(options);

  it('round-trips the subject with iat, exp and jti', async () => {
    const claims = await tokens.verify(await tokens.sign(subject));
    expect(claims).toMatchObject(subject);
    expect(claims.expiresAt - claims.issuedAt).toBe(60);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new AccessTokens({ ...options, secret: 'short' })).toThrow(/32 bytes/);
  });

  /** Signs claims with the right key but whatever header and claims a test wants. */
  function signWith(alg: string, claims: Record<string, unknown>) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'at+jwt' })
      .setSubject('7')
      .setIssuer('gatehouse')
      .setAudience('gatehouse')
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(options.secret));
  }

  it('refuses other algorithms even with the right key', async () => {
    const hs512 = await signWith('HS512', { sid: subject.sessionId, ver: 3 });
    await expect(tokens.verify(hs512)).rejects.toThrow(/Invalid access token/);
  });

  it('refuses tokens missing the session or version claims', async () => {
    await expect(tokens.verify(await signWith('HS256', {}))).rejects.toThrow(/Invalid access token/);
  });
});

describe('refresh token format', () => {
  it('parses what it formats and rejects anything else', () => {
    const token = { sessionId: newSessionId(), secret: newSecret() };
    expect(parseRefreshToken(formatRefreshToken(token))).toEqual(token);
    expect(Buffer.from(token.secret, 'base64url')).toHaveLength(32);
    for (const bad of [
      '',
      'abc',
      'a.b.c',
      `${token.sessionId}.`,
      `.${token.secret}`,
      `${token.sessionId}.${token.secret}.x`,
    ]) {
      expect(parseRefreshToken(bad)).toBeNull();
    }
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseDuration('900')).toBe(900);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('30d')).toBe(2592000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('15 minutes')).toBeNull();
    expect(parseDuration('-5s')).toBeNull();
  });
});
