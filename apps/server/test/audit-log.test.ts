import { AUDIT_EVENT_TYPES, type PublicAuditEvent as AuditEvent } from '@gatehouse/core';
import { databaseOf, SoftwareAuthenticator } from '@gatehouse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { ADMIN, adminTokens, call, login, newUser, startTestServer, type Tokens } from './harness.js';
import { enableTotp } from './mfa-support.js';

const CLIENT = { 'x-forwarded-for': '203.0.113.50', 'user-agent': 'audit-test/1.0' };

describe('the audit log', () => {
  let app: RunningGatehouse;
  let admin: Tokens;
  const secrets: string[] = [];

  beforeAll(async () => {
    app = await startTestServer({
      TRUST_PROXY: '1',
      REFRESH_REUSE_GRACE: '0',
      RATE_LIMIT_ACCOUNT_IP_FAILURES: '3',
      RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: '50',
    });
    admin = await adminTokens(app.url);
  });
  afterAll(() => app.close());

  async function events(filter: Record<string, unknown> = {}): Promise<AuditEvent[]> {
    const page = await call(app.url, 'admin.audit.list', { limit: 200, ...filter }, { token: admin.accessToken });
    expect(page.status).toBe(200);
    return page.data.items;
  }

  async function lastOf(type: string): Promise<AuditEvent> {
    const [event] = await events({ type, limit: 1 });
    expect(event, `an ${type} event`).toBeDefined();
    return event!;
  }

  it('records every security event with time, actor, target, address and user agent', async () => {
    const headers = CLIENT;
    const user = await newUser(app.url, 'audited');
    secrets.push(user.password, user.tokens.accessToken, user.tokens.refreshToken);

    // login_succeeded, login_failed, account_locked
    const signedIn = await call(
      app.url,
      'auth.login',
      { username: user.username, password: user.password },
      { headers },
    );
    secrets.push(signedIn.data.accessToken, signedIn.data.refreshToken);
    expect(await lastOf('login_succeeded')).toMatchObject({
      actorUserId: user.id,
      targetUserId: user.id,
      ip: '203.0.113.50',
      userAgent: 'audit-test/1.0',
    });
    for (const guess of ['guess-one-1', 'guess-two-2', 'guess-three-3']) {
      secrets.push(guess);
      await call(app.url, 'auth.login', { username: user.username, password: guess }, { headers });
    }
    expect(await lastOf('login_failed')).toMatchObject({ targetUserId: user.id, detail: { reason: 'wrong_password' } });
    expect(await lastOf('account_locked')).toMatchObject({
      targetUserId: user.id,
      ip: '203.0.113.50',
      detail: { scope: 'account_ip', seconds: 900 },
    });
    await call(app.url, 'auth.login', { username: 'nobody-here', password: 'whatever-1' }, { headers });
    expect(await lastOf('login_failed')).toMatchObject({ targetUserId: null, detail: { reason: 'unknown_account' } });

    // refresh_reuse_detected
    const first = await call(app.url, 'auth.refresh', { refreshToken: signedIn.data.refreshToken }, { headers });
    secrets.push(first.data.refreshToken, first.data.accessToken);
    const reuse = await call(app.url, 'auth.refresh', { refreshToken: signedIn.data.refreshToken }, { headers });
    expect(reuse.status).toBe(401);
    expect(await lastOf('refresh_reuse_detected')).toMatchObject({
      targetUserId: user.id,
      ip: '203.0.113.50',
      detail: { sessionRevoked: true },
    });

    // logout
    await call(app.url, 'auth.logout', { refreshToken: user.tokens.refreshToken }, { headers });
    expect(await lastOf('logout')).toMatchObject({ actorUserId: user.id, targetUserId: user.id, ip: '203.0.113.50' });

    // password_changed
    const other = await newUser(app.url, 'changer');
    secrets.push(other.password, 'changed-password-7');
    await call(
      app.url,
      'user.changePassword',
      { currentPassword: other.password, newPassword: 'changed-password-7' },
      { token: other.tokens.accessToken, headers },
    );
    expect(await lastOf('password_changed')).toMatchObject({ actorUserId: other.id, targetUserId: other.id });

    // role_changed, user_deactivated, user_activated, user_deleted — by the admin
    const adminId = (await call(app.url, 'user.me', undefined, { token: admin.accessToken })).data.id;
    const token = admin.accessToken;
    await call(app.url, 'admin.users.setRole', { userId: other.id, role: 'viewer' }, { token, headers });
    expect(await lastOf('role_changed')).toMatchObject({
      actorUserId: adminId,
      targetUserId: other.id,
      detail: { from: 'user', to: 'viewer' },
      userAgent: 'audit-test/1.0',
    });
    await call(app.url, 'admin.users.setActive', { userId: other.id, active: false }, { token, headers });
    expect(await lastOf('user_deactivated')).toMatchObject({ actorUserId: adminId, targetUserId: other.id });
    await call(app.url, 'admin.users.setActive', { userId: other.id, active: true }, { token, headers });
    expect(await lastOf('user_activated')).toMatchObject({ actorUserId: adminId, targetUserId: other.id });
    await call(app.url, 'admin.users.delete', { userId: other.id }, { token, headers });
    expect(await lastOf('user_deleted')).toMatchObject({
      actorUserId: adminId,
      targetUserId: other.id,
      detail: { username: other.username },
    });

    // api_key_created, api_key_denied, api_key_revoked
    const created = await call(
      app.url,
      'admin.apiKeys.create',
      { name: 'audited', scopes: ['users:read'] },
      { token, headers },
    );
    // The secret is everything after the second underscore (gh_<id>_<secret>); it may itself start with '_'.
    secrets.push(created.data.key, created.data.key.slice(created.data.key.indexOf('_', 3) + 1));
    expect(await lastOf('api_key_created')).toMatchObject({
      actorUserId: adminId,
      apiKeyId: created.data.id,
      detail: { name: 'audited', scopes: 'users:read' },
    });
    await call(
      app.url,
      'service.introspect',
      { token: 'x' },
      { headers: { ...headers, 'x-api-key': created.data.key } },
    );
    expect(await lastOf('api_key_denied')).toMatchObject({
      apiKeyId: created.data.id,
      ip: '203.0.113.50',
      detail: { reason: 'missing_scope', scope: 'tokens:introspect' },
    });
    await call(app.url, 'admin.apiKeys.revoke', { id: created.data.id }, { token, headers });
    expect(await lastOf('api_key_revoked')).toMatchObject({ actorUserId: adminId, apiKeyId: created.data.id });

    // The email lifecycle: each mail sent and each link followed (tokens read from the outbox).
    const mailed = await newUser(app.url, 'mailed');
    const email = `${mailed.username}@example.com`;
    const tokenOf = async (kind: string, to = email) => {
      const mail = (await databaseOf(app.services).mailOutbox.list({ to, limit: 100 }))
        .filter((m) => m.kind === kind)
        .at(-1);
      const found = /[?&]token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
      expect(found, `a ${kind} mail to ${to}`).toBeDefined();
      secrets.push(found!);
      return found!;
    };
    expect(await lastOf('email_verification_sent')).toMatchObject({ targetUserId: mailed.id });
    await call(app.url, 'auth.verifyEmail', { token: await tokenOf('verify_email') }, { headers });
    expect(await lastOf('email_verified')).toMatchObject({ targetUserId: mailed.id, ip: '203.0.113.50' });
    await call(app.url, 'auth.requestSignInLink', { email }, { headers });
    expect(await lastOf('sign_in_link_sent')).toMatchObject({ targetUserId: mailed.id, ip: '203.0.113.50' });
    await call(app.url, 'auth.requestPasswordReset', { email: 'no-account@example.com' }, { headers });
    expect(await lastOf('mail_request_unmatched')).toMatchObject({
      targetUserId: null,
      detail: { purpose: 'reset_password' },
    });
    await call(app.url, 'auth.requestPasswordReset', { email }, { headers });
    expect(await lastOf('password_reset_sent')).toMatchObject({ targetUserId: mailed.id, detail: { by: 'self' } });
    secrets.push('reset-password-77');
    const resetToken = await tokenOf('reset_password');
    await call(app.url, 'auth.resetPassword', { token: resetToken, newPassword: 'reset-password-77' }, { headers });
    expect(await lastOf('password_reset')).toMatchObject({ actorUserId: mailed.id, targetUserId: mailed.id });
    const mailedTokens = await login(app.url, mailed.username, 'reset-password-77');
    const newEmail = `moved-${mailed.username}@example.com`;
    await call(
      app.url,
      'user.requestEmailChange',
      { newEmail, currentPassword: 'reset-password-77' },
      { token: mailedTokens.accessToken, headers },
    );
    expect(await lastOf('email_change_requested')).toMatchObject({ actorUserId: mailed.id, targetUserId: mailed.id });
    await call(app.url, 'auth.confirmEmailChange', { token: await tokenOf('change_email', newEmail) }, { headers });
    expect(await lastOf('email_changed')).toMatchObject({ targetUserId: mailed.id, ip: '203.0.113.50' });

    // Device sign-in: approved (then collected by the device) and denied.
    const approving = await call(app.url, 'auth.device.start', { clientName: 'audit CLI' }, { headers });
    secrets.push(approving.data.deviceCode);
    await call(
      app.url,
      'user.device.approve',
      { userCode: approving.data.userCode },
      { token: mailedTokens.accessToken, headers },
    );
    expect(await lastOf('device_approved')).toMatchObject({
      actorUserId: mailed.id,
      ip: '203.0.113.50',
      detail: { clientName: 'audit CLI' },
    });
    const collected = await call(app.url, 'auth.device.poll', { deviceCode: approving.data.deviceCode }, { headers });
    secrets.push(collected.data.accessToken, collected.data.refreshToken);
    expect(await lastOf('device_tokens_issued')).toMatchObject({ actorUserId: mailed.id, targetUserId: mailed.id });
    const denying = await call(app.url, 'auth.device.start', {}, { headers });
    secrets.push(denying.data.deviceCode);
    await call(
      app.url,
      'user.device.deny',
      { userCode: denying.data.userCode },
      { token: mailedTokens.accessToken, headers },
    );
    expect(await lastOf('device_denied')).toMatchObject({ actorUserId: mailed.id, detail: { clientName: null } });
    // Passkeys: added, renamed, refused (a replayed assertion), a counter gone backwards, deleted.
    const keyed = await newUser(app.url, 'keyed');
    const byKeyed = { token: keyed.tokens.accessToken, headers };
    const authenticator = new SoftwareAuthenticator(app.url);
    const creation = await call(app.url, 'user.passkeys.registrationOptions', undefined, byKeyed);
    const passkey = await call(
      app.url,
      'user.passkeys.register',
      { response: authenticator.create(creation.data.options), name: 'Laptop' },
      byKeyed,
    );
    expect(await lastOf('passkey_registered')).toMatchObject({
      actorUserId: keyed.id,
      targetUserId: keyed.id,
      ip: '203.0.113.50',
      detail: { credentialId: passkey.data.id, name: 'Laptop' },
    });
    await call(app.url, 'user.passkeys.rename', { id: passkey.data.id, name: 'Phone' }, byKeyed);
    expect(await lastOf('passkey_renamed')).toMatchObject({ actorUserId: keyed.id, detail: { name: 'Phone' } });
    const assertion = async (counter: number) => {
      const start = await call(app.url, 'auth.passkey.options', {}, { headers });
      return authenticator.get(start.data.options, { counter });
    };
    const used = await assertion(5);
    await call(app.url, 'auth.passkey.verify', { response: used }, { headers });
    expect(await lastOf('login_succeeded')).toMatchObject({ targetUserId: keyed.id, detail: { method: 'passkey' } });
    await call(app.url, 'auth.passkey.verify', { response: used }, { headers });
    expect(await lastOf('passkey_refused')).toMatchObject({
      ip: '203.0.113.50',
      detail: { ceremony: 'authentication', reason: 'challenge' },
    });
    await call(app.url, 'auth.passkey.verify', { response: await assertion(4) }, { headers });
    expect(await lastOf('passkey_counter_regression')).toMatchObject({
      targetUserId: keyed.id,
      detail: { credentialId: passkey.data.id, stored: 5, presented: 4 },
    });
    await call(app.url, 'user.passkeys.delete', { id: passkey.data.id }, byKeyed);
    expect(await lastOf('passkey_deleted')).toMatchObject({
      actorUserId: keyed.id,
      detail: { credentialId: passkey.data.id },
    });
    // Second factors: set-up, a sign-in's second step (wrong, then a backup code), new codes,
    // step-up (wrong, then right), disabling, and an admin reset.
    const guarded = await newUser(app.url, 'guarded');
    const own = { token: guarded.tokens.accessToken, headers };
    const app1 = await enableTotp(app.url, guarded.tokens.accessToken, () => new Date());
    secrets.push(app1.secret, ...app1.backupCodes);
    expect(await lastOf('mfa_totp_enabled')).toMatchObject({ actorUserId: guarded.id, targetUserId: guarded.id });
    const signIn = async () =>
      (await call(app.url, 'auth.login', { username: guarded.username, password: guarded.password }, { headers })).data
        .mfaToken as string;
    const mfaToken = await signIn();
    expect(await lastOf('mfa_challenge_started')).toMatchObject({
      targetUserId: guarded.id,
      detail: { firstFactor: 'password' },
    });
    await call(app.url, 'auth.mfa.verify', { mfaToken, code: '000000' }, { headers });
    expect(await lastOf('mfa_failed')).toMatchObject({ targetUserId: guarded.id, detail: { attempts: 1 } });
    await call(app.url, 'auth.mfa.verify', { mfaToken, code: app1.backupCodes[0] }, { headers });
    expect(await lastOf('mfa_verified')).toMatchObject({ actorUserId: guarded.id, detail: { method: 'backup_code' } });
    const renewed = await call(app.url, 'user.mfa.backupCodes.regenerate', undefined, own);
    secrets.push(...renewed.data.backupCodes);
    expect(await lastOf('mfa_backup_codes_regenerated')).toMatchObject({ actorUserId: guarded.id });
    await call(app.url, 'auth.reauthenticate', { code: '000000' }, own);
    expect(await lastOf('reauth_failed')).toMatchObject({ targetUserId: guarded.id });
    await call(app.url, 'auth.reauthenticate', { code: renewed.data.backupCodes[0] }, own);
    expect(await lastOf('reauthenticated')).toMatchObject({
      actorUserId: guarded.id,
      detail: { method: 'backup_code' },
    });
    await call(app.url, 'user.mfa.disable', undefined, own);
    expect(await lastOf('mfa_disabled')).toMatchObject({ actorUserId: guarded.id, detail: { totp: true } });
    secrets.push((await enableTotp(app.url, guarded.tokens.accessToken, () => new Date())).secret);
    await call(app.url, 'admin.users.resetMfa', { userId: guarded.id }, { token, headers });
    expect(await lastOf('mfa_reset')).toMatchObject({ actorUserId: adminId, targetUserId: guarded.id });

    const seen = new Set((await events()).map((e) => e.type));
    // These need an OAuth provider; test/oauth-oidc.test.ts checks them against a real one.
    const checkedWithProvider = new Set(['password_set', 'oauth_account_linked', 'oauth_account_unlinked']);
    expect([...AUDIT_EVENT_TYPES].filter((type) => !seen.has(type) && !checkedWithProvider.has(type))).toEqual([]);
  });

  it('never holds a secret', async () => {
    secrets.push(ADMIN.password, admin.accessToken, admin.refreshToken);
    const all = JSON.stringify(await events());
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/\$2[aby]\$/);
  });

  it('filters by user, type and time, and pages with a cursor', async () => {
    const user = await newUser(app.url, 'paged');
    for (let i = 0; i < 4; i++) await login(app.url, user.username, user.password);
    const mine = await events({ userId: user.id });
    // The sign-up's verification mail and five sign-ins.
    expect(mine.length).toBe(6);
    expect(mine.every((e) => e.actorUserId === user.id || e.targetUserId === user.id)).toBe(true);

    const token = admin.accessToken;
    const firstPage = await call(app.url, 'admin.audit.list', { userId: user.id, limit: 2 }, { token });
    const secondPage = await call(
      app.url,
      'admin.audit.list',
      { userId: user.id, limit: 2, cursor: firstPage.data.nextCursor },
      { token },
    );
    const thirdPage = await call(
      app.url,
      'admin.audit.list',
      { userId: user.id, limit: 2, cursor: secondPage.data.nextCursor },
      { token },
    );
    const paged = [...firstPage.data.items, ...secondPage.data.items, ...thirdPage.data.items];
    expect(paged.map((e: AuditEvent) => e.id)).toEqual(mine.map((e) => e.id));
    expect(thirdPage.data.nextCursor).toBeNull();

    const newest = mine[0]!.at;
    expect(await events({ userId: user.id, from: newest })).toHaveLength(mine.filter((e) => e.at >= newest).length);
    expect(await events({ userId: user.id, to: '2000-01-01T00:00:00Z' })).toEqual([]);
    expect((await events({ type: 'login_succeeded', userId: user.id })).length).toBe(5);
    expect((await call(app.url, 'admin.audit.list', { type: 'nonsense' }, { token })).status).toBe(400);
  });

  it('names the users each page mentions, however many users there are', async () => {
    const now = new Date();
    for (let i = 0; i < 120; i++) {
      const name = `crowd${i}`;
      await databaseOf(app.services).users.create(
        {
          username: name,
          usernameKey: name,
          email: `${name}@example.com`,
          emailKey: `${name}@example.com`,
          passwordHash: null,
          fullName: null,
          role: 'user',
        },
        now,
      );
    }
    const late = await newUser(app.url, 'latecomer'); // well past the first 100 ids
    const page = await call(app.url, 'admin.audit.list', { userId: late.id, limit: 5 }, { token: admin.accessToken });
    expect(page.data.items.length).toBeGreaterThan(0);
    expect(page.data.usernames).toEqual({ [String(late.id)]: late.username });
    // A deleted user's events stay; their name is simply absent.
    const deleted = await call(app.url, 'admin.users.delete', { userId: late.id }, { token: admin.accessToken });
    expect(deleted.status).toBe(200);
    const after = await call(app.url, 'admin.audit.list', { userId: late.id, limit: 5 }, { token: admin.accessToken });
    expect(Object.keys(after.data.usernames)).not.toContain(String(late.id));
  });

  it('is for admins only', async () => {
    const user = await newUser(app.url);
    expect((await call(app.url, 'admin.audit.list', {}, { token: user.tokens.accessToken })).status).toBe(403);
  });
});
