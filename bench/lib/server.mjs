// Starting the built server for a benchmark and calling it: shared by run.mjs and session-view.mjs.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const serverMain = resolve(fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url)));
/** Set explicitly so the bench can mint access tokens the server accepts (see mintAccessTokens). */
export const JWT_ISSUER = 'gatehouse-bench';
export const JWT_AUDIENCE = 'gatehouse-bench';

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Production settings every bench server shares; every request comes from 127.0.0.1, so no limits. */
export function benchServerEnv({ runDir, databaseUrl, cost, jwtSecret, logLevel }) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // Production refuses mail features without SMTP_URL; these measurements need none.
    EMAIL_VERIFICATION: 'off',
    SIGN_IN_LINKS: 'off',
    PASSWORD_RESET: 'off',
    JWT_SECRET: jwtSecret,
    JWT_ISSUER,
    JWT_AUDIENCE,
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATA_DIR: runDir,
    BCRYPT_COST: String(cost),
    LOG_LEVEL: logLevel,
    WEB_DIST: runDir, // no web build in the way; every bench path is /trpc
  };
  for (const key of [
    'RATE_LIMIT_LOGIN_PER_MINUTE',
    'RATE_LIMIT_REGISTER_PER_HOUR',
    'RATE_LIMIT_REFRESH_PER_MINUTE',
    'RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR',
    'RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE',
    'RATE_LIMIT_ACCOUNT_IP_FAILURES',
    'RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY',
  ]) {
    env[key] = '1000000';
  }
  return env;
}

/** Starts the server in its own process, exactly as `pnpm start` runs it, and waits until it answers. */
export async function startServer({ env, cwd, nodeArgs = ['--enable-source-maps'] }) {
  const port = await freePort();
  const logFile = join(cwd, 'server.log');
  const serverLog = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, serverMain], {
    env: { ...env, PORT: String(port) },
    cwd,
    stdio: ['ignore', serverLog, serverLog],
  });
  const server = { child, pid: child.pid, base: `http://127.0.0.1:${port}`, exited: false };
  child.once('exit', (code) => {
    server.exited = true;
    if (code) console.error(`server exited with ${code}; see ${logFile}`);
  });
  for (let i = 0; ; i++) {
    if (server.exited) throw new Error(`the server stopped during start-up; see ${logFile}`);
    try {
      if ((await fetch(`${server.base}/healthz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('server did not start within 30 s');
    await sleep(100);
  }
  server.stop = async () => {
    if (server.exited) return;
    child.kill('SIGTERM');
    await new Promise((res) => (server.exited ? res() : child.once('exit', res)));
  };
  return server;
}

/** One tRPC call; returns its data or throws with the status. */
export async function trpc(base, path, { method = 'GET', body, token } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/trpc/${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.result.data;
}
