#!/usr/bin/env node
// `pnpm bench`: starts the real server in production mode on a fresh database in its own
// process, seeds users, drives it over loopback with autocannon, and writes bench/results/.
// Targets are reported as ratios measured in this run; nothing here fails a build.
import { fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { measureBcrypt } from './lib/bcrypt-figure.mjs';
import { cpuSeconds, memory, processTree, resetPeak } from './lib/proc-stats.mjs';
import { formatMarkdown, printTables } from './lib/report.mjs';
import {
  benchPasswordHash,
  mintAccessTokens,
  PASSWORD,
  queryPlans,
  seedSessions,
  seedSessionsAcrossUsers,
  seedUsers,
} from './lib/seed.mjs';
import {
  benchServerEnv,
  JWT_AUDIENCE,
  JWT_ISSUER,
  serverMain,
  startServer as startBenchServer,
  trpc,
} from './lib/server.mjs';
import {
  freshDatabase,
  postgresTarget,
  postgresTransactionsPerCall,
  revocationPropagation,
  selectScenarios,
  viewFigures,
  viewMemory,
} from './lib/session-view.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const DURATION = Number(env.BENCH_DURATION ?? 8); // seconds per scenario
const SOAK = Number(env.BENCH_SOAK ?? 60); // seconds of the mixed run watched for RSS growth
const COST = Number(env.BCRYPT_COST ?? 12);
const CORES = availableParallelism();
const BCRYPT_SECONDS = Number(env.BENCH_BCRYPT_SECONDS ?? 8); // all cores hashing, no server
// The session-view scenarios (issue 18) to run: me-off,memory,pg-xacts,revocation, "all" or "none".
const VIEW = selectScenarios(env.BENCH_SESSION_VIEW);
const VIEW_SESSIONS = Number(env.BENCH_VIEW_SESSIONS ?? 100_000);
const REVOCATIONS = Number(env.BENCH_REVOCATIONS ?? 200);
const databaseUrl = env.DATABASE_URL?.trim() || null;
const onSqlite = !databaseUrl || databaseUrl.startsWith('file:');
const started = Date.now();
const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
const log = (...args) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...args);

