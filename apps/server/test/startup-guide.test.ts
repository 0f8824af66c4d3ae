import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killServers, spawnServer } from './server-process.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** What `pnpm start` gives a fresh clone: development, a new data folder, no settings. */
function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-start-'));
  // A web build of its own, so the guide's demo line does not depend on apps/web being built first.
  const web = join(dir, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>demo</title>');
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    WEB_DIST: web,
    DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
    BCRYPT_COST: '4',
    ...extra,
  };
}

const jsonLines = (output: string) =>
  output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: number; msg: string });

afterEach(killServers);

describe('the start-up message', () => {
  it('gives the demo URL and, with no admin yet, a create-admin command that works', async () => {
    const env = freshEnv();
    const first = await spawnServer(env);
    await expect.poll(() => first.output()).toMatch(/no admin account yet/);
    await first.stop();
    const messages = jsonLines(first.output()).map((line) => line.msg);
    expect(messages).toContain(
      `web demo: ${first.url}/ (API reference: ${first.url}/api, OpenAPI document: ${first.url}/openapi.json)`,
    );
    const hint = messages.find((message) => message.startsWith('no admin account yet'));
    expect(hint).toMatch(/GATEHOUSE_ADMIN_USERNAME, GATEHOUSE_ADMIN_EMAIL and GATEHOUSE_ADMIN_PASSWORD/);

    // Run the command exactly as printed (from where the server ran), with a real password.
    const command = /^ {2}node (\S+) (create-admin .*)$/m.exec(hint ?? '');
    expect(command).not.toBeNull();
    const [, script = '', rest = ''] = command ?? [];
    const args = rest.replace("'<a long password>'", 'a-long-admin-password').split(' ');
    const created = spawnSync(process.execPath, [script, ...args], { cwd: env.DATA_DIR, env, encoding: 'utf8' });
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/admin "admin" created/);

    const second = await spawnServer(env);
    await expect.poll(() => second.output()).toMatch(/web demo: /);
    await second.stop();
    expect(second.output()).not.toMatch(/no admin account yet/);
  });

  it('says nothing about admins when GATEHOUSE_ADMIN_* made the first one', async () => {
    const server = await spawnServer(
      freshEnv({
        GATEHOUSE_ADMIN_USERNAME: 'boss',
        GATEHOUSE_ADMIN_EMAIL: 'boss@example.com',
        GATEHOUSE_ADMIN_PASSWORD: 'boss-password-1',
      }),
    );
    await expect.poll(() => server.output()).toMatch(/web demo: /);
    await server.stop();
    expect(server.output()).toMatch(/created the first admin from GATEHOUSE_ADMIN_\*/);
    expect(server.output()).not.toMatch(/no admin account yet/);
  });

  it('logs JSON lines in production, even on a terminal', async () => {
    const env = freshEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-that-is-long-enough-0123',
      BCRYPT_COST: '10',
      // Production refuses mail features without SMTP_URL; this test is about logs.
      EMAIL_VERIFICATION: 'off',
      SIGN_IN_LINKS: 'off',
      PASSWORD_RESET: 'off',
    });
    const output = await onTerminal(env);
    expect(output).toMatch(/Gatehouse listening on/);
    for (const line of jsonLines(output.replaceAll('\r', ''))) expect(line).toHaveProperty('level');
  });

  it('logs readable lines in development on a terminal (pino-pretty)', async () => {
    const output = await onTerminal(freshEnv());
    expect(output).toMatch(/INFO.*Gatehouse listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/WARN.*no admin account yet/);
    expect(output).not.toMatch(/^\{"level"/m);
  });
});

/** Runs the server under a pseudo-terminal (util-linux `script`) until the start-up guide is out. */
function onTerminal(env: NodeJS.ProcessEnv): Promise<string> {
  const child: ChildProcess = spawn('script', ['-qec', `exec "${process.execPath}" "${MAIN}"`, '/dev/null'], {
    env: { PATH: process.env.PATH, ...env },
    cwd: env.DATA_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start-up guide within 15 s: ${output}`));
    }, 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The guide is the last thing start-up logs; once it is out, closing the terminal ends the server.
      if (/web demo: [\s\S]*no admin account yet[\s\S]*restart/.test(output)) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(output);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}
