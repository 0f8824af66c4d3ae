/**
 * The account lifecycle by email in Chromium. A real SMTP server (smtp-server, in this process)
 * receives every mail; each test reads the link out of the mail's text part and opens it, as a
 * user would click it.
 */
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  alerts,
  apiClient,
  type Browser,
  describedBy,
  freePort,
  freshUser,
  heading,
  launchBrowser,
  removeTempDirs,
  screenshot,
  signIn,
  signOut,
  startServer,
} from './harness';
import { linkIn, type Mail, type Mailbox, startMailbox } from './mailbox';

let mailbox: Mailbox;
let browser: Browser;

/** PUBLIC_URL (where mailed links point) is the test server's own URL, so links open its pages. */
async function startMailingServer(env: Record<string, string> = {}): Promise<RunningGatehouse> {
  const port = await freePort();
  return startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_URL: mailbox.url, ...env });
}

/** The link of a mail, checked to open `page` on `server`. */
function pageLink(mail: Mail, server: RunningGatehouse, page: string): string {
  const link = linkIn(mail);
  expect(link.origin).toBe(new URL(server.url).origin);
  expect(link.pathname).toBe(page);
  return link.href;
}

/** An account made through the API; its verification mail has arrived. */
async function register(server: RunningGatehouse, prefix: string) {
  const { username, email, password } = freshUser(prefix);
  await apiClient(server.url).register({ username, email, password });
  const verification = await mailbox.next(email, /Confirm your email address/);
  return { username, email, password, verification };
}

beforeAll(async () => {
  mailbox = await startMailbox();
});

afterAll(async () => {
  await mailbox?.close();
  await removeTempDirs();
});

