#!/usr/bin/env node
// `node bench/adapter-parity.mjs`: the same GET calls through the lean fast path and through
// tRPC's standalone adapter (GATEHOUSE_TRPC_ADAPTER=standalone), two servers on one database;
// statuses, headers and bodies must match (framing headers aside: the fast path sends
// Content-Length, tRPC chunks). Exits 1 on any difference.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchPasswordHash, PASSWORD, seedUsers } from './lib/seed.mjs';

const main = fileURLToPath(new URL('../apps/server/dist/main.js', import.meta.url));
const dir = fileURLToPath(new URL(`.data/parity-${Date.now()}`, import.meta.url));
const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  // Production refuses mail features without SMTP_URL; these measurements need none.
  EMAIL_VERIFICATION: 'off',
  SIGN_IN_LINKS: 'off',
  PASSWORD_RESET: 'off',
  JWT_SECRET: randomBytes(40).toString('hex'),
  DATABASE_URL: `file:${dir}/g.db`,
  DATA_DIR: dir,
  WEB_DIST: dir,
  LOG_LEVEL: 'silent',
  BCRYPT_COST: '10',
  CORS_ORIGINS: 'https://app.example.com',
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  RATE_LIMIT_REGISTER_PER_HOUR: '1000',
  RATE_LIMIT_REFRESH_PER_MINUTE: '1000',
};
spawnSync('mkdir', ['-p', dir]);
const m = spawnSync(process.execPath, [main, 'migrate'], { env, cwd: dir, encoding: 'utf8' });
if (m.status) throw new Error(m.stderr);
seedUsers(`${dir}/g.db`, await benchPasswordHash(10), 0, 30);
// Each server gets its own copy, so mutations change both the same way.
for (const i of [0, 1]) copyFileSync(`${dir}/g.db`, `${dir}/g${i}.db`);
const servers = [];
for (const [i, [, adapter]] of [
  ['fast', ''],
  ['standalone', 'standalone'],
].entries()) {
  const port = 41000 + i + Math.floor(Math.random() * 1000);
  const s = spawn(process.execPath, [main], {
    env: { ...env, DATABASE_URL: `file:${dir}/g${i}.db`, PORT: String(port), GATEHOUSE_TRPC_ADAPTER: adapter },
    cwd: dir,
    stdio: 'inherit',
  });
  servers.push({ name: i, s, base: `http://127.0.0.1:${port}` });
}
// A server that refuses to start must fail the run, not hang it.
const startBy = Date.now() + 30_000;
for (const { base } of servers)
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > startBy) {
      for (const { s } of servers) s.kill('SIGTERM');
      throw new Error(`${base} did not start within 30 s`);
    }
    await sleep(100);
  }
const post = (base, path, body) =>
  fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json());
