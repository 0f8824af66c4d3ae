import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  type Browser,
  freshUser,
  heading,
  launchBrowser,
  removeTempDirs,
  screenshot,
  signIn,
  startServer,
} from './harness';

let server: RunningGatehouse;
let browser: Browser;
const user = freshUser('ada');

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await apiClient(server.url).register(user);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await removeTempDirs();
});

describe('the API reference page', () => {
  it('lists every procedure of /openapi.json with method, summary, who may call it and its input', async () => {
    const { page } = browser;
    await signIn(page, server.url, user.username, user.password);
    await page.getByRole('link', { name: 'API', exact: true }).click();
    await heading(page, 'API reference');
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: object };
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(Object.keys(document.paths).length);

    const login = page.locator('tr[data-operation="auth.login"]');
    expect(await login.textContent()).toContain('POST /trpc/auth.login');
    expect(await login.textContent()).toContain('Sign in with username (or email) and password');
    expect(await login.textContent()).toContain('anyone');
    await login.getByText('JSON Schema').click();
    expect(await login.locator('pre').textContent()).toContain('"username"');

    const me = page.locator('tr[data-operation="user.me"]');
    expect(await me.textContent()).toMatch(/GET \/trpc\/user\.me.*bearer token.*none/);
    expect(await page.locator('tr[data-operation="admin.users.delete"]').textContent()).toContain(
      'bearer token, admin role',
    );
    expect(await page.locator('tr[data-operation="service.introspect"]').textContent()).toContain(
      'X-API-Key (tokens:introspect)',
    );
    await screenshot(page, 'api-reference.png');
  });
});