if (loadBefore[0] > CORES / 2) {
  log(`warning: load average ${loadBefore[0]} on ${CORES} cores before the run; other processes will skew the figures`);
}
if (!existsSync(serverMain)) {
  console.error('apps/server/dist/main.js is missing: run `pnpm bench` from the root (it builds first)');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// The machine's bcrypt figure, before anything else runs.
log(`measuring bcrypt at cost ${COST} on ${CORES} cores (worker threads)…`);
const bcryptFigure = await measureBcrypt(COST, BCRYPT_SECONDS);
log(
  `bcrypt: one hash ${bcryptFigure.hashMs} ms; limit ${bcryptFigure.limitPerSecond}/s (cores × 1/hash); all cores measured ${bcryptFigure.measuredAllCoresPerSecond}/s`,
);

// ---------------------------------------------------------------------------------------------
// Fresh database, seeded directly.
const runDir = join(benchDir, '.data', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(runDir, { recursive: true });
const dbPath = join(runDir, 'gatehouse.db');
const DB_URL = databaseUrl ?? `file:${dbPath}`;
const passwordHash = await benchPasswordHash(COST);

const serverEnv = benchServerEnv({
  runDir,
  databaseUrl: DB_URL,
  cost: COST,
  jwtSecret: randomBytes(48).toString('base64url'),
  logLevel: env.LOG_LEVEL ?? 'info',
});
// The session view is on unless the environment says otherwise; the off rows start their own server.
serverEnv.SESSION_CACHE = env.SESSION_CACHE ?? 'on';
if (env.SESSION_CACHE_SIZE) serverEnv.SESSION_CACHE_SIZE = env.SESSION_CACHE_SIZE;
for (const key of ['REDIS_URL', 'RATE_LIMIT_STORE', 'WORKERS']) if (env[key]) serverEnv[key] = env[key];
if (!onSqlite) {
  serverEnv.GATEHOUSE_ADMIN_USERNAME = 'benchadmin';
  serverEnv.GATEHOUSE_ADMIN_EMAIL = 'admin@bench.test';
  serverEnv.GATEHOUSE_ADMIN_PASSWORD = PASSWORD;
}

let seeded = { users: 0, maxId: 0 };
let refreshTokens = [];
if (onSqlite) {
  const migrated = spawnSync(process.execPath, [serverMain, 'migrate'], {
    env: serverEnv,
    cwd: runDir,
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  seeded = seedUsers(dbPath, passwordHash, 0, 1001);
  refreshTokens = seedSessions(dbPath, 'user1', 256);
  log(`seeded ${seeded.users} users (max id ${seeded.maxId}) and ${refreshTokens.length} sessions into ${dbPath}`);
}

// ---------------------------------------------------------------------------------------------
// The server, in its own process, exactly as `pnpm start` runs it.
function startServer(extraEnv = {}) {
  const nodeArgs = ['--enable-source-maps'];
  if (env.BENCH_CPU_PROF) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profiles')}`);
  return startBenchServer({ env: { ...serverEnv, ...extraEnv }, cwd: runDir, nodeArgs });
}

const main = await startServer();
const { pid, base } = main;
await sleep(2000);
const idle = memory(pid);
log(`server pid ${pid} on ${base}; idle RSS ${idle.rssMb.toFixed(1)} MB`);

const bare = fork(join(benchDir, 'lib/bare-server.mjs'), [], { stdio: 'ignore' });
const barePort = await new Promise((res) => bare.once('message', (m) => res(m.port)));

// ---------------------------------------------------------------------------------------------
const call = (path, { at = base, ...opts } = {}) => trpc(at, path, opts);
const login = (username, at = base) =>
  call('auth.login', { method: 'POST', body: { username, password: PASSWORD }, at });

if (!onSqlite) {
  // PostgreSQL or another engine: no direct seeding, register a few users through the API.
  for (let i = 1; i <= 20; i++) {
    await call('auth.register', {
      method: 'POST',
      body: { username: `user${i}`, email: `user${i}@bench.test`, password: PASSWORD },
    });
  }
  seeded = { users: 21, maxId: null };
  for (let i = 0; i < 24; i++) refreshTokens.push((await login('user1')).refreshToken);
}
const userToken = (await login('user2')).accessToken;
const adminToken = (await login('benchadmin')).accessToken;
const loginUsers = Math.min(1000, seeded.users - 1);

const results = [];
const extras = {};

function summarize(name, r, proc) {
  const seconds = r.duration || DURATION;
  return {
    name,
    connections: r.connections,
    durationS: Math.round(seconds * 10) / 10,
    requests: r.requests.total,
    rps: Math.round((r.requests.total / seconds) * 10) / 10,
    okRps: Math.round((r['2xx'] / seconds) * 10) / 10,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    ...(proc ?? {}),
  };
}

/** Runs autocannon instances side by side and measures the server process meanwhile. */
async function measure(target, runs) {
  const peakReset = resetPeak(target);
  const cpu0 = cpuSeconds(target);
  const t0 = performance.now();
  let peakRss = memory(target).rssMb;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memory(target).rssMb);
  }, 250);
  const outputs = await Promise.all(runs.map((opts) => autocannon({ timeout: 30, ...opts })));
  clearInterval(sampler);
  const cpu = cpuSeconds(target) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const mem = memory(target);
  const proc = {
    serverCpuPct: Math.round((cpu / wall) * 1000) / 10,
    peakRssMb: Math.round(Math.max(peakRss, peakReset ? mem.hwmMb : 0) * 10) / 10,
  };
  return outputs.map((o) => ({ o, proc }));
}

async function scenario(name, opts, target = pid) {
  const [{ o, proc }] = await measure(target, [{ url: base, connections: 10, duration: DURATION, ...opts }]);
  const row = summarize(name, o, proc);
  results.push(row);
  log(
    `${name.padEnd(34)} ${String(row.rps).padStart(8)} req/s  p50 ${row.latencyMs.p50} ms  p99 ${row.latencyMs.p99} ms  non2xx ${row.non2xx}  errors ${row.errors}  cpu ${row.serverCpuPct}%  peak ${row.peakRssMb} MB`,
  );
  return row;
}

const json = (obj) => encodeURIComponent(JSON.stringify(obj));
const bearer = (token) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const loginRequest = {
  method: 'POST',
  path: '/trpc/auth.login',
  headers: { 'content-type': 'application/json' },
  setupRequest: (req) => ({
    ...req,
    body: JSON.stringify({ username: `user${1 + (counter++ % loginUsers)}`, password: PASSWORD }),
  }),
};
const runId = randomBytes(3).toString('hex');
const registerRequest = {
  method: 'POST',
  path: '/trpc/auth.register',
  headers: { 'content-type': 'application/json' },
  setupRequest: (req) => {
    const n = counter++;
    return {
      ...req,
      body: JSON.stringify({ username: `r${runId}${n}`, email: `r${runId}${n}@bench.test`, password: PASSWORD }),
    };
  },
};
/** Each connection takes a token from the pool and puts back the one the rotation returns. */
function refreshRequest(pool) {
  return {
    method: 'POST',
    path: '/trpc/auth.refresh',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ refreshToken: pool.shift() ?? 'none.none' }) }),
    onResponse: (status, body) => {
      if (status === 200) pool.push(JSON.parse(body).result.data.refreshToken);
    },
  };
}
const meRequest = { method: 'GET', path: '/trpc/user.me', headers: bearer(userToken) };
const listPath = (input) => `/trpc/admin.users.list?input=${json(input)}`;