describe('email flows in the browser (EMAIL_VERIFICATION=optional)', () => {
  let server: RunningGatehouse;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startMailingServer(), launchBrowser()]);
  });

  afterAll(async () => {
    // The browser first: its open connections would hold up the server's graceful close.
    await browser?.close();
    await server?.close();
  });

  it('resets a forgotten password from the mailed link, then signs in with the new one', async () => {
    const { page } = browser;
    const user = await register(server, 'reset');
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await heading(page, 'Forgot your password?');

    // An unknown address gets the same answer as a known one.
    await page.getByLabel('Email', { exact: true }).fill('nobody-here@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('If an account has the address nobody-here@example.com, we sent it').waitFor();

    const since = mailbox.count();
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`If an account has the address ${user.email}, we sent it`).waitFor();
    await screenshot(page, 'forgot-password.png');
    const link = pageLink(await mailbox.next(user.email, /Reset your .* password/, since), server, '/reset-password');
    expect(mailbox.sentTo('nobody-here@example.com')).toEqual([]);

    await page.goto(link);
    await heading(page, 'Choose a new password');
    await screenshot(page, 'reset-password.png');
    // The password policy is the server's, shown next to the field; the link stays usable.
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => describedBy(page, 'New password')).toContain('at least 8 characters');

    const newPassword = 'a reset passphrase';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await heading(page, 'Password changed');
    await mailbox.next(user.email, /password was reset/, since);

    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await signIn(page, server.url, user.username, user.password);
    await page.getByText('Invalid username or password').waitFor();
    await signIn(page, server.url, user.username, newPassword);
    await heading(page, 'Profile');
    await signOut(page);

    // The link worked once: opened again, the page says so and offers a new one.
    await page.goto(link);
    await page.getByRole('button', { name: 'Set new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('another passphrase');
    await page.getByLabel('Confirm new password').fill('another passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => alerts(page)).toContain('This link is invalid, was already used or has expired');
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  it('asks an unverified user to verify, resends the link, and the banner goes once it is opened', async () => {
    const { page } = browser;
    const user = await register(server, 'verify');
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    const banner = page.locator('.banner');
    await banner.getByText('Verify your email address.').waitFor();
    expect(await page.locator('.facts').textContent()).toContain('Not verified');
    await screenshot(page, 'verify-email-banner.png');

    const since = mailbox.count();
    await banner.getByRole('button', { name: 'Resend verification mail' }).click();
    await banner.getByText(`We sent a new link to ${user.email}`).waitFor();
    const link = pageLink(await mailbox.next(user.email, /Confirm your email address/, since), server, '/verify-email');

    // The link from registration was superseded by the new one.
    await page.goto(pageLink(user.verification, server, '/verify-email'));
    await heading(page, 'This link did not work');
    expect(await alerts(page)).toContain('This link is invalid, was already used or has expired');

    await page.goto(link);
    await heading(page, 'Email verified');
    await page.getByRole('link', { name: 'Continue to your profile' }).click();
    await heading(page, 'Profile');
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Verified');
    expect(await page.locator('.facts').textContent()).not.toContain('Not verified');
    expect(await banner.count()).toBe(0);
    await signOut(page);
  });

  it('changes the email only once the link mailed to the new address is opened', async () => {
    const { page } = browser;
    const user = await register(server, 'move');
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    const newEmail = `moved-${user.email}`;

    await page.getByLabel('New email').fill(newEmail);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await screenshot(page, 'change-email.png');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await expect.poll(() => describedBy(page, 'Password')).toContain('The current password is incorrect');

    const since = mailbox.count();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await page.getByText(`We sent a confirmation link to ${newEmail}`).waitFor();
    // Nothing changed yet: the profile still shows the current address.
    expect(await page.locator('.facts').textContent()).toContain(user.email);
    expect(await page.locator('.facts').textContent()).not.toContain(newEmail);

    const link = pageLink(
      await mailbox.next(newEmail, /Confirm your new email address/, since),
      server,
      '/confirm-email-change',
    );
    await mailbox.next(user.email, /change of your .* email address was requested/, since);

    await page.goto(link);
    await heading(page, 'Email address changed');
    expect(await alerts(page)).toContain(newEmail);
    await page.getByRole('link', { name: 'Continue to your profile' }).click();
    await heading(page, 'Profile');
    await expect.poll(() => page.locator('.facts').textContent()).toContain(newEmail);
    await mailbox.next(user.email, /email address was changed/, since);

    // Used once: the link now fails with the server's reason.
    await page.goto(link);
    await heading(page, 'This link did not work');
    expect(await alerts(page)).toContain('This link is invalid, was already used or has expired');
  });

  it('emails a sign-in link that signs the user in', async () => {
    const { page, context } = browser;
    await page.goto(`${server.url}/profile`);
    await heading(page, 'Profile');
    await signOut(page);
    const user = await register(server, 'magic');

    await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
    await heading(page, 'Sign in by email');
    const since = mailbox.count();
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByText(`If an account has the address ${user.email}, we sent it a sign-in link`).waitFor();
    const link = pageLink(await mailbox.next(user.email, /sign-in link/, since), server, '/sign-in-link');

    await page.goto(link);
    await heading(page, 'Profile');
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.locator('.facts').textContent()).toContain(user.username);
    // Cookie mode, as with a password: the refresh token is in the HttpOnly cookie.
    expect((await context.cookies()).find((c) => c.name === 'gatehouse_refresh')?.httpOnly).toBe(true);
    // Opening the link proved the address.
    expect(await page.locator('.banner').count()).toBe(0);

    await signOut(page);
    await page.goto(link);
    await heading(page, 'Sign-in link did not work');
    expect(await alerts(page)).toContain('This sign-in link is invalid, was already used or has expired');
  });

  it('shows admins who has verified their address and sends a user a reset link', async () => {
    const { page } = browser;
    const user = await register(server, 'helped');
    await page.goto(`${server.url}/sign-in`);
    await signIn(page, server.url, ADMIN.username, ADMIN.password);
    await heading(page, 'Profile');
    await page.getByRole('link', { name: 'Users' }).click();
    await heading(page, 'Users');

    const row = (name: string) => page.locator('tbody tr', { hasText: `@${name}` });
    await row(user.username).waitFor();
    expect(await row(user.username).textContent()).toContain('Not verified');
    expect(await row(ADMIN.username).textContent()).toContain('Verified');
    expect(await row(ADMIN.username).textContent()).not.toContain('Not verified');

    // The filter asks the server for unverified accounts only.
    await page.getByLabel('Email', { exact: true }).selectOption({ label: 'Not verified' });
    await expect.poll(() => row(ADMIN.username).count()).toBe(0);
    await row(user.username).waitFor();

    const since = mailbox.count();
    await page.getByRole('button', { name: `Send ${user.username} a password reset link` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(user.email).waitFor();
    await dialog.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`A password reset link is on its way to ${user.email}.`).waitFor();
    const mail = await mailbox.next(user.email, /Reset your .* password/, since);
    pageLink(mail, server, '/reset-password');
    await signOut(page);
  });
});

describe('EMAIL_VERIFICATION=required in the browser', () => {
  let server: RunningGatehouse;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startMailingServer({ EMAIL_VERIFICATION: 'required' }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses an unverified sign-in with a way to get a new link, and signs in once verified', async () => {
    const { page } = browser;
    const user = await register(server, 'strict');
    await page.goto(`${server.url}/sign-in`);
    await signIn(page, server.url, user.username, user.password);
    const notice = page.locator('.alert', { hasText: 'Verify your email address first' });
    await notice.waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    // Signed in by username: the notice asks for the address to send the link to.
    const since = mailbox.count();
    await notice.getByLabel('Your email address').fill(user.email);
    await screenshot(page, 'sign-in-unverified.png');
    await notice.getByRole('button', { name: 'Resend verification mail' }).click();
    await notice.getByText(`If ${user.email} belongs to an unverified account, a new link is on its way.`).waitFor();
    const link = pageLink(await mailbox.next(user.email, /Confirm your email address/, since), server, '/verify-email');

    // Signed in by address: no need to type it again.
    await signIn(page, server.url, user.email, user.password);
    await expect.poll(() => notice.getByLabel('Your email address').count()).toBe(0);
    await notice.getByRole('button', { name: 'Resend verification mail' }).waitFor();

    await page.goto(link);
    await heading(page, 'Email verified');
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    expect(await page.locator('.facts').textContent()).toContain('Verified');
  });
});

describe('email flows turned off in the browser', () => {
  let server: RunningGatehouse;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startMailingServer({ EMAIL_VERIFICATION: 'off', PASSWORD_RESET: 'off', SIGN_IN_LINKS: 'off' }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('offers no reset, sign-in link or verification banner when the server does not', async () => {
    const { page } = browser;
    const { username, email, password } = freshUser('plain');
    await apiClient(server.url).register({ username, email, password });
    await page.goto(`${server.url}/sign-in`);
    await heading(page, 'Sign in');
    // The options have arrived once the page has asked for them; then nothing optional shows.
    await expect
      .poll(() =>
        page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .map((entry) => entry.name)
            .join(' '),
        ),
      )
      .toContain('auth.emailOptions');
    await signIn(page, server.url, username, password);
    await heading(page, 'Profile');
    expect(await page.locator('.banner').count()).toBe(0);
    await signOut(page);
    expect(await page.getByRole('link', { name: 'Forgot password?' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Email me a sign-in link' }).count()).toBe(0);
  });
});
