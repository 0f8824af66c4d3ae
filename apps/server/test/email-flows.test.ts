import { databaseOf } from '@gatehouse/core/testing';
/**
 * The account lifecycle by email, end to end: a real SMTP server (smtp-server, in this process)
 * receives every mail, and each test reads the link out of the mail's text part and follows it
 * through the API, as a user would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import { ADMIN, adminTokens, type CallResult, call, DEFAULT_LIMITS, login, startTestServer } from './harness.js';
import { linkFrom, type ReceivedMail, startSmtp, type TestSmtp } from './smtp-support.js';

const PUBLIC_URL = 'http://localhost:5173';
const until = async (check: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
let counter = 0;
const fresh = (prefix: string) => {
  counter += 1;
  return `${prefix}${counter}${Date.now() % 100000}`;
};

describe('account lifecycle by email over SMTP', () => {
  let smtp: TestSmtp;
  let app: RunningGatehouse;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startTestServer({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Acme Accounts <accounts@acme.test>',
      MAIL_PRODUCT_NAME: 'Acme',
      PUBLIC_URL,
    });
    base = app.url;
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  /** Registers through the API; returns the account and its verification mail. */
  async function register(prefix = 'user') {
    const username = fresh(prefix);
    const email = `${username}@example.com`;
    const password = 'password-123';
    const result = await call(base, 'auth.register', { username, email, password });
    expect(result.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to === email && /Confirm your email/.test(m.subject));
    return { id: result.data.id as number, username, email, password, mail };
  }

  const mailTo = (address: string, subject: RegExp) =>
    smtp.waitFor((m) => m.to.toLowerCase() === address.toLowerCase() && subject.test(m.subject));
  const me = (token: string) => call(base, 'user.me', undefined, { token });
  const auditOf = async (userId: number) =>
    (await app.services.audit.list({ userId, limit: 100 })).items.map((e) => e.type);

  it('tells clients which email flows it offers', async () => {
    const options = await call(base, 'auth.emailOptions', undefined, {}, 'query');
    expect(options.data).toEqual({ verification: 'optional', signInLinks: true, passwordReset: true });
  });

  it('sends a verification mail at registration; its link verifies the address', async () => {
    const user = await register('ver');
    expect(user.mail.from).toBe('accounts@acme.test');
    expect(user.mail.subject).toBe('Confirm your email address for Acme');
    const { link, token, page } = linkFrom(user.mail);
    expect(link.startsWith(`${PUBLIC_URL}/verify-email?token=`)).toBe(true);
    expect(page).toBe('/verify-email');
    expect(user.mail.html).toContain(link);
    const tokens = await login(base, user.username, user.password);
    expect((await me(tokens.accessToken)).data.emailVerified).toBe(false);

    expect((await call(base, 'auth.verifyEmail', { token })).data).toEqual({ ok: true });
    expect((await me(tokens.accessToken)).data.emailVerified).toBe(true);
    // Single use.
    const again = await call(base, 'auth.verifyEmail', { token });
    expect(again.status).toBe(400);
    expect(again.error?.data.fieldErrors).toHaveProperty('token');
    expect(await auditOf(user.id)).toEqual(expect.arrayContaining(['email_verification_sent', 'email_verified']));
    // The audit log never holds a token.
    const events = JSON.stringify((await app.services.audit.list({ userId: user.id, limit: 100 })).items);
    expect(events).not.toContain(token);
  });

  it('resends a verification link on request; the newer link supersedes the older one', async () => {
    const user = await register('resend');
    const first = linkFrom(user.mail).token;
    const tokens = await login(base, user.username, user.password);
    const resent = await call(base, 'user.requestEmailVerification', undefined, { token: tokens.accessToken });
    expect(resent.data).toEqual({ ok: true });
    const second = await smtp.waitFor(
      (m) => m.to === user.email && linkFrom(m).token !== first && /Confirm/.test(m.subject),
    );
    expect((await call(base, 'auth.verifyEmail', { token: first })).status).toBe(400);
    expect((await call(base, 'auth.verifyEmail', { token: linkFrom(second).token })).status).toBe(200);
  });

  it('resets a password from the mailed link: sessions end, access tokens fail, audit, notice, verified', async () => {
    const user = await register('reset');
    const phone = await login(base, user.username, user.password);
    const laptop = await login(base, user.username, user.password);
    expect((await me(phone.accessToken)).status).toBe(200);

    const asked = await call(base, 'auth.requestPasswordReset', { email: user.email.toUpperCase() });
    expect(asked.data).toEqual({ ok: true });
    const mail = await mailTo(user.email, /Reset your Acme password/);
    const { token, page } = linkFrom(mail);
    expect(page).toBe('/reset-password');
    expect(mail.text).toContain('30 minutes');

    const reset = await call(base, 'auth.resetPassword', { token, newPassword: 'brand-new-password-7' });
    expect(reset.data).toEqual({ ok: true });
    // The very next call with an old access token is refused, and refresh tokens are dead.
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await me(laptop.accessToken)).status).toBe(401);
    expect((await call(base, 'auth.refresh', { refreshToken: laptop.refreshToken })).status).toBe(401);
    expect((await call(base, 'auth.login', { username: user.username, password: user.password })).status).toBe(401);
    const fresh = await login(base, user.username, 'brand-new-password-7');
    expect((await me(fresh.accessToken)).data.emailVerified).toBe(true);

    const notice = await mailTo(user.email, /password was reset/);
    expect(notice.text).toMatch(/signed out/);
    const audit = await app.services.audit.list({ userId: user.id, type: 'password_reset' });
    expect(audit.items[0]?.detail).toEqual({ sessionsEnded: 2 });
    expect(await auditOf(user.id)).toContain('password_reset_sent');
    // The link works once.
    expect((await call(base, 'auth.resetPassword', { token, newPassword: 'another-password-8' })).status).toBe(400);
  });

  it('lets exactly one of two racing uses of a reset link win', async () => {
    const user = await register('race');
    await call(base, 'auth.requestPasswordReset', { email: user.email });
    const { token } = linkFrom(await mailTo(user.email, /Reset your/));
    const [a, b] = await Promise.all([
      call(base, 'auth.resetPassword', { token, newPassword: 'racer-password-one' }),
      call(base, 'auth.resetPassword', { token, newPassword: 'racer-password-two' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const winner = a.status === 200 ? 'racer-password-one' : 'racer-password-two';
    await expect(login(base, user.username, winner)).resolves.toHaveProperty('accessToken');
  });

  it('refuses a link used for another purpose, and does not spend it', async () => {
    const user = await register('purpose');
    const verify = linkFrom(user.mail).token;
    expect((await call(base, 'auth.resetPassword', { token: verify, newPassword: 'not-this-way-99' })).status).toBe(
      400,
    );
    expect((await call(base, 'auth.signInWithLink', { token: verify })).status).toBe(401);
    expect((await call(base, 'auth.confirmEmailChange', { token: verify })).status).toBe(400);
    expect((await call(base, 'auth.verifyEmail', { token: verify })).status).toBe(200);
  });

  it('changes the email only when the link sent to the new address is followed', async () => {
    const user = await register('move');
    const tokens = await login(base, user.username, user.password);
    const newEmail = `${fresh('moved')}@example.org`;
    const wrong = await call(
      base,
      'user.requestEmailChange',
      { newEmail, currentPassword: 'not-the-password' },
      { token: tokens.accessToken },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.error?.data.fieldErrors).toHaveProperty('currentPassword');

    const asked = await call(
      base,
      'user.requestEmailChange',
      { newEmail, currentPassword: user.password },
      { token: tokens.accessToken },
    );
    expect(asked.data).toEqual({ ok: true });
    const confirm = await mailTo(newEmail, /Confirm your new email address/);
    const notice = await mailTo(user.email, /change of your Acme email address was requested/);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).not.toMatch(/token=/);
    expect((await me(tokens.accessToken)).data.email).toBe(user.email);

    const { token, page } = linkFrom(confirm);
    expect(page).toBe('/confirm-email-change');
    const confirmed = await call(base, 'auth.confirmEmailChange', { token });
    expect(confirmed.data).toEqual({ ok: true, email: newEmail });
    const after = (await me(tokens.accessToken)).data;
    expect(after).toMatchObject({ email: newEmail, emailVerified: true });
    await mailTo(user.email, /email address was changed/);
    // The new address signs in; the old one is free again.
    await expect(login(base, newEmail, user.password)).resolves.toHaveProperty('accessToken');
    expect((await call(base, 'auth.confirmEmailChange', { token })).status).toBe(400);
  });

  it('answers the same for a taken new address, and tells that address someone tried', async () => {
    const user = await register('taker');
    const other = await register('owner');
    const tokens = await login(base, user.username, user.password);
    const before = smtp.to(other.email).length;
    const asked = await call(
      base,
      'user.requestEmailChange',
      { newEmail: other.email.toUpperCase(), currentPassword: user.password },
      { token: tokens.accessToken },
    );
    expect(asked.status).toBe(200);
    expect(asked.data).toEqual({ ok: true });
    const tried = await mailTo(other.email, /Someone tried to use this address/);
    expect(tried.text).not.toMatch(/token=/);
    await mailTo(user.email, /change of your Acme email address was requested/);
    expect(smtp.to(other.email).length).toBe(before + 1);
    expect((await me(tokens.accessToken)).data.email).toBe(user.email);
  });

  it('no longer changes or probes emails through user.update', async () => {
    const user = await register('upd');
    const other = await register('probe');
    const tokens = await login(base, user.username, user.password);
    const taken = await call(base, 'user.update', { email: other.email }, { token: tokens.accessToken });
    const free = await call(
      base,
      'user.update',
      { email: `${fresh('free')}@example.com` },
      { token: tokens.accessToken },
    );
    for (const result of [taken, free]) {
      expect(result.status).toBe(400);
      expect(result.error?.data.fieldErrors?.email?.[0]).toMatch(/use user\.requestEmailChange/);
    }
    // Taken and free addresses get the same answer: user.update tells nothing about other accounts.
    expect(taken.error?.message).toBe(free.error?.message);
    expect((await me(tokens.accessToken)).data.email).toBe(user.email);
    // The whole profile with the unchanged address still saves.
    const saved = await call(
      base,
      'user.update',
      { fullName: 'Ada', email: user.email },
      { token: tokens.accessToken },
    );
    expect(saved.data).toMatchObject({ fullName: 'Ada', email: user.email });
  });

  it('signs in with a mailed link, once', async () => {
    const user = await register('link');
    const asked = await call(base, 'auth.requestSignInLink', { email: user.email });
    expect(asked.data).toEqual({ ok: true });
    const mail = await mailTo(user.email, /Your Acme sign-in link/);
    const { token, page } = linkFrom(mail);
    expect(page).toBe('/sign-in-link');
    const signedIn = await call(base, 'auth.signInWithLink', { token });
    expect(signedIn.data).toMatchObject({ tokenType: 'Bearer' });
    expect(signedIn.data.refreshToken).toEqual(expect.any(String));
    expect((await me(signedIn.data.accessToken)).data).toMatchObject({ id: user.id, emailVerified: true });
    const reused = await call(base, 'auth.signInWithLink', { token });
    expect(reused.status).toBe(401);
    const audit = await app.services.audit.list({ userId: user.id, type: 'login_succeeded' });
    expect(audit.items[0]?.detail).toEqual({ method: 'email_link' });
  });

  it('delivers the refresh token of a sign-in link in a cookie when asked', async () => {
    const user = await register('cookie');
    await call(base, 'auth.requestSignInLink', { email: user.email });
    const { token } = linkFrom(await mailTo(user.email, /sign-in link/));
    const result = await call(
      base,
      'auth.signInWithLink',
      { token, refreshCookie: true },
      { headers: { origin: base } },
    );
    expect(result.status).toBe(200);
    expect(result.data.refreshToken).toBeUndefined();
    expect(result.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });

  it('gives unknown addresses the same answer and sends them nothing', async () => {
    const user = await register('known');
    const count = smtp.mails.length;
    for (const path of ['auth.requestPasswordReset', 'auth.requestSignInLink']) {
      const known = await call(base, path, { email: user.email });
      const unknown = await call(base, path, { email: `nobody-${fresh('x')}@example.com` });
      expect(unknown.status).toBe(known.status);
      expect(unknown.data).toEqual(known.data);
    }
    await mailTo(user.email, /sign-in link/);
    await mailTo(user.email, /Reset your/);
    expect(smtp.mails.length).toBe(count + 2);
  });

  it('refuses bad input with a 400 naming the field; nothing is sent, nothing changes', async () => {
    const user = await register('bad');
    const tokens = await login(base, user.username, user.password);
    const count = smtp.mails.length;
    const outbox = (await databaseOf(app.services).mailOutbox.list({ limit: 10_000 })).length;
    const cases: [string, unknown, string, string?][] = [
      ['auth.requestPasswordReset', { email: 'not-an-address' }, 'email'],
      ['auth.requestPasswordReset', {}, 'email'],
      ['auth.requestSignInLink', { email: 'a'.repeat(300) }, 'email'],
      ['auth.verifyEmail', { token: 'short' }, 'token'],
      ['auth.confirmEmailChange', { token: 42 }, 'token'],
      ['auth.signInWithLink', { token: `${'A'.repeat(42)}!` }, 'token'],
      ['auth.resetPassword', { token: 'A'.repeat(43), newPassword: 'short' }, 'newPassword'],
      ['auth.resetPassword', { newPassword: 'long-enough-password' }, 'token'],
      ['user.requestEmailChange', { newEmail: 'nope', currentPassword: user.password }, 'newEmail', tokens.accessToken],
      [
        'user.requestEmailChange',
        { newEmail: user.email, currentPassword: user.password },
        'newEmail',
        tokens.accessToken,
      ],
      ['user.requestEmailChange', { newEmail: 'x@example.com' }, 'currentPassword', tokens.accessToken],
    ];
    for (const [path, input, field, token] of cases) {
      const result = await call(base, path, input, { token });
      expect(result.status, `${path} ${JSON.stringify(input)}`).toBe(400);
      expect(result.error?.data.fieldErrors, path).toHaveProperty(field);
      expect(result.error?.message).toContain(field === 'token' ? 'token' : field);
    }
    expect((await databaseOf(app.services).mailOutbox.list({ limit: 10_000 })).length).toBe(outbox);
    expect(smtp.mails.length).toBe(count);
    expect((await me(tokens.accessToken)).data).toMatchObject({ email: user.email, emailVerified: false });
  });

  it('lets an admin filter users on verification and mail a user a reset link', async () => {
    const user = await register('adm');
    const admin = await adminTokens(base);
    const unverified = await call(
      base,
      'admin.users.list',
      { emailVerified: false, limit: 100 },
      { token: admin.accessToken },
    );
    expect(unverified.data.items.map((u: { id: number }) => u.id)).toContain(user.id);
    const verified = await call(
      base,
      'admin.users.list',
      { emailVerified: true, limit: 100 },
      { token: admin.accessToken },
    );
    expect(verified.data.items.map((u: { username: string }) => u.username)).toContain(ADMIN.username);
    expect(verified.data.items.map((u: { id: number }) => u.id)).not.toContain(user.id);

    const sent = await call(base, 'admin.users.sendPasswordReset', { userId: user.id }, { token: admin.accessToken });
    expect(sent.data).toEqual({ ok: true });
    const { token } = linkFrom(await mailTo(user.email, /Reset your/));
    expect((await call(base, 'auth.resetPassword', { token, newPassword: 'admin-sent-password-1' })).status).toBe(200);
    const audit = await app.services.audit.list({ userId: user.id, type: 'password_reset_sent' });
    expect(audit.items[0]).toMatchObject({ detail: { by: 'admin' } });
    const userToken = (await login(base, user.username, user.password).catch(() => null)) === null;
    expect(userToken).toBe(true);
    const forUser = await call(
      base,
      'admin.users.sendPasswordReset',
      { userId: user.id },
      {
        token: (await login(base, user.username, 'admin-sent-password-1')).accessToken,
      },
    );
    expect(forUser.status).toBe(403);
  });
});

describe('EMAIL_VERIFICATION=required', () => {
  let smtp: TestSmtp;
  let app: RunningGatehouse;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, EMAIL_VERIFICATION: 'required' });
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  it('refuses password sign-in of an unverified address with a reason, after the password is checked', async () => {
    const username = fresh('req');
    const email = `${username}@example.com`;
    expect((await call(app.url, 'auth.register', { username, email, password: 'password-123' })).status).toBe(200);
    const refused = await call(app.url, 'auth.login', { username, password: 'password-123' });
    expect(refused.status).toBe(403);
    expect(refused.error?.data).toMatchObject({ code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });
    expect(refused.error?.message).toMatch(/Verify your email address/);
    // A wrong password learns nothing about verification.
    const wrong = await call(app.url, 'auth.login', { username, password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.error?.data).not.toHaveProperty('reason');
    // The admin (bootstrapped, its address given by the operator) is not locked out.
    await expect(login(app.url, ADMIN.username, ADMIN.password)).resolves.toHaveProperty('accessToken');

    // "Resend" without a session: the same answer for an address nobody has.
    await smtp.waitFor((m) => m.to === email);
    const resent = await call(app.url, 'auth.requestEmailVerification', { email });
    const unknown = await call(app.url, 'auth.requestEmailVerification', { email: `nobody-${username}@example.com` });
    expect(resent.data).toEqual({ ok: true });
    expect(unknown.data).toEqual(resent.data);
    await until(() => smtp.to(email).length === 2);
    const mail: ReceivedMail = smtp.to(email)[1]!;
    expect((await call(app.url, 'auth.verifyEmail', { token: linkFrom(smtp.to(email)[0]!).token })).status).toBe(400);
    expect((await call(app.url, 'auth.verifyEmail', { token: linkFrom(mail).token })).status).toBe(200);
    await expect(login(app.url, username, 'password-123')).resolves.toHaveProperty('accessToken');
  });
});

describe('mail features turned off', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startTestServer({ SIGN_IN_LINKS: 'off', PASSWORD_RESET: 'off', EMAIL_VERIFICATION: 'off' });
  }, 30_000);
  afterAll(() => app?.close());

  it('refuses sign-in links and resets, and sends no verification mail', async () => {
    const options = await call(app.url, 'auth.emailOptions', undefined, {}, 'query');
    expect(options.data).toEqual({ verification: 'off', signInLinks: false, passwordReset: false });
    expect((await call(app.url, 'auth.requestSignInLink', { email: 'a@example.com' })).status).toBe(404);
    expect((await call(app.url, 'auth.signInWithLink', { token: 'A'.repeat(43) })).status).toBe(404);
    expect((await call(app.url, 'auth.requestPasswordReset', { email: 'a@example.com' })).status).toBe(404);
    const username = fresh('off');
    await call(app.url, 'auth.register', { username, email: `${username}@example.com`, password: 'password-123' });
    expect(await databaseOf(app.services).mailOutbox.list({ limit: 10 })).toEqual([]);
  });
});

