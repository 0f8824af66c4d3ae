import { createGatehouseClient } from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  alerts,
  apiClient,
  type Browser,
  createTestClock,
  describedBy,
  heading,
  launchBrowser,
  recordCalls,
  removeTempDirs,
  screenshot,
  signIn,
  startServer,
} from './harness';

const PASSWORD = 'correct horse battery';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const PEOPLE = [
  ['ada', 'Ada Lovelace', SAFARI_MAC],
  ['grace', 'Grace Hopper', FIREFOX_WINDOWS],
  ['linus', 'Linus Torvalds', 'curl/8.5.0'],
] as const;
const KEY_FORMAT = /^gh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

let server: RunningGatehouse;
let admin: Browser;
let other: Browser;
const ids = new Map<string, number>();
/** The server's clock: moved past the step-up window before the admin creates a key. */
const clock = createTestClock();

/** A Node-side service calling with an API key. */
function service(key: string) {
  return createGatehouseClient({ url: server.url, headers: () => ({ 'x-api-key': key }) });
}

beforeAll(async () => {
  [server, admin, other] = await Promise.all([startServer({}, { clock: clock.now }), launchBrowser(), launchBrowser()]);
  const api = apiClient(server.url);
  for (const [username, fullName] of PEOPLE) {
    const user = await api.register({ username, email: `${username}@example.com`, password: PASSWORD, fullName });
    ids.set(username, user.id);
  }
  // Sign-ins from a few devices, one wrong password, an admin change and two older keys.
  for (const [username, , userAgent] of PEOPLE)
    await apiClient(server.url, userAgent).login({ username, password: PASSWORD });
  await expect(
    apiClient(server.url, FIREFOX_WINDOWS).login({ username: 'grace', password: 'not her password' }),
  ).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  const ada = apiClient(server.url, SAFARI_MAC);
  await ada.login({ username: 'ada', password: PASSWORD });
  await ada.logout();
  const root = apiClient(server.url, 'gatehouse-cli/0.1.0');
  await root.login(ADMIN);
  await root.trpc.admin.users.setRole.mutate({ userId: ids.get('linus')!, role: 'viewer' });
  await root.trpc.admin.apiKeys.create.mutate({ name: 'reporting', scopes: ['users:read'] });
  const legacy = await root.trpc.admin.apiKeys.create.mutate({ name: 'legacy-sync', scopes: ['tokens:introspect'] });
  await root.trpc.admin.apiKeys.revoke.mutate({ id: legacy.id });
});

afterAll(async () => {
  await Promise.all([admin?.close(), other?.close()]);
  await server?.close();
  await removeTempDirs();
});

