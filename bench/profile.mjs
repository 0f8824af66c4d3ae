#!/usr/bin/env node
// `node bench/profile.mjs <health|me|refresh|login|list>[,...] [seconds] [--no-prof]`: runs the
// scenarios, one after the other, against a server started with --cpu-prof and prints where its
// main thread spent the time (self time by function and by package). The .cpuprofile stays in
// bench/.data/ for Chrome DevTools. --no-prof only prints the rates (a quick before/after).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchPasswordHash, PASSWORD, seedSessions, seedUsers } from './lib/seed.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--no-prof');
const profiling = !process.argv.includes('--no-prof');
const [whichArg = 'health', secondsArg = '6'] = args;
const which = whichArg.replaceAll(',', '+');
const benchDir = dirname(fileURLToPath(import.meta.url));
const serverMain = resolve(benchDir, '../apps/server/dist/main.js');
const runDir = join(benchDir, '.data', `profile-${which}-${Date.now()}`);
mkdirSync(runDir, { recursive: true });
const dbPath = join(runDir, 'gatehouse.db');
const cost = Number(process.env.BCRYPT_COST ?? 12);
const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  // Production refuses mail features without SMTP_URL; these measurements need none.
  EMAIL_VERIFICATION: 'off',
  SIGN_IN_LINKS: 'off',
  PASSWORD_RESET: 'off',
  JWT_SECRET: randomBytes(48).toString('base64url'),
  PORT: String(port),
  DATABASE_URL: `file:${dbPath}`,
  DATA_DIR: runDir,
  WEB_DIST: runDir,
  BCRYPT_COST: String(cost),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
  RATE_LIMIT_REFRESH_PER_MINUTE: '1000000',
  RATE_LIMIT_REGISTER_PER_HOUR: '1000000',
  RATE_LIMIT_ACCOUNT_IP_FAILURES: '1000000',
  RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: '1000000',
};
const migrated = spawnSync(process.execPath, [serverMain, 'migrate'], { env, cwd: runDir, encoding: 'utf8' });
if (migrated.status !== 0) throw new Error(migrated.stderr);
seedUsers(dbPath, await benchPasswordHash(cost), 0, 1001);
const pool = seedSessions(dbPath, 'user1', 64);
const profDir = join(runDir, 'profiles');
const out = openSync(join(runDir, 'server.log'), 'a');
const profFlags = profiling ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
const server = spawn(process.execPath, [...profFlags, serverMain], {
  env,
  cwd: runDir,
  stdio: ['ignore', out, out],
});
const base = `http://127.0.0.1:${port}`;
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  await sleep(100);
}
const login = await fetch(`${base}/trpc/auth.login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'benchadmin', password: PASSWORD }),
}).then((r) => r.json());
const auth = { authorization: `Bearer ${login.result.data.accessToken}` };
let n = 0;
const scenarios = {
  health: [{ path: '/trpc/health' }],
  healthz: [{ path: '/healthz' }],
  me: [{ path: '/trpc/user.me', headers: auth }],
  list: [{ path: `/trpc/admin.users.list?input=${encodeURIComponent('{"limit":20,"cursor":500}')}`, headers: auth }],
  login: [
    {
      method: 'POST',
      path: '/trpc/auth.login',
      headers: { 'content-type': 'application/json' },
      setupRequest: (r) => ({
        ...r,
        body: JSON.stringify({ username: `user${1 + (n++ % 1000)}`, password: PASSWORD }),
      }),
    },
  ],
  refresh: [
    {
      method: 'POST',
      path: '/trpc/auth.refresh',
      headers: { 'content-type': 'application/json' },
      setupRequest: (r) => ({ ...r, body: JSON.stringify({ refreshToken: pool.shift() }) }),
      onResponse: (status, body) => status === 200 && pool.push(JSON.parse(body).result.data.refreshToken),
    },
  ],
};
for (const name of whichArg.split(',')) {
  const result = await autocannon({
    url: base,
    connections: name === 'login' ? 8 : 10,
    duration: Number(secondsArg),
    requests: scenarios[name],
  });
  console.log(
    `${name}: ${(result.requests.total / result.duration).toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non2xx ${result.non2xx}`,
  );
}
server.kill('SIGTERM');
await new Promise((res) => server.once('exit', res));
if (!profiling) process.exit(0);

const file = join(
  profDir,
  readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')),
);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++)
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byFn = new Map();
const byPkg = new Map();
let total = 0;
for (const node of profile.nodes) {
  const t = (dt.get(node.id) ?? 0) / 1000;
  if (!t) continue;
  total += t;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/work\/main\//, '');
  const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  const pkg = url.includes('node_modules')
    ? short
        .split('/')
        .slice(0, short.startsWith('@') ? 2 : 1)
        .join('/')
    : url.startsWith('node:')
      ? url
      : url
        ? short.split('/').slice(0, 3).join('/')
        : functionName;
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
}
const top = (m, k) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
console.log(
  `\nby package (self time, ${total.toFixed(0)} ms sampled):\n${top(byPkg, 20)}\n\nby function:\n${top(byFn, 30)}\n\nprofile: ${file}`,
);
