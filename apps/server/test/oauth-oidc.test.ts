/**
 * Sign-in through OpenID Connect against a real provider (oidc-provider) on loopback: the whole
 * authorization-code + PKCE flow over HTTP, as a browser and the web app's callback page run it.
 */
import { hashSecret } from '@gatehouse/core';
import { databaseOf } from '@gatehouse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { type CallResult, call, login, newUser, startTestServer } from './harness.js';
import { enableTotp } from './mfa-support.js';
import { authorizeAtProvider, CookieJar, startOidcProvider, type TestProvider } from './oidc-provider-support.js';

const PUBLIC_URL = 'http://localhost:5173';
const REDIRECT_URI = `${PUBLIC_URL}/auth/callback/oidc`;

/** One browser at Gatehouse: its cookies travel with every call. */
class Browser {
  readonly jar = new CookieJar();
  constructor(private readonly base: string) {}

  async call<T = any>(
    path: string,
    input?: unknown,
    token?: string,
    kind?: 'query' | 'mutation',
  ): Promise<CallResult<T>> {
    const headers: Record<string, string> = { origin: this.base };
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    const result = await call<T>(this.base, path, input, { headers, token }, kind);
    this.jar.store(result.headers);
    return result;
  }

  /** oauth.start, then the user at the provider; returns the callback URL's code and state. */
  async authorize(sub: string, returnTo?: string) {
    const started = await this.call<{ authorizationUrl: string }>('oauth.start', { provider: 'oidc', returnTo });
    if (started.error) throw new Error(started.error.message);
    const back = await authorizeAtProvider(started.data.authorizationUrl, sub, REDIRECT_URI);
    return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' };
  }

  async signIn(sub: string, returnTo?: string) {
    const { code, state } = await this.authorize(sub, returnTo);
    return this.call('oauth.callback', { provider: 'oidc', code, state });
  }
}

