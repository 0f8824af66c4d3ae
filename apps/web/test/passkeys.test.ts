/**
 * Passkeys in Chromium with its virtual authenticator (DevTools WebAuthn domain over a CDP
 * session): add one on the profile, sign out, sign in with no username, rename, delete; adding and
 * deleting come after the ten-minute step-up window (the server runs on a clock the test moves),
 * so each asks for the password first. Then the attacks, with assertions the same authenticator really signed, sent straight to the API: a
 * replayed assertion, a counter that went backwards, and an assertion made on another origin.
 * The server runs with PUBLIC_URL=http://localhost:<port>, so the RP ID is `localhost`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningGatehouse } from '@gatehouse/server';
import type { CDPSession, Page } from 'playwright-core';
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
  screenshot,
  signIn,
  signOut,
  startServer,
} from './harness';

let server: RunningGatehouse;
let browser: Browser;
let cdp: CDPSession;
let base = '';
/** Another origin on the same host name: a page there may use RP ID `localhost` too, as a phishing page would. */
let otherOrigin: Server;
const user = freshUser('pat');
const clock = createTestClock();
const STEP_UP_WINDOW_PASSED = 11 * 60_000;

/** A port that was free a moment ago (PUBLIC_URL must name the port before the server starts). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Credential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  signCount: number;
}

let authenticatorId = '';
async function credentials(): Promise<Credential[]> {
  const result = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: Credential[] };
  return result.credentials;
}

/** Calls a procedure with plain fetch, the way any HTTP client would. */
async function post(path: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Answers the step-up dialog with the password, as the user would. */
async function confirmWithPassword(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await dialog.getByLabel('Your password').fill(user.password);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Sign-in options from the server, as auth.passkey.options hands them out. */
async function passkeyOptions(): Promise<{ challenge: string; rpId: string }> {
  const { body } = await post('auth.passkey.options', {});
  return (body.result as { data: { options: { challenge: string; rpId: string } } }).data.options;
}

/** navigator.credentials.get in the page, answered by the virtual authenticator, as the browser's JSON. */
function assertInPage(page: Page, options: { challenge: string; rpId: string }) {
  return page.evaluate(async ({ challenge, rpId }) => {
    const fromB64 = (text: string) =>
      Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const toB64 = (buffer: ArrayBuffer) =>
      btoa(String.fromCharCode(...new Uint8Array(buffer)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const credential = (await navigator.credentials.get({
      publicKey: { challenge: fromB64(challenge), rpId, userVerification: 'required', allowCredentials: [] },
    })) as PublicKeyCredential;
    const response = credential.response as AuthenticatorAssertionResponse;
    return {
      id: credential.id,
      rawId: toB64(credential.rawId),
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: toB64(response.clientDataJSON),
        authenticatorData: toB64(response.authenticatorData),
        signature: toB64(response.signature),
        ...(response.userHandle ? { userHandle: toB64(response.userHandle) } : {}),
      },
    };
  }, options);
}

const errorCode = (body: Record<string, unknown>) => (body.error as { data: { code: string } } | undefined)?.data.code;

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  [server, browser] = await Promise.all([
    startServer({ PORT: String(port), PUBLIC_URL: base }, { clock: clock.now }),
    launchBrowser(),
  ]);
  otherOrigin = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>Not Gatehouse</title><h1>Looks like Gatehouse</h1>');
  });
  await new Promise<void>((resolve) => otherOrigin.listen(0, '127.0.0.1', resolve));
  cdp = await browser.context.newCDPSession(browser.page);
  await cdp.send('WebAuthn.enable');
  const added = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  })) as { authenticatorId: string };
  authenticatorId = added.authenticatorId;
  await apiClient(base).register(user);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => otherOrigin?.close(resolve));
  await removeTempDirs();
});