// ---------------------------------------------------------------------------------------------
const warm = { url: base, connections: 10, duration: 2 };
await autocannon({ ...warm, url: `http://127.0.0.1:${barePort}/` });
await autocannon({ ...warm, url: `${base}/trpc/health` });
await autocannon({ ...warm, requests: [meRequest] });

/**
 * A shared VM's rate drifts (two health runs a minute apart have differed by 1.7×), so the ratio
 * targets compare two scenarios measured in alternation: the median over `pairs` pairs of short
 * runs, each pair measured back to back.
 */
async function alternatingRatio(a, b, pairs = 5, seconds = 2) {
  const ratios = [];
  for (let i = 0; i < pairs; i++) {
    const first = await autocannon({ url: base, connections: 10, duration: seconds, timeout: 30, ...a });
    const second = await autocannon({ url: base, connections: 10, duration: seconds, timeout: 30, ...b });
    ratios.push(first['2xx'] / Math.max(1, second['2xx']));
  }
  ratios.sort((x, y) => x - y);
  return { median: Math.round(ratios[Math.floor(pairs / 2)] * 1000) / 1000, min: ratios[0], max: ratios.at(-1) };
}

const bareRow = await scenario('bare node:http (ceiling)', { url: `http://127.0.0.1:${barePort}/` }, bare.pid);
const healthRow = await scenario('health', { url: `${base}/trpc/health` });
await scenario('/healthz (no tRPC)', { url: `${base}/healthz` });
const meRow = await scenario('user.me', { requests: [meRequest] });
log('user.me ÷ health and health ÷ bare node:http, in alternation…');
const meOverHealth = await alternatingRatio({ requests: [meRequest] }, { url: `${base}/trpc/health` });
const healthOverBare = await alternatingRatio({ url: `${base}/trpc/health` }, { url: `http://127.0.0.1:${barePort}/` });
log(`alternating medians: user.me ÷ health ${meOverHealth.median}, health ÷ bare ${healthOverBare.median}`);
const loginRow = await scenario('auth.login', {
  connections: CORES * 4,
  duration: DURATION + 2,
  requests: [loginRequest],
});
await scenario('auth.register', {
  connections: CORES * 4,
  duration: DURATION + 2,
  requests: [registerRequest],
});
const refreshRow = await scenario('auth.refresh', { requests: [refreshRequest(refreshTokens)] });

const listRows = {};
async function listScenarios(label, maxId) {
  const deepCursor = Math.max(1, (maxId ?? 1) - 100);
  listRows[`first ${label}`] = await scenario(`admin.users.list first page, ${label}`, {
    requests: [{ method: 'GET', path: listPath({ limit: 20 }), headers: bearer(adminToken) }],
  });
  listRows[`deep ${label}`] = await scenario(`admin.users.list cursor ${deepCursor}, ${label}`, {
    requests: [{ method: 'GET', path: listPath({ limit: 20, cursor: deepCursor }), headers: bearer(adminToken) }],
  });
}
await listScenarios(onSqlite ? '1k users' : `${seeded.users} users`, seeded.maxId);
if (onSqlite) {
  const t = Date.now();
  const big = seedUsers(dbPath, passwordHash, seeded.maxId + 1, 100_001);
  log(`seeded up to ${big.users} users in ${Date.now() - t} ms (while the server runs; WAL)`);
  await listScenarios('100k users', big.maxId);
  extras.queryPlans = queryPlans(dbPath);
}

