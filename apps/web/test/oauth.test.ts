/** "Continue with …" through a real OpenID Provider (oidc-provider) on loopback, in Chromium. */
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type TestProvider } from '../../server/test/oidc-provider-support';
import { type Browser, freePort, heading, launchBrowser, removeTempDirs, startServer } from './harness';

let op: TestProvider;
let server: RunningGatehouse;
let browser: Browser;

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
    startServer({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: op.clientId,
      OIDC_CLIENT_SECRET: op.clientSecret,
      OIDC_DISPLAY_NAME: 'Test IdP',
    }),
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

    // At the provider: its login page, then its consent page.
    await page.waitForURL((url) => url.origin === op.issuer);
    await page.locator('input[name="login"]').fill('grace-sub');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached' });
    await page.locator('button[type="submit"]').click();

    await heading(page, 'Profile');
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.locator('.facts').textContent()).toContain('grace');
    await page.getByRole('heading', { name: 'Linked accounts' }).waitFor();
    expect(await page.locator('.linked-accounts').textContent()).toContain('Test IdP');
    await page.getByRole('heading', { name: 'Set a password' }).waitFor();
  });
});
