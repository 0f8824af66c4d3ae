/**
 * The email lifecycle against a real SQLite database with an injected clock: token lifetimes,
 * superseding, single use, purpose binding, and what each flow changes. Mail is read from the
 * outbox (delivery has tests of its own in the server).
 */
import type { MailRecord } from '@gatehouse/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, type MailTransport, OutboxSender } from '../src/index.js';
import { createTestServices, databaseOf } from '../src/testing.js';

const client = { ip: '127.0.0.1', userAgent: 'test' };

describe('email lifecycle', () => {
  let services: AuthServices;
  let now: number;

  beforeEach(async () => {
    now = Date.parse('2026-01-01T00:00:00Z');
    services = await createTestServices({
      clock: () => new Date(now),
      email: { publicUrl: () => 'https://app.example.com', requestFloorMs: 0, productName: 'Acme' },
      rateLimits: { settings: { emailRequestsPerHour: 1000, emailsPerTargetPerHour: 1000 } },
    });
  });
  afterEach(() => services.close());

  const register = (name = 'dana') =>
    services.accounts.register({ username: name, email: `${name}@example.com`, password: 'password-1' });
  const mails = () => databaseOf(services).mailOutbox.list({ limit: 100 });
  const lastLink = async (kind: string) => {
    const mail = (await mails()).filter((m) => m.kind === kind).at(-1);
    const link = /https:\/\/app\.example\.com\/[a-z-]+\?token=[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0];
    if (!link) throw new Error(`no ${kind} link in the outbox`);
    return { link, token: new URL(link).searchParams.get('token')!, mail: mail! };
  };

  it('mails a verification link with the whole link in text and HTML, and verifies once', async () => {
    const user = await register();
    await services.email.afterRegistration(user, client);
    const { link, token, mail } = await lastLink('verify_email');
    expect(link).toMatch(/^https:\/\/app\.example\.com\/verify-email\?token=/);
    expect(mail).toMatchObject({ to: 'dana@example.com', subject: 'Confirm your email address for Acme' });
    expect(mail.html).toContain(link.replace('&', '&amp;'));
    expect(mail.text).toContain('1 day');
    // Only a hash is stored.
    expect(JSON.stringify(await databaseOf(services).emailTokens.consume(token, 'verify_email', new Date(now)))).toBe(
      'null',
    );
    expect((await services.email.verifyEmail(token, client)).emailVerified).toBe(true);
    await expect(services.email.verifyEmail(token, client)).rejects.toMatchObject({
      kind: 'BAD_REQUEST',
      field: 'token',
    });
  });

  it('lets links expire at their configured lifetimes', async () => {
    const user = await register();
    await services.email.sendPasswordResetAsAdmin({ userId: user.id, client }, user.id);
    const { token } = await lastLink('reset_password');
    now += 30 * 60_000 + 1;
    await expect(services.email.resetPassword(token, 'new-password-9', client)).rejects.toMatchObject({
      field: 'token',
    });
    await services.email.requestSignInLink('dana@example.com', client);
    const signIn = await lastLink('sign_in_link');
    now += 15 * 60_000 - 1;
    expect((await services.email.signInWithLink(signIn.token, client)).id).toBe(user.id);
  });

  it('supersedes an older link of the same purpose, and refuses a link used for another purpose', async () => {
    await register();
    await services.email.requestPasswordReset('dana@example.com', client);
    const first = await lastLink('reset_password');
    await services.email.requestPasswordReset('DANA@example.com', client);
    const second = await lastLink('reset_password');
    await expect(services.email.resetPassword(first.token, 'new-password-9', client)).rejects.toMatchObject({
      field: 'token',
    });
    await expect(services.email.verifyEmail(second.token, client)).rejects.toMatchObject({ field: 'token' });
    await expect(services.email.signInWithLink(second.token, client)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
    // The wrong-purpose attempts did not spend it.
    expect((await services.email.resetPassword(second.token, 'new-password-9', client)).emailVerified).toBe(true);
  });

  it('keeps a reset link usable when the new password is refused', async () => {
    await register();
    await services.email.requestPasswordReset('dana@example.com', client);
    const { token } = await lastLink('reset_password');
    await expect(services.email.resetPassword(token, 'short', client)).rejects.toMatchObject({ field: 'newPassword' });
    await services.email.resetPassword(token, 'new-password-9', client);
    await expect(services.accounts.authenticate('dana', 'new-password-9')).resolves.toMatchObject({ username: 'dana' });
  });

  it('voids mailed links when the password changes', async () => {
    const user = await register();
    const { sessionId } = await services.sessions.open(user, client);
    await services.email.requestSignInLink('dana@example.com', client);
    const { token } = await lastLink('sign_in_link');
    await services.accounts.changePassword(user.id, sessionId, 'password-1', 'password-2-new', client);
    await expect(services.email.signInWithLink(token, client)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
  });

  it('answers unknown addresses the same and sends nothing', async () => {
    await register();
    expect(await services.email.requestPasswordReset('nobody@example.com', client)).toEqual({ ok: true });
    expect(await services.email.requestSignInLink('dana', client)).toEqual({ ok: true });
    expect(await mails()).toEqual([]);
  });

  it('changes the email only through the link to the new address; a taken address gets a notice instead', async () => {
    const user = await register();
    await register('erin');
    await expect(
      services.email.requestEmailChange(user.id, 'new@example.com', 'wrong-password', client),
    ).rejects.toMatchObject({ field: 'currentPassword' });
    expect(await services.email.requestEmailChange(user.id, 'erin@example.com', 'password-1', client)).toEqual({
      ok: true,
    });
    const taken = (await mails()).map((m: MailRecord) => [m.kind, m.to]);
    expect(taken).toEqual([
      ['email_change_requested_notice', 'dana@example.com'],
      ['email_change_taken', 'erin@example.com'],
    ]);
    await services.email.requestEmailChange(user.id, 'New@Example.com', 'password-1', client);
    const { token, mail } = await lastLink('change_email');
    expect(mail.to).toBe('New@Example.com');
    expect((await databaseOf(services).users.findById(user.id))?.email).toBe('dana@example.com');
    const changed = await services.email.confirmEmailChange(token, client);
    expect(changed).toMatchObject({ email: 'New@Example.com', emailVerified: true });
    const last = (await mails()).at(-1);
    expect([last?.kind, last?.to]).toEqual(['email_changed_notice', 'dana@example.com']);
    await expect(services.email.confirmEmailChange(token, client)).rejects.toMatchObject({ field: 'token' });
  });

  it('refuses to change the email through the profile', async () => {
    const user = await register();
    await expect(services.accounts.updateProfile(user.id, { email: 'x@example.com' })).rejects.toMatchObject({
      kind: 'BAD_REQUEST',
      field: 'email',
    });
    expect(
      (await services.accounts.updateProfile(user.id, { email: 'DANA@example.com', fullName: 'D' })).fullName,
    ).toBe('D');
  });

  it('sends from the outbox with retries, and each mail once', async () => {
    const user = await register();
    await services.email.afterRegistration(user, client);
    await services.email.requestPasswordReset('dana@example.com', client);
    const delivered: number[] = [];
    let down = true;
    const transport: MailTransport = {
      description: 'test',
      send: async (mail) => {
        if (down) throw new Error('connection refused');
        delivered.push(mail.id);
      },
      close: () => {},
    };
    const sender = new OutboxSender({
      db: databaseOf(services),
      transport,
      clock: () => new Date(now),
      retryBaseMs: 1000,
    });
    expect(await sender.deliverDue()).toBe(2);
    expect(await sender.deliverDue()).toBe(0);
    down = false;
    now += 1000;
    expect(await sender.deliverDue()).toBe(0);
    now += 300;
    expect(await sender.deliverDue()).toBe(2);
    now += 3_600_000;
    expect(await sender.deliverDue()).toBe(0);
    expect(delivered).toHaveLength(2);
    expect((await mails()).map((m) => [m.status, m.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
  });
});