describe('audit log and API keys in the browser', () => {
  it('shows admins the audit log, newest first, with the sign-ins of the users', async () => {
    const { page } = admin;
    await signIn(page, server.url, ADMIN.username, ADMIN.password);
    await heading(page, 'Profile');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.textContent()).toContain('Users');
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await heading(page, 'Audit log');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(10);

    // Newest first: the admin's own browser sign-in heads the list.
    const first = rows.first();
    expect(await first.textContent()).toContain('Signed in');
    expect(await first.textContent()).toContain('admin');
    expect(await first.textContent()).toContain('Chrome on Linux');
    const table = (await page.locator('table').textContent()) ?? '';
    for (const text of ['API key revoked', 'API key created', 'Role changed', 'user → viewer', 'Sign-in failed']) {
      expect(table).toContain(text);
    }
    expect(table).toContain('wrong password');
    expect(table).toContain('Firefox on Windows');
    expect(table).toContain('127.0.0.1');
    await screenshot(page, 'admin-audit.png');

    // The users' sign-ins are on the next page.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await expect
      .poll(async () => (await page.locator('table').textContent()) ?? '')
      .toMatch(/Signed in.*grace.*Signed in.*ada/s);
    expect(await page.locator('table').textContent()).toContain('Safari on macOS');
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Page 1').waitFor();
  });

  it('filters by event type, user and date range', async () => {
    const { page } = admin;
    const rows = page.locator('tbody tr');
    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Sign-in failed' });
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Sign-in failed.*grace.*wrong password/);
    expect(await page.getByText('Page 1').isVisible()).toBe(true);

    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Signed in' });
    await expect.poll(() => rows.count()).toBe(6);
    await page.getByLabel('User ID').fill(String(ids.get('ada')));
    await expect.poll(() => rows.count()).toBe(2);
    for (const text of await rows.allTextContents()) expect(text).toMatch(/Signed in.*ada/);

    await page.getByLabel('User ID').fill('ada');
    await expect.poll(() => describedBy(page, 'User ID')).toContain('Enter a number');
    await page.getByLabel('User ID').fill('');

    // Today (the whole day) has every sign-in; from tomorrow on there is nothing yet.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(today);
    await page.getByLabel('To', { exact: true }).fill(today);
    await expect.poll(() => rows.count()).toBe(6);
    await page.getByLabel('From').fill(tomorrow);
    await expect.poll(() => describedBy(page, 'To')).toContain('Must not be before');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByText('No events match these filters.').waitFor();

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(10);
  });

  it('creates an API key, shows it once, lists it without the secret and revokes it', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await heading(page, 'API keys');
    await page.getByRole('row', { name: /reporting/ }).waitFor();
    expect(await page.getByRole('row', { name: /legacy-sync/ }).textContent()).toContain('Revoked');
    expect(await page.getByRole('button', { name: 'Revoke legacy-sync' }).count()).toBe(0);

    // The server's refusals appear next to their fields.
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => describedBy(page, 'Name')).toContain('Name is required');
    expect(await page.getByRole('group', { name: 'Scopes' }).textContent()).toContain('Give at least one scope');

    await page.getByLabel('Name').fill('billing');
    await page.getByRole('checkbox', { name: /tokens:introspect/ }).check();
    await page.getByLabel('Expires (optional)').fill('2030-01-31');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key “billing”' });
    await box.waitFor();
    expect(await box.textContent()).toContain("you won't see it again");
    const key = await box.getByLabel('API key').inputValue();
    expect(key).toMatch(KEY_FORMAT);
    expect(await box.getByLabel('API key').getAttribute('readonly')).not.toBeNull();
    // gh_<16 hex characters of public id>_<secret>; the secret may itself contain "_".
    const prefix = key.slice(0, 19);
    const secret = key.slice(20);

    // It works for a service, and the list shows its prefix but never the secret.
    await expect(service(key).trpc.service.introspect.mutate({ token: 'not-a-token' })).resolves.toEqual({
      active: false,
    });
    const row = page.getByRole('row', { name: /billing/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(prefix);
    expect(await row.textContent()).toContain('Jan 31, 2030');
    expect(await page.locator('table').textContent()).not.toContain(secret);
    await screenshot(page, 'admin-api-keys.png');

    await page.getByRole('button', { name: "I've saved it" }).click();
    await box.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await heading(page, 'API keys');
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await row.textContent()).toContain('just now');

    await page.getByRole('button', { name: 'Revoke billing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke API key?' });
    expect(await dialog.textContent()).toContain(prefix);
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await alerts(page)).toContain('“billing” has been revoked.');
    await expect.poll(async () => row.textContent()).toContain('Revoked');
    expect(await page.getByRole('button', { name: 'Revoke billing' }).count()).toBe(0);
    await expect(service(key).trpc.service.introspect.mutate({ token: 'not-a-token' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });

    // Both ends of the key's life are in the audit log, under the admin's name.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await heading(page, 'Audit log');
    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'API key revoked' });
    await expect
      .poll(async () => (await page.locator('tbody tr').first().textContent()) ?? '')
      .toMatch(new RegExp(`API key revoked.*admin.*${prefix}`));
  });

  it('asks the admin for the password again before making a key after ten minutes', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await heading(page, 'API keys');
    clock.advance(11 * 60_000);
    await page.getByLabel('Name').fill('nightly');
    await page.getByRole('checkbox', { name: /tokens:introspect/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Your password').fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    const box = page.getByRole('region', { name: 'Your new key “nightly”' });
    await box.waitFor();
    expect(await box.getByLabel('API key').inputValue()).toMatch(KEY_FORMAT);
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: "I've saved it" }).click();
  });

  it('keeps plain users out of both pages; the server refuses anyway', async () => {
    const { page } = other;
    await signIn(page, server.url, 'grace', PASSWORD);
    await heading(page, 'Profile');
    const nav = (await page.getByRole('navigation', { name: 'Main' }).textContent()) ?? '';
    expect(nav).not.toContain('Audit log');
    expect(nav).not.toContain('API keys');
    const { calls } = recordCalls(page);
    await page.goto(`${server.url}/admin/audit`);
    await heading(page, 'Audit log');
    await page.getByText("You don't have access to this page").waitFor();
    await page.goto(`${server.url}/admin/api-keys`);
    await heading(page, 'API keys');
    await page.getByText("You don't have access to this page").waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(calls.filter((call) => call.startsWith('admin.'))).toEqual([]);

    const grace = apiClient(server.url);
    await grace.login({ username: 'grace', password: PASSWORD });
    await expect(grace.trpc.admin.audit.list.query({})).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(grace.trpc.admin.apiKeys.list.query()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