describe('sign-in with a generic OpenID Connect provider', () => {
  let op: TestProvider;
  let app: RunningGatehouse;
  let base: string;

  beforeAll(async () => {
    op = await startOidcProvider(REDIRECT_URI);
    app = await startTestServer({
      PUBLIC_URL,
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: op.clientId,
      OIDC_CLIENT_SECRET: op.clientSecret,
      OIDC_DISPLAY_NAME: 'Test IdP',
    });
    base = app.url;
    op.accounts.set('alice-sub', {
      sub: 'alice-sub',
      email: 'alice.oidc@example.com',
      email_verified: true,
      name: 'Alice Example',
      preferred_username: 'alice',
    });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await op?.close();
  });

  it('lists the enabled providers', async () => {
    const result = await call(base, 'oauth.providers', undefined, {}, 'query');
    expect(result.data).toEqual([{ id: 'oidc', displayName: 'Test IdP' }]);
  });

  it('builds an authorization URL with PKCE S256, a nonce and the exact redirect URI', async () => {
    const browser = new Browser(base);
    const started = await browser.call('oauth.start', { provider: 'oidc' });
    const url = new URL(started.data.authorizationUrl);
    expect(url.origin).toBe(op.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: op.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The browser binding is an HttpOnly cookie, never visible to scripts.
    const setCookie = started.headers.getSetCookie().find((c) => c.startsWith('gatehouse_oauth='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
  });

  it('creates a user on first sign-in and finds the same user on the second', async () => {
    const first = await new Browser(base).signIn('alice-sub', '/profile?tab=accounts');
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ tokenType: 'Bearer', returnTo: '/profile?tab=accounts' });
    expect(first.data.refreshToken).toBeTruthy();
    const me = await call(base, 'user.me', undefined, { token: first.data.accessToken });
    expect(me.data).toMatchObject({
      username: 'alice',
      email: 'alice.oidc@example.com',
      fullName: 'Alice Example',
      role: 'user',
      hasPassword: false,
      // The provider vouched for the address: the new account starts verified.
      emailVerified: true,
    });

    const second = await new Browser(base).signIn('alice-sub');
    const again = await call(base, 'user.me', undefined, { token: second.data.accessToken });
    expect(again.data.id).toBe(me.data.id);
    const linked = await call(base, 'user.linkedAccounts', undefined, { token: second.data.accessToken }, 'query');
    expect(linked.data).toEqual([expect.objectContaining({ provider: 'oidc', email: 'alice.oidc@example.com' })]);
  });

  it('makes the username unique when the profile suggests a taken one', async () => {
    await newUser(base, 'bob');
    op.accounts.set('bob-sub', {
      sub: 'bob-sub',
      email: 'bob.idp@example.com',
      email_verified: true,
      preferred_username: 'root',
    });
    const result = await new Browser(base).signIn('bob-sub');
    const me = await call(base, 'user.me', undefined, { token: result.data.accessToken });
    expect(me.data.username).toMatch(/^root\d{4}$/);
  });

  it('delivers the refresh token in an HttpOnly cookie in cookie mode', async () => {
    const browser = new Browser(base);
    const { code, state } = await browser.authorize('alice-sub');
    const result = await browser.call('oauth.callback', { provider: 'oidc', code, state, refreshCookie: true });
    expect(result.data.refreshToken).toBeUndefined();
    expect(browser.jar.get('gatehouse_refresh')).toBeTruthy();
  });

  it('asks for the second factor after a provider sign-in when the account has one', async () => {
    op.accounts.set('mfa-sub', { sub: 'mfa-sub', email: 'mfa.oidc@example.com', email_verified: true });
    const browser = new Browser(base);
    const first = await browser.signIn('mfa-sub');
    const { backupCodes } = await enableTotp(base, first.data.accessToken, () => new Date());
    const again = await browser.signIn('mfa-sub', '/settings');
    expect(again.data).toMatchObject({ mfaRequired: true, methods: ['totp', 'backup_code'], returnTo: '/settings' });
    expect(again.data.accessToken).toBeUndefined();
    // The code from the app was just used to enable it (a step is accepted once); a backup code finishes.
    const done = await browser.call('auth.mfa.verify', { mfaToken: again.data.mfaToken, code: backupCodes[0] });
    const me = await call(base, 'user.me', undefined, { token: done.data.accessToken }, 'query');
    expect(me.data.email).toBe('mfa.oidc@example.com');
  });

  it('refuses a wrong, a reused and an expired state', async () => {
    const browser = new Browser(base);
    const { code, state } = await browser.authorize('alice-sub');
    const wrong = await browser.call('oauth.callback', { provider: 'oidc', code, state: `${state}x` });
    expect(wrong.error?.data.code).toBe('UNAUTHORIZED');

    const ok = await browser.call('oauth.callback', { provider: 'oidc', code, state });
    expect(ok.error).toBeNull();
    const reused = await browser.call('oauth.callback', { provider: 'oidc', code, state });
    expect(reused.error?.message).toMatch(/already used or has expired/);

    // An expired state, stored as oauth.start would have stored it, for this very browser.
    const secret = browser.jar.get('gatehouse_oauth') ?? '';
    const past = new Date(Date.now() - 1000);
    await databaseOf(app.services).oauthStates.create(
      {
        stateHash: hashSecret('expired-state'),
        provider: 'oidc',
        codeVerifier: 'v'.repeat(43),
        nonce: 'n',
        browserHash: hashSecret(secret),
        returnTo: null,
        linkUserId: null,
        expiresAt: past,
      },
      new Date(past.getTime() - 600_000),
    );
    const expired = await browser.call('oauth.callback', { provider: 'oidc', code: 'x', state: 'expired-state' });
    expect(expired.error?.data.code).toBe('UNAUTHORIZED');
  });

  it('refuses a state from another browser, and burns it', async () => {
    const victim = new Browser(base);
    const { code, state } = await victim.authorize('alice-sub');
    const attacker = new Browser(base);
    const stolen = await attacker.call('oauth.callback', { provider: 'oidc', code, state });
    expect(stolen.error?.data.code).toBe('UNAUTHORIZED');
    const noCookie = await call(base, 'oauth.callback', { provider: 'oidc', code, state });
    expect(noCookie.error?.data.code).toBe('UNAUTHORIZED');
    const audit = await app.services.audit.list({ type: 'login_failed' });
    expect(audit.items.some((e) => e.detail?.reason === 'oauth_state_other_browser')).toBe(true);
  });

  it('refuses a code from another sign-in: the PKCE verifier does not match its challenge', async () => {
    const browser = new Browser(base);
    const first = await browser.authorize('alice-sub');
    const second = await browser.authorize('alice-sub');
    const swapped = await browser.call('oauth.callback', { provider: 'oidc', code: first.code, state: second.state });
    expect(swapped.error?.data.code).toBe('UNAUTHORIZED');
    expect(swapped.error?.message).toMatch(/refused the sign-in code/);
  });

  it('links to an existing account by verified email, and not by unverified email', async () => {
    const carol = await newUser(base, 'carol');
    const carolEmail = `${carol.username}@example.com`;
    op.accounts.set('carol-unverified', { sub: 'carol-unverified', email: carolEmail, email_verified: false });
    const refused = await new Browser(base).signIn('carol-unverified');
    expect(refused.error?.data.code).toBe('CONFLICT');
    expect(refused.error?.message).toMatch(/Sign in with your password, then link Test IdP from your profile/);

    op.accounts.set('carol-verified', { sub: 'carol-verified', email: carolEmail.toUpperCase(), email_verified: true });
    // The provider's word alone is not enough while Gatehouse has not verified Carol's address.
    const unproven = await new Browser(base).signIn('carol-verified');
    expect(unproven.error?.data.code).toBe('CONFLICT');
    expect(unproven.error?.message).toMatch(/Sign in with your password, then link Test IdP from your profile/);
    // Carol proves her address (what auth.verifyEmail does; email-flows.test.ts follows the real mailed link).
    await databaseOf(app.services).users.update(carol.id, { emailVerified: true }, new Date());
    const linked = await new Browser(base).signIn('carol-verified');
    expect(linked.error).toBeNull();
    const me = await call(base, 'user.me', undefined, { token: linked.data.accessToken });
    expect(me.data.id).toBe(carol.id);
    const audit = await app.services.audit.list({ type: 'oauth_account_linked', userId: carol.id });
    expect(audit.items[0]?.detail).toMatchObject({ provider: 'oidc', how: 'email' });
  });

  it("refuses the takeover set up in advance: an unverified sign-up never receives the owner's identity", async () => {
    // The attacker registers the victim's address with a password of their own.
    const victimEmail = `alice-${Date.now()}@corp.example`;
    const attacker = await call(base, 'auth.register', {
      username: `mallory${Date.now() % 100000}`,
      email: victimEmail,
      password: 'attacker-password-1',
    });
    expect(attacker.status).toBe(200);
    // Alice later signs in through her provider, which has verified the address.
    op.accounts.set('alice-corp', { sub: 'alice-corp', email: victimEmail, email_verified: true });
    const refused = await new Browser(base).signIn('alice-corp');
    expect(refused.error?.data.code).toBe('CONFLICT');
    expect(refused.error?.message).toMatch(/Sign in with your password, then link Test IdP from your profile/);
    expect(refused.data).toBeUndefined();
    // Nothing was attached to the attacker's account, which still has no provider identity.
    expect(await databaseOf(app.services).oauthAccounts.find('oidc', 'alice-corp')).toBeNull();
    expect(await databaseOf(app.services).oauthAccounts.listForUser(attacker.data.id)).toEqual([]);
    const audit = await app.services.audit.list({ type: 'oauth_account_linked', userId: attacker.data.id });
    expect(audit.items).toEqual([]);
  });

  it('creates no account from an email the provider has not verified', async () => {
    const email = `frank-${Date.now()}@example.com`;
    op.accounts.set('frank-unverified', { sub: 'frank-unverified', email, email_verified: false });
    const refused = await new Browser(base).signIn('frank-unverified');
    expect(refused.error?.data.code).toBe('FORBIDDEN');
    expect(refused.error?.message).toMatch(/has not verified this email address/);
    expect(await databaseOf(app.services).users.findByLoginKey(email)).toBeNull();
    // The address stays free for its owner.
    const owner = await call(base, 'auth.register', {
      username: `frank${Date.now()}`,
      email,
      password: 'a long passphrase 42',
    });
    expect(owner.error).toBeNull();
  });

  it('links an identity by hand while signed in, whatever its email', async () => {
    const dave = await newUser(base, 'dave');
    op.accounts.set('dave-elsewhere', {
      sub: 'dave-elsewhere',
      email: 'someone-else@example.com',
      email_verified: false,
    });
    const browser = new Browser(base);
    const started = await browser.call('user.linkAccount', { provider: 'oidc' }, dave.tokens.accessToken);
    const back = await authorizeAtProvider(started.data.authorizationUrl, 'dave-elsewhere', REDIRECT_URI);
    const done = await browser.call('oauth.callback', {
      provider: 'oidc',
      code: back.searchParams.get('code'),
      state: back.searchParams.get('state'),
    });
    expect(done.error).toBeNull();
    const me = await call(base, 'user.me', undefined, { token: done.data.accessToken });
    expect(me.data.id).toBe(dave.id);
    // An identity already linked to someone cannot be linked to another account.
    const eve = await newUser(base, 'eve');
    const again = await browser.call('user.linkAccount', { provider: 'oidc' }, eve.tokens.accessToken);
    const back2 = await authorizeAtProvider(again.data.authorizationUrl, 'dave-elsewhere', REDIRECT_URI);
    const conflict = await browser.call('oauth.callback', {
      provider: 'oidc',
      code: back2.searchParams.get('code'),
      state: back2.searchParams.get('state'),
    });
    expect(conflict.error?.data.code).toBe('CONFLICT');
  });

  it('keeps the last way to sign in: unlink refused until a password is set, password login refused until then', async () => {
    op.accounts.set('frank-sub', {
      sub: 'frank-sub',
      email: 'frank.idp@example.com',
      email_verified: true,
      preferred_username: 'frank',
    });
    const signedIn = await new Browser(base).signIn('frank-sub');
    const token = signedIn.data.accessToken;
    const me = await call(base, 'user.me', undefined, { token });
    const [account] = (await call(base, 'user.linkedAccounts', undefined, { token }, 'query')).data;

    const refused = await call(base, 'user.unlinkAccount', { id: account.id }, { token });
    expect(refused.error?.message).toMatch(/only way to sign in/);
    const noPassword = await call(base, 'auth.login', { username: me.data.username, password: 'a-new-password-1' });
    expect(noPassword.error?.data.code).toBe('UNAUTHORIZED');

    const set = await call(base, 'user.setPassword', { password: 'a-new-password-1' }, { token });
    expect(set.error).toBeNull();
    const tokens = await login(base, me.data.username, 'a-new-password-1');
    const again = await call(
      base,
      'user.setPassword',
      { password: 'another-password-2' },
      { token: tokens.accessToken },
    );
    expect(again.error?.data.code).toBe('BAD_REQUEST');

    const unlinked = await call(base, 'user.unlinkAccount', { id: account.id }, { token: tokens.accessToken });
    expect(unlinked.error).toBeNull();
    const after = await call(base, 'user.linkedAccounts', undefined, { token: tokens.accessToken }, 'query');
    expect(after.data).toEqual([]);

    const events = (await app.services.audit.list({ userId: me.data.id })).items.map((e) => [e.type, e.detail]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['oauth_account_linked', { provider: 'oidc', how: 'new_account' }],
        ['login_succeeded', { method: 'oidc', via: 'created' }],
        ['password_set', null],
        ['oauth_account_unlinked', { provider: 'oidc' }],
      ]),
    );
  });

  it('never lets returnTo leave the origin', async () => {
    const browser = new Browser(base);
    for (const returnTo of [
      'https://evil.test/',
      '//evil.test/x',
      '/\\evil.test',
      'javascript:alert(1)',
      '/\tevil',
      'profile',
    ]) {
      const result = await browser.call('oauth.start', { provider: 'oidc', returnTo });
      expect(result.error?.data.code, returnTo).toBe('BAD_REQUEST');
    }
    const fine = await browser.call('oauth.start', { provider: 'oidc', returnTo: '/a/../admin?x=1#y' });
    expect(fine.error).toBeNull();
  });

  it('refuses providers that are not enabled', async () => {
    const result = await new Browser(base).call('oauth.start', { provider: 'github' });
    expect(result.error?.data.code).toBe('NOT_FOUND');
  });
});
