// Scenarios for the in-process session view (issue 18), shared by run.mjs and session-view.mjs.
// Each starts its own server(s) from a base environment, so SESSION_CACHE=on/off compare side by
// side in one run. Figures only: nothing here asserts.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { memory } from './proc-stats.mjs';
import { mintAccessTokens, PASSWORD, seedPostgresSessions } from './seed.mjs';
import { JWT_AUDIENCE, JWT_ISSUER, startServer, trpc } from './server.mjs';

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const meRequest = (token) => ({ method: 'GET', path: '/trpc/user.me', headers: { authorization: `Bearer ${token}` } });

/** The environment with `extra` for one server process: RSS and polling are per process. */
function oneProcess(env, extra) {
  const out = { ...env, ...extra };
  delete out.WORKERS;
  return out;
}

/** The scenarios and whether each applies: me-off and memory need SQLite, the others PostgreSQL. */
export const SESSION_VIEW_SCENARIOS = ['me-off', 'memory', 'pg-xacts', 'revocation'];

/** Parses a selection such as "memory,revocation" ("all" or unset: every one; "none": none). */
export function selectScenarios(value) {
  if (!value || value === 'all') return new Set(SESSION_VIEW_SCENARIOS);
  if (value === 'none') return new Set();
  const picked = value.split(',').map((s) => s.trim());
  const unknown = picked.filter((s) => !SESSION_VIEW_SCENARIOS.includes(s));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; one of ${SESSION_VIEW_SCENARIOS}`);
  return new Set(picked);
}

/** autocannon's result as the few figures these scenarios report. */
async function load(opts) {
  const r = await autocannon({ connections: 10, timeout: 30, ...opts });
  const seconds = r.duration || opts.duration;
  return {
    okRps: round(r['2xx'] / seconds),
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

/** user.me and health on one server, `seconds` each, and their ratio. */
export async function meVersusHealth(base, token, seconds) {
  const me = await load({ url: base, duration: seconds, requests: [meRequest(token)] });
  const health = await load({ url: `${base}/trpc/health`, duration: seconds });
  return {
    meRps: me.okRps,
    healthRps: health.okRps,
    meOverHealth: round(me.okRps / health.okRps, 3),
    meP99Ms: me.p99,
    non2xx: me.non2xx + health.non2xx + me.errors + health.errors,
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database on the server the bench is pointed at.

/** The PostgreSQL URL to use: DATABASE_URL when it is one, else BENCH_PG (1 = the local test server). */
export function postgresTarget(env) {
  const url = env.DATABASE_URL?.trim();
  if (url && /^postgres(ql)?:/.test(url)) return url;
  if (!env.BENCH_PG || env.BENCH_PG === '0') return null;
  return env.BENCH_PG === '1' ? 'postgres://127.0.0.1:5432/test' : env.BENCH_PG;
}

/**
 * Creates gatehouse_bench_<id> next to the database `url` names and returns its URL; the
 * connection to `url` stays open to read pg_stat_database from outside the measured database.
 */
export async function freshDatabase(url, id, log) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `gatehouse_bench_${id}`;
  try {
    await admin`SELECT 1`;
  } catch (error) {
    await admin.end();
    throw new Error(`PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is unreachable: ${error.message}`);
  }
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    log(`cannot create a database (${error.message}); measuring in ${new URL(url).pathname.slice(1)} itself`);
    return { url, name: new URL(url).pathname.slice(1), admin, drop: () => admin.end() };
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  const drop = async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  return { url: fresh.toString(), name, admin, drop };
}

/**
 * Backends publish their counters at most once a second, and an idle one only after about 10 s
 * (PGSTAT_IDLE_INTERVAL), so the count is read once the server's connections have been idle that long.
 */
const STATS_SETTLE_MS = 11_000;

async function transactions(admin, datname) {
  await sleep(STATS_SETTLE_MS);
  const [row] = await admin`
    SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = ${datname}`;
  return Number(row.n);
}

/**
 * Per SESSION_CACHE mode, on PostgreSQL: database transactions per user.me call at steady state
 * (pg_stat_database around a `seconds` run, after a warm-up), then user.me ÷ health.
 */
export async function postgresTransactionsPerCall({ env, runDir, db, seconds, log, modes = ['on', 'off'] }) {
  const out = [];
  let token = null;
  for (const mode of modes) {
    const server = await startServer({
      env: oneProcess(env, { DATABASE_URL: db.url, SESSION_CACHE: mode }),
      cwd: runDir,
    });
    try {
      if (!token) {
        await trpc(server.base, 'auth.register', {
          method: 'POST',
          body: { username: 'viewuser', email: 'viewuser@bench.test', password: PASSWORD },
        });
      }
      // A fresh sign-in per server: the session it opens is the one the view holds.
      token = (
        await trpc(server.base, 'auth.login', { method: 'POST', body: { username: 'viewuser', password: PASSWORD } })
      ).accessToken;
      const url = server.base;
      await load({ url, duration: 2, requests: [meRequest(token)] });
      const before = await transactions(db.admin, db.name);
      const me = await load({ url, duration: seconds, requests: [meRequest(token)] });
      const after = await transactions(db.admin, db.name);
      const row = {
        sessionCache: mode,
        calls: me.ok,
        transactions: after - before,
        transactionsPerCall: round((after - before) / me.ok, 3),
        callsRefused: me.non2xx + me.errors,
        ...(await meVersusHealth(url, token, seconds)),
      };
      log(
        `PostgreSQL, SESSION_CACHE=${mode}: ${row.transactionsPerCall} transactions per user.me (${row.transactions} / ${row.calls}); user.me ${row.meRps} vs health ${row.healthRps} req/s (${row.meOverHealth})`,
      );
      out.push(row);
    } finally {
      await server.stop();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Revocation across two instances.

async function meStatus(base, token) {
  const res = await fetch(`${base}/trpc/user.me`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** One revocation: the session is in B's view, A ends it, B is polled until it refuses. */
async function revokeOnce(a, b, session, timeoutMs) {
  const start = performance.now();
  const live = await meStatus(b.base, session.accessToken);
  const roundTrip = performance.now() - start;
  if (live !== 200) throw new Error(`user.me on instance B answered ${live} before the revocation`);
  await trpc(a.base, 'auth.logout', { method: 'POST', body: { refreshToken: session.refreshToken } });
  const t0 = performance.now();
  for (let polls = 1; ; polls++) {
    const status = await meStatus(b.base, session.accessToken);
    const ms = performance.now() - t0;
    if (status === 401) return { ms, polls, roundTrip };
    if (status !== 200) throw new Error(`user.me on instance B answered ${status} while polling`);
    if (ms > timeoutMs) return { ms, polls, roundTrip, timedOut: true };
  }
}

/**
 * Two server processes on one PostgreSQL database (plus REDIS_URL when the environment sets
 * it): sessions seeded into the database (access tokens minted with the servers' secret), each
 * put in B's view by one user.me, revoked on A (auth.logout) while instance B is polled with
 * its access token until B refuses it. Reports the delay from the revoking call's return.
 */
export async function revocationPropagation({ env, runDir, db, count = 200, timeoutMs = 5000, log }) {
  const pairEnv = oneProcess(env, { DATABASE_URL: db.url, SESSION_CACHE: 'on' });
  const a = await startServer({ env: pairEnv, cwd: runDir });
  const b = await startServer({ env: pairEnv, cwd: runDir });
  try {
    await trpc(a.base, 'auth.register', {
      method: 'POST',
      body: { username: 'revoker', email: 'revoker@bench.test', password: PASSWORD },
    });
    // Seeded, not signed in: `count` bcrypt verifications would take longer than the scenario.
    const sessions = await seedPostgresSessions(db.url, 'revoker', count);
    const key = { secret: env.JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE };
    const accessTokens = await mintAccessTokens(key, sessions);
    for (const [i, s] of sessions.entries()) s.accessToken = accessTokens[i];
    const samples = [];
    for (const session of sessions) samples.push(await revokeOnce(a, b, session, timeoutMs));
    const sorted = samples.map((s) => s.ms).sort((x, y) => x - y);
    const trips = samples.map((s) => s.roundTrip).sort((x, y) => x - y);
    const result = {
      revocations: samples.length,
      channel: env.REDIS_URL ? `Redis (${env.REDIS_URL.replace(/\/\/[^@]*@/, '//')})` : 'PostgreSQL LISTEN/NOTIFY',
      p50Ms: round(quantile(sorted, 0.5), 2),
      p99Ms: round(quantile(sorted, 0.99), 2),
      maxMs: round(sorted.at(-1), 2),
      // The floor: one accepted user.me on B, timed the same way (the delay cannot be shorter).
      roundTripP50Ms: round(quantile(trips, 0.5), 2),
      meanPolls: round(samples.reduce((n, s) => n + s.polls, 0) / samples.length, 2),
      timedOut: samples.filter((s) => s.timedOut).length,
    };
    log(
      `revocation A→B over ${result.revocations}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (one user.me round trip: ${result.roundTripP50Ms} ms), ${result.meanPolls} polls on average, ${result.timedOut} not refused within ${timeoutMs} ms`,
    );
    return result;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory with every session in the view.

/**
 * Per SESSION_CACHE mode: RSS after start-up and a warm-up (one token), then after one user.me
 * per access token in `tokens` (distinct sessions), and the difference. The off row is what the
 * same calls cost without the view (the verified-token cache, garbage not yet collected).
 */
export async function viewMemory({ env, runDir, tokens, warmToken, log, modes = ['on', 'off'] }) {
  const out = [];
  for (const mode of modes) {
    const server = await startServer({
      env: oneProcess(env, { SESSION_CACHE: mode, SESSION_CACHE_SIZE: String(Math.max(200_000, tokens.length)) }),
      cwd: runDir,
    });
    try {
      await load({ url: server.base, duration: 2, requests: [meRequest(warmToken)] });
      await sleep(1000);
      const baselineMb = memory(server.pid).rssMb;
      let next = 0;
      const t0 = performance.now();
      const calls = await load({
        url: server.base,
        amount: tokens.length,
        requests: [
          {
            method: 'GET',
            path: '/trpc/user.me',
            setupRequest: (req) => ({
              ...req,
              headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }),
          },
        ],
      });
      const seconds = (performance.now() - t0) / 1000;
      await sleep(2000);
      const afterMb = memory(server.pid).rssMb;
      const row = {
        sessionCache: mode,
        sessions: tokens.length,
        callsOk: calls.ok,
        non2xx: calls.non2xx + calls.errors,
        seconds: round(seconds),
        baselineRssMb: round(baselineMb),
        rssMb: round(afterMb),
        rssGrowthMb: round(afterMb - baselineMb),
      };
      log(
        `memory, SESSION_CACHE=${mode}: RSS ${row.baselineRssMb} → ${row.rssMb} MB (+${row.rssGrowthMb}) after ${row.callsOk} user.me calls over ${row.sessions} sessions in ${row.seconds} s`,
      );
      out.push(row);
    } finally {
      await server.stop();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The figures issue 18 asks for, as rows of the report: [figure, measured, ratio].

const ratioOf = (a, b) => (b ? round(a / b, 3) : null);

function meHealthRows(rows, where) {
  const out = rows.map((r) => ({
    figure: `user.me ÷ health, ${where}, SESSION_CACHE=${r.sessionCache}`,
    measured: `${r.meRps} vs ${r.healthRps} req/s`,
    ratio: ratioOf(r.meRps, r.healthRps),
  }));
  const on = rows.find((r) => r.sessionCache === 'on');
  const off = rows.find((r) => r.sessionCache === 'off');
  if (on && off) {
    out.push({
      figure: `user.me on ÷ off, ${where}`,
      measured: `${on.meRps} vs ${off.meRps} req/s`,
      ratio: ratioOf(on.meRps, off.meRps),
    });
  }
  return out;
}

function memoryRows(rows) {
  const out = rows.map((r) => ({
    figure: `RSS with ${r.sessions} sessions called once each, SESSION_CACHE=${r.sessionCache}`,
    measured: `${r.rssMb} MB, +${r.rssGrowthMb} over ${r.baselineRssMb} MB (${r.callsOk} ok, ${r.non2xx} refused)`,
    ratio: null,
  }));
  const on = rows.find((r) => r.sessionCache === 'on');
  const off = rows.find((r) => r.sessionCache === 'off');
  if (on && off) {
    const kb = ((on.rssGrowthMb - off.rssGrowthMb) * 1024) / on.sessions;
    out.push({
      figure: 'the view itself: growth on − growth off',
      measured: `${round(on.rssGrowthMb - off.rssGrowthMb)} MB (${round(kb * 1024, 0)} bytes per session)`,
      ratio: null,
    });
  }
  return out;
}

export function viewFigures({ view, database, me, health, bare, login, bcrypt }) {
  const rows = [
    { figure: 'health ÷ bare node:http', measured: `${health} vs ${bare} req/s`, ratio: ratioOf(health, bare) },
    {
      figure: `auth.login ÷ measured all-cores bcrypt rate (${bcrypt.cores} threads, ${bcrypt.seconds} s)`,
      measured: `${login}/s vs ${bcrypt.measuredAllCoresPerSecond}/s`,
      ratio: ratioOf(login, bcrypt.measuredAllCoresPerSecond),
    },
  ];
  rows.push(...meHealthRows(view.meOnOff ?? [{ sessionCache: 'on', meRps: me, healthRps: health }], database));
  for (const r of view.postgres ?? []) {
    rows.push({
      figure: `PostgreSQL transactions per user.me, SESSION_CACHE=${r.sessionCache}`,
      measured: `${r.transactions} over ${r.calls} calls`,
      ratio: r.transactionsPerCall,
    });
  }
  if (view.postgres) rows.push(...meHealthRows(view.postgres, 'PostgreSQL (pg-xacts servers)'));
  const rv = view.revocation;
  if (rv) {
    rows.push({
      figure: `revocation on A seen by B (${rv.revocations}×, ${rv.channel}): p50 / p99`,
      measured: `${rv.p50Ms} / ${rv.p99Ms} ms (max ${rv.maxMs}; one user.me round trip ${rv.roundTripP50Ms}; ${rv.timedOut} never refused)`,
      ratio: null,
    });
  }
  if (view.memory) rows.push(...memoryRows(view.memory));
  return rows;
}
