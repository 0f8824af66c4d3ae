/**
 * The security regression suite: one table listing every attack tried against Gatehouse and the
 * answer it must get. Add a row when a new attack is thought of; never delete one.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SoftwareAuthenticator } from '@gatehouse/core/testing';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import {
  adminTokens,
  type CallResult,
  call,
  createTestClock,
  DEFAULT_LIMITS,
  JWT_SECRET,
  newUser,
  startTestServer,
  type Tokens,
} from './harness.js';
import { enableTotp, reasonOf, totpAt } from './mfa-support.js';

const TRUSTED = 'https://app.example.com';
const EVIL = 'https://evil.example';

type User = Awaited<ReturnType<typeof newUser>>;

interface Outcome {
  status: number;
  code?: string | undefined;
  /** Anything else the row checks, already evaluated (true = held). */
  holds?: boolean;
}

interface Attack {
  category: string;
  attack: string;
  /** e.g. "401 UNAUTHORIZED", "200, role stays user". */
  expected: string;
  expect: { status: number; code?: string; holds?: true };
  run: () => Promise<Outcome>;
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs any header and payload with HMAC-SHA256, with no library checks in the way. */
function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

const outcome = (result: CallResult, holds?: boolean): Outcome => ({
  status: result.status,
  code: result.error?.data.code,
  ...(holds === undefined ? {} : { holds }),
});

describe('security regression suite', () => {
  let app: RunningGatehouse;
  let alice: User;
  let bob: User;
  let admin: { accessToken: string; refreshToken: string };
  let readOnlyKey: string;
  /** A second server signing with ES256 keys it publishes (JWT_ALG=ES256), for the key-confusion rows. */
  let asym: RunningGatehouse;
  let asymUser: User;
  let asymKid = '';
  /** The attacker's own RSA key pair, as PEM (generated as PEM: see TOOLCHAIN.md). */
  const attacker = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const attackerEc = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const now = () => Math.floor(Date.now() / 1000);
  const asymMe = async (token: string) => outcome(await call(asym.url, 'user.me', undefined, { token }));
  /** The ES256 server's published key, as PEM, JWK text and raw bytes: what an HS/RS confusion would use as an HMAC key. */
  async function asymPublicKeys(): Promise<Array<string | Buffer>> {
    const { keys } = (await (await fetch(`${asym.url}/.well-known/jwks.json`)).json()) as {
      keys: Array<Record<string, string>>;
    };
    const jwk = keys[0]!;
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const der = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    return [pem, JSON.stringify(jwk), JSON.stringify({ keys }), der];
  }
  async function es256(header: Record<string, unknown>, claims?: Record<string, unknown>): Promise<string> {
    const key = await importPKCS8(attackerEc.privateKey, 'ES256');
    return new SignJWT(claims ?? claimsOf(asymUser.tokens.accessToken))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: asymKid, ...header })
      .sign(key);
  }

