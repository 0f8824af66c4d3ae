import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatehouseClient, type GatehouseClient } from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { startTestGatehouse, type TestGatehouseOptions } from '@gatehouse/server/testing';

export { createTestClock } from '@gatehouse/server/testing';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const ADMIN = { username: 'admin', email: 'admin@example.com', password: 'admin-password-1' };
const WEB_DIST = fileURLToPath(new URL('../dist', import.meta.url));
/**
 * The committed pictures are refreshed only on request (UPDATE_SCREENSHOTS=1); ordinary runs
 * still take every screenshot, into test-results, so a test run leaves the tree clean.
 */
const SCREENSHOTS = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../../../docs/screenshots' : '../test-results/screenshots',
    import.meta.url,
  ),
);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const temporary: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** For servers whose URL must be known before they start (PUBLIC_URL): take a free port, then listen on it. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The real server serving the built web app, on an ephemeral port with a fresh database. */
export async function startServer(
  env: Record<string, string> = {},
  options: TestGatehouseOptions = {},
): Promise<RunningGatehouse> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`Build the web app first: ${WEB_DIST} is missing`);
  return startTestGatehouse(
    {
      DATA_DIR: await tempDir('gatehouse-web-data-'),
      WEB_DIST,
      GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
      GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
    options,
  );
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Debian Chromium with a new, empty profile (see shared/TOOLCHAIN.md, item 12). */
export async function launchBrowser(): Promise<Browser> {
  const context = await chromium.launchPersistentContext(await tempDir('gatehouse-web-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'light',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close: () => context.close() };
}

/** A Node-side client of the same server (another device of the user, or the admin's script). */
export function apiClient(url: string, userAgent?: string): GatehouseClient {
  return createGatehouseClient({ url, ...(userAgent ? { headers: () => ({ 'user-agent': userAgent }) } : {}) });
}

let counter = 0;

export function freshUser(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${counter}${Date.now().toString(36).slice(-4)}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery', fullName: '' };
}

/** Waits for the page's main heading. */
export async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  if (!page.url().includes('/sign-in')) await page.goto(`${baseUrl}/sign-in`);
  await heading(page, 'Sign in');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(page, 'Sign in');
}

/** The message tied to an input through aria-describedby (its hint and error). */
export async function describedBy(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  const ids = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    ids
      .split(' ')
      .filter(Boolean)
      .map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  return texts.join(' ');
}

/** Text of the visible alerts and status messages. */
export async function alerts(page: Page): Promise<string> {
  const texts = await page.locator('.alert').allInnerTexts();
  return texts.join('\n');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  // No blinking caret or focus ring in the committed pictures.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SCREENSHOTS, name), animations: 'disabled', caret: 'hide' });
}

/** Paths of tRPC procedures the page calls from now on (a batch lists several). */
export function recordCalls(page: Page): { calls: string[] } {
  const calls: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/trpc/')) return;
    calls.push(...decodeURIComponent(url.pathname.slice('/trpc/'.length)).split(','));
  });
  return { calls };
}
