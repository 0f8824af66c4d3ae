/**
 * Passkey ceremonies through SimpleWebAuthn's real verifier, answered by a software authenticator
 * (ES256, 'none' attestation): registration, sign-in with no username, and the refusals a
 * relying party owes its users (replayed challenge, wrong origin or RP ID, another account's
 * passkey, a counter that went backwards, an expired challenge).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, GatehouseError } from '../src/index.js';
import { createTestServices, databaseOf, SoftwareAuthenticator } from '../src/testing.js';

const ORIGIN = 'https://id.example.com';
const client = { ip: '10.0.0.7', userAgent: 'unit' };

describe('passkeys', () => {
  let services: AuthServices;
  let now: number;
  let authenticator: SoftwareAuthenticator;

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00Z');
    services = await createTestServices({
      clock: () => new Date(now),
      passkeys: { rpName: 'Gatehouse test', publicUrl: () => ORIGIN },
    });
    authenticator = new SoftwareAuthenticator(ORIGIN);
  });
  afterEach(() => services.close());

  const user = (name: string) =>
    services.accounts.register({ username: name, email: `${name}@example.com`, password: 'correct horse battery' });

  async function registered(name = 'ann', auth = authenticator) {
    const account = await user(name);
    const { options, challengeId } = await services.passkeys.registrationOptions(account);
    const passkey = await services.passkeys.register(account.id, auth.create(options), 'Laptop', client, challengeId);
    return { account, passkey };
  }

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: unknown) => (error instanceof GatehouseError ? error.kind : String(error)),
    );

  /** Why the last refused ceremony was refused, as the audit log has it. */
  async function lastRefusal() {
    const page = await databaseOf(services).audit.list({ type: 'passkey_refused', limit: 1 });
    return page.items[0]?.detail?.reason;
  }

  async function auditTypes() {
    const page = await databaseOf(services).audit.list({ limit: 100 });
    return page.items.map((e) => e.type);
  }

  it('asks for a discoverable credential with user verification, bound to PUBLIC_URL', async () => {
    const account = await user('ann');
    const { options, challengeId } = await services.passkeys.registrationOptions(account);
    expect(options.rp).toEqual({ id: 'id.example.com', name: 'Gatehouse test' });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.user.name).toBe('ann');
    expect(challengeId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
  });

  it('registers a passkey, lists it, and signs in with it without a username', async () => {
    const { account, passkey } = await registered();
    expect(passkey).toMatchObject({ name: 'Laptop', lastUsedAt: null });
    expect(await services.passkeys.count(account.id)).toBe(1);
    now += 60_000;
    const { options, challengeId } = await services.passkeys.authenticationOptionsFor(undefined);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    const signedIn = await services.passkeys.signIn(authenticator.get(options), challengeId, client);
    expect(signedIn.id).toBe(account.id);
    const [listed] = await services.passkeys.list(account.id);
    expect(listed?.lastUsedAt).toBe(new Date(now).toISOString());
    expect(await auditTypes()).toEqual(expect.arrayContaining(['passkey_registered', 'login_succeeded']));
  });

  it('uses a challenge once: a replayed assertion or registration is refused', async () => {
    const { account } = await registered();
    const { options } = await services.passkeys.authenticationOptionsFor('ann');
    const response = authenticator.get(options);
    expect((await services.passkeys.signIn(response, undefined, client)).id).toBe(account.id);
    expect(await refusal(services.passkeys.signIn(response, undefined, client))).toBe('UNAUTHORIZED');
    expect(await lastRefusal()).toBe('challenge');

    const creation = await services.passkeys.registrationOptions(account);
    const second = new SoftwareAuthenticator(ORIGIN);
    const answer = second.create(creation.options);
    await services.passkeys.register(account.id, answer, undefined, client);
    expect(await refusal(services.passkeys.register(account.id, answer, undefined, client))).toBe('BAD_REQUEST');
    expect(await lastRefusal()).toBe('challenge');
  });

  it('refuses a challenge after five minutes, or under another challenge id', async () => {
    await registered();
    const late = await services.passkeys.authenticationOptionsFor(undefined);
    now += 5 * 60_000 + 1;
    expect(await refusal(services.passkeys.signIn(authenticator.get(late.options), late.challengeId, client))).toBe(
      'UNAUTHORIZED',
    );
    const first = await services.passkeys.authenticationOptionsFor(undefined);
    const other = await services.passkeys.authenticationOptionsFor(undefined);
    expect(await refusal(services.passkeys.signIn(authenticator.get(first.options), other.challengeId, client))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('refuses answers made for another origin or RP ID', async () => {
    const account = await user('ann');
    const creation = await services.passkeys.registrationOptions(account);
    const elsewhere = new SoftwareAuthenticator('https://id.example.com.evil.test');
    const phished = elsewhere.create(creation.options);
    expect(await refusal(services.passkeys.register(account.id, phished, undefined, client))).toBe('BAD_REQUEST');
    expect(await lastRefusal()).toBe('verification');
    const again = await services.passkeys.registrationOptions(account);
    await services.passkeys.register(account.id, authenticator.create(again.options), undefined, client);

    const a = await services.passkeys.authenticationOptionsFor(undefined);
    const wrongOrigin = authenticator.get(a.options, { origin: 'https://evil.test' });
    expect(await refusal(services.passkeys.signIn(wrongOrigin, undefined, client))).toBe('UNAUTHORIZED');
    expect(await lastRefusal()).toBe('verification');
    const b = await services.passkeys.authenticationOptionsFor(undefined);
    const wrongRp = authenticator.get(b.options, { rpId: 'evil.test' });
    expect(await refusal(services.passkeys.signIn(wrongRp, undefined, client))).toBe('UNAUTHORIZED');
    expect(await lastRefusal()).toBe('verification');
    const c = await services.passkeys.authenticationOptionsFor(undefined);
    const unverified = authenticator.get(c.options, { userVerified: false });
    expect(await refusal(services.passkeys.signIn(unverified, undefined, client))).toBe('UNAUTHORIZED');
    expect(await lastRefusal()).toBe('verification');
  });

  it("refuses another account's passkey where the challenge names an account", async () => {
    await registered('ann');
    const bobAuthenticator = new SoftwareAuthenticator(ORIGIN);
    const { account: bob } = await registered('bob', bobAuthenticator);
    const forAnn = await services.passkeys.authenticationOptionsFor('ann');
    expect(await refusal(services.passkeys.signIn(bobAuthenticator.get(forAnn.options), undefined, client))).toBe(
      'UNAUTHORIZED',
    );
    // The hook for second factors and step-up: the passkey must be the given user's.
    expect(await lastRefusal()).toBe('wrong_user');
    const ann = await databaseOf(services).users.findByLoginKey('ann');
    const any = await services.passkeys.authenticationOptions(null);
    const bobs = bobAuthenticator.get(any.options);
    expect(await refusal(services.passkeys.verifyAssertion(ann!.id, bobs, undefined, client))).toBe('UNAUTHORIZED');
    expect(await lastRefusal()).toBe('wrong_user');
    const own = await services.passkeys.authenticationOptions(bob.id);
    expect(
      (await services.passkeys.verifyAssertion(bob.id, bobAuthenticator.get(own.options), undefined, client)).id,
    ).toBe(bob.id);
  });

  it('refuses a signature counter that went backwards, and audits it', async () => {
    await registered();
    const first = await services.passkeys.authenticationOptionsFor(undefined);
    await services.passkeys.signIn(authenticator.get(first.options, { counter: 7 }), undefined, client);
    const cloned = await services.passkeys.authenticationOptionsFor(undefined);
    expect(
      await refusal(services.passkeys.signIn(authenticator.get(cloned.options, { counter: 7 }), undefined, client)),
    ).toBe('UNAUTHORIZED');
    expect(await auditTypes()).toContain('passkey_counter_regression');
    const next = await services.passkeys.authenticationOptionsFor(undefined);
    await services.passkeys.signIn(authenticator.get(next.options, { counter: 8 }), undefined, client);
  });

  it('accepts an authenticator without a counter (always 0)', async () => {
    const counterless = new SoftwareAuthenticator(ORIGIN, 0);
    await registered('ann', counterless);
    for (let i = 0; i < 2; i++) {
      const { options } = await services.passkeys.authenticationOptionsFor(undefined);
      await services.passkeys.signIn(counterless.get(options), undefined, client);
    }
  });

  it('renames and deletes only its owner’s passkeys; a deleted passkey signs in no more', async () => {
    const { account, passkey } = await registered('ann');
    const bob = await user('bob');
    expect(await refusal(services.passkeys.rename(bob.id, passkey.id, 'Mine', client))).toBe('NOT_FOUND');
    expect(await refusal(services.passkeys.delete(bob.id, passkey.id, client))).toBe('NOT_FOUND');
    await services.passkeys.rename(account.id, passkey.id, '  Phone ', client);
    expect((await services.passkeys.list(account.id)).map((p) => p.name)).toEqual(['Phone']);
    await services.passkeys.delete(account.id, passkey.id, client);
    expect(await services.passkeys.count(account.id)).toBe(0);
    const { options } = await services.passkeys.authenticationOptionsFor(undefined);
    expect(await refusal(services.passkeys.signIn(authenticator.get(options), undefined, client))).toBe('UNAUTHORIZED');
  });

  it('refuses a deactivated account', async () => {
    const { account } = await registered();
    await databaseOf(services).users.update(account.id, { isActive: false }, new Date(now));
    const { options } = await services.passkeys.authenticationOptionsFor(undefined);
    expect(await refusal(services.passkeys.signIn(authenticator.get(options), undefined, client))).toBe('FORBIDDEN');
  });
});
