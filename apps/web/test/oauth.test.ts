/**
 * "Continue with …" through a real OpenID Provider (oidc-provider) on loopback, in Chromium; then
 * linking and unlinking a provider account, and setting a first password, past the ten-minute
 * step-up window (the server runs on a clock the test moves).
 */
import type { RunningGatehouse } from '@gatehouse/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type TestProvider } from '../../server/test/oidc-provider-support';
import {
  alerts,
  apiClient,
  type Browser,
  createTestClock,
  freePort,
  freshUser,
  heading,
  launchBrowser,
  removeTempDirs,
  signIn,
  signOut,
  startServer,
} from './harness';

let op: TestProvider;
let server: RunningGatehouse;
let browser: Browser;
const clock = createTestClock();
const STEP_UP_WINDOW_PASSED = 11 * 60_000;

/** At the provider: its login page (any password does), then its consent page. */
async function approveAtProvider(page: Page, sub: string): Promise<void> {
  await page.waitForURL((url) => url.origin === op.issuer);
  await page.locator('input[name="login"]').fill(sub);
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached' });
  await page.locator('button[type="submit"]').click();
}

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  op = await startOidcProvider(`${publicUrl}/auth/callback/oidc`);
  op.accounts.set('grace-sub', {
    sub: 'grace-sub',
    email: 'grace@example.com',
    email_verified: true,
    name: 'Grace Hopper',
    preferred_username: 'grace',
  });
  [server, browser] = await Promise.all([
    startServer(
      {
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET: op.clientSecret,
        OIDC_DISPLAY_NAME: 'Test IdP',
      },
      { clock: clock.now },
    ),
    launchBrowser(),
  ]);
  // The provider's dev pages import a web font; there is no network here.
  await browser.context.route('https://fonts.googleapis.com/**', (route) => route.abort());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await op?.close();
  await removeTempDirs();
});

describe('sign-in with a provider in the browser', () => {
  it('continues with the provider, comes back signed in, and shows the linked account', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/sign-in`);
    await heading(page, 'Sign in');
    await page.getByRole('button', { name: 'Continue with Test IdP' }).click();
    await approveAtProvider(page, 'grace-sub');

    await heading(page, 'Profile');
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.locator('.facts').textContent()).toContain('grace');
    await page.getByRole('heading', { name: 'Linked accounts' }).waitFor();
    expect(await page.locator('.linked-accounts').textContent()).toContain('Test IdP');
    await page.getByRole('heading', { name: 'Set a password' }).waitFor();
  });

  it('tells a provider-only account to sign in again before setting a password after ten minutes', async () => {
    const { page } = browser;
    clock.advance(STEP_UP_WINDOW_PASSED);
    await page.getByLabel('New password').fill('grace has a password now');
    await page.getByRole('button', { name: 'Set password' }).click();
    // No password and no app to confirm with: the dialog says how, and Cancel shows the refusal.
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByText('Sign out, sign in again with your provider, and retry.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => alerts(page)).toContain('Confirm it is you first');
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('heading', { name: 'Set a password' }).waitFor();
  });

  it('links a provider account to a password account, and unlinks it, each after the password', async () => {
    const { page, context } = browser;
    await signOut(page);
    // The provider would otherwise still know Grace and skip its login page.
    await context.clearCookies();
    const ada = freshUser('ada');
    op.accounts.set('ada-sub', { sub: 'ada-sub', email: 'ada@idp.example.com', email_verified: true, name: 'Ada' });
    await apiClient(server.url).register({ username: ada.username, email: ada.email, password: ada.password });
    await signIn(page, server.url, ada.username, ada.password);
    await heading(page, 'Profile');
    const section = page.getByRole('region', { name: 'Linked accounts' });
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    const confirm = async () => {
      await dialog.getByLabel('Your password').fill(ada.password);
      await dialog.getByRole('button', { name: 'Continue' }).click();
    };

    clock.advance(STEP_UP_WINDOW_PASSED);
    await section.getByRole('button', { name: 'Link Test IdP' }).click();
    await confirm();
    await approveAtProvider(page, 'ada-sub');
    await heading(page, 'Profile');
    await expect.poll(() => section.locator('.linked-accounts').textContent()).toContain('ada@idp.example.com');

    clock.advance(STEP_UP_WINDOW_PASSED);
    await section.getByRole('button', { name: 'Unlink' }).click();
    await confirm();
    await section.getByText('No provider is linked to this account.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });
});
