import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  alerts,
  apiClient,
  type Browser,
  heading,
  launchBrowser,
  recordCalls,
  removeTempDirs,
  screenshot,
  signIn,
  startServer,
} from './harness';

const PEOPLE = [
  ['alan', 'Alan Turing'],
  ['grace', 'Grace Hopper'],
  ['margaret', 'Margaret Hamilton'],
  ['dennis', 'Dennis Ritchie'],
  ['barbara', 'Barbara Liskov'],
  ['ken', 'Ken Thompson'],
  ['katherine', 'Katherine Johnson'],
  ['edsger', 'Edsger Dijkstra'],
  ['frances', 'Frances Allen'],
  ['tim', 'Tim Berners-Lee'],
  ['radia', 'Radia Perlman'],
  ['donald', 'Donald Knuth'],
] as const;
const PASSWORD = 'correct horse battery';

let server: RunningGatehouse;
let admin: Browser;
let other: Browser;
const ids = new Map<string, number>();

beforeAll(async () => {
  [server, admin, other] = await Promise.all([startServer(), launchBrowser(), launchBrowser()]);
  const api = apiClient(server.url);
  for (const [username, fullName] of PEOPLE) {
    const user = await api.register({ username, email: `${username}@example.com`, password: PASSWORD, fullName });
    ids.set(username, user.id);
  }
  // Some variety for the table: a viewer and a deactivated account.
  const root = apiClient(server.url);
  await root.login(ADMIN);
  await root.trpc.admin.users.setRole.mutate({ userId: ids.get('ken')!, role: 'viewer' });
  await root.trpc.admin.users.setActive.mutate({ userId: ids.get('barbara')!, active: false });
});

afterAll(async () => {
  await Promise.all([admin?.close(), other?.close()]);
  await server?.close();
  await removeTempDirs();
});

describe('user administration in the browser', () => {
  it('shows admins a users table with cursor pagination', async () => {
    const { page } = admin;
    await signIn(page, server.url, ADMIN.username, ADMIN.password);
    await heading(page, 'Profile');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await heading(page, 'Users');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(8);
    expect(await page.locator('table').textContent()).toContain('Alan Turing');
    await screenshot(page, 'admin-users.png');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.locator('table').textContent()).toContain('Donald Knuth');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Page 1').waitFor();
    await expect.poll(() => rows.count()).toBe(8);
  });

  it('filters by search text and role', async () => {
    const { page } = admin;
    const rows = page.locator('tbody tr');
    await page.getByRole('searchbox', { name: 'Search' }).fill('grace');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Grace Hopper');
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(() => rows.count()).toBe(8);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ken Thompson');
    await page.getByLabel('Role', { exact: true }).selectOption('');
    await expect.poll(() => rows.count()).toBe(8);
  });

  it("shows the server's refusal: the last admin cannot be demoted, nobody can delete themselves", async () => {
    const { page } = admin;
    await page.getByLabel('Role of admin').selectOption('user');
    const dialog = page.getByRole('dialog', { name: 'Change role?' });
    await dialog.getByRole('button', { name: 'Make user' }).click();
    await dialog.getByText(/the last active admin/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByLabel('Role of admin').inputValue()).toBe('admin');

    await page.getByRole('button', { name: 'Delete admin' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete user?' });
    await remove.getByRole('button', { name: 'Delete user' }).click();
    await remove.getByText('You cannot delete your own account').waitFor();
    await page.keyboard.press('Escape');
    await remove.waitFor({ state: 'hidden' });
  });

  it("changes a user's role and deactivates them; their browser is signed out", async () => {
    const { page } = admin;
    // Alan is signed in elsewhere.
    await signIn(other.page, server.url, 'alan', PASSWORD);
    await heading(other.page, 'Profile');

    await page.getByLabel('Role of alan').selectOption('admin');
    const dialog = page.getByRole('dialog', { name: 'Change role?' });
    await dialog.getByRole('button', { name: 'Make admin' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await alerts(page)).toContain('alan is now an admin.');
    expect(await page.getByLabel('Role of alan').inputValue()).toBe('admin');

    // The new role shows in Alan's browser on his next page.
    await other.page.getByRole('link', { name: 'Sessions' }).click();
    await other.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).waitFor();

    await page.getByRole('button', { name: 'Deactivate alan' }).click();
    const deactivate = page.getByRole('dialog', { name: 'Deactivate user?' });
    await deactivate.getByRole('button', { name: 'Deactivate' }).click();
    await deactivate.waitFor({ state: 'hidden' });
    await page
      .getByRole('row', { name: /Alan Turing/ })
      .getByText('Deactivated')
      .waitFor();

    await other.page.getByRole('link', { name: 'Profile' }).click();
    await heading(other.page, 'Sign in');
    expect(await alerts(other.page)).toContain('This account is deactivated');
    await signIn(other.page, server.url, 'alan', PASSWORD);
    await other.page.getByRole('alert').getByText('This account is deactivated').waitFor();
    expect(await alerts(other.page)).not.toContain('Your session has ended');
  });

  it('deletes a user after confirmation', async () => {
    const { page } = admin;
    await page.getByRole('searchbox', { name: 'Search' }).fill('donald');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Delete donald' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete user?' });
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await alerts(page)).toContain('donald has been deleted.');
    await page.getByText('No users match these filters.').waitFor();
    await expect(apiClient(server.url).login({ username: 'donald', password: PASSWORD })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('keeps plain users out: no link, no page, and the server refuses anyway', async () => {
    const { page } = other;
    await signIn(page, server.url, 'grace', PASSWORD);
    await heading(page, 'Profile');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toContain('Users');
    const { calls } = recordCalls(page);
    await page.goto(`${server.url}/admin`);
    await page.getByText("You don't have access to this page").waitFor();
    expect(calls).not.toContain('admin.users.list');

    const grace = apiClient(server.url);
    await grace.login({ username: 'grace', password: PASSWORD });
    await expect(grace.trpc.admin.users.list.query({})).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
