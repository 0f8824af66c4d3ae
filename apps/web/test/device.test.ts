/**
 * Device sign-in end to end: the real `gatehouse` CLI runs `login --device` against the real
 * server, Chromium signs in on the web app and approves (or denies) the code the CLI printed,
 * and the CLI ends signed in (or refused). Approving needs a recent sign-in: past the ten-minute
 * window (the server runs on a clock the test moves) the page asks for the password first.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  removeTempDirs,
  signIn,
  signOut,
  startServer,
} from './harness';

const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

interface CliRun {
  /** Resolves with the first printed line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs the built CLI as a user would, with its own HOME (where it keeps the tokens). */
function gatehouse(args: string[], home: string): CliRun {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home },
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, stdout, stderr });
    });
  });
  const waitFor = async (pattern: RegExp) => {
    for (;;) {
      const found = pattern.exec(stdout);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`the CLI ended without printing ${pattern}: ${stdout}${stderr}`);
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { waitFor, done };
}

let server: RunningGatehouse;
let browser: Browser;
const user = freshUser('devicer');
const clock = createTestClock();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`Build the CLI first: ${CLI} is missing`);
  [server, browser] = await Promise.all([startServer({}, { clock: clock.now }), launchBrowser()]);
  await apiClient(server.url).register(user);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await removeTempDirs();
});

describe('gatehouse login --device with the browser approving', () => {
  it('signs the CLI in once the user approves the printed code in the browser', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-device-home-'));
    const cli = gatehouse(['login', '--device', '--url', server.url], home);
    const [, link] = await cli.waitFor(/open (\S+\?user_code=\S+)\n/);
    const [, code] = await cli.waitFor(/shows the code ([A-Z]{4}-[A-Z]{4})/);
    expect(link).toBe(`${server.url}/device?user_code=${code}`);

    // Not signed in yet: the page sends the user through sign-in and back with the code kept.
    const { page } = browser;
    await page.goto(link!);
    await heading(page, 'Sign in');
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Sign in a device');
    await expect.poll(() => page.getByLabel('Code', { exact: true }).inputValue()).toBe(code);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => alerts(page)).toContain('gatehouse CLI is now signed in to your account');

    const result = await cli.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Signed in to ${server.url} as ${user.username} (role user)`);

    const whoami = gatehouse(['whoami'], home);
    const me = await whoami.done;
    expect(me.code).toBe(0);
    expect(me.stdout).toContain(user.username);
  }, 60_000);

  it('ends the CLI with a refusal when the user denies the code typed by hand', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-device-home-'));
    const cli = gatehouse(['login', '--device', '--url', server.url], home);
    const [, code] = await cli.waitFor(/shows the code ([A-Z]{4}-[A-Z]{4})/);

    const { page } = browser;
    await page.goto(`${server.url}/device`);
    await heading(page, 'Sign in a device');
    // Typed the lazy way: lower case, no dash.
    await page.getByLabel('Code', { exact: true }).fill(code!.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await expect.poll(() => alerts(page)).toContain('gatehouse CLI was refused');

    const result = await cli.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('denied');
    expect((await gatehouse(['whoami'], home).done).code).not.toBe(0);
    await signOut(page);
  }, 60_000);

  it('asks for the password again before approving when the sign-in is over ten minutes old', async () => {
    const { page } = browser;
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    // After the window, then the code: it lives ten minutes of the server's time too.
    clock.advance(11 * 60_000);
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-device-home-'));
    const cli = gatehouse(['login', '--device', '--url', server.url], home);
    const [, link] = await cli.waitFor(/open (\S+\?user_code=\S+)\n/);
    await page.goto(link!);
    await heading(page, 'Sign in a device');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Your password').fill(user.password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => alerts(page)).toContain('gatehouse CLI is now signed in to your account');
    expect(await dialog.isVisible()).toBe(false);

    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Signed in to ${server.url} as ${user.username}`);
  }, 60_000);
});
