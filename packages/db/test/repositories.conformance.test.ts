/**
 * The storage contract, run against every engine: what core relies on must hold on SQLite and
 * PostgreSQL alike, concurrency included.
 */
import { describe, expect, it } from 'vitest';
import { type Database, UniqueViolationError } from '../src/index.js';
import { databasePerTest, type Engine, postgresEngine, sqliteEngine } from './engines.js';
import { at, t0, user } from './fixtures.js';

const session = (id: string, userId: number, tokenHash: string, ip: string | null = null) => ({
  id,
  userId,
  tokenHash,
  expiresAt: at(3600),
  userAgent: null,
  ip,
});

const engines: Engine[] = [sqliteEngine(), await postgresEngine()];

describe.each(engines.filter((e) => e.run))('storage conformance on $name', (engine) => {
  let db: Database;
  const twin = databasePerTest(engine, (opened) => {
    db = opened;
  });

  it('names its engine and answers a ping', async () => {
    expect(db.engine).toBe(engine.name);
    expect(await db.ping()).toBe(true);
  });

  it('creates users and finds them by id and by lower-cased username or email', async () => {
    const created = await db.users.create({ ...user('Alice'), fullName: 'Alice A.' }, t0);
    expect(created).toMatchObject({
      username: 'Alice',
      role: 'user',
      isActive: true,
      tokenVersion: 0,
      fullName: 'Alice A.',
      createdAt: t0,
      updatedAt: t0,
    });
    expect((await db.users.findById(created.id))?.username).toBe('Alice');
    expect((await db.users.findByLoginKey('alice'))?.id).toBe(created.id);
    expect((await db.users.findByLoginKey('alice@example.com'))?.id).toBe(created.id);
    expect(await db.users.findByLoginKey('nobody')).toBeNull();
    expect(await db.users.findById(9999)).toBeNull();
  });

  it('gives the usernames of the ids that exist', async () => {
    const ana = await db.users.create(user('ana'), t0);
    const ben = await db.users.create(user('Ben'), t0);
    expect(await db.users.usernames([ben.id, 9999, ana.id])).toEqual(
      new Map([
        [ana.id, 'ana'],
        [ben.id, 'Ben'],
      ]),
    );
    expect(await db.users.usernames([])).toEqual(new Map());
  });

  it('reports which unique field clashed', async () => {
    await db.users.create(user('Erin'), t0);
    await expect(db.users.create({ ...user('erin'), emailKey: 'other@example.com' }, t0)).rejects.toEqual(
      new UniqueViolationError('username'),
    );
    await expect(db.users.create({ ...user('frank'), emailKey: 'erin@example.com' }, t0)).rejects.toEqual(
      new UniqueViolationError('email'),
    );
    const frank = await db.users.create(user('frank'), t0);
    await expect(
      db.users.update(frank.id, { email: 'Erin@example.com', emailKey: 'erin@example.com' }, t0),
    ).rejects.toEqual(new UniqueViolationError('email'));
  });

  it('updates, bumps the token version with a new password, and replaces a hash only if current', async () => {
    const u = await db.users.create({ ...user('gail'), passwordHash: 'h1' }, t0);
    expect(await db.users.update(u.id, { fullName: 'Gail' }, at(1))).toMatchObject({
      fullName: 'Gail',
      updatedAt: at(1),
    });
    expect(await db.users.update(9999, { fullName: 'x' }, at(1))).toBeNull();
    expect(await db.users.setPassword(u.id, 'h2', at(2))).toMatchObject({ passwordHash: 'h2', tokenVersion: 1 });
    await db.users.replaceHash(u.id, 'h1', 'stale');
    expect((await db.users.findById(u.id))?.passwordHash).toBe('h2');
    await db.users.replaceHash(u.id, 'h2', 'h3');
    expect((await db.users.findById(u.id))?.passwordHash).toBe('h3');
  });

  it('lists users a page at a time, by role, matching search text literally', async () => {
    for (const name of ['a_b', 'axb', 'carl', 'dora']) await db.users.create(user(name), t0);
    await db.users.create(user('root', 'admin'), t0);
    const first = await db.users.list({ limit: 2 });
    expect(first.items.map((u) => u.username)).toEqual(['a_b', 'axb']);
    const second = await db.users.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((u) => u.username)).toEqual(['carl', 'dora']);
    expect((await db.users.list({ limit: 2, cursor: second.nextCursor! })).nextCursor).toBeNull();
    expect((await db.users.list({ limit: 10, search: 'A_B' })).items.map((u) => u.username)).toEqual(['a_b']);
    expect((await db.users.list({ limit: 10, search: '%' })).items).toEqual([]);
    expect((await db.users.list({ limit: 10, role: 'admin' })).items.map((u) => u.username)).toEqual(['root']);
  });

  it('never removes the last active admin', async () => {
    const root = await db.users.create(user('root', 'admin'), t0);
    const pat = await db.users.create(user('pat'), t0);
    expect(await db.users.countAdmins()).toBe(1);
    expect(await db.users.setRole(root.id, 'user', t0)).toBe('last_admin');
    expect(await db.users.setActive(root.id, false, t0)).toBe('last_admin');
    expect(await db.users.delete(root.id)).toBe('last_admin');
    expect(await db.users.setRole(9999, 'user', t0)).toBe('not_found');
    expect(await db.users.setRole(pat.id, 'admin', t0)).toBe('ok');
    expect(await db.users.setActive(root.id, false, t0)).toBe('ok');
    expect(await db.users.countAdmins()).toBe(1);
    expect(await db.users.delete(pat.id)).toBe('last_admin');
  });

  it('deletes a user together with their sessions', async () => {
    await db.users.create(user('root', 'admin'), t0);
    const hank = await db.users.create(user('hank'), t0);
    await db.sessions.create(session('s2', hank.id, 'x'), t0);
    expect(await db.users.delete(hank.id)).toBe('ok');
    expect(await db.sessions.findById('s2')).toBeNull();
  });

  it('finds a user with the state of their own session in one call', async () => {
    const ida = await db.users.create(user('ida'), t0);
    const joe = await db.users.create(user('joe'), t0);
    await db.sessions.create(session('s-ida', ida.id, 'x1'), t0);
    expect(await db.users.findWithSession(ida.id, 's-ida')).toEqual({
      user: await db.users.findById(ida.id),
      session: { expiresAt: session('s-ida', ida.id, 'x1').expiresAt, revokedAt: null },
    });
    // Someone else's session, or none by that id, is no session at all.
    expect((await db.users.findWithSession(joe.id, 's-ida'))?.session).toBeNull();
    expect(await db.users.findWithSession(joe.id, 'nope')).toMatchObject({ user: { username: 'joe' }, session: null });
    await db.sessions.revoke('s-ida', at(2));
    expect((await db.users.findWithSession(ida.id, 's-ida'))?.session?.revokedAt).toEqual(at(2));
    expect(await db.users.findWithSession(9999, 's-ida')).toBeNull();
  });

  it('rotates, revokes, lists and purges sessions', async () => {
    const u = await db.users.create(user('gina'), t0);
    const created = await db.sessions.create(session('s1', u.id, 'h1'), t0);
    expect(created).toMatchObject({ id: 's1', createdAt: t0, lastUsedAt: t0, revokedAt: null, rotatedAt: null });
    expect(await db.sessions.rotate('s1', 'h1', 'h2', at(1))).toBe(true);
    expect(await db.sessions.rotate('s1', 'h1', 'h3', at(2))).toBe(false);
    expect(await db.sessions.findById('s1')).toMatchObject({
      tokenHash: 'h2',
      previousTokenHash: 'h1',
      rotatedAt: at(1),
    });
    expect(await db.sessions.rotate('s1', 'h2', 'h4', at(3600))).toBe(false);

    await db.sessions.create(session('s2', u.id, 'k1'), at(5));
    await db.sessions.create(session('s3', u.id, 'm1'), at(6));
    expect((await db.sessions.listLive(u.id, at(10))).map((s) => s.id)).toEqual(['s3', 's2', 's1']);
    expect(await db.sessions.revoke('s2', at(10))).toBe(true);
    expect(await db.sessions.revoke('s2', at(11))).toBe(false);
    expect(await db.sessions.rotate('s2', 'k1', 'k2', at(12))).toBe(false);
    expect(await db.sessions.revokeForUser(u.id, at(12), 's3')).toBe(1);
    expect((await db.sessions.listLive(u.id, at(13))).map((s) => s.id)).toEqual(['s3']);
    expect(await db.sessions.purgeEnded(at(20))).toBe(2);
    expect(await db.sessions.findById('s3')).not.toBeNull();
  });

  it('tells whether a user signed in from an address since a time', async () => {
    const ann = await db.users.create(user('ann'), t0);
    await db.sessions.create(session('s1', ann.id, 'h', '10.0.0.1'), at(10));
    expect(await db.sessions.hasSessionFrom(ann.id, '10.0.0.1', t0)).toBe(true);
    expect(await db.sessions.hasSessionFrom(ann.id, '10.0.0.1', at(11))).toBe(false);
    expect(await db.sessions.hasSessionFrom(ann.id, '10.0.0.2', t0)).toBe(false);
  });

  it('keeps API key scopes as a list and touches last use only when it is stale', async () => {
    const key = { id: '0123456789abcdef', name: 'k', secretHash: 'h', scopes: ['users:read'], createdByUserId: null };
    const created = await db.apiKeys.create({ ...key, expiresAt: null }, t0);
    expect(created).toMatchObject({ scopes: ['users:read'], createdAt: t0, lastUsedAt: null, revokedAt: null });
    await db.apiKeys.create({ ...key, id: 'fedcba9876543210', expiresAt: at(60) }, at(1));
    expect((await db.apiKeys.list()).map((k) => k.id)).toEqual(['fedcba9876543210', key.id]);
    await db.apiKeys.touch(key.id, at(10), at(-50));
    await db.apiKeys.touch(key.id, at(20), at(-40));
    expect((await db.apiKeys.findById(key.id))?.lastUsedAt).toEqual(at(10));
    await db.apiKeys.touch(key.id, at(80), at(20));
    expect((await db.apiKeys.findById(key.id))?.lastUsedAt).toEqual(at(80));
    expect(await db.apiKeys.revoke(key.id, at(90))).toBe(true);
    expect(await db.apiKeys.revoke(key.id, at(91))).toBe(false);
    expect(await db.apiKeys.findById('missing')).toBeNull();
  });

  it('keeps the creator-less API key when its admin is deleted', async () => {
    await db.users.create(user('root', 'admin'), t0);
    const other = await db.users.create(user('ops', 'admin'), t0);
    const key = { id: 'aaaabbbbccccdddd', name: 'k', secretHash: 'h', scopes: [], createdByUserId: other.id };
    await db.apiKeys.create({ ...key, expiresAt: null }, t0);
    expect(await db.users.delete(other.id)).toBe('ok');
    expect((await db.apiKeys.findById(key.id))?.createdByUserId).toBeNull();
  });

  it('lists audit events newest first, filtered, a page at a time', async () => {
    const event = (type: string, seconds: number, actorUserId: number | null, targetUserId: number | null) =>
      db.audit.append({
        type,
        at: at(seconds),
        actorUserId,
        targetUserId,
        apiKeyId: null,
        ip: '10.0.0.1',
        userAgent: null,
        detail: { n: seconds, ok: true, note: null },
      });
    await event('login_failed', 1, null, 5);
    await event('login_succeeded', 2, 5, 5);
    await event('role_changed', 3, 1, 5);
    await event('role_changed', 4, 1, 6);

    const first = await db.audit.list({ limit: 3 });
    expect(first.items.map((e) => e.at)).toEqual([at(4), at(3), at(2)]);
    const second = await db.audit.list({ limit: 3, cursor: first.nextCursor! });
    expect(second).toMatchObject({
      items: [{ type: 'login_failed', detail: { n: 1, ok: true, note: null } }],
      nextCursor: null,
    });
    expect((await db.audit.list({ limit: 10, userId: 5 })).items).toHaveLength(3);
    expect((await db.audit.list({ limit: 10, userId: 1 })).items).toHaveLength(2);
    expect((await db.audit.list({ limit: 10, type: 'role_changed', userId: 6 })).items).toHaveLength(1);
    expect((await db.audit.list({ limit: 10, from: at(2), to: at(4) })).items.map((e) => e.at)).toEqual([at(3), at(2)]);
  });

  it('purges audit events from before a time', async () => {
    const event = (at: Date) => ({
      type: 'login_failed' as const,
      at,
      actorUserId: null,
      apiKeyId: null,
      targetUserId: null,
      ip: null,
      userAgent: null,
      detail: null,
    });
    await db.audit.append(event(t0));
    await db.audit.append(event(at(10)));
    expect(await db.audit.purgeBefore(at(10))).toBe(1);
    expect((await db.audit.list({ limit: 10 })).items.map((e) => e.at)).toEqual([at(10)]);
  });

  it('purges only audit events naming no user from before a time', async () => {
    const audited = await db.users.create(user('audited'), t0);
    const event = (at: Date, targetUserId: number | null) => ({
      type: 'login_failed' as const,
      at,
      actorUserId: null,
      apiKeyId: null,
      targetUserId,
      ip: null,
      userAgent: null,
      detail: null,
    });
    await db.audit.append(event(t0, null));
    await db.audit.append(event(t0, audited.id));
    await db.audit.append(event(at(10), null));
    expect(await db.audit.purgeUnattributedBefore(at(10))).toBe(1);
    const left = (await db.audit.list({ limit: 10 })).items.map((e) => [e.at, e.targetUserId]);
    expect(left).toEqual([
      [at(10), null],
      [t0, audited.id],
    ]);
  });

  it('purges expired rate-limit counters', async () => {
    await engine.insertCounter(db, 'old', new Date(t0.getTime() - 1));
    await engine.insertCounter(db, 'new', new Date(t0.getTime() + 1000));
    expect(await db.rateLimitTable.purgeExpired(t0)).toBe(1);
  });

  it('rotates signing keys: the old one stops signing and stays published until told', async () => {
    const key = (kid: string) => ({
      kid,
      algorithm: 'EdDSA' as const,
      publicJwk: `{"kid":"${kid}"}`,
      encryptedPrivateKey: `enc-${kid}`,
    });
    expect(await db.signingKeys.listPublished(t0)).toEqual([]);
    await db.signingKeys.add(key('k1'), t0);
    await db.signingKeys.add(key('k2'), at(10), at(100));
    const published = await db.signingKeys.listPublished(at(20));
    expect(published.map((k) => [k.kid, k.retiredAt, k.publishUntil])).toEqual([
      ['k2', null, null],
      ['k1', at(10), at(100)],
    ]);
    expect(published[1]).toMatchObject({ algorithm: 'EdDSA', encryptedPrivateKey: 'enc-k1', createdAt: t0 });
    expect((await db.signingKeys.listPublished(at(100))).map((k) => k.kid)).toEqual(['k2']);
  });

  it('links OAuth identities once per (provider, subject), lists, unlinks and cascades', async () => {
    const alice = await db.users.create(user('alice'), t0);
    const bob = await db.users.create(user('bob'), t0);
    const linked = await db.oauthAccounts.link(
      { provider: 'oidc', providerUserId: 'sub-1', userId: alice.id, email: 'a@idp.test' },
      t0,
    );
    expect(linked).toMatchObject({ provider: 'oidc', providerUserId: 'sub-1', userId: alice.id, createdAt: t0 });
    // The same identity cannot be linked again, to anyone; the same subject at another provider can.
    expect(
      await db.oauthAccounts.link({ provider: 'oidc', providerUserId: 'sub-1', userId: bob.id, email: null }, t0),
    ).toBeNull();
    await db.oauthAccounts.link({ provider: 'github', providerUserId: 'sub-1', userId: alice.id, email: null }, at(1));
    expect((await db.oauthAccounts.find('oidc', 'sub-1'))?.userId).toBe(alice.id);
    expect(await db.oauthAccounts.find('google', 'sub-1')).toBeNull();
    expect((await db.oauthAccounts.listForUser(alice.id)).map((a) => a.provider)).toEqual(['oidc', 'github']);
    expect(await db.oauthAccounts.unlink(bob.id, linked!.id)).toBe('not_found');
    expect(await db.oauthAccounts.unlink(alice.id, linked!.id)).toBe('ok');
    expect(await db.oauthAccounts.unlink(alice.id, linked!.id)).toBe('not_found');
    // Alice has no password (the fixture): her last identity stays, until she sets one.
    const [github] = await db.oauthAccounts.listForUser(alice.id);
    expect(await db.oauthAccounts.unlink(alice.id, github!.id)).toBe('last_way');
    await db.users.setPassword(alice.id, 'hash', at(2));
    expect(await db.oauthAccounts.unlink(alice.id, github!.id)).toBe('ok');
    await db.oauthAccounts.link({ provider: 'github', providerUserId: 'sub-1', userId: alice.id, email: null }, at(3));
    await db.users.delete(alice.id);
    expect(await db.oauthAccounts.find('github', 'sub-1')).toBeNull();
  });

  it('consumes an OAuth state exactly once and purges expired ones', async () => {
    const alice = await db.users.create(user('alice'), t0);
    const state = (stateHash: string, expiresAt: Date, linkUserId: number | null = null) => ({
      stateHash,
      provider: 'oidc',
      codeVerifier: `verifier-${stateHash}`,
      nonce: 'n',
      browserHash: 'b',
      returnTo: '/profile',
      linkUserId,
      expiresAt,
    });
    await db.oauthStates.create(state('s1', at(600), alice.id), t0);
    await db.oauthStates.create(state('s2', at(-1)), t0);
    await db.oauthStates.create(state('s3', at(600), alice.id), t0);
    expect(await db.oauthStates.consume('s1')).toMatchObject({ ...state('s1', at(600), alice.id), createdAt: t0 });
    expect(await db.oauthStates.consume('s1')).toBeNull();
    expect(await db.oauthStates.purgeExpired(t0)).toBe(1);
    expect(await db.oauthStates.consume('s2')).toBeNull();
    await db.users.delete(alice.id);
    expect(await db.oauthStates.consume('s3')).toBeNull();
  });

  it('records the last authentication of a live session only (step-up)', async () => {
    const u = await db.users.create(user('Stepper'), t0);
    const created = await db.sessions.create(session('s-step', u.id, 'h-step'), t0);
    expect(created.authenticatedAt).toEqual(t0);
    expect(await db.sessions.markAuthenticated('s-step', at(60))).toBe(true);
    expect((await db.sessions.findById('s-step'))?.authenticatedAt).toEqual(at(60));
    await db.sessions.revoke('s-step', at(61));
    expect(await db.sessions.markAuthenticated('s-step', at(62))).toBe(false);
  });

  it('keeps TOTP pending until enabled, and accepts each time step once, newer ones only', async () => {
    const u = await db.users.create(user('Otto'), t0);
    expect(await db.mfa.putPendingTotp(u.id, 'sealed-1', t0)).toBe(true);
    expect(await db.mfa.putPendingTotp(u.id, 'sealed-2', t0)).toBe(true);
    expect(await db.mfa.findTotp(u.id)).toMatchObject({ encryptedSecret: 'sealed-2', enabledAt: null });
    expect(await db.mfa.useTotpStep(u.id, 100)).toBe(false);
    expect(await db.mfa.enableTotp(u.id, 100, at(1))).toBe(true);
    expect(await db.mfa.enableTotp(u.id, 100, at(1))).toBe(false);
    expect(await db.mfa.putPendingTotp(u.id, 'sealed-3', t0)).toBe(false);
    expect(await db.mfa.anyEnabledTotp()).toMatchObject({ userId: u.id, encryptedSecret: 'sealed-2' });
    expect(await db.mfa.useTotpStep(u.id, 100)).toBe(false);
    expect(await db.mfa.useTotpStep(u.id, 99)).toBe(false);
    expect(await db.mfa.useTotpStep(u.id, 101)).toBe(true);
    expect(await db.mfa.useTotpStep(u.id, 101)).toBe(false);
  });

  it('spends backup codes once, replaces them, and removes every factor', async () => {
    const u = await db.users.create(user('Bea'), t0);
    await db.mfa.putPendingTotp(u.id, 'sealed', t0);
    await db.mfa.enableTotp(u.id, 1, t0);
    await db.mfa.replaceBackupCodes(u.id, ['a', 'b', 'c'], t0);
    expect(await db.mfa.useBackupCode(u.id, 'b', at(1))).toBe(true);
    expect(await db.mfa.useBackupCode(u.id, 'b', at(2))).toBe(false);
    expect(await db.mfa.backupCodesLeft(u.id)).toBe(2);
    expect((await db.mfa.factorsOf([u.id])).get(u.id)).toEqual({ totp: true, backupCodesLeft: 2 });
    await db.mfa.replaceBackupCodes(u.id, ['d'], at(3));
    expect(await db.mfa.useBackupCode(u.id, 'a', at(4))).toBe(false);
    expect(await db.mfa.removeFactors(u.id)).toEqual({ totp: true, backupCodesLeft: 1 });
    expect(await db.mfa.findTotp(u.id)).toBeNull();
    expect(await db.mfa.backupCodesLeft(u.id)).toBe(0);
  });

  it('counts wrong codes on a pending sign-in, ends it once, and purges expired ones', async () => {
    const u = await db.users.create(user('Chall'), t0);
    const c = await db.mfa.createChallenge(
      { tokenHash: 'th', userId: u.id, firstFactor: 'password', expiresAt: at(300) },
      t0,
    );
    expect(c.attempts).toBe(0);
    expect(await db.mfa.countChallengeFailure(c.id)).toBe(1);
    expect(await db.mfa.countChallengeFailure(c.id)).toBe(2);
    expect((await db.mfa.findChallenge('th'))?.attempts).toBe(2);
    expect(await db.mfa.endChallenge(c.id, at(10))).toBe(true);
    expect(await db.mfa.endChallenge(c.id, at(11))).toBe(false);
    expect(await db.mfa.purgeChallenges(at(299))).toBe(0);
    expect(await db.mfa.purgeChallenges(at(301))).toBe(1);
  });

  describe('under concurrency, across two handles (two server instances)', () => {
    it('lets exactly one of two callbacks consume one OAuth state', async () => {
      const other = await twin();
      await db.oauthStates.create(
        {
          stateHash: 'race',
          provider: 'oidc',
          codeVerifier: 'v',
          nonce: null,
          browserHash: 'b',
          returnTo: null,
          linkUserId: null,
          expiresAt: at(600),
        },
        t0,
      );
      const results = await Promise.all([db.oauthStates.consume('race'), other.oauthStates.consume('race')]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("never lets two concurrent unlinks remove a password-less user's last two identities", async () => {
      const other = await twin();
      for (let round = 0; round < 5; round++) {
        const u = await db.users.create(user(`olga${round}`), t0); // no password
        const link = (subject: string) =>
          db.oauthAccounts.link(
            { provider: 'oidc', providerUserId: `${subject}${round}`, userId: u.id, email: null },
            t0,
          );
        const [a, b] = [await link('a'), await link('b')];
        const outcomes = await Promise.all([
          db.oauthAccounts.unlink(u.id, a!.id),
          other.oauthAccounts.unlink(u.id, b!.id),
        ]);
        expect(outcomes.sort()).toEqual(['last_way', 'ok']);
        expect(await db.oauthAccounts.listForUser(u.id)).toHaveLength(1);
      }
    });

    it('lets exactly one of two rotations of one session win', async () => {
      const other = await twin();
      const u = await db.users.create(user('rita'), t0);
      for (let round = 0; round < 5; round++) {
        await db.sessions.create(session(`r${round}`, u.id, `h${round}`), t0);
        const outcomes = await Promise.all([
          db.sessions.rotate(`r${round}`, `h${round}`, `a${round}`, at(1)),
          other.sessions.rotate(`r${round}`, `h${round}`, `b${round}`, at(1)),
        ]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const winner = outcomes[0] ? `a${round}` : `b${round}`;
        expect((await db.sessions.findById(`r${round}`))?.tokenHash).toBe(winner);
      }
    });

    it('lets exactly one of two registrations of one username in different letter case win', async () => {
      const other = await twin();
      const outcomes = await Promise.allSettled([
        db.users.create({ ...user('Sam'), emailKey: 'sam1@example.com' }, t0),
        other.users.create({ ...user('SAM'), emailKey: 'sam2@example.com' }, t0),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const loser = outcomes.find((o) => o.status === 'rejected');
      expect(loser?.reason).toEqual(new UniqueViolationError('username'));
      expect((await db.users.list({ limit: 10 })).items).toHaveLength(1);
    });

    it('leaves one active admin when two admins are demoted, deactivated or deleted at once', async () => {
      const other = await twin();
      const changes = [
        (d: Database, id: number) => d.users.setRole(id, 'user', t0),
        (d: Database, id: number) => d.users.setActive(id, false, t0),
        (d: Database, id: number) => d.users.delete(id),
      ];
      for (const [i, change] of changes.entries()) {
        const a = await db.users.create(user(`adminA${i}`, 'admin'), t0);
        const b = await db.users.create(user(`adminB${i}`, 'admin'), t0);
        // Only these two are active admins: the earlier rounds' survivors step aside first.
        for (const u of (await db.users.list({ limit: 50, role: 'admin' })).items) {
          if (u.id !== a.id && u.id !== b.id) await db.users.setRole(u.id, 'user', t0);
        }
        const outcomes = await Promise.all([change(db, a.id), change(other, b.id)]);
        expect(outcomes.sort()).toEqual(['last_admin', 'ok']);
        expect(await db.users.countAdmins()).toBe(1);
      }
    });
  });
});
