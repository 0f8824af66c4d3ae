#!/usr/bin/env node
/**
 * Soak test: starts the built server (apps/server/dist/main.js) on a fresh SQLite file, runs a
 * mixed load over loopback for a bounded time, samples the server's RSS (/proc/<pid>/status) and
 * its event-loop delay (seen from outside as the latency of GET /healthz), then stops it with
 * SIGTERM. Exits 1 if memory grows without bound, the event loop stalls, the server does not
 * exit 0, or any answer other than an intended one (200, or 401/403/429 where the call was meant
 * to be refused) appears.
 *
 *   node scripts/soak.mjs [--seconds 120] [--concurrency 8] [--bcrypt-cost 4] [--max-p99-ms 1000] [--json]
 *
 * Traffic goes only to 127.0.0.1; every loop stops when the time is up.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'apps/server/dist/main.js');

if (!existsSync(MAIN)) {
  console.error('soak: apps/server/dist/main.js is missing; run `pnpm build` first');
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '8' },
    'bcrypt-cost': { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
    'max-p99-ms': { type: 'string', default: '1000' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
if (!(SECONDS > 0 && SECONDS <= 3600) || !(CONCURRENCY > 0 && CONCURRENCY <= 64)) {
  console.error('soak: --seconds must be 1..3600 and --concurrency 1..64');
  process.exit(2);
}

/** Limits of the verdict. */
const MAX_GROWTH_BYTES = 64 * 1024 * 1024; // above the warmed-up peak, or half of it if that is more
const MAX_RSS_BYTES = 1024 * 1024 * 1024;
const MAX_HEALTH_P99_MS = Number(values['max-p99-ms']);

const ADMIN = { username: 'soakadmin', email: 'soakadmin@example.com', password: 'soak-admin-password-7' };
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));

const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dir,
  DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
  JWT_SECRET: 'soak-secret-that-is-long-enough-0123456789abc',
  BCRYPT_COST: values['bcrypt-cost'],
  LOG_LEVEL: 'info',
  GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
  GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
  GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
  // Everything from 127.0.0.1 would hit the per-address limits at once; keep them out of the way,
  // except the API-key failure limit, which the bad-key traffic below is meant to meet (429).
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
  RATE_LIMIT_REGISTER_PER_HOUR: '1000000',
  RATE_LIMIT_REFRESH_PER_MINUTE: '1000000',
  RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR: '1000000',
  RATE_LIMIT_ACCOUNT_IP_FAILURES: '1000000',
  RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: '1000000',
  RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE: '20',
  // Calls say which (loopback) client they stand for in X-Forwarded-For, so the key-guessing
  // client's 429s do not spill onto the well-behaved ones.
  TRUST_PROXY: '1',
};

function log(message) {
  if (!values.json) console.log(`soak: ${message}`);
}

