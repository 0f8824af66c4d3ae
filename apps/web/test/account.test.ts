import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alerts,
  type Browser,
  describedBy,
  freshUser,
  heading,
  launchBrowser,
  recordCalls,
  removeTempDirs,
  screenshot,
  signIn,
  signOut,
  startServer,
} from './harness';

let server: RunningGatehouse;
let browser: Browser;
const user = { ...freshUser('ada'), fullName: 'Ada Lovelace' };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await removeTempDirs();
});

describe('account flows in the browser', () => {
  it('serves the app at / and sends visitors to sign-in', async () => {
    const { page } = browser;
    const response = await page.goto(server.url);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await heading(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await screenshot(page, 'sign-in.png');
  });

  it('signs up, showing the server field errors next to the fields', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create your account');
    // Taken username: the server's CONFLICT lands next to the username field.
    await page.getByLabel('Username', { exact: true }).fill('admin');
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByLabel('Confirm password').fill(user.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => describedBy(page, 'Username')).toContain('This username is already registered');
    expect(await page.getByLabel('Username', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');

    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Full name (optional)').fill(user.fullName);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Profile');
    expect(await page.locator('.facts').textContent()).toContain(user.username);
  });

  it('edits the profile, with server validation shown next to the field', async () => {
    const { page } = browser;
    await page.getByLabel('Full name').fill('Ada King');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your profile has been saved.').waitFor();
    await page.locator('.account-name', { hasText: 'Ada King' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    await screenshot(page, 'profile.png');

    // The address changes only through a link mailed to the new one (Change email); a bad
    // address is refused there, next to its field.
    await page.getByLabel('New email').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await expect.poll(() => describedBy(page, 'New email')).toContain('Enter a valid email address');
    expect(await page.locator('.facts').textContent()).toContain(user.email);
  });

  it('keeps the session across a reload with the token in memory and the refresh token HttpOnly', async () => {
    const { page, context } = browser;
    const { calls } = recordCalls(page);
    await page.reload();
    await heading(page, 'Profile');
    expect(await page.getByLabel('Full name').inputValue()).toBe('Ada King');
    expect(calls).toContain('auth.refresh');

    expect(await page.evaluate(() => document.cookie)).not.toContain('gatehouse_refresh');
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).toBe('{}{}');
    const cookie = (await context.cookies()).find((c) => c.name === 'gatehouse_refresh');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/trpc' });
  });

  it('changes the password: wrong current password is shown at the field, then it works', async () => {
    const { page } = browser;
    const newPassword = 'a brand new passphrase';
    await page.getByLabel('Current password').fill('wrong password');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => describedBy(page, 'Current password')).toContain('The current password is incorrect');

    await page.getByLabel('Current password').fill(user.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed.').waitFor();
    user.password = newPassword;

    // The access token was revoked by the change; the next call refreshes without a word.
    await page.getByRole('link', { name: 'Sessions' }).click();
    await heading(page, 'Sessions');
    await page.getByText('This device').waitFor();
  });

  it('signs out, refuses a wrong password plainly, and signs in with the new one', async () => {
    const { page, context } = browser;
    await signOut(page);
    expect(await alerts(page)).toContain('You have signed out.');
    expect((await context.cookies()).some((c) => c.name === 'gatehouse_refresh')).toBe(false);

    await signIn(page, server.url, user.username, 'not the password');
    await page.getByText('Invalid username or password').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Invalid username or password');

    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
  });

  it('returns to the page that was asked for after signing in', async () => {
    const { page } = browser;
    await signOut(page);
    await page.goto(`${server.url}/sessions`);
    await heading(page, 'Sign in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/sessions');
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Sessions');
    expect(new URL(page.url()).pathname).toBe('/sessions');
  });

  it('does not show or open the admin page for a plain user', async () => {
    const { page } = browser;
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toContain('Users');
    await page.goto(`${server.url}/admin`);
    await page.getByText("You don't have access to this page").waitFor();
    expect(await page.locator('table').count()).toBe(0);
  });

  it('shows the rate limit plainly', async () => {
    const { page } = browser;
    const strict = await startServer({ RATE_LIMIT_LOGIN_PER_MINUTE: '2' });
    try {
      await page.goto(`${strict.url}/sign-in`);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await signIn(page, strict.url, 'nobody', 'not the password');
        await page.getByRole('alert').waitFor();
      }
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/too many .*try again in \d+ seconds?/i);
      expect(await page.getByRole('button', { name: 'Sign in', exact: true }).isEnabled()).toBe(true);
    } finally {
      await strict.close();
    }
  });
});
