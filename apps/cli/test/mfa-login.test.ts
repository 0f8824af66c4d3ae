/**
 * `gatehouse login` for an account with an authenticator app: the code comes from --code or
 * GATEHOUSE_MFA_CODE, or is asked for on a terminal (a real pseudo-terminal, util-linux `script`).
 * The server's clock is moved by the test so each code belongs to a fresh time step.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatehouseClient } from '@gatehouse/client';
import type { RunningGatehouse } from '@gatehouse/server';
import { createTestClock, startTestGatehouse } from '@gatehouse/server/testing';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatehouse, tempDir } from './harness.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const clock = createTestClock();
const codeAt = (secret: string, at: Date) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({
    timestamp: at.getTime(),
  });
/** The code of the next time step, as the app would show it then. */
const nextCode = (secret: string) => {
  clock.advance(30_000);
  return codeAt(secret, clock.now());
};

describe('gatehouse login with a second factor', () => {
  let app: RunningGatehouse;
  const user = { username: `mfacli${Date.now().toString(36)}`, password: 'correct horse battery' };
  let secret = '';

  beforeAll(async () => {
    app = await startTestGatehouse({}, { clock: clock.now });
    const client = createGatehouseClient({ url: app.url });
    await client.register({ ...user, email: `${user.username}@example.com` });
    await client.login(user);
    const setup = await client.trpc.user.mfa.totp.setup.mutate();
    secret = setup.secret;
    await client.trpc.user.mfa.totp.enable.mutate({ code: codeAt(secret, clock.now()) });
  });
  afterAll(() => app.close());

  const tokenFile = () => join(tempDir(), 'credentials.json');

  it('takes the code from GATEHOUSE_MFA_CODE, and the typed client reports the challenge', async () => {
    const client = createGatehouseClient({ url: app.url });
    const outcome = await client.login(user);
    expect(outcome).toMatchObject({ mfaRequired: true, methods: ['totp', 'backup_code'] });
    expect(client.isSignedIn()).toBe(false);

    const file = tokenFile();
    const env = { GATEHOUSE_TOKEN_FILE: file, GATEHOUSE_PASSWORD: user.password, GATEHOUSE_MFA_CODE: nextCode(secret) };
    const login = await gatehouse(['login', '--url', app.url, '--username', user.username], env);
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain(`Signed in to ${app.url} as ${user.username}`);
    expect(JSON.parse(readFileSync(file, 'utf8')).accessToken).toBeTypeOf('string');
  });

  it('refuses a wrong code and saves nothing; without a terminal it says how to give one', async () => {
    const file = tokenFile();
    const base = { GATEHOUSE_TOKEN_FILE: file, GATEHOUSE_PASSWORD: user.password };
    const wrong = await gatehouse(['login', '--url', app.url, '--username', user.username, '--code', '000000'], base);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Invalid code');
    const none = await gatehouse(['login', '--url', app.url, '--username', user.username], base);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('GATEHOUSE_MFA_CODE');
    expect(existsSync(file)).toBe(false);
  });

  it('prompts for the code on a terminal after the password was right', async () => {
    const file = tokenFile();
    const command = `exec "${process.execPath}" "${MAIN}" login --url ${app.url} --username ${user.username}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: tempDir(), GATEHOUSE_TOKEN_FILE: file, GATEHOUSE_PASSWORD: user.password },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let typed = false;
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!typed && output.includes('Code from your authenticator app')) {
        typed = true;
        child.stdin.write(`${nextCode(secret)}\r`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exit;
    clearTimeout(timer);
    expect(typed, output).toBe(true);
    expect(output).toContain(`Signed in to ${app.url} as ${user.username}`);
    expect(code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});