// Mixed: user.me at a fixed rate while a login storm saturates the hashing pool.
const ME_RATE = 200;
{
  const runs = [
    { url: base, connections: 10, overallRate: ME_RATE, duration: DURATION + 2, requests: [meRequest] },
    { url: base, connections: CORES * 4, duration: DURATION + 2, requests: [loginRequest] },
  ];
  const [me, storm] = await measure(pid, runs);
  const meStorm = summarize(`user.me at ${ME_RATE}/s during login storm`, me.o, me.proc);
  const loginStorm = summarize('auth.login storm (with user.me)', storm.o, storm.proc);
  results.push(meStorm, loginStorm);
  extras.storm = { meRate: ME_RATE };
  log(
    `user.me during storm: p50 ${meStorm.latencyMs.p50} ms p99 ${meStorm.latencyMs.p99} ms max ${meStorm.latencyMs.max} ms; storm ${loginStorm.rps} logins/s`,
  );
}

// Soak: a mixed load for SOAK seconds, RSS sampled every second.
const rssSeries = [];
{
  log(`mixed run for ${SOAK} s (RSS growth)…`);
  const t0 = performance.now();
  const sampler = setInterval(() => {
    rssSeries.push({ t: Math.round((performance.now() - t0) / 1000), rssMb: Math.round(memory(pid).rssMb * 10) / 10 });
  }, 1000);
  const soakPool = refreshTokens; // live tokens the refresh scenario put back
  const runs = [
    { url: base, connections: 10, overallRate: ME_RATE, duration: SOAK, requests: [meRequest] },
    { url: base, connections: CORES * 2, duration: SOAK, requests: [loginRequest] },
    { url: base, connections: 4, overallRate: 300, duration: SOAK, requests: [refreshRequest(soakPool)] },
    {
      url: base,
      connections: 4,
      overallRate: 300,
      duration: SOAK,
      requests: [{ method: 'GET', path: listPath({ limit: 20 }), headers: bearer(adminToken) }],
    },
  ];
  const outs = await measure(pid, runs);
  clearInterval(sampler);
  const names = ['soak: user.me', 'soak: auth.login', 'soak: auth.refresh', 'soak: admin.users.list'];
  for (const [i, { o, proc }] of outs.entries()) results.push(summarize(names[i], o, proc));
}
await sleep(3000);
const afterSoak = memory(pid);

// ---------------------------------------------------------------------------------------------
await main.stop();

// The same server with SESSION_CACHE=off (one database read per authenticated call), health
// and user.me again so both ratios come from one server start each.
const sessionView = {};
if (VIEW.has('me-off')) {
  const off = await startServer({ SESSION_CACHE: 'off' });
  await autocannon({ ...warm, url: off.base, requests: [meRequest] });
  const offHealth = await scenario('health, SESSION_CACHE=off', { url: `${off.base}/trpc/health` }, off.pid);
  const offMe = await scenario('user.me, SESSION_CACHE=off', { url: off.base, requests: [meRequest] }, off.pid);
  sessionView.meOnOff = [
    { sessionCache: serverEnv.SESSION_CACHE, meRps: meRow.okRps, healthRps: healthRow.okRps },
    { sessionCache: 'off', meRps: offMe.okRps, healthRps: offHealth.okRps },
  ];
  await off.stop();
}