describe('limits on mail requests', () => {
  let app: RunningGatehouse;
  let ip = 0;
  /** A new client address for each call (through TRUST_PROXY), unless one is given. */
  const from = (address?: string) => ({ headers: { 'x-forwarded-for': address ?? `198.51.100.${++ip}` } });

  beforeAll(async () => {
    app = await startTestServer({
      ...DEFAULT_LIMITS,
      TRUST_PROXY: '1',
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_EMAIL_REQUESTS_PER_HOUR: '3',
      RATE_LIMIT_EMAILS_PER_TARGET_PER_HOUR: '2',
    });
  }, 30_000);
  afterAll(() => app?.close());

  const expectLimited = (result: CallResult) => {
    expect(result.status).toBe(429);
    expect(result.error?.data.code).toBe('TOO_MANY_REQUESTS');
    const seconds = Number(result.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect(result.error?.data.retryAfter).toBe(seconds);
    expect(result.error?.message).toMatch(/try again in \d+ minutes/);
  };

  it('limits each target address, from any client address, known or not alike', async () => {
    const username = fresh('lim');
    const email = `${username}@example.com`;
    await call(app.url, 'auth.register', { username, email, password: 'password-123' }, from());
    for (const target of [email, `nobody-${fresh('lim')}@example.com`]) {
      for (let i = 0; i < 2; i++) {
        expect((await call(app.url, 'auth.requestPasswordReset', { email: target }, from())).status).toBe(200);
      }
      // Letter case does not make a new target; a sign-in link counts against the same address.
      expectLimited(await call(app.url, 'auth.requestSignInLink', { email: target.toUpperCase() }, from()));
    }
  });

  it('limits each client address across targets', async () => {
    const address = '203.0.113.77';
    for (let i = 0; i < 3; i++) {
      const result = await call(
        app.url,
        'auth.requestPasswordReset',
        { email: `x${i}-${fresh('c')}@example.com` },
        from(address),
      );
      expect(result.status).toBe(200);
    }
    expectLimited(
      await call(app.url, 'auth.requestSignInLink', { email: `y-${fresh('c')}@example.com` }, from(address)),
    );
  });

  it('limits each account asking for verification mails and email changes', async () => {
    const username = fresh('acct');
    const password = 'password-123';
    await call(app.url, 'auth.register', { username, email: `${username}@example.com`, password }, from());
    const { accessToken } = (await call(app.url, 'auth.login', { username, password }, from())).data;
    const auth = (address?: string) => ({ ...from(address), token: accessToken });
    for (let i = 0; i < 2; i++) {
      expect((await call(app.url, 'user.requestEmailVerification', undefined, auth())).status).toBe(200);
    }
    expectLimited(await call(app.url, 'user.requestEmailVerification', undefined, auth()));
    // The same account budget covers email changes.
    const change = { newEmail: `${fresh('n')}@example.com`, currentPassword: password };
    expectLimited(await call(app.url, 'user.requestEmailChange', change, auth()));
  });
});