function startServer() {
  const child = spawn(process.execPath, [MAIN], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let found = false;
    const onData = (chunk) => {
      tail = (tail + chunk.toString()).slice(-8000);
      const match = !found && /Gatehouse listening on (http:\/\/[\d.:]+)/.exec(tail);
      if (match) {
        found = true;
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening:\n${tail}`)));
    setTimeout(() => reject(new Error(`server did not listen within 20 s:\n${tail}`)), 20_000).unref();
  });
  return { child, url, exited, tail: () => tail };
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
const median = (list) =>
  percentile(
    [...list].sort((a, b) => a - b),
    0.5,
  );
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const server = startServer();
let base;
try {
  base = await server.url;
} catch (error) {
  console.error(`soak: ${error.message}`);
  process.exit(1);
}
log(`server pid ${server.child.pid} at ${base}; ${SECONDS} s, ${CONCURRENCY} workers`);

async function rpc(path, input, { token, headers = {}, query = false, client = '127.0.1.1' } = {}) {
  const h = { 'x-forwarded-for': client, ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let response;
  if (query) {
    const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    response = await fetch(`${base}/trpc/${path}${q}`, { headers: h });
  } else {
    h['content-type'] = 'application/json';
    response = await fetch(`${base}/trpc/${path}`, { method: 'POST', headers: h, body: JSON.stringify(input ?? {}) });
  }
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

const counts = {};
const unexpected = [];
function record(op, status, allowed, body) {
  const key = `${op} ${status}`;
  counts[key] = (counts[key] ?? 0) + 1;
  if (!allowed.includes(status)) {
    if (unexpected.length < 20) unexpected.push({ op, status, body: JSON.stringify(body).slice(0, 300) });
    unexpectedTotal += 1;
  }
}
let unexpectedTotal = 0;
let networkErrors = 0;

/** One call whose answer must be one of `allowed`; returns the answer's data or null. */
async function expectCall(op, allowed, path, input, options) {
  try {
    const { status, body } = await rpc(path, input, options);
    record(op, status, allowed, body);
    return status === 200 ? body.result?.data : null;
  } catch (error) {
    networkErrors += 1;
    if (unexpected.length < 20) unexpected.push({ op, status: 'network', body: String(error?.cause ?? error) });
    unexpectedTotal += 1;
    return null;
  }
}

// Fixtures: an admin session and a service key with every scope.
const adminTokens = await expectCall('admin login', [200], 'auth.login', {
  username: ADMIN.username,
  password: ADMIN.password,
});
const createdKey = adminTokens
  ? await expectCall(
      'create key',
      [200],
      'admin.apiKeys.create',
      { name: 'soak', scopes: ['tokens:introspect', 'users:read'] },
      { token: adminTokens.accessToken },
    )
  : null;
if (!adminTokens || !createdKey) {
  console.error('soak: could not set up the admin session and API key', unexpected);
  server.child.kill('SIGKILL');
  process.exit(1);
}
const serviceKey = createdKey.key;

const deadline = performance.now() + SECONDS * 1000;
const running = () => performance.now() < deadline;
let userSeq = 0;

async function worker(w) {
  // Each worker owns its users and sessions, so no two workers race on one refresh token.
  const newAccount = async () => {
    userSeq += 1;
    const username = `soak${w}u${userSeq}`;
    const password = `soak-password-${w}-${userSeq}`;
    const user = await expectCall('register', [200], 'auth.register', {
      username,
      email: `${username}@example.com`,
      password,
    });
    return user ? { id: user.id, username, password } : null;
  };
  let account = await newAccount();
  let tokens = account
    ? await expectCall('login', [200], 'auth.login', { username: account.username, password: account.password })
    : null;
  let i = 0;
  while (running() && account && tokens) {
    i += 1;
    const roll = (i * 7919 + w * 104729) % 100;
    if (roll < 25) {
      await expectCall('me', [200], 'user.me', undefined, { token: tokens.accessToken, query: true });
    } else if (roll < 40) {
      const next = await expectCall('refresh', [200], 'auth.refresh', { refreshToken: tokens.refreshToken });
      if (next) tokens = next;
    } else if (roll < 47) {
      await expectCall('sessions', [200], 'user.sessions', undefined, { token: tokens.accessToken, query: true });
    } else if (roll < 52) {
      await expectCall('update', [200], 'user.update', { fullName: `Soak ${i}` }, { token: tokens.accessToken });
    } else if (roll < 57) {
      await expectCall('wrong password', [401], 'auth.login', {
        username: account.username,
        password: 'not-it-at-all',
      });
    } else if (roll < 61) {
      await expectCall('unknown user', [401], 'auth.login', { username: `ghost${i}`, password: 'not-it-at-all' });
    } else if (roll < 65) {
      await expectCall('bad token', [401], 'user.me', undefined, { token: 'a.b.c', query: true });
    } else if (roll < 69) {
      await expectCall('not admin', [403], 'admin.users.list', {}, { token: tokens.accessToken, query: true });
    } else if (roll < 74) {
      await expectCall(
        'introspect',
        [200],
        'service.introspect',
        { token: tokens.accessToken },
        {
          headers: { 'x-api-key': serviceKey },
        },
      );
    } else if (roll < 77) {
      await expectCall(
        'service user',
        [200],
        'service.users.get',
        { id: account.id },
        {
          headers: { 'x-api-key': serviceKey },
          query: true,
        },
      );
    } else if (roll < 80) {
      // Guessing keys: refused (401) until the per-address limit answers 429.
      await expectCall(
        'bad key',
        [401, 429],
        'service.users.get',
        { id: 1 },
        {
          headers: { 'x-api-key': `gh_${'0'.repeat(16)}_${'A'.repeat(43)}` },
          query: true,
          client: '127.0.2.1',
        },
      );
    } else if (roll < 84) {
      await expectCall('health', [200], 'health', undefined, { query: true });
    } else if (roll < 88) {
      await expectCall(
        'admin list',
        [200],
        'admin.users.list',
        { limit: 20 },
        {
          token: adminTokens.accessToken,
          query: true,
        },
      );
    } else if (roll < 93) {
      // Sign out and back in: sessions are created and ended all the time.
      await expectCall('logout', [200], 'auth.logout', { refreshToken: tokens.refreshToken });
      await expectCall('revoked refresh', [401], 'auth.refresh', { refreshToken: tokens.refreshToken });
      tokens = await expectCall('login', [200], 'auth.login', {
        username: account.username,
        password: account.password,
      });
    } else if (roll < 96) {
      // A brand-new account: the user table keeps growing, memory must not.
      const fresh = await newAccount();
      if (fresh) {
        account = fresh;
        tokens = await expectCall('login', [200], 'auth.login', {
          username: account.username,
          password: account.password,
        });
      }
    } else {
      await expectCall('bad input', [400], 'auth.register', { username: '', email: 'nope', password: 'x' });
    }
  }
}

// Samplers: RSS once a second; /healthz latency every 100 ms.
const rss = [];
const health = [];
const windows = [];
let windowLatencies = [];
const rssTimer = setInterval(() => {
  try {
    rss.push({ t: Math.round(SECONDS * 1000 - (deadline - performance.now())), bytes: rssOf(server.child.pid) });
  } catch {
    // The process is gone; the exit check reports it.
  }
  if (windowLatencies.length) {
    const sorted = [...windowLatencies].sort((a, b) => a - b);
    windows.push({ p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) });
    windowLatencies = [];
  }
}, 1000);
async function healthSampler() {
  while (running()) {
    const started = performance.now();
    try {
      const response = await fetch(`${base}/healthz`);
      await response.arrayBuffer();
      if (response.status !== 200) record('healthz', response.status, [200], null);
      const ms = performance.now() - started;
      health.push(ms);
      windowLatencies.push(ms);
    } catch (error) {
      networkErrors += 1;
      unexpectedTotal += 1;
      if (unexpected.length < 20) unexpected.push({ op: 'healthz', status: 'network', body: String(error) });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const progress = setInterval(() => {
  const last = rss.at(-1);
  const calls = Object.values(counts).reduce((a, b) => a + b, 0);
  log(
    `${Math.round((SECONDS * 1000 - (deadline - performance.now())) / 1000)} s: ${calls} calls, RSS ${last ? mb(last.bytes) : '?'}`,
  );
}, 10_000);

const started = performance.now();
await Promise.all([healthSampler(), ...Array.from({ length: CONCURRENCY }, (_, w) => worker(w))]);
const elapsed = (performance.now() - started) / 1000;
clearInterval(rssTimer);
clearInterval(progress);

// Shut down and wait for a clean exit.
server.child.kill('SIGTERM');
const exit = await Promise.race([
  server.exited,
  new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout', signal: null }), 15_000)),
]);
if (exit.code === 'timeout') server.child.kill('SIGKILL');
rmSync(dir, { recursive: true, force: true });

// Verdict.
const totalCalls = Object.values(counts).reduce((a, b) => a + b, 0);
const warmCount = Math.max(2, Math.floor(rss.length / 4));
const warmPeak = Math.max(...rss.slice(0, warmCount).map((s) => s.bytes));
const finalRss = median(rss.slice(-warmCount).map((s) => s.bytes));
const peakRss = Math.max(...rss.map((s) => s.bytes));
const allowedGrowth = Math.max(MAX_GROWTH_BYTES, warmPeak / 2);
// Least-squares slope over the second half, in MB per minute (reported, and a hint when failing).
const half = rss.slice(Math.floor(rss.length / 2));
const slope = (() => {
  if (half.length < 3) return 0;
  const n = half.length;
  const mx = half.reduce((a, s) => a + s.t, 0) / n;
  const my = half.reduce((a, s) => a + s.bytes, 0) / n;
  const num = half.reduce((a, s) => a + (s.t - mx) * (s.bytes - my), 0);
  const den = half.reduce((a, s) => a + (s.t - mx) ** 2, 0);
  return den ? (num / den) * 60_000 : 0;
})();
const sortedHealth = [...health].sort((a, b) => a - b);
const healthP99 = percentile(sortedHealth, 0.99);

const failures = [];
if (rss.length < 2) failures.push('too few RSS samples');
if (finalRss - warmPeak > allowedGrowth) {
  failures.push(
    `memory grew from ${mb(warmPeak)} (warmed up) to ${mb(finalRss)} (end), more than ${mb(allowedGrowth)}`,
  );
}
if (peakRss > MAX_RSS_BYTES) failures.push(`RSS peaked at ${mb(peakRss)}`);
if (healthP99 > MAX_HEALTH_P99_MS)
  failures.push(`/healthz p99 latency ${healthP99.toFixed(0)} ms (event loop stalled)`);
if (unexpectedTotal > 0) failures.push(`${unexpectedTotal} unexpected answers (${networkErrors} network errors)`);
if (exit.code !== 0) failures.push(`server exit ${exit.code} ${exit.signal ?? ''} after SIGTERM`);
if (totalCalls < SECONDS * 10) failures.push(`only ${totalCalls} calls in ${SECONDS} s`);

const summary = {
  ok: failures.length === 0,
  seconds: Number(elapsed.toFixed(1)),
  concurrency: CONCURRENCY,
  calls: totalCalls,
  callsPerSecond: Math.round(totalCalls / elapsed),
  rss: {
    warmPeakMB: Number((warmPeak / 1048576).toFixed(1)),
    finalMB: Number((finalRss / 1048576).toFixed(1)),
    peakMB: Number((peakRss / 1048576).toFixed(1)),
    slopeMBPerMinute: Number((slope / 1048576).toFixed(2)),
    samples: rss.length,
  },
  healthzMs: {
    p50: Number(percentile(sortedHealth, 0.5).toFixed(1)),
    p99: Number(healthP99.toFixed(1)),
    max: Number((sortedHealth.at(-1) ?? 0).toFixed(1)),
    samples: health.length,
  },
  answers: counts,
  unexpected,
  exit,
  failures,
};

if (values.json) {
  console.log(JSON.stringify(summary));
} else {
  log(
    `${totalCalls} calls in ${elapsed.toFixed(1)} s (${summary.callsPerSecond}/s); RSS warm ${mb(warmPeak)} -> end ${mb(finalRss)} ` +
      `(peak ${mb(peakRss)}, slope ${(slope / 1048576).toFixed(2)} MB/min); /healthz p50 ${summary.healthzMs.p50} ms, ` +
      `p99 ${summary.healthzMs.p99} ms, max ${summary.healthzMs.max} ms; exit ${exit.code}`,
  );
  log(`answers: ${JSON.stringify(counts)}`);
  if (unexpected.length) log(`unexpected: ${JSON.stringify(unexpected, null, 2)}`);
  log(failures.length ? `FAIL: ${failures.join('; ')}` : 'PASS');
}
process.exit(failures.length ? 1 : 0);
