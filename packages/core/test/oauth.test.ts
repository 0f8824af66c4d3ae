import { createHash } from 'node:crypto';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GatehouseError,
  GitHubProvider,
  GoogleProvider,
  redirectUriFor,
  sameOriginPath,
  urlProblem,
  usernameBase,
  verifyIdToken,
} from '../src/index.js';

const ISSUER = 'https://idp.example.com';
const CLIENT_ID = 'gatehouse-client';

describe('ID token verification', () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] };
  });

  const sign = (claims: Record<string, unknown>, key = privateKey, exp: string | number = '5m') =>
    new SignJWT({ nonce: 'the-nonce', email: 'a@example.com', email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer((claims.iss as string) ?? ISSUER)
      .setAudience((claims.aud as string | string[]) ?? CLIENT_ID)
      .setSubject('subject-1')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);

  const verify = (token: string, nonce = 'the-nonce') =>
    verifyIdToken(token, { issuer: ISSUER, clientId: CLIENT_ID, nonce, keys: createLocalJWKSet(jwks) });

  it('accepts a token signed by the provider for this client with this nonce', async () => {
    const claims = await verify(await sign({}));
    expect(claims).toMatchObject({ sub: 'subject-1', email: 'a@example.com', email_verified: true });
  });

  it('refuses a tampered token', async () => {
    const [header, payload, signature] = (await sign({})).split('.');
    const forged = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    forged.sub = 'someone-else';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    await expect(verify(tampered)).rejects.toThrow(/ID token was refused/);
  });

  it('refuses a token signed by another key, and an unsigned one', async () => {
    await expect(verify(await sign({}, otherKey))).rejects.toThrow(GatehouseError);
    const [, payload] = (await sign({})).split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    await expect(verify(none)).rejects.toThrow(GatehouseError);
  });

  it('refuses a wrong nonce, a missing nonce, a wrong audience, a wrong issuer and an expired token', async () => {
    await expect(verify(await sign({}), 'another-nonce')).rejects.toThrow(/nonce/);
    await expect(verify(await sign({ nonce: undefined }))).rejects.toThrow(/nonce/);
    await expect(verify(await sign({ aud: 'someone-else' }))).rejects.toThrow(/aud/);
    await expect(verify(await sign({ iss: 'https://evil.example.com' }))).rejects.toThrow(/iss/);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await expect(verify(await sign({}, privateKey, hourAgo))).rejects.toThrow(/exp/);
  });

  it('refuses several audiences unless we are the authorized party', async () => {
    await expect(verify(await sign({ aud: [CLIENT_ID, 'other'] }))).rejects.toThrow(/azp/);
    expect(await verify(await sign({ aud: [CLIENT_ID, 'other'], azp: CLIENT_ID }))).toMatchObject({ sub: 'subject-1' });
  });
});

const request = { state: 'state-123', codeVerifier: 'v'.repeat(43), nonce: 'nonce-456' };
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('provider presets', () => {
  it('Google: authorization URL with PKCE S256, nonce, OIDC scopes and the exact redirect URI', async () => {
    const google = new GoogleProvider({
      clientId: 'g-id',
      clientSecret: 'g-secret',
      redirectUri: redirectUriFor('https://app.example.com', 'google'),
    });
    const url = await google.authorizationUrl(request);
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'g-id',
      redirect_uri: 'https://app.example.com/auth/callback/google',
      state: 'state-123',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: s256(request.codeVerifier),
      nonce: 'nonce-456',
    });
    expect(google.usesNonce).toBe(true);
  });

  it('GitHub: authorization URL with state, user and email scopes and the exact redirect URI', async () => {
    const github = new GitHubProvider({
      clientId: 'gh-id',
      clientSecret: 'gh-secret',
      redirectUri: redirectUriFor('https://app.example.com/', 'github'),
    });
    const url = await github.authorizationUrl({ ...request, nonce: null });
    expect(`${url.origin}${url.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'gh-id',
      redirect_uri: 'https://app.example.com/auth/callback/github',
      state: 'state-123',
      scope: 'read:user user:email',
    });
    expect(github.usesNonce).toBe(false);
  });
});

describe('URL rules', () => {
  it('keeps returnTo on the web app origin', () => {
    const base = 'https://app.example.com';
    expect(sameOriginPath('/profile?tab=1#x', base)).toBe('/profile?tab=1#x');
    expect(sameOriginPath('/a/../admin', base)).toBe('/admin');
    for (const bad of ['https://evil.test', '//evil.test', '/\\evil.test', '\\\\evil', 'javascript:x', '/\nx', 'rel']) {
      expect(() => sameOriginPath(bad, base), bad).toThrow(/returnTo/);
    }
  });

  it('allows http only for loopback hosts in production', () => {
    expect(urlProblem('https://idp.example.com', true)).toBeNull();
    expect(urlProblem('http://127.0.0.1:8080', true)).toBeNull();
    expect(urlProblem('http://localhost:5173', true)).toBeNull();
    expect(urlProblem('http://idp.example.com', true)).toMatch(/https/);
    expect(urlProblem('http://idp.example.com', false)).toBeNull();
    expect(urlProblem('ftp://idp.example.com', false)).toMatch(/https/);
  });
});

describe('usernames for new accounts', () => {
  const profile = { subject: 's', email: null, emailVerified: false, preferredUsername: null, name: null };
  it('derives a valid username from the profile', () => {
    expect(usernameBase({ ...profile, preferredUsername: 'Zoë Müller' })).toBe('Zoe.Muller');
    expect(usernameBase({ ...profile, email: '-.jo+tag@example.com' })).toBe('jotag');
    expect(usernameBase({ ...profile, name: '李' })).toBe('user');
    expect(usernameBase({ ...profile, preferredUsername: 'x'.repeat(60) })).toHaveLength(27);
  });
});

describe('GitHub profile', () => {
  it('takes the user id, login and the primary email with its verified flag from the API', async () => {
    const seen: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : String(input);
      seen.push(url);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      if (url === 'https://github.com/login/oauth/access_token') {
        return json({ access_token: 'gho_token', token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (url === 'https://api.github.com/user') return json({ id: 42, login: 'octo-cat', name: 'Octo Cat' });
      if (url === 'https://api.github.com/user/emails') {
        return json([
          { email: 'other@example.com', primary: false, verified: true },
          { email: 'octo@example.com', primary: true, verified: false },
        ]);
      }
      return new Response('not found', { status: 404 });
    }) as typeof fetch;
    try {
      const github = new GitHubProvider({ clientId: 'id', clientSecret: 'secret', redirectUri: 'https://app/cb' });
      const profile = await github.complete('the-code');
      expect(profile).toEqual({
        subject: '42',
        email: 'octo@example.com',
        emailVerified: false,
        preferredUsername: 'octo-cat',
        name: 'Octo Cat',
      });
      expect(seen).toContain('https://api.github.com/user/emails');
    } finally {
      globalThis.fetch = original;
    }
  });
});
