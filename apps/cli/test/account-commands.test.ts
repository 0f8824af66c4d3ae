import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGatehouseClient, errorCode } from '@gatehouse/client';
import { databaseOf } from '@gatehouse/core/testing';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, gatehouse, startServer, tempDir } from './harness.js';

let counter = 0;
function freshUser() {
  counter += 1;
  const username = `cli${counter}_${Date.now().toString(36)}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery' };
}

const readTokens = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string; refreshToken: string | null };

describe('gatehouse register / login / whoami / logout', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  /** A user registered through the CLI, and an environment with its own token file. */
  async function setup() {
    const user = freshUser();
    const tokenFile = join(tempDir(), 'gatehouse', 'credentials.json');
    const env = { GATEHOUSE_TOKEN_FILE: tokenFile, GATEHOUSE_URL: app.url };
    const registered = await gatehouse(
      [
        'register',
        '--username',
        user.username,
        '--email',
        user.email,
        '--password',
        user.password,
        '--full-name',
        'Ann Example',
      ],
      env,
    );
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`Registered ${user.username}`);
    return { user, tokenFile, env };
  }

  it('logs in, shows the user, logs out and revokes the session', async () => {
    const { user, tokenFile, env } = await setup();

    const login = await gatehouse(['login', '--url', app.url, '--username', user.username], {
      GATEHOUSE_TOKEN_FILE: tokenFile,
      GATEHOUSE_PASSWORD: user.password,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Signed in to ${app.url} as ${user.username} (role user)`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const { refreshToken } = readTokens(tokenFile);
    expect(refreshToken).toBeTruthy();

    // whoami finds the server it signed in to, even with GATEHOUSE_URL pointing elsewhere.
    const whoami = await gatehouse(['whoami'], { GATEHOUSE_TOKEN_FILE: tokenFile, GATEHOUSE_URL: await deadUrl() });
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`${user.username} (id `);
    expect(whoami.stdout).toContain(`email:  ${user.email}`);
    expect(whoami.stdout).toContain('name:   Ann Example');
    expect(whoami.stdout).toContain(`server: ${app.url}`);

    const logout = await gatehouse(['logout'], env);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain(`Signed out of ${app.url}.`);
    expect(existsSync(tokenFile)).toBe(false);
    const client = createGatehouseClient({ url: app.url });
    await expect(client.trpc.auth.refresh.mutate({ refreshToken: refreshToken! })).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );

    const after = await gatehouse(['whoami'], env);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('Not signed in');
    expect((await gatehouse(['logout'], env)).stdout).toContain('Not signed in.');
  });

  it('refreshes an expired access token by itself and saves the new pair', async () => {
    const { user, tokenFile, env } = await setup();
    expect((await gatehouse(['login', '--username', user.username, '--password', user.password], env)).code).toBe(0);
    const before = readTokens(tokenFile);
    writeFileSync(tokenFile, JSON.stringify({ ...before, accessToken: 'expired-or-garbage' }));

    const whoami = await gatehouse(['whoami'], env);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(user.username);
    const after = readTokens(tokenFile);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe('expired-or-garbage');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('says the session has ended when it was revoked elsewhere, and forgets it', async () => {
    const { user, tokenFile, env } = await setup();
    expect((await gatehouse(['login', '--username', user.username, '--password', user.password], env)).code).toBe(0);
    const other = createGatehouseClient({ url: app.url });
    await other.login(user);
    await other.trpc.user.logoutAll.mutate();
    writeFileSync(tokenFile, JSON.stringify({ ...readTokens(tokenFile), accessToken: 'garbage' }));

    const whoami = await gatehouse(['whoami'], env);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain('Your session has ended');
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('keeps the saved sign-in when a new login fails, and reports the error plainly', async () => {
    const { user, tokenFile, env } = await setup();
    expect((await gatehouse(['login', '--username', user.username, '--password', user.password], env)).code).toBe(0);
    const saved = readFileSync(tokenFile, 'utf8');

    const wrong = await gatehouse(['login', '--username', user.username, '--password', 'wrong password'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error: UNAUTHORIZED: Invalid username or password');
    expect(readFileSync(tokenFile, 'utf8')).toBe(saved);
  });

  it('ends the previous session when logging in again', async () => {
    const { user, tokenFile, env } = await setup();
    const args = ['login', '--username', user.username, '--password', user.password];
    expect((await gatehouse(args, env)).code).toBe(0);
    const first = readTokens(tokenFile).refreshToken!;
    expect((await gatehouse(args, env)).code).toBe(0);
    const client = createGatehouseClient({ url: app.url });
    await expect(client.trpc.auth.refresh.mutate({ refreshToken: first })).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );
  });

  it('prints validation errors per field and conflicts with their code', async () => {
    const env = { GATEHOUSE_TOKEN_FILE: join(tempDir(), 'c.json'), GATEHOUSE_URL: app.url };
    const bad = await gatehouse(['register', '--username', 'a', '--email', 'nope', '--password', 'short'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: BAD_REQUEST: /);
    expect(bad.stderr).toContain('password: Password must be at least 8 characters');

    const { user } = await setup();
    const taken = await gatehouse(
      ['register', '--username', user.username, '--email', `x${user.email}`, '--password', user.password],
      env,
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error: CONFLICT: /);
  });

  it('refuses bad usage with exit status 2', async () => {
    const env = { GATEHOUSE_TOKEN_FILE: join(tempDir(), 'c.json'), GATEHOUSE_URL: app.url };
    expect((await gatehouse([], env)).code).toBe(2);
    expect((await gatehouse(['frobnicate'], env)).stderr).toContain('unknown command "frobnicate"');
    expect((await gatehouse(['login', '--bogus'], env)).code).toBe(2);
    // No --password, no GATEHOUSE_PASSWORD and no terminal to ask on.
    const noPassword = await gatehouse(['login', '--username', 'someone'], env);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('a password is needed');
    const help = await gatehouse(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('smoke [--url URL]');
  });
});

describe('gatehouse reset-password', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('asks for a reset link, answering the same for unknown addresses; the mailed link resets', async () => {
    const user = freshUser();
    await createGatehouseClient({ url: app.url }).register(user);
    const known = await gatehouse(['reset-password', '--email', user.email, '--url', app.url]);
    const unknown = await gatehouse(['reset-password', '--email', 'nobody@example.com', '--url', app.url]);
    expect(known.code).toBe(0);
    expect(known.stdout).toContain('a password-reset link is on its way');
    expect(unknown.code).toBe(0);
    expect(unknown.stdout.replace('nobody@example.com', user.email)).toBe(known.stdout);
    // The test server writes mail to files; the queued mail holds the link.
    const mail = (await databaseOf(app.services).mailOutbox.list({ to: user.email, limit: 10 })).find(
      (m) => m.kind === 'reset_password',
    );
    const token = /[?&]token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';
    const client = createGatehouseClient({ url: app.url });
    await client.trpc.auth.resetPassword.mutate({ token, newPassword: 'reset from the cli 1' });
    await client.login({ username: user.username, password: 'reset from the cli 1' });
    expect(client.isSignedIn()).toBe(true);
  });

  it('needs --email, and names a bad address', async () => {
    expect((await gatehouse(['reset-password', '--url', app.url])).code).toBe(2);
    const bad = await gatehouse(['reset-password', '--email', 'not-an-address', '--url', app.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BAD_REQUEST: email: Enter a valid email address/);
  });
});