// The same server as WORKERS=<cores> processes on the same database: user.me and logins.
const clusterRows = {};
{
  const workers = CORES;
  const cluster = await startServer({ WORKERS: String(workers) });
  await sleep(1000);
  const pids = processTree(cluster.pid);
  const clusterToken = (await login('user2', cluster.base)).accessToken;
  const clusterMe = { ...meRequest, headers: bearer(clusterToken) };
  await autocannon({ ...warm, url: cluster.base, requests: [clusterMe] });
  clusterRows.me = await scenario(`user.me, WORKERS=${workers}`, { url: cluster.base, requests: [clusterMe] }, pids);
  clusterRows.login = await scenario(
    `auth.login, WORKERS=${workers}`,
    { url: cluster.base, connections: CORES * 4, duration: DURATION + 2, requests: [loginRequest] },
    pids,
  );
  extras.cluster = {
    workers,
    meVsOneProcess: Math.round((clusterRows.me.okRps / meRow.okRps) * 1000) / 1000,
    loginVsOneProcess: Math.round((clusterRows.login.okRps / loginRow.okRps) * 1000) / 1000,
  };
  await cluster.stop();
}
bare.kill('SIGTERM');

// RSS with VIEW_SESSIONS sessions in the view: seeded one per user (the 100k users above),
// access tokens minted with the server's secret, one user.me per session.
if (VIEW.has('memory') && onSqlite) {
  const sessions = seedSessionsAcrossUsers(dbPath, VIEW_SESSIONS);
  const key = { secret: serverEnv.JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE };
  const tokens = await mintAccessTokens(key, sessions);
  log(`seeded ${sessions.length} sessions across users and minted their access tokens`);
  sessionView.memory = await viewMemory({ env: serverEnv, runDir, tokens, warmToken: userToken, log });
}

// PostgreSQL (DATABASE_URL, or BENCH_PG=1 for the local test server): transactions per user.me
// and revocation across two instances, in a database of their own.
const pgUrl = postgresTarget(env);
async function postgresScenarios() {
  const db = await freshDatabase(pgUrl, runId, log);
  try {
    if (VIEW.has('pg-xacts')) {
      sessionView.postgres = await postgresTransactionsPerCall({ env: serverEnv, runDir, db, seconds: 5, log });
    }
    if (VIEW.has('revocation')) {
      sessionView.revocation = await revocationPropagation({ env: serverEnv, runDir, db, count: REVOCATIONS, log });
    }
  } finally {
    await db.drop();
  }
}
if (pgUrl && (VIEW.has('pg-xacts') || VIEW.has('revocation'))) {
  // A PostgreSQL problem costs these figures, not the run's others.
  await postgresScenarios().catch((error) => {
    log(`PostgreSQL scenarios stopped: ${error.message}`);
    sessionView.postgresError = error.message;
  });
}

const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
const listBase = listRows['first 1k users']?.latencyMs.mean;
const listWorst = Math.max(
  listRows['first 100k users']?.latencyMs.mean ?? 0,
  listRows['deep 100k users']?.latencyMs.mean ?? 0,
);
const meStormRow = results.find((r) => r.name.startsWith('user.me at'));
const warmIndex = Math.min(15, rssSeries.length - 1);
const warmRss = rssSeries[warmIndex]?.rssMb ?? 0;
const endRss = rssSeries.at(-1)?.rssMb ?? 0;
/** PostgreSQL transactions per user.me with the session view on, when the run measured them. */
function postgresTransactionTarget() {
  const on = sessionView.postgres?.find((row) => row.sessionCache === 'on');
  if (!on) return [];
  return [
    {
      target: 'PostgreSQL transactions per user.me ≤ 0.05 (session view on)',
      measured: `${on.transactions} over ${on.calls} calls`,
      ratio: ratio(on.transactionsPerCall, 0.05),
      pass: on.transactionsPerCall <= 0.05,
    },
  ];
}