describe('passkeys in the browser', () => {
  it('adds a passkey from the profile after the password: a discoverable credential for RP ID localhost', async () => {
    const { page } = browser;
    await signIn(page, base, user.username, user.password);
    await heading(page, 'Profile');
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('No passkey yet.').waitFor();
    clock.advance(STEP_UP_WINDOW_PASSED);
    await section.getByLabel('Name for the new passkey').fill('Work laptop');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await confirmWithPassword(page);
    await section.locator('.passkey-list li', { hasText: 'Work laptop' }).waitFor();
    expect(await alerts(page)).toContain('Passkey added');
    expect(await section.locator('.passkey-list li').first().textContent()).toContain('never used');
    // One credential: after the step-up the same answer went again, the device was asked once.
    const stored = await credentials();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    // The section at the top of the picture, below the sticky header.
    await section.evaluate((element) => window.scrollBy(0, element.getBoundingClientRect().top - 80));
    await screenshot(page, 'passkeys.png');
  });

  it('signs out, then signs in with the passkey and no username', async () => {
    const { page } = browser;
    await signOut(page);
    expect(await page.getByLabel('Username or email').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading(page, 'Profile');
    await expect(page.getByText(user.username).first().isVisible()).resolves.toBe(true);
    const row = page.getByRole('region', { name: 'Passkeys' }).locator('.passkey-list li').first();
    await row.getByText(/used /).waitFor();
    expect(await row.textContent()).not.toContain('never used');
    expect((await credentials())[0]?.signCount).toBeGreaterThanOrEqual(1);
  });

  it('renames the passkey', async () => {
    const { page } = browser;
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('button', { name: 'Rename' }).click();
    await section.getByLabel('New name for “Work laptop”').fill('Pat’s phone');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.locator('.passkey-name', { hasText: 'Pat’s phone' }).waitFor();
    expect(await section.locator('.passkey-name').allInnerTexts()).toEqual(['Pat’s phone']);
  });

  it('refuses a replayed assertion: the challenge is single use', async () => {
    const assertion = await assertInPage(browser.page, await passkeyOptions());
    const first = await post('auth.passkey.verify', { response: assertion });
    expect(first.status).toBe(200);
    expect((first.body.result as { data: { accessToken: string } }).data.accessToken).toBeTruthy();
    const replay = await post('auth.passkey.verify', { response: assertion });
    expect(replay.status).toBe(401);
    expect(errorCode(replay.body)).toBe('UNAUTHORIZED');
  });

  it('refuses an assertion whose signature counter went backwards', async () => {
    const { page } = browser;
    // Two genuine assertions for two live challenges; the later one (higher counter) goes first.
    const older = await assertInPage(page, await passkeyOptions());
    const newer = await assertInPage(page, await passkeyOptions());
    expect((await post('auth.passkey.verify', { response: newer })).status).toBe(200);
    const stale = await post('auth.passkey.verify', { response: older });
    expect(stale.status).toBe(401);
    expect(errorCode(stale.body)).toBe('UNAUTHORIZED');
  });

  it('refuses an assertion made by a page on another origin, even for RP ID localhost', async () => {
    const { page } = browser;
    const { port } = otherOrigin.address() as AddressInfo;
    await page.goto(`http://localhost:${port}/`);
    const phished = await assertInPage(page, await passkeyOptions());
    const refused = await post('auth.passkey.verify', { response: phished });
    expect(refused.status).toBe(401);
    expect(errorCode(refused.body)).toBe('UNAUTHORIZED');
    // The same authenticator on the real origin still signs in: only the origin was wrong.
    await page.goto(`${base}/profile`);
    await heading(page, 'Profile');
    const genuine = await post('auth.passkey.verify', { response: await assertInPage(page, await passkeyOptions()) });
    expect(genuine.status).toBe(200);
  });

  it('deletes the passkey after the password; it signs in no more', async () => {
    const { page } = browser;
    const section = page.getByRole('region', { name: 'Passkeys' });
    clock.advance(STEP_UP_WINDOW_PASSED);
    await section.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this passkey?' })
      .getByRole('button', { name: 'Delete passkey' })
      .click();
    await confirmWithPassword(page);
    await section.getByText('No passkey yet.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    const orphan = await post('auth.passkey.verify', { response: await assertInPage(page, await passkeyOptions()) });
    expect(orphan.status).toBe(401);
  });
});