  const me = (token: string) => call(app.url, 'user.me', undefined, { token });
  const meOutcome = async (token: string) => outcome(await me(token));
  const genuine = (changes: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    hs256(
      { alg: 'HS256', typ: 'at+jwt', ...header },
      { ...claimsOf(alice.tokens.accessToken), ...changes },
      JWT_SECRET,
    );

  async function rs256(header: Record<string, unknown>): Promise<string> {
    const key = await importPKCS8(attacker.privateKey, 'RS256');
    return new SignJWT(claimsOf(alice.tokens.accessToken))
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...header })
      .sign(key);
  }

  /** The key an HS/RS confusion would use: the server's published public key if it has one, else the attacker's. */
  async function publicKeyPem(): Promise<string> {
    const jwks = await fetch(`${app.url}/.well-known/jwks.json`).catch(() => null);
    if (jwks?.ok) {
      const { keys } = (await jwks.json()) as { keys?: Array<Record<string, unknown>> };
      if (keys?.[0])
        return createPublicKey({ key: keys[0] as never, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        }) as string;
    }
    return attacker.publicKey;
  }

  const register = (input: Record<string, unknown>) => call(app.url, 'auth.register', input);
  const registerJson = (json: string) =>
    fetch(`${app.url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
  const unique = () => `u${randomBytes(5).toString('hex')}`;

  const preflight = (origin: string) =>
    fetch(`${app.url}/trpc/auth.login`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  // ---- Second factors and step-up: a server whose clock the suite moves ----
  const clock = createTestClock();
  let mfaApp: RunningGatehouse;
  /** Signed in 11 minutes ago (past REAUTH_WINDOW): holds only an access token, like a thief. */
  let stale: User;
  let staleAdmin: Tokens;
  let victim: User & { secret: string; backupCodes: string[] };
  let other: User & { secret: string; backupCodes: string[] };
  /** The code of the next time step (each step is accepted once per account). */
  const nextCode = (secret: string) => {
    clock.advance(30_000);
    return totpAt(secret, clock.now());
  };
  const mfaLogin = async (user: User) => {
    const answer = await call(mfaApp.url, 'auth.login', { username: user.username, password: user.password });
    if (!answer.data?.mfaRequired) throw new Error(`expected mfaRequired, got ${JSON.stringify(answer.data)}`);
    return answer.data.mfaToken as string;
  };
  const verify = (mfaToken: string, code: string) => call(mfaApp.url, 'auth.mfa.verify', { mfaToken, code });
  /** A sensitive call from a session past REAUTH_WINDOW: refused with REAUTH_REQUIRED, nothing done. */
  const staleCall = (path: string, input?: unknown, token?: () => string) => async () => {
    const result = await call(mfaApp.url, path, input, { token: token ? token() : stale.tokens.accessToken });
    return outcome(result, reasonOf(result) === 'REAUTH_REQUIRED');
  };
  const stepUpRow = (path: string, input?: unknown, token?: () => string): Attack => ({
    category: 'step-up',
    attack: `${path} with only an access token, 11 minutes after sign-in (no recent authentication)`,
    expected: '403 FORBIDDEN, reason REAUTH_REQUIRED',
    expect: { status: 403, code: 'FORBIDDEN', holds: true },
    run: staleCall(path, input, token),
  });

  const asUser = (path: string, input?: unknown) => async () =>
    outcome(await call(app.url, path, input, { token: alice.tokens.accessToken }));

  // ---- passkeys: a software authenticator per user, registered on first use ----
  const authenticators = new Map<number, SoftwareAuthenticator>();
  async function passkeyOf(user: User): Promise<SoftwareAuthenticator> {
    const known = authenticators.get(user.id);
    if (known) return known;
    const authenticator = new SoftwareAuthenticator(app.url);
    const token = user.tokens.accessToken;
    const start = await call(app.url, 'user.passkeys.registrationOptions', undefined, { token });
    const done = await call(
      app.url,
      'user.passkeys.register',
      { response: authenticator.create(start.data.options) },
      { token },
    );
    if (done.error) throw new Error(done.error.message);
    authenticators.set(user.id, authenticator);
    return authenticator;
  }
  const passkeyOptions = async (username?: string) =>
    (await call(app.url, 'auth.passkey.options', username ? { username } : {})).data.options;
  const passkeyVerify = (response: unknown) => call(app.url, 'auth.passkey.verify', { response });
  /** Runs a passkey sign-in of `user`, with the assertion bent by `overrides`. */
  async function passkeySignIn(user: User, overrides: Parameters<SoftwareAuthenticator['get']>[1] = {}) {
    const authenticator = await passkeyOf(user);
    return passkeyVerify(authenticator.get(await passkeyOptions(), overrides));
  }

  const ATTACKS: Attack[] = [
    // ---- Access tokens (JWT) ----
    {
      category: 'JWT',
      attack: 'alg "none", no signature',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claimsOf(alice.tokens.accessToken))}.`),
    },
    {
      category: 'JWT',
      attack: 'alg "NONE" / "None" (case games), no signature',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const payload = b64(claimsOf(alice.tokens.accessToken));
        const a = await me(`${b64({ alg: 'NONE', typ: 'at+jwt' })}.${payload}.`);
        const b = await me(`${b64({ alg: 'None', typ: 'at+jwt' })}.${payload}.`);
        return { status: Math.max(a.status, b.status), code: a.error?.data.code, holds: a.status === b.status };
      },
    },
    {
      category: 'JWT',
      attack: 'alg "none" with the genuine signature kept',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => {
        const [, payload, signature] = alice.tokens.accessToken.split('.');
        return meOutcome(`${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.${signature}`);
      },
    },
    {
      category: 'JWT',
      attack: 'HS/RS confusion: RS256 token signed with an attacker RSA key',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => meOutcome(await rs256({})),
    },
    {
      category: 'JWT',
      attack: 'HS/RS confusion: HS256 token whose HMAC key is a public key (PEM)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => meOutcome(genuineWithKey(await publicKeyPem())),
    },
    {
      category: 'JWT',
      attack: 'embedded "jwk" header carrying the attacker key',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const jwk = createPublicKey(attacker.publicKey).export({ format: 'jwk' });
        return meOutcome(await rs256({ jwk }));
      },
    },
    {
      category: 'JWT',
      attack: 'kid injection: kid "../../../../dev/null", signed with an empty-file key',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuineWithKey(Buffer.alloc(0), { kid: '../../../../dev/null' })),
    },
    {
      category: 'JWT',
      attack: "kid injection: SQL in kid (\"x' UNION SELECT 'k' --\"), signed with 'k'",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuineWithKey('k', { kid: "x' UNION SELECT 'k' --" })),
    },
    {
      category: 'JWT',
      attack: 'jku header pointing at an attacker JWKS (never fetched)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => meOutcome(await rs256({ jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' })),
    },
    {
      category: 'JWT',
      attack: 'x5u header pointing at an attacker certificate (never fetched)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => meOutcome(await rs256({ x5u: 'http://127.0.0.1:9/cert.pem' })),
    },
    {
      category: 'JWT',
      attack: 'jku/x5u/kid headers on an otherwise genuine token are ignored, not followed',
      expected: '200 (headers ignored; the real key decides)',
      expect: { status: 200 },
      run: () => meOutcome(genuine({}, { jku: 'http://127.0.0.1:9/jwks.json', x5u: 'http://127.0.0.1:9/c', kid: 'x' })),
    },
    {
      category: 'JWT',
      attack: 'unknown critical header ("crit": ["exp-ext"])',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuine({}, { crit: ['exp-ext'], 'exp-ext': true })),
    },
    {
      category: 'JWT',
      attack: 'expired token (exp in the past), genuine signature',
      expected: '401 UNAUTHORIZED, "expired"',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const result = await me(genuine({ iat: now() - 3600, exp: now() - 60 }));
        return outcome(result, /expired/i.test(result.error?.message ?? ''));
      },
    },
    {
      category: 'JWT',
      attack: 'not yet valid (nbf an hour ahead), genuine signature',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuine({ nbf: now() + 3600 })),
    },
    {
      category: 'JWT',
      attack: 'wrong issuer',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuine({ iss: 'someone-else' })),
    },
    {
      category: 'JWT',
      attack: 'wrong audience (and an audience list without ours)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const a = await me(genuine({ aud: 'another-api' }));
        const b = await me(genuine({ aud: ['another-api', 'third'] }));
        return { status: a.status, code: a.error?.data.code, holds: b.status === 401 };
      },
    },
    {
      category: 'JWT',
      attack: 'wrong typ ("JWT") and missing typ',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const a = await me(genuine({}, { typ: 'JWT' }));
        const payload = claimsOf(alice.tokens.accessToken);
        const b = await me(hs256({ alg: 'HS256' }, payload, JWT_SECRET));
        return { status: a.status, code: a.error?.data.code, holds: b.status === 401 };
      },
    },
    {
      category: 'JWT',
      attack: 'missing required claims (no exp; no jti; no sub)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const statuses = [];
        for (const drop of ['exp', 'jti', 'sub']) {
          const { [drop]: _dropped, ...rest } = claimsOf(alice.tokens.accessToken);
          statuses.push((await me(hs256({ alg: 'HS256', typ: 'at+jwt' }, rest, JWT_SECRET))).status);
        }
        return { status: statuses[0]!, code: 'UNAUTHORIZED', holds: statuses.every((s) => s === 401) };
      },
    },
    {
      category: 'JWT',
      attack: 'tampered payload (sub changed to the admin), original signature',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => {
        const [header, , signature] = alice.tokens.accessToken.split('.');
        return meOutcome(`${header}.${b64({ ...claimsOf(alice.tokens.accessToken), sub: '1' })}.${signature}`);
      },
    },
    {
      category: 'JWT',
      attack: "another user's session id (sid) in a token for alice",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(genuine({ sid: claimsOf(bob.tokens.accessToken).sid })),
    },
    {
      category: 'JWT',
      attack: 'a refresh token presented as an access token',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(alice.tokens.refreshToken),
    },
    {
      category: 'JWT',
      attack: 'an API key presented as a bearer token',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () => meOutcome(readOnlyKey),
    },
    {
      category: 'JWT',
      attack: 'an access token kept after user.logoutAll',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const victim = await newUser(app.url, 'la');
        await call(app.url, 'user.logoutAll', {}, { token: victim.tokens.accessToken });
        return meOutcome(victim.tokens.accessToken);
      },
    },

    // ---- Access tokens under JWT_ALG=ES256 (published keys) ----
    {
      category: 'JWT ES256',
      attack: 'control: a genuine ES256 token with its kid',
      expected: '200',
      expect: { status: 200 },
      run: () => asymMe(asymUser.tokens.accessToken),
    },
    {
      category: 'JWT ES256',
      attack: 'HS/RS confusion: HS256 with the real kid, HMAC key = the published public key (PEM, JWK, JWKS, DER)',
      expected: '401 UNAUTHORIZED for each form of the key',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const claims = claimsOf(asymUser.tokens.accessToken);
        const answers = [];
        for (const key of await asymPublicKeys()) {
          answers.push(await asymMe(hs256({ alg: 'HS256', typ: 'at+jwt', kid: asymKid }, claims, key)));
        }
        return { ...answers[0]!, holds: answers.every((a) => a.status === 401) };
      },
    },
    {
      category: 'JWT ES256',
      attack: 'alg "none" with the real kid',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () =>
        asymMe(`${b64({ alg: 'none', typ: 'at+jwt', kid: asymKid })}.${b64(claimsOf(asymUser.tokens.accessToken))}.`),
    },
    {
      category: 'JWT ES256',
      attack: 'signed with an attacker key under the real kid',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => asymMe(await es256({})),
    },
    {
      category: 'JWT ES256',
      attack: 'kid of no published key / kid path traversal / kid SQL, attacker-signed',
      expected: '401 UNAUTHORIZED each',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const answers = [];
        for (const kid of ['no-such-key', '../../../../dev/null', "x' OR '1'='1", ''])
          answers.push(await asymMe(await es256({ kid })));
        return { ...answers[0]!, holds: answers.every((a) => a.status === 401) };
      },
    },
    {
      category: 'JWT ES256',
      attack: 'embedded "jwk" header with the attacker key (and the real kid)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => asymMe(await es256({ jwk: createPublicKey(attackerEc.publicKey).export({ format: 'jwk' }) })),
    },
    {
      category: 'JWT ES256',
      attack: 'jku / x5u headers pointing at attacker key material, attacker-signed',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const a = await asymMe(await es256({ jku: 'http://127.0.0.1:9/jwks.json' }));
        const b = await asymMe(await es256({ x5u: 'http://127.0.0.1:9/cert.pem' }));
        return { ...a, holds: b.status === 401 };
      },
    },
    {
      category: 'JWT ES256',
      attack: 'an HS256 token signed with JWT_SECRET (the algorithm the server does not use)',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: () =>
        asymMe(hs256({ alg: 'HS256', typ: 'at+jwt', kid: asymKid }, claimsOf(asymUser.tokens.accessToken), JWT_SECRET)),
    },
    {
      category: 'JWT ES256',
      attack: 'a token of the HS256 server presented to the ES256 server (and the reverse)',
      expected: '401 UNAUTHORIZED both ways',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const there = await asymMe(alice.tokens.accessToken);
        const back = await meOutcome(asymUser.tokens.accessToken);
        return { ...there, holds: back.status === 401 };
      },
    },

    // ---- Refresh tokens ----
    {
      category: 'refresh',
      attack: 'reuse: replaying a rotated refresh token',
      expected: '401 UNAUTHORIZED, and the whole session is revoked (the newer token dies too)',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'ru');
        const rotated = await call(app.url, 'auth.refresh', { refreshToken: victim.tokens.refreshToken });
        const replay = await call(app.url, 'auth.refresh', { refreshToken: victim.tokens.refreshToken });
        const newer = await call(app.url, 'auth.refresh', { refreshToken: rotated.data.refreshToken });
        return outcome(replay, rotated.status === 200 && newer.status === 401);
      },
    },
    {
      category: 'refresh',
      attack: "cross-user: alice's session id with bob's secret",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const a = await newUser(app.url, 'xa');
        const b = await newUser(app.url, 'xb');
        const [aliceSession] = a.tokens.refreshToken.split('.');
        const bobWithAliceId = b.tokens.refreshToken.replace(/^[^.]+/, aliceSession!);
        const result = await call(app.url, 'auth.refresh', { refreshToken: bobWithAliceId });
        // Neither real session may be harmed by the attempt being taken for theft of the other.
        const bobStill = await call(app.url, 'auth.refresh', { refreshToken: b.tokens.refreshToken });
        return outcome(result, bobStill.status === 200);
      },
    },
    {
      category: 'refresh',
      attack: 'a refresh token with a forged secret',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        // A throwaway user: today a wrong secret for a live session id is taken for theft and ends it.
        const victim = await newUser(app.url, 'fs');
        const forged = victim.tokens.refreshToken.replace(/[^.]+$/, randomBytes(32).toString('base64url'));
        const result = await call(app.url, 'auth.refresh', { refreshToken: forged });
        // A guess is only refused: the victim's session lives on.
        const still = await call(app.url, 'auth.refresh', { refreshToken: victim.tokens.refreshToken });
        return outcome(result, still.status === 200);
      },
    },
    {
      category: 'refresh',
      attack: "a thief rotates a stolen refresh token twice; the victim's replay of the original revokes the session",
      expected: '401 UNAUTHORIZED, session revoked, the thief locked out',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'th');
        const first = await call(app.url, 'auth.refresh', { refreshToken: victim.tokens.refreshToken });
        const second = await call(app.url, 'auth.refresh', { refreshToken: first.data.refreshToken });
        const replay = await call(app.url, 'auth.refresh', { refreshToken: victim.tokens.refreshToken });
        const thief = await call(app.url, 'auth.refresh', { refreshToken: second.data.refreshToken });
        return outcome(replay, /reuse detected/.test(replay.error?.message ?? '') && thief.status === 401);
      },
    },
    {
      category: 'refresh',
      attack: 'an access token presented as a refresh token',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => outcome(await call(app.url, 'auth.refresh', { refreshToken: alice.tokens.accessToken })),
    },
    {
      category: 'refresh',
      attack: 'the refresh cookie spent from a page of another origin',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: async () => {
        const victim = await newUser(app.url, 'ck');
        const signIn = await fetch(`${app.url}/trpc/auth.login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: app.url },
          body: JSON.stringify({ username: victim.username, password: victim.password, refreshCookie: true }),
        });
        const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
        return outcome(
          await call(app.url, 'auth.refresh', {}, { headers: { cookie, origin: EVIL } }),
          cookie.length > 0,
        );
      },
    },

    {
      category: 'refresh',
      attack: "login CSRF: a page of another origin signs the browser in to the attacker's account (cookie mode)",
      expected: '403 FORBIDDEN, no cookie set, no session opened',
      expect: { status: 403, code: 'FORBIDDEN', holds: true },
      run: async () => {
        const attacker = await newUser(app.url, 'lc');
        const input = { username: attacker.username, password: attacker.password, refreshCookie: true };
        const result = await call(app.url, 'auth.login', input, { headers: { origin: EVIL } });
        const sessions = await call(app.url, 'user.sessions', undefined, { token: attacker.tokens.accessToken });
        const noCookie = result.headers.getSetCookie().length === 0;
        return outcome(result, noCookie && Array.isArray(sessions.data) && sessions.data.length === 1);
      },
    },

    // ---- IDOR: every procedure that takes an id ----
    {
      category: 'IDOR',
      attack: "user.revokeSession with bob's session id, as alice",
      expected: "404 NOT_FOUND, bob's session still live",
      expect: { status: 404, code: 'NOT_FOUND', holds: true },
      run: async () => {
        const bobSession = String(claimsOf(bob.tokens.accessToken).sid);
        const result = await call(
          app.url,
          'user.revokeSession',
          { sessionId: bobSession },
          { token: alice.tokens.accessToken },
        );
        return outcome(result, (await me(bob.tokens.accessToken)).status === 200);
      },
    },
    {
      category: 'IDOR',
      attack: 'admin.users.list as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: asUser('admin.users.list', {}),
    },
    {
      category: 'IDOR',
      attack: 'admin.users.setRole on bob, as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: () => asUser('admin.users.setRole', { userId: bob.id, role: 'viewer' })(),
    },
    {
      category: 'IDOR',
      attack: 'admin.users.setActive on bob, as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: () => asUser('admin.users.setActive', { userId: bob.id, active: false })(),
    },
    {
      category: 'IDOR',
      attack: 'admin.users.delete on bob, as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: () => asUser('admin.users.delete', { userId: bob.id })(),
    },
    {
      category: 'IDOR',
      attack: 'admin.apiKeys.create as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: asUser('admin.apiKeys.create', { name: 'mine', scopes: ['users:read'] }),
    },
    {
      category: 'IDOR',
      attack: 'admin.apiKeys.list as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: asUser('admin.apiKeys.list'),
    },
    {
      category: 'IDOR',
      attack: "admin.apiKeys.revoke of the admin's key, as a plain user",
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: () => asUser('admin.apiKeys.revoke', { id: readOnlyKey.split('_')[1] })(),
    },
    {
      category: 'IDOR',
      attack: 'admin.audit.list (filtered on bob) as a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: () => asUser('admin.audit.list', { userId: bob.id })(),
    },
    {
      category: 'IDOR',
      attack: 'service.users.get with a key that lacks users:read',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: async () =>
        outcome(
          await call(app.url, 'service.users.get', { id: bob.id }, { headers: { 'x-api-key': readOnlyKey } }, 'query'),
        ),
    },
    {
      category: 'IDOR',
      attack: "service.users.get with a user's bearer token instead of a key",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () =>
        outcome(await call(app.url, 'service.users.get', { id: bob.id }, { token: alice.tokens.accessToken }, 'query')),
    },
    {
      category: 'IDOR',
      attack: "service.introspect with a user's bearer token instead of a key",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () =>
        outcome(
          await call(
            app.url,
            'service.introspect',
            { token: bob.tokens.accessToken },
            { token: alice.tokens.accessToken },
          ),
        ),
    },

    // ---- Privilege escalation through inputs that could carry a role ----
    {
      category: 'escalation',
      attack: 'auth.register with role "admin"',
      expected: '200, role user',
      expect: { status: 200, holds: true },
      run: async () => {
        const name = unique();
        const result = await register({
          username: name,
          email: `${name}@example.com`,
          password: 'escalate-password-1',
          role: 'admin',
        });
        return outcome(result, result.data?.role === 'user');
      },
    },
    {
      category: 'escalation',
      attack: 'auth.register with id 1, isActive, tokenVersion, passwordHash, hasPassword fields',
      expected: '200, a new id, role user, the password given works',
      expect: { status: 200, holds: true },
      run: async () => {
        const name = unique();
        const result = await register({
          username: name,
          email: `${name}@example.com`,
          password: 'escalate-password-1',
          id: 1,
          isActive: true,
          tokenVersion: -1,
          passwordHash: '$2a$04$abcdefghijklmnopqrstuuN5b2N1l1l9QH0jZpJ2u0Yp8Y9c2n6aW',
          roles: ['admin'],
        });
        const signIn = await call(app.url, 'auth.login', { username: name, password: 'escalate-password-1' });
        return outcome(result, result.data?.id !== 1 && result.data?.role === 'user' && signIn.status === 200);
      },
    },
    {
      category: 'escalation',
      attack: 'auth.register with "__proto__": {"role": "admin"} and "constructor": {"prototype": {"role": "admin"}}',
      expected: '200, role user (no prototype pollution)',
      expect: { status: 200, holds: true },
      run: async () => {
        const name = unique();
        const response = await registerJson(
          `{"username":"${name}","email":"${name}@example.com","password":"escalate-password-1","__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"role":"admin"}}}`,
        );
        const body = (await response.json()) as { result?: { data: { role: string } } };
        const polluted = ({} as Record<string, unknown>).role !== undefined;
        return { status: response.status, holds: body.result?.data.role === 'user' && !polluted };
      },
    },
    {
      category: 'escalation',
      attack: 'auth.register with role "admin" in a duplicate-key JSON body',
      expected: '200, role user',
      expect: { status: 200, holds: true },
      run: async () => {
        const name = unique();
        const response = await registerJson(
          `{"role":"admin","username":"${name}","email":"${name}@example.com","password":"escalate-password-1","role":"admin"}`,
        );
        const body = (await response.json()) as { result?: { data: { role: string } } };
        return { status: response.status, holds: body.result?.data.role === 'user' };
      },
    },
    {
      category: 'escalation',
      attack: 'user.update with role "admin", isActive, id and username',
      expected: '200, role, id and username unchanged',
      expect: { status: 200, holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'up');
        const result = await call(
          app.url,
          'user.update',
          { fullName: 'Mallory', role: 'admin', isActive: true, id: 1, username: 'root' },
          { token: victim.tokens.accessToken },
        );
        const after = await me(victim.tokens.accessToken);
        return outcome(
          result,
          after.data.role === 'user' && after.data.id === victim.id && after.data.username === victim.username,
        );
      },
    },
    {
      category: 'escalation',
      attack: 'auth.login with role "admin" in the input',
      expected: '200, the session is a plain user',
      expect: { status: 200, holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'lr');
        const result = await call(app.url, 'auth.login', {
          username: victim.username,
          password: victim.password,
          role: 'admin',
        });
        return outcome(result, (await me(result.data.accessToken)).data.role === 'user');
      },
    },
    {
      category: 'escalation',
      attack: 'admin.apiKeys.create with scope "*" or "admin"',
      expected: '400 BAD_REQUEST',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const a = await call(
          app.url,
          'admin.apiKeys.create',
          { name: 'all', scopes: ['*'] },
          { token: admin.accessToken },
        );
        const b = await call(
          app.url,
          'admin.apiKeys.create',
          { name: 'adm', scopes: ['admin'] },
          { token: admin.accessToken },
        );
        return outcome(a, b.status === 400);
      },
    },
    {
      category: 'escalation',
      attack: 'a viewer calling a user-level mutation is refused (role hierarchy holds downwards)',
      expected: '200 for user.me, 403 for admin.users.list',
      expect: { status: 403, code: 'FORBIDDEN', holds: true },
      run: async () => {
        const viewer = await newUser(app.url, 'vw');
        await call(app.url, 'admin.users.setRole', { userId: viewer.id, role: 'viewer' }, { token: admin.accessToken });
        const ok = await me(viewer.tokens.accessToken);
        return outcome(
          await call(app.url, 'admin.users.list', {}, { token: viewer.tokens.accessToken }, 'query'),
          ok.data.role === 'viewer',
        );
      },
    },

    // ---- User enumeration ----
    {
      category: 'enumeration',
      attack: 'auth.login: unknown username vs wrong password',
      expected: '401 UNAUTHORIZED both, identical message',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const unknown = await call(app.url, 'auth.login', { username: 'nobody-here', password: 'whatever-password' });
        const wrong = await call(app.url, 'auth.login', { username: alice.username, password: 'whatever-password' });
        return outcome(unknown, wrong.status === 401 && unknown.error?.message === wrong.error?.message);
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.login: unknown email vs wrong password by email',
      expected: '401 UNAUTHORIZED both, identical message',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const unknown = await call(app.url, 'auth.login', {
          username: 'nobody@example.com',
          password: 'whatever-password',
        });
        const wrong = await call(app.url, 'auth.login', {
          username: `${alice.username}@example.com`,
          password: 'x-password-x',
        });
        return outcome(unknown, wrong.status === 401 && unknown.error?.message === wrong.error?.message);
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.login: a deactivated account with a wrong password',
      expected: '401 UNAUTHORIZED, the same message as an unknown user (deactivation shown only to the right password)',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'dz');
        await call(
          app.url,
          'admin.users.setActive',
          { userId: victim.id, active: false },
          { token: admin.accessToken },
        );
        const wrong = await call(app.url, 'auth.login', { username: victim.username, password: 'not-the-password' });
        const unknown = await call(app.url, 'auth.login', { username: 'nobody-here', password: 'not-the-password' });
        return outcome(wrong, wrong.error?.message === unknown.error?.message);
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.register with a taken username: the answer names only what was typed',
      expected: '409 CONFLICT "This username is already registered" (the email is not revealed)',
      expect: { status: 409, code: 'CONFLICT', holds: true },
      run: async () => {
        const result = await register({
          username: alice.username.toUpperCase(),
          email: `${unique()}@example.com`,
          password: 'another-password-2',
        });
        return outcome(
          result,
          result.error?.message === 'This username is already registered' && !result.error.message.includes('@'),
        );
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.register with a taken email: the answer names only what was typed',
      expected: '409 CONFLICT "This email is already registered" (the username is not revealed)',
      expect: { status: 409, code: 'CONFLICT', holds: true },
      run: async () => {
        const result = await register({
          username: unique(),
          email: `${alice.username}@EXAMPLE.com`,
          password: 'another-password-2',
        });
        return outcome(
          result,
          result.error?.message === 'This email is already registered' &&
            !result.error.message.includes(alice.username),
        );
      },
    },

    // ---- Common passwords ----
    {
      category: 'passwords',
      attack: 'auth.register with a password from the common list ("Password1", "qwertyuiop", "iloveyou1")',
      expected: '400 BAD_REQUEST "password: This password is too common…"',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const answers = [];
        for (const password of ['Password1', 'qwertyuiop', 'iloveyou1']) {
          const name = unique();
          answers.push(await register({ username: name, email: `${name}@example.com`, password }));
        }
        return outcome(
          answers[0]!,
          answers.every(
            (a) => a.status === 400 && /^password: This password is too common/.test(a.error?.message ?? ''),
          ) && answers.every((a) => (a.error?.data.fieldErrors?.password ?? []).length > 0),
        );
      },
    },
    {
      category: 'passwords',
      attack: 'user.changePassword to a password from the common list',
      expected: '400 BAD_REQUEST "newPassword: This password is too common…", the old password still works',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'cp');
        const result = await call(
          app.url,
          'user.changePassword',
          { currentPassword: victim.password, newPassword: 'baseball1' },
          { token: victim.tokens.accessToken },
        );
        const stillWorks = await call(app.url, 'auth.login', { username: victim.username, password: victim.password });
        return outcome(
          result,
          /^newPassword: This password is too common/.test(result.error?.message ?? '') && stillWorks.status === 200,
        );
      },
    },
    {
      category: 'passwords',
      attack: 'bootstrapping the first admin (GATEHOUSE_ADMIN_PASSWORD) with a common password',
      expected: 'start-up refused with "too common"',
      expect: { status: 0, holds: true },
      run: async () => {
        const refused = await startTestServer({ GATEHOUSE_ADMIN_PASSWORD: 'password123' }).then(
          async (other) => {
            await other.close();
            return null;
          },
          (error: Error) => error,
        );
        return { status: 0, holds: refused !== null && /too common/.test(refused.message) };
      },
    },

    // ---- Injection ----
    {
      category: 'injection',
      attack: "auth.login with username \"' OR '1'='1\" and \"root'--\"",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const a = await call(app.url, 'auth.login', { username: "' OR '1'='1", password: "' OR '1'='1" });
        const b = await call(app.url, 'auth.login', { username: "root'--", password: 'x' });
        return outcome(a, b.status === 401);
      },
    },
    {
      category: 'injection',
      attack: 'admin.users.list search "%" and "_" match literally (LIKE wildcards escaped)',
      expected: '200, no users',
      expect: { status: 200, holds: true },
      run: async () => {
        const a = await call(app.url, 'admin.users.list', { search: '%' }, { token: admin.accessToken }, 'query');
        const b = await call(app.url, 'admin.users.list', { search: '_' }, { token: admin.accessToken }, 'query');
        return outcome(a, a.data.items.length === 0 && b.data.items.length === 0);
      },
    },

    // ---- CORS ----
    {
      category: 'CORS',
      attack: 'preflight from an origin not on the list',
      expected: '403, no Access-Control-Allow-Origin',
      expect: { status: 403, holds: true },
      run: async () => {
        const response = await preflight(EVIL);
        return { status: response.status, holds: response.headers.get('access-control-allow-origin') === null };
      },
    },
    {
      category: 'CORS',
      attack: 'preflight from a look-alike origin (allowed origin as a prefix / suffix, other scheme, "null")',
      expected: '403 each, no Access-Control-Allow-Origin',
      expect: { status: 403, holds: true },
      run: async () => {
        const origins = [
          `${TRUSTED}.evil.example`,
          `${TRUSTED}:444`,
          TRUSTED.replace('https', 'http'),
          'null',
          `x${TRUSTED}`,
        ];
        const answers = await Promise.all(origins.map(preflight));
        return {
          status: Math.max(...answers.map((a) => a.status)),
          holds: answers.every((a) => a.status === 403 && a.headers.get('access-control-allow-origin') === null),
        };
      },
    },
    {
      category: 'CORS',
      attack: 'a simple cross-origin call from a foreign origin gets no CORS grant',
      expected: 'no Access-Control-Allow-Origin / -Credentials',
      expect: { status: 200, holds: true },
      run: async () => {
        const response = await fetch(`${app.url}/trpc/health`, { headers: { origin: EVIL } });
        return {
          status: response.status,
          holds:
            response.headers.get('access-control-allow-origin') === null &&
            response.headers.get('access-control-allow-credentials') === null,
        };
      },
    },
    {
      category: 'CORS',
      attack: 'preflight from the allowed origin (control)',
      expected: '204 with Access-Control-Allow-Origin of that origin',
      expect: { status: 204, holds: true },
      run: async () => {
        const response = await preflight(TRUSTED);
        return { status: response.status, holds: response.headers.get('access-control-allow-origin') === TRUSTED };
      },
    },

    // ---- Response headers ----
    ...(
      [
        ['no X-Powered-By', (h: Headers) => h.get('x-powered-by') === null],
        ['X-Content-Type-Options: nosniff', (h: Headers) => h.get('x-content-type-options') === 'nosniff'],
        ['X-Frame-Options: DENY', (h: Headers) => h.get('x-frame-options') === 'DENY'],
        ['Referrer-Policy: no-referrer', (h: Headers) => h.get('referrer-policy') === 'no-referrer'],
      ] as const
    ).map(
      ([what, check]): Attack => ({
        category: 'headers',
        attack: `${what} on a procedure, an error, /healthz and an unknown route`,
        expected: 'present on every response',
        expect: { status: 200, holds: true },
        run: async () => {
          const responses = await Promise.all([
            fetch(`${app.url}/trpc/health`),
            fetch(`${app.url}/trpc/user.me`),
            fetch(`${app.url}/healthz`),
            fetch(`${app.url}/nothing-here`),
          ]);
          return { status: responses[0]!.status, holds: responses.every((r) => check(r.headers)) };
        },
      }),
    ),
    {
      category: 'headers',
      attack: 'HSTS behind an https proxy (TRUST_PROXY=1, X-Forwarded-Proto: https)',
      expected: 'Strict-Transport-Security: max-age=31536000; includeSubDomains',
      expect: { status: 200, holds: true },
      run: async () => {
        const response = await fetch(`${app.url}/trpc/health`, { headers: { 'x-forwarded-proto': 'https' } });
        return {
          status: response.status,
          holds: /max-age=\d{7,}/.test(response.headers.get('strict-transport-security') ?? ''),
        };
      },
    },
    {
      category: 'headers',
      attack: 'no HSTS over plain http',
      expected: 'no Strict-Transport-Security',
      expect: { status: 200, holds: true },
      run: async () => {
        const response = await fetch(`${app.url}/trpc/health`);
        return { status: response.status, holds: response.headers.get('strict-transport-security') === null };
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.requestPasswordReset: a registered address vs an unknown one',
      expected: '200 {ok:true} both, identical bodies (timing: email-timing.test.ts)',
      expect: { status: 200, holds: true },
      run: async () => {
        const known = await call(app.url, 'auth.requestPasswordReset', { email: `${alice.username}@example.com` });
        const unknown = await call(app.url, 'auth.requestPasswordReset', { email: `${unique()}@example.com` });
        return outcome(unknown, known.status === 200 && JSON.stringify(known.data) === JSON.stringify(unknown.data));
      },
    },
    {
      category: 'enumeration',
      attack: 'auth.requestSignInLink: a registered address vs an unknown one',
      expected: '200 {ok:true} both, identical bodies',
      expect: { status: 200, holds: true },
      run: async () => {
        const known = await call(app.url, 'auth.requestSignInLink', { email: `${bob.username}@example.com` });
        const unknown = await call(app.url, 'auth.requestSignInLink', { email: `${unique()}@example.com` });
        return outcome(unknown, known.status === 200 && JSON.stringify(known.data) === JSON.stringify(unknown.data));
      },
    },
    {
      category: 'enumeration',
      attack: 'user.update probing whether an address is registered (taken vs free)',
      expected: '400 BAD_REQUEST both, identical message naming email',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const auth = { token: alice.tokens.accessToken };
        const taken = await call(app.url, 'user.update', { email: `${bob.username}@example.com` }, auth);
        const free = await call(app.url, 'user.update', { email: `${unique()}@example.com` }, auth);
        return outcome(taken, free.status === 400 && taken.error?.message === free.error?.message);
      },
    },
    {
      category: 'enumeration',
      attack: 'user.requestEmailChange probing whether an address is registered (taken vs free)',
      expected: '200 {ok:true} both (the taken address gets a "someone tried" mail)',
      expect: { status: 200, holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'ec');
        const auth = { token: victim.tokens.accessToken };
        const input = (newEmail: string) => ({ newEmail, currentPassword: victim.password });
        const taken = await call(app.url, 'user.requestEmailChange', input(`${bob.username}@example.com`), auth);
        const free = await call(app.url, 'user.requestEmailChange', input(`${unique()}@example.com`), auth);
        return outcome(taken, JSON.stringify(taken.data) === JSON.stringify(free.data) && free.status === 200);
      },
    },
    {
      category: 'takeover',
      attack: "user.update moving one's own email to the victim's address",
      expected: '400 BAD_REQUEST, the address unchanged (changes go through a link to the new address)',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const mallory = await newUser(app.url, 'mv');
        const result = await call(
          app.url,
          'user.update',
          { email: `victim-${unique()}@corp.example` },
          { token: mallory.tokens.accessToken },
        );
        const after = await me(mallory.tokens.accessToken);
        return outcome(result, after.data.email === `${mallory.username}@example.com` && !after.data.emailVerified);
      },
    },
    {
      category: 'tokens',
      attack: 'auth.resetPassword with a made-up token of the right shape',
      expected: '400 BAD_REQUEST naming token, the password unchanged',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const victim = await newUser(app.url, 'rp');
        await call(app.url, 'auth.requestPasswordReset', { email: `${victim.username}@example.com` });
        const forged = randomBytes(32).toString('base64url');
        const result = await call(app.url, 'auth.resetPassword', { token: forged, newPassword: 'attacker-password-9' });
        const still = await call(app.url, 'auth.login', { username: victim.username, password: victim.password });
        return outcome(result, Boolean(result.error?.data.fieldErrors?.token) && still.status === 200);
      },
    },
    {
      category: 'tokens',
      attack: 'auth.signInWithLink with a made-up token of the right shape',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () =>
        outcome(await call(app.url, 'auth.signInWithLink', { token: randomBytes(32).toString('base64url') })),
    },
    // ---- Passkeys (WebAuthn) ----
    {
      category: 'passkeys',
      attack: 'auth.passkey.verify with an assertion already used once (challenge reuse)',
      expected: '401 UNAUTHORIZED; the first use signed in',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const authenticator = await passkeyOf(alice);
        const assertion = authenticator.get(await passkeyOptions());
        const first = await passkeyVerify(assertion);
        return outcome(await passkeyVerify(assertion), first.status === 200 && Boolean(first.data.accessToken));
      },
    },
    {
      category: 'passkeys',
      attack: 'auth.passkey.verify with a signature counter that went backwards (cloned authenticator)',
      expected: '401 UNAUTHORIZED, audited as passkey_counter_regression',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const ahead = await passkeySignIn(alice, { counter: 1000 });
        const cloned = await passkeySignIn(alice, { counter: 999 });
        const audit = await call(
          app.url,
          'admin.audit.list',
          { type: 'passkey_counter_regression', userId: alice.id },
          { token: admin.accessToken },
          'query',
        );
        return outcome(cloned, ahead.status === 200 && audit.data.items.length >= 1);
      },
    },
    {
      category: 'passkeys',
      attack: 'auth.passkey.verify with an assertion made on another origin (phishing page)',
      expected: '401 UNAUTHORIZED; the same passkey, answered honestly, still signs in',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const refused = await passkeySignIn(alice, { origin: EVIL });
        return outcome(refused, (await passkeySignIn(alice)).status === 200);
      },
    },
    {
      category: 'passkeys',
      attack: 'auth.passkey.verify with an assertion for another RP ID',
      expected: '401 UNAUTHORIZED; the same passkey, answered honestly, still signs in',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const refused = await passkeySignIn(alice, { rpId: 'evil.example' });
        return outcome(refused, (await passkeySignIn(alice)).status === 200);
      },
    },
    {
      category: 'passkeys',
      attack: 'auth.passkey.verify without user verification (possession alone)',
      expected: '401 UNAUTHORIZED; the same passkey, answered honestly, still signs in',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const refused = await passkeySignIn(alice, { userVerified: false });
        return outcome(refused, (await passkeySignIn(alice)).status === 200);
      },
    },
    {
      category: 'passkeys',
      attack: "auth.passkey.verify with bob's passkey on a sign-in started for alice",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const bobs = await passkeyOf(bob);
        return outcome(await passkeyVerify(bobs.get(await passkeyOptions(alice.username))));
      },
    },
    {
      category: 'passkeys',
      attack: 'user.passkeys.register with a response made on another origin',
      expected: '400 BAD_REQUEST naming response; nothing stored',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const token = alice.tokens.accessToken;
        const start = await call(app.url, 'user.passkeys.registrationOptions', undefined, { token });
        const phished = new SoftwareAuthenticator(EVIL).create(start.data.options);
        const result = await call(app.url, 'user.passkeys.register', { response: phished }, { token });
        const list = await call(app.url, 'user.passkeys.list', undefined, { token });
        const stored = list.data.some((p: { id: string }) => p.id === phished.id);
        return outcome(result, Boolean(result.error?.data.fieldErrors?.response) && !stored);
      },
    },
    {
      category: 'passkeys',
      attack: 'user.passkeys.register by alice answering a challenge issued to bob',
      expected: '400 BAD_REQUEST',
      expect: { status: 400, code: 'BAD_REQUEST' },
      run: async () => {
        const start = await call(app.url, 'user.passkeys.registrationOptions', undefined, {
          token: bob.tokens.accessToken,
        });
        const response = new SoftwareAuthenticator(app.url).create(start.data.options);
        return outcome(
          await call(app.url, 'user.passkeys.register', { response }, { token: alice.tokens.accessToken }),
        );
      },
    },
    {
      category: 'passkeys',
      attack: 'user.passkeys.register replaying a registration response already stored',
      expected: '400 BAD_REQUEST',
      expect: { status: 400, code: 'BAD_REQUEST' },
      run: async () => {
        const token = alice.tokens.accessToken;
        const start = await call(app.url, 'user.passkeys.registrationOptions', undefined, { token });
        const response = new SoftwareAuthenticator(app.url).create(start.data.options);
        await call(app.url, 'user.passkeys.register', { response }, { token });
        return outcome(await call(app.url, 'user.passkeys.register', { response }, { token }));
      },
    },
    {
      category: 'passkeys',
      attack: "user.passkeys.rename and delete of alice's passkey by bob",
      expected: '404 NOT_FOUND; the passkey is unchanged',
      expect: { status: 404, code: 'NOT_FOUND', holds: true },
      run: async () => {
        await passkeyOf(alice);
        const list = await call(app.url, 'user.passkeys.list', undefined, { token: alice.tokens.accessToken });
        const target = list.data[0] as { id: string; name: string };
        const byBob = { token: bob.tokens.accessToken };
        const renamed = await call(app.url, 'user.passkeys.rename', { id: target.id, name: 'mine now' }, byBob);
        const deleted = await call(app.url, 'user.passkeys.delete', { id: target.id }, byBob);
        const after = await call(app.url, 'user.passkeys.list', undefined, { token: alice.tokens.accessToken });
        const same = after.data.some((p: { id: string; name: string }) => p.id === target.id && p.name === target.name);
        return outcome(deleted, renamed.status === 404 && same);
      },
    },
    {
      category: 'escalation',
      attack: 'admin.users.sendPasswordReset called by a plain user',
      expected: '403 FORBIDDEN',
      expect: { status: 403, code: 'FORBIDDEN' },
      run: async () =>
        outcome(
          await call(app.url, 'admin.users.sendPasswordReset', { userId: bob.id }, { token: alice.tokens.accessToken }),
        ),
    },
    {
      category: 'device',
      attack: 'auth.device.poll again with a device code whose tokens were already handed out (code reuse)',
      expected: '200 {status: expired_token}, no second session',
      expect: { status: 200, holds: true },
      run: async () => {
        const owner = await newUser(app.url, 'dv');
        const started = await call(app.url, 'auth.device.start', {});
        await call(
          app.url,
          'user.device.approve',
          { userCode: started.data.userCode },
          { token: owner.tokens.accessToken },
        );
        const first = await call(app.url, 'auth.device.poll', { deviceCode: started.data.deviceCode });
        const again = await call(app.url, 'auth.device.poll', { deviceCode: started.data.deviceCode });
        const sessions = await call(app.url, 'user.sessions', undefined, { token: owner.tokens.accessToken });
        const held = first.data.status === 'approved' && again.data.status === 'expired_token';
        return outcome(again, held && !('accessToken' in again.data) && sessions.data.length === 2);
      },
    },
    {
      category: 'device',
      attack: 'auth.device.poll with a made-up device code of the right shape',
      expected: '200 {status: expired_token}, no tokens',
      expect: { status: 200, holds: true },
      run: async () => {
        const result = await call(app.url, 'auth.device.poll', { deviceCode: randomBytes(32).toString('base64url') });
        return outcome(result, JSON.stringify(result.data) === '{"status":"expired_token"}');
      },
    },
    {
      category: 'device',
      attack: 'user.device.approve with a made-up user code of the right shape',
      expected: '404 NOT_FOUND naming userCode',
      expect: { status: 404, code: 'NOT_FOUND', holds: true },
      run: async () => {
        const result = await call(
          app.url,
          'user.device.approve',
          { userCode: 'ZZZZ-ZZZZ' },
          { token: bob.tokens.accessToken },
        );
        return outcome(result, Boolean(result.error?.data.fieldErrors?.userCode));
      },
    },
    {
      category: 'device',
      attack: 'user.device.approve with no session (a device approving its own code)',
      expected: '401 UNAUTHORIZED, the device still pending',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const started = await call(app.url, 'auth.device.start', {});
        const result = await call(app.url, 'user.device.approve', { userCode: started.data.userCode });
        const polled = await call(app.url, 'auth.device.poll', { deviceCode: started.data.deviceCode });
        return outcome(result, polled.data.status === 'authorization_pending');
      },
    },
    {
      category: 'device',
      attack: "user.device.approve on a code the user already denied (turning someone's denial into a grant)",
      expected: '409 CONFLICT, the device still denied',
      expect: { status: 409, code: 'CONFLICT', holds: true },
      run: async () => {
        const started = await call(app.url, 'auth.device.start', {});
        await call(
          app.url,
          'user.device.deny',
          { userCode: started.data.userCode },
          { token: alice.tokens.accessToken },
        );
        const result = await call(
          app.url,
          'user.device.approve',
          { userCode: started.data.userCode },
          { token: bob.tokens.accessToken },
        );
        const polled = await call(app.url, 'auth.device.poll', { deviceCode: started.data.deviceCode });
        return outcome(result, polled.data.status === 'access_denied');
      },
    },
    {
      category: 'device',
      attack: 'guessing user codes at user.device.approve (default limits: 10 wrong codes an hour)',
      expected: '429 TOO_MANY_REQUESTS on the 11th try, even for a live code',
      expect: { status: 429, code: 'TOO_MANY_REQUESTS', holds: true },
      run: async () => {
        const strict = await startTestServer({ ...DEFAULT_LIMITS });
        try {
          const guesser = await newUser(strict.url, 'dg');
          const token = guesser.tokens.accessToken;
          const live = await call(strict.url, 'auth.device.start', {});
          const misses: number[] = [];
          for (let i = 0; i < 10; i++) {
            const guess = `ZZZZ-ZZ${'BCDFGHJKLM'[i]}Z`;
            misses.push((await call(strict.url, 'user.device.approve', { userCode: guess }, { token })).status);
          }
          const result = await call(strict.url, 'user.device.approve', { userCode: live.data.userCode }, { token });
          const polled = await call(strict.url, 'auth.device.poll', { deviceCode: live.data.deviceCode });
          return outcome(result, misses.every((m) => m === 404) && polled.data.status === 'authorization_pending');
        } finally {
          await strict.close();
        }
      },
    },
    // ---- Step-up: every sensitive procedure refuses a session that has not proved itself lately ----
    stepUpRow('user.changePassword', { currentPassword: 'password-123', newPassword: 'attacker-pass-1' }),
    stepUpRow('user.requestEmailChange', { newEmail: 'attacker@evil.example', currentPassword: 'password-123' }),
    stepUpRow('user.linkAccount', { provider: 'github' }),
    stepUpRow('user.unlinkAccount', { id: 1 }),
    stepUpRow('user.setPassword', { password: 'attacker-pass-1' }),
    stepUpRow('user.mfa.totp.enable', { code: '123456' }),
    stepUpRow('user.mfa.disable'),
    stepUpRow('user.mfa.backupCodes.regenerate'),
    stepUpRow('user.passkeys.register', { response: { id: 'x' } }),
    stepUpRow('user.passkeys.delete', { id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
    stepUpRow('user.device.approve', { userCode: 'BCDFGHJK' }),
    stepUpRow('admin.apiKeys.create', { name: 'exfil', scopes: ['users:read'] }, () => staleAdmin.accessToken),
    {
      category: 'step-up',
      attack: 'refresh the stale session, then change the password (a refresh is not an authentication)',
      expected: '403 FORBIDDEN, reason REAUTH_REQUIRED',
      expect: { status: 403, code: 'FORBIDDEN', holds: true },
      run: async () => {
        const refreshed = await call(mfaApp.url, 'auth.refresh', { refreshToken: stale.tokens.refreshToken });
        stale.tokens = refreshed.data as Tokens;
        return staleCall('user.changePassword', { currentPassword: 'password-123', newPassword: 'attacker-pass-1' })();
      },
    },
    {
      category: 'step-up',
      attack: 'auth.reauthenticate with a wrong password',
      expected: '401 UNAUTHORIZED, and the session still needs step-up',
      expect: { status: 401, code: 'UNAUTHORIZED', holds: true },
      run: async () => {
        const result = await call(
          mfaApp.url,
          'auth.reauthenticate',
          { password: 'not-the-password' },
          { token: stale.tokens.accessToken },
        );
        const still = await staleCall('user.setPassword', { password: 'attacker-pass-1' })();
        return outcome(result, still.holds === true);
      },
    },
    {
      category: 'step-up',
      attack: 'auth.reauthenticate with the password alone on an account with an authenticator app',
      expected: '400 BAD_REQUEST naming code',
      expect: { status: 400, code: 'BAD_REQUEST', holds: true },
      run: async () => {
        const result = await call(
          mfaApp.url,
          'auth.reauthenticate',
          { password: victim.password },
          { token: victim.tokens.accessToken },
        );
        return outcome(result, Boolean(result.error?.data.fieldErrors?.code));
      },
    },
    // ---- Second factor at sign-in ----
    {
      category: 'mfa',
      attack: 'password of an account with an authenticator app: no tokens without the code',
      expected: '200 {mfaRequired, mfaToken, methods}, no access token',
      expect: { status: 200, holds: true },
      run: async () => {
        const answer = await call(mfaApp.url, 'auth.login', { username: victim.username, password: victim.password });
        return outcome(answer, answer.data.mfaRequired === true && answer.data.accessToken === undefined);
      },
    },
    {
      category: 'mfa',
      attack: 'replayed TOTP code: the code that finished one sign-in, sent again for a second',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const code = nextCode(victim.secret);
        const first = await verify(await mfaLogin(victim), code);
        if (first.status !== 200) throw new Error(`the first use should pass: ${first.error?.message}`);
        return outcome(await verify(await mfaLogin(victim), code));
      },
    },
    {
      category: 'mfa',
      attack: 'replayed mfaToken: a finished sign-in presented again with a fresh code',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const mfaToken = await mfaLogin(victim);
        const first = await verify(mfaToken, nextCode(victim.secret));
        if (first.status !== 200) throw new Error(`the first use should pass: ${first.error?.message}`);
        return outcome(await verify(mfaToken, nextCode(victim.secret)));
      },
    },
    {
      category: 'mfa',
      attack: "mfaToken of another account finished with the attacker's own valid code",
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => outcome(await verify(await mfaLogin(victim), nextCode(other.secret))),
    },
    {
      category: 'mfa',
      attack: 'five wrong codes, then the right one, on one mfaToken',
      expected: '401 UNAUTHORIZED (the fifth wrong code ended it)',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const mfaToken = await mfaLogin(victim);
        for (let i = 0; i < 5; i++) await verify(mfaToken, '000000');
        return outcome(await verify(mfaToken, nextCode(victim.secret)));
      },
    },
    {
      category: 'mfa',
      attack: 'a wrong code, then the right one, on one mfaToken (a typo does not burn it)',
      expected: '200 token pair',
      expect: { status: 200, holds: true },
      run: async () => {
        const mfaToken = await mfaLogin(victim);
        await verify(mfaToken, '000000');
        const result = await verify(mfaToken, nextCode(victim.secret));
        return outcome(result, typeof result.data?.accessToken === 'string');
      },
    },
    {
      category: 'mfa',
      attack: 'replayed backup code',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => {
        const code = victim.backupCodes[0]!;
        const first = await verify(await mfaLogin(victim), code);
        if (first.status !== 200) throw new Error(`the first use should pass: ${first.error?.message}`);
        return outcome(await verify(await mfaLogin(victim), code));
      },
    },
    {
      category: 'mfa',
      attack: 'a made-up mfaToken of the right shape',
      expected: '401 UNAUTHORIZED',
      expect: { status: 401, code: 'UNAUTHORIZED' },
      run: async () => outcome(await verify(randomBytes(32).toString('base64url'), nextCode(victim.secret))),
    },
    {
      category: 'escalation',
      attack: 'admin.users.resetMfa called by a plain user',
      expected: '403 FORBIDDEN, factors kept',
      expect: { status: 403, code: 'FORBIDDEN', holds: true },
      run: async () => {
        const result = await call(
          mfaApp.url,
          'admin.users.resetMfa',
          { userId: victim.id },
          {
            token: other.tokens.accessToken,
          },
        );
        const status = await call(
          mfaApp.url,
          'user.mfa.status',
          undefined,
          { token: victim.tokens.accessToken },
          'query',
        );
        return outcome(result, status.data.totp === true);
      },
    },
  ];

  function genuineWithKey(key: string | Buffer, header: Record<string, unknown> = {}): string {
    return hs256({ alg: 'HS256', typ: 'at+jwt', ...header }, claimsOf(alice.tokens.accessToken), key);
  }

  beforeAll(async () => {
    app = await startTestServer({ CORS_ORIGINS: TRUSTED, TRUST_PROXY: '1', REFRESH_REUSE_GRACE: '0' });
    alice = await newUser(app.url, 'alice');
    bob = await newUser(app.url, 'bob');
    admin = await adminTokens(app.url);
    const key = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'ro', scopes: ['tokens:introspect'] },
      { token: admin.accessToken },
    );
    readOnlyKey = key.data.key;
    asym = await startTestServer({ JWT_ALG: 'ES256', JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    asymUser = await newUser(asym.url, 'asym');
    asymKid = String(JSON.parse(Buffer.from(asymUser.tokens.accessToken.split('.')[0]!, 'base64url').toString()).kid);
    // Tokens last an hour here, so the clock can pass REAUTH_WINDOW and step through TOTP codes.
    mfaApp = await startTestServer({ ACCESS_TOKEN_TTL: '1h' }, { clock: clock.now });
    stale = await newUser(mfaApp.url, 'stale');
    staleAdmin = await adminTokens(mfaApp.url);
    const v = await newUser(mfaApp.url, 'victim');
    victim = { ...v, ...(await enableTotp(mfaApp.url, v.tokens.accessToken, clock.now)) };
    const o = await newUser(mfaApp.url, 'other');
    other = { ...o, ...(await enableTotp(mfaApp.url, o.tokens.accessToken, clock.now)) };
    clock.advance(11 * 60_000);
  });
  afterAll(async () => {
    await app.close();
    await asym?.close();
    await mfaApp?.close();
  });

  const results: string[] = [];
  afterAll(() => {
    console.log(`security regression suite: ${ATTACKS.length} attacks\n${results.join('\n')}`);
  });

  it('lists at least 75 attacks, each with its expected answer', () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(75);
    for (const attack of ATTACKS) expect(attack.expected.length).toBeGreaterThan(0);
  });

  for (const [index, attack] of ATTACKS.entries()) {
    it(`#${index + 1} [${attack.category}] ${attack.attack} -> ${attack.expected}`, async () => {
      const got = await attack.run();
      results.push(`  #${index + 1} [${attack.category}] ${attack.attack}: ${got.status} ${got.code ?? ''}`);
      expect(got.status).toBe(attack.expect.status);
      if (attack.expect.code) expect(got.code).toBe(attack.expect.code);
      if (attack.expect.holds) expect(got.holds).toBe(true);
    });
  }
});
