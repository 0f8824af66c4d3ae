import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alerts,
  apiClient,
  type Browser,
  createTestClock,
  freshUser,
  heading,
  launchBrowser,
  recordCalls,
  removeTempDirs,
  screenshot,
  signIn,
  startServer,
} from './harness';

const ACCESS_TTL_MS = 15 * 60_000;
const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let server: RunningGatehouse;
let browser: Browser;
const user = { ...freshUser('grace'), fullName: 'Grace Hopper' };
// The server's clock, moved past the access token's lifetime instead of waiting it out.
const clock = createTestClock();

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({ ACCESS_TOKEN_TTL: `${ACCESS_TTL_MS / 1000}s` }, { clock: clock.now }),
    launchBrowser(),
  ]);
  await apiClient(server.url).register(user);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await removeTempDirs();
});

describe('sessions in the browser (15 min access tokens, on a clock the test moves)', () => {
  it('refreshes an expired access token without the user noticing', async () => {
    const { page } = browser;
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    const { calls } = recordCalls(page);
    clock.advance(ACCESS_TTL_MS + 1_000);

    await page.getByLabel('Full name').fill('Rear Admiral Grace Hopper');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your profile has been saved.').waitFor();
    expect(calls).toContain('auth.refresh');
    expect(calls.filter((c) => c === 'user.update').length).toBeGreaterThanOrEqual(1);
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('lists the sessions of every device and revokes one from the page', async () => {
    const { page } = browser;
    const laptop = apiClient(server.url, FIREFOX_MAC);
    const phone = apiClient(server.url, IPHONE);
    await laptop.login(user);
    await phone.login(user);

    await page.getByRole('link', { name: 'Sessions' }).click();
    await heading(page, 'Sessions');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const text = await page.locator('table').textContent();
    expect(text).toContain('Chrome on Linux');
    expect(text).toContain('Firefox on macOS');
    expect(text).toContain('Safari on iOS');
    expect(text).toContain('127.0.0.1');
    expect(await rows.first().textContent()).toContain('This device');
    await screenshot(page, 'sessions.png');

    await page
      .getByRole('row', { name: /Safari on iOS/ })
      .getByRole('button', { name: /Revoke/ })
      .click();
    await page.getByText('The session has been revoked.').waitFor();
    await expect.poll(() => rows.count()).toBe(2);
    await expect(phone.trpc.user.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect((await laptop.trpc.user.me.query()).username).toBe(user.username);
  });

  it('sends this browser to sign-in when its session is revoked elsewhere, then back', async () => {
    const { page } = browser;
    const laptop = apiClient(server.url, FIREFOX_MAC);
    await laptop.login(user);
    const mine = (await laptop.trpc.user.sessions.query()).find((s) => !s.current && s.userAgent?.includes('Chrome'));
    expect(mine).toBeDefined();
    await laptop.trpc.user.revokeSession.mutate({ sessionId: mine!.id });

    // The page's next call fails, the cookie refresh is refused: the user lands on sign-in.
    await page.getByRole('link', { name: 'Profile' }).click();
    await heading(page, 'Sign in');
    expect(await alerts(page)).toContain('Your session has ended. Sign in again to continue.');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/profile');

    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    expect(new URL(page.url()).pathname).toBe('/profile');
  });

  it('signs out everywhere after a confirmation', async () => {
    const { page } = browser;
    const laptop = apiClient(server.url, FIREFOX_MAC);
    await laptop.login(user);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await heading(page, 'Sessions');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
    await dialog.waitFor();
    // Focus starts on the safe choice.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await heading(page, 'Sign in');
    expect(await alerts(page)).toContain('You have been signed out on every device.');
    await expect(laptop.trpc.user.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await page.reload();
    await heading(page, 'Sign in');
  });
});