const targets = [
  {
    target: 'login ≥ 85% of bcrypt limit',
    measured: `${loginRow.okRps}/s of ${bcryptFigure.limitPerSecond}/s`,
    ratio: ratio(loginRow.okRps, bcryptFigure.limitPerSecond),
    pass: loginRow.okRps >= 0.85 * bcryptFigure.limitPerSecond,
  },
  {
    target: 'user.me p99 < 25 ms during login storm',
    measured: `p99 ${meStormRow.latencyMs.p99} ms at ${ME_RATE}/s`,
    ratio: ratio(meStormRow.latencyMs.p99, 25),
    pass: meStormRow.latencyMs.p99 < 25 && meStormRow.non2xx === 0,
  },
  {
    target: 'login ≥ 90% of the measured all-cores bcrypt rate',
    measured: `${loginRow.okRps}/s of ${bcryptFigure.measuredAllCoresPerSecond}/s`,
    ratio: ratio(loginRow.okRps, bcryptFigure.measuredAllCoresPerSecond),
    pass: loginRow.okRps >= 0.9 * bcryptFigure.measuredAllCoresPerSecond,
  },
  {
    target: 'user.me ≥ 90% of health (median of 5 alternating 2 s pairs)',
    measured: `${meRow.okRps} vs ${healthRow.okRps} req/s in the rows above; pairs ${meOverHealth.min.toFixed(2)}–${meOverHealth.max.toFixed(2)}`,
    ratio: meOverHealth.median,
    pass: meOverHealth.median >= 0.9,
  },
  {
    target: 'health ≥ 30% of bare node:http (median of 5 alternating 2 s pairs)',
    measured: `${healthRow.okRps} vs ${bareRow.okRps} req/s in the rows above; pairs ${healthOverBare.min.toFixed(2)}–${healthOverBare.max.toFixed(2)}`,
    ratio: healthOverBare.median,
    pass: healthOverBare.median >= 0.3,
  },
  ...postgresTransactionTarget(),
  {
    target: 'admin.users.list 100k within 1.5× of 1k (mean latency, deep pages incl.)',
    measured: listBase ? `${listWorst} vs ${listBase} ms` : 'n/a (not SQLite)',
    ratio: listBase ? ratio(listWorst, listBase) : null,
    pass: listBase ? listWorst <= 1.5 * listBase : null,
  },
  {
    target: 'refresh ≥ 2,000/s on SQLite',
    measured: `${refreshRow.okRps}/s${onSqlite ? '' : ' (not SQLite)'}`,
    ratio: ratio(refreshRow.okRps, 2000),
    pass: onSqlite ? refreshRow.okRps >= 2000 : null, // the target is SQLite's
  },
  {
    target: 'idle RSS < 120 MB after start-up',
    measured: `${idle.rssMb.toFixed(1)} MB`,
    ratio: ratio(idle.rssMb, 120),
    pass: idle.rssMb < 120,
  },
  {
    target: `no RSS growth over a ${SOAK} s mixed run (end ≤ 1.1× RSS at ${rssSeries[warmIndex]?.t ?? 0} s)`,
    measured: `${warmRss} → ${endRss} MB (3 s after: ${afterSoak.rssMb.toFixed(1)} MB)`,
    ratio: ratio(endRss, warmRss),
    pass: endRss <= 1.1 * warmRss,
  },
];

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: CORES,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  // Other processes on the machine skew every figure; the load average shows whether any ran.
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
  database: onSqlite ? 'SQLite (file, WAL, synchronous=FULL)' : DB_URL.replace(/\/\/[^@]*@/, '//'),
};
const report = {
  date: new Date().toISOString(),
  machine,
  settings: {
    bcryptCost: COST,
    scenarioSeconds: DURATION,
    soakSeconds: SOAK,
    logLevel: serverEnv.LOG_LEVEL,
    sessionCache: serverEnv.SESSION_CACHE,
  },
  bcrypt: bcryptFigure,
  idleRssMb: Math.round(idle.rssMb * 10) / 10,
  results,
  targets,
  sessionView: viewFigures({
    view: sessionView,
    database: onSqlite ? 'SQLite' : 'PostgreSQL',
    me: meRow.okRps,
    health: healthRow.okRps,
    bare: bareRow.okRps,
    login: loginRow.okRps,
    bcrypt: { ...bcryptFigure, seconds: BCRYPT_SECONDS },
  }),
  sessionViewRuns: sessionView,
  rssSeries,
  ...extras,
  runSeconds: Math.round((Date.now() - started) / 1000),
};
const outDir = join(benchDir, 'results');
mkdirSync(outDir, { recursive: true });
const day = report.date.slice(0, 10);
const outName = env.BENCH_OUT ?? day;
writeFileSync(join(outDir, `${outName}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(outDir, `${outName}.md`), formatMarkdown(report));
printTables(report);
log(`wrote bench/results/${outName}.json and .md in ${report.runSeconds} s`);
if (!env.BENCH_KEEP && !env.BENCH_CPU_PROF) rmSync(runDir, { recursive: true, force: true });
