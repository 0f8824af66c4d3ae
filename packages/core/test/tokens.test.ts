import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { VerifiedTokenCache } from '../src/access-tokens/verified-token-cache.js';
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

  it('refuses a token it verified before once the token has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const token = await tokens.sign(subject);
      expect(await tokens.verify(token)).toMatchObject(subject); // now remembered
      vi.setSystemTime(Date.now() + 59_000);
      expect(await tokens.verify(token)).toMatchObject(subject);
      vi.setSystemTime(Date.now() + 1_000);
      await expect(tokens.verify(token)).rejects.toThrow(/expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('issues and checks tokens on the time of its clock, not the real time', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const clocked = new AccessTokens({ ...options, clock: () => now });
    const token = await clocked.sign(subject);
    const claims = await clocked.verify(token);
    expect(claims.issuedAt).toBe(now.getTime() / 1000);
    expect(claims.expiresAt).toBe(now.getTime() / 1000 + 60);
    // The token's time lies years after the real time, so only the injected clock can expire it.
    now = new Date(now.getTime() + 59_000);
    expect(await clocked.verify(token)).toMatchObject(subject);
    now = new Date(now.getTime() + 1_000);
    await expect(clocked.verify(token)).rejects.toThrow(/expired/);
    // A fresh verifier (no cache) on the same clock refuses it too: jose was given the clock's time.
    await expect(new AccessTokens({ ...options, clock: () => now }).verify(token)).rejects.toThrow(/expired/);
  });

  it('does not take a token that differs by one character for one it verified', async () => {
    const token = await tokens.sign(subject);
    await tokens.verify(token);
    // The first character of the signature: all six of its bits count (the last one's may not).
    const at = token.lastIndexOf('.') + 1;
    const other = token[at] === 'A' ? 'B' : 'A';
    await expect(tokens.verify(token.slice(0, at) + other + token.slice(at + 1))).rejects.toThrow(
      /Invalid access token/,
    );
  });
});

describe('VerifiedTokenCache', () => {
  it('holds at most its size, dropping the oldest first, and forgets expired entries', () => {
    const cache = new VerifiedTokenCache<{ expiresAt: number }>(2);
    cache.set('a', { expiresAt: 100 });
    cache.set('b', { expiresAt: 100 });
    cache.set('c', { expiresAt: 100 });
    expect(cache.size).toBe(2);
    expect(cache.get('a', 50)).toBeUndefined();
    expect(cache.get('c', 50)).toEqual({ expiresAt: 100 });
    expect(cache.get('c', 100)).toBeUndefined(); // exp is not after now: expired, as jose judges
    expect(cache.size).toBe(1);
  });
});

describe('refresh token format', () => {
  it('parses what it formats and rejects anything else', () => {
    const token = { sessionId: newSessionId(), generation: 7, secret: newSecret() };
    expect(parseRefreshToken(formatRefreshToken(token))).toEqual(token);
    expect(Buffer.from(token.secret, 'base64url')).toHaveLength(32);
    // Tokens made before generations existed still parse.
    const older = { sessionId: token.sessionId, generation: null, secret: token.secret };
    expect(parseRefreshToken(formatRefreshToken(older))).toEqual(older);
    for (const bad of [
      '',
      'abc',
      'a.b.c',
      `${token.sessionId}.`,
      `.${token.secret}`,
      `${token.sessionId}.${token.secret}.x`,
      `${token.sessionId}.0.${token.secret}`,
      `${token.sessionId}.-1.${token.secret}`,
      `${token.sessionId}.07.${token.secret}`,
      `${token.sessionId}.1.${token.secret}.x`,
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