const tokens = [];
for (const { base } of servers) {
  const u = (await post(base, 'auth.login', { username: 'user3', password: PASSWORD })).result.data;
  const a = (await post(base, 'auth.login', { username: 'benchadmin', password: PASSWORD })).result.data;
  tokens.push({ user: u.accessToken, refresh: u.refreshToken, admin: a.accessToken });
}
const enc = (o) => encodeURIComponent(JSON.stringify(o));
const getCases = (user, admin) => [
  ['health', {}],
  ['health?input=%7B%7D', {}],
  ['health', { 'content-type': 'text/plain' }],
  ['health', { 'content-type': 'application/json' }],
  ['user.me', {}],
  ['user.me', { authorization: 'Bearer nope' }],
  ['user.me', { authorization: `Bearer ${user}` }],
  ['user.me', { authorization: 'Basic abc' }],
  ['user.me', { authorization: `Bearer ${user}`, origin: 'https://app.example.com' }],
  ['user.me', { authorization: `Bearer ${user}`, origin: 'https://evil.example.com' }],
  ['user.sessions', { authorization: `Bearer ${user}` }],
  [`admin.users.list?input=${enc({ limit: 2 })}`, { authorization: `Bearer ${user}` }],
  [`admin.users.list?input=${enc({ limit: 2 })}`, { authorization: `Bearer ${admin}` }],
  [`admin.users.list?input=${enc({ limit: 2, cursor: 10 })}`, { authorization: `Bearer ${admin}` }],
  [`admin.users.list?input=${enc({ limit: 0 })}`, { authorization: `Bearer ${admin}` }],
  [`admin.users.list?input=${enc({ limit: 'x', role: 'god' })}`, { authorization: `Bearer ${admin}` }],
  ['admin.users.list?input=notjson', { authorization: `Bearer ${admin}` }],
  ['admin.users.list', { authorization: `Bearer ${admin}` }],
  ['admin.audit.list', { authorization: `Bearer ${admin}` }],
  ['auth.login', {}],
  ['nope', {}],
  ['admin.users', {}],
  ['user.me,health?batch=1&input=%7B%7D', { authorization: `Bearer ${user}` }],
  ['user.me?batch=1&input=%7B%7D', { authorization: `Bearer ${user}` }],
  ['health', { 'trpc-accept': 'application/jsonl' }],
  ['us%65r.me', { authorization: `Bearer ${user}` }],
  ['service.introspect', { 'x-api-key': 'gh_x_y' }],
];
const json = { 'content-type': 'application/json' };
const postCases = (t) => [
  ['auth.login', json, JSON.stringify({ username: 'user4', password: PASSWORD })],
  ['auth.login', json, JSON.stringify({ username: 'user4', password: 'wrong-password-1' })],
  ['auth.login', json, JSON.stringify({ username: 'nobody', password: 'wrong-password-1' })],
  ['auth.login', json, JSON.stringify({ username: 'user4' })],
  ['auth.login', json, ''],
  ['auth.login', json, 'notjson'],
  ['auth.login', json, '[1,2]'],
  ['auth.login', json, `\uFEFF${JSON.stringify({ username: 'user5', password: PASSWORD })}`],
  ['auth.login', { 'content-type': 'text/plain' }, JSON.stringify({ username: 'user5', password: PASSWORD })],
  [
    'auth.login',
    { 'content-type': 'application/json; charset=utf-8' },
    JSON.stringify({ username: 'user5', password: PASSWORD }),
  ],
  ['auth.register', json, JSON.stringify({ username: 'parity1', email: 'parity1@x.test', password: PASSWORD })],
  ['auth.register', json, JSON.stringify({ username: 'PARITY1', email: 'other@x.test', password: PASSWORD })],
  ['auth.register', json, JSON.stringify({ username: 'p2', email: 'bad', password: 'short' })],
  ['auth.refresh', json, JSON.stringify({ refreshToken: t.refresh })],
  ['auth.refresh', json, JSON.stringify({ refreshToken: t.refresh })],
  ['auth.refresh', json, JSON.stringify({ refreshToken: 'garbage' })],
  ['auth.refresh', json, JSON.stringify({})],
  ['auth.logout', json, JSON.stringify({ refreshToken: 'garbage.garbage' })],
  ['user.update', { ...json, authorization: `Bearer ${t.user}` }, JSON.stringify({ fullName: 'Parity' })],
  ['user.update', json, JSON.stringify({ fullName: 'Parity' })],
  [
    'admin.users.setActive',
    { ...json, authorization: `Bearer ${t.admin}` },
    JSON.stringify({ userId: 7, active: false }),
  ],
  [
    'admin.users.setActive',
    { ...json, authorization: `Bearer ${t.user}` },
    JSON.stringify({ userId: 7, active: true }),
  ],
  ['admin.users.setRole', { ...json, authorization: `Bearer ${t.admin}` }, JSON.stringify({ userId: 1, role: 'user' })],
  ['health', json, '{}'],
  ['user.me', { ...json, authorization: `Bearer ${t.user}` }, '{}'],
  ['auth.login?batch=1', json, JSON.stringify({ 0: { username: 'user6', password: PASSWORD } })],
  ['nope', json, '{}'],
];
/** Timestamps and fresh secrets differ between the two servers by nature. */
const normal = (text) =>
  text
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/"(accessToken|refreshToken|id)":"[^"]+"/g, '"$1":"<secret>"');
const skip = new Set(['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const calls = [
  ...getCases(tokens[0].user, tokens[0].admin).map((c, i) => ({ i, kind: 'GET', c })),
  ...postCases(tokens[0]).map((c, i) => ({ i, kind: 'POST', c })),
];
let bad = 0;
for (const { i, kind } of calls) {
  const got = [];
  let path = '';
  for (const [n, { base }] of servers.entries()) {
    const t = tokens[n];
    let r;
    if (kind === 'GET') {
      const [p, headers] = getCases(t.user, t.admin)[i];
      path = p;
      r = await fetch(`${base}/trpc/${p}`, { headers });
    } else {
      const [p, headers, body] = postCases(t)[i];
      path = `POST ${p}`;
      r = await fetch(`${base}/trpc/${p}`, { method: 'POST', headers, body });
    }
    const h = Object.fromEntries([...r.headers].filter(([k]) => !skip.has(k)));
    got.push({ status: r.status, headers: h, body: normal(await r.text()) });
  }
  const same = JSON.stringify(got[0]) === JSON.stringify(got[1]);
  if (!same) bad++;
  console.log(
    same ? 'same' : 'DIFF',
    got[0].status,
    path.slice(0, 60),
    same ? '' : `\n  fast: ${JSON.stringify(got[0])}\n  std:  ${JSON.stringify(got[1])}`,
  );
}
console.log(bad ? `${bad} differ` : 'all identical');
for (const { s } of servers) s.kill('SIGTERM');
process.exitCode = bad ? 1 : 0;
