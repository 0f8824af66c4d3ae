/**
 * Two-step verification in Chromium: set up an authenticator app on the profile (the test plays
 * the app, computing codes from the secret the page shows), sign in with a code and with a backup
 * code, confirm identity again for a change after the ten-minute window, and turn it off; then,
 * with the password alone, the password and email changes ask for it again after the window. The
 * server runs on a clock the test moves: each TOTP time step is accepted once, so the next code
 * comes from the next 30-second step instead of a wait.
 */
import type { RunningGatehouse } from '@gatehouse/server';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alerts,
  apiClient,
  type Browser,
  createTestClock,
  describedBy,
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
const clock = createTestClock();
const user = freshUser('grace');
const newPassword = 'a new horse battery';
let secret = '';
let backupCodes: string[] = [];

/** What the authenticator app would show now, by the server's clock. */
function currentCode(): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: clock.now().getTime() });
}

/** Into the next time step, so the app shows a code the server has not seen yet. */
function nextStep(): void {
  clock.advance(30_000);
}

const securitySection = () =>
  browser.page.locator('section', { has: browser.page.getByRole('heading', { name: 'Two-step verification' }) });

beforeAll(async () => {
  // Several sign-ins and codes from one address within a few (clock) minutes.
  [server, browser] = await Promise.all([
    startServer({ RATE_LIMIT_LOGIN_PER_MINUTE: '60' }, { clock: clock.now }),
    launchBrowser(),
  ]);
  await apiClient(server.url).register({ username: user.username, email: user.email, password: user.password });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await removeTempDirs();
});

describe('two-step verification in the browser', () => {
  it('sets up an authenticator app from the QR code page and shows the backup codes once', async () => {
    const { page } = browser;
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
    const section = securitySection();
    await section.getByRole('button', { name: 'Set up an authenticator app' }).click();

    const qr = section.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    secret = (await section.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // A wrong code is refused next to the field, and the app stays off.
    await section.getByLabel('Code from the app').fill('000000');
    await section.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => describedBy(page, 'Code from the app')).toContain('Invalid code');

    await section.getByLabel('Code from the app').fill(currentCode());
    await section.getByRole('button', { name: 'Turn on' }).click();
    const list = section.getByRole('list', { name: 'Backup codes' });
    await list.waitFor();
    backupCodes = (await list.getByRole('listitem').allInnerTexts()).map((code) => code.trim());
    expect(backupCodes).toHaveLength(10);
    await section.getByText('10 backup codes left').waitFor();
    await section.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'security.png');

    // Shown once: dismissed, they are gone from the page.
    await section.getByRole('button', { name: 'I have saved them' }).click();
    expect(await list.count()).toBe(0);
    expect(
      await apiClient(server.url).trpc.auth.login.mutate({ username: user.username, password: user.password }),
    ).toMatchObject({ mfaRequired: true });
  });

  it('asks for the code after the password; a wrong code shows an error and a right one signs in', async () => {
    const { page } = browser;
    await signOut(page);
    nextStep();
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Two-step verification');
    await page.getByText('Enter the 6-digit code from your authenticator app, or a backup code.').waitFor();
    await screenshot(page, 'sign-in-code.png');

    await page.getByLabel('Code', { exact: true }).fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => describedBy(page, 'Code')).toMatch(/invalid/i);
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await page.getByLabel('Code', { exact: true }).fill(currentCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Profile');
    await securitySection().getByText('10 backup codes left').waitFor();

    // Cookie mode, like a password sign-in: a reload keeps the session.
    await page.reload();
    await heading(page, 'Profile');
  });

  it('signs in with a backup code in place of the app code, once', async () => {
    const { page } = browser;
    await signOut(page);
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Two-step verification');
    const [backup] = backupCodes;
    await page.getByLabel('Code', { exact: true }).fill(backup ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Profile');
    await securitySection().getByText('9 backup codes left').waitFor();

    await signOut(page);
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Two-step verification');
    await page.getByLabel('Code', { exact: true }).fill(backup ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => describedBy(page, 'Code')).toMatch(/invalid/i);
    nextStep();
    await page.getByLabel('Code', { exact: true }).fill(currentCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Profile');
  });

  it('asks who it is again for a change after ten minutes, then makes it', async () => {
    const { page } = browser;
    clock.advance(11 * 60_000);
    const section = securitySection();
    await section.getByRole('button', { name: 'Regenerate backup codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    // The account has an app, so the code is asked for, not the password.
    await dialog.getByLabel('Authentication code').fill(currentCode());
    await dialog.getByRole('button', { name: 'Continue' }).click();
    const list = section.getByRole('list', { name: 'Backup codes' });
    await list.waitFor();
    const fresh = await list.getByRole('listitem').allInnerTexts();
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => backupCodes.includes(code.trim()))).toBe(false);
    await section.getByText('10 backup codes left').waitFor();
    await section.getByRole('button', { name: 'I have saved them' }).click();
  });

  it('turns the app off, after which sign-in asks only for the password', async () => {
    const { page } = browser;
    const section = securitySection();
    await section.getByRole('button', { name: 'Turn off' }).click();
    const dialog = page.getByRole('dialog', { name: 'Turn off two-step verification?' });
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await section.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
    expect(await alerts(page)).toContain('Two-step verification is off.');

    await signOut(page);
    await signIn(page, server.url, user.username, user.password);
    await heading(page, 'Profile');
  });

  it('asks for the password again before a password change, without an app', async () => {
    const { page } = browser;
    clock.advance(11 * 60_000);
    await page.getByLabel('Current password').fill(user.password);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Your password').fill(user.password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Your password has been changed.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it('asks for the password again before an email change, then sends the link', async () => {
    const { page } = browser;
    clock.advance(11 * 60_000);
    // The form's own password field is the new one; the dialog asks it once more for the session.
    const newEmail = `moved-${user.email}`;
    await page.getByLabel('New email').fill(newEmail);
    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Your password').fill(newPassword);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await page.getByText(`We sent a confirmation link to ${newEmail}`).waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });
});
