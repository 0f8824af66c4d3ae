/**
 * What the fault suite shares: a load generator that records every answer, the one line of
 * figures each fault prints, an in-process server whose log lines the test can read, and
 * throwaway PostgreSQL and Redis servers of the test's own (the shared ones on 5432 and 6379
 * serve other suites and are never stopped).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { type RunningGatehouse, startGatehouse } from '../../src/gatehouse.js';
import { RELAXED_RATE_LIMITS } from '../../src/relaxed-limits.js';

const TEST_SECRET = 'fault-suite-secret-that-is-long-enough-0123456789';

export interface Answer {
  status: number;
  /** JSON body, or null (no body, not JSON, or the connection failed: status 0). */
  body: any;
  retryAfter: string | null;
  /** Wall time from send to the end of the answer, in ms. */
  ms: number;
  /** When it was sent (Date.now()). */
  at: number;
}

/** One call on its own connection (so WORKERS=N may hand it to any worker); status 0 when the connection fails. */
export function send(
  url: string,
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const at = Date.now();
  const started = performance.now();
  const data = input === undefined ? undefined : JSON.stringify(input);
  return new Promise((resolve) => {
    const done = (status: number, text: string, retryAfter: string | null) => {
      let body: any = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      resolve({ status, body, retryAfter, ms: performance.now() - started, at });
    };
    const req = request(`${url}${path}`, {
      method: data === undefined ? 'GET' : 'POST',
      agent: false,
      headers: {
        ...headers,
        ...(data === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
      },
    });
    // Far above any bound asserted: a request still open after this counts as hung (status 0).
    req.setTimeout(15_000, () => req.destroy(new Error('hung')));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => done(res.statusCode ?? 0, text, (res.headers['retry-after'] as string | undefined) ?? null));
      res.on('error', () => done(0, '', null));
    });
    req.on('error', () => done(0, '', null));
    req.end(data);
  });
}

export interface Load {
  answers: Answer[];
  /** Stops sending and waits for the calls in flight. */
  stop(): Promise<void>;
}

/** `concurrency` loops, each sending call(n) with a fresh n as soon as its previous answer is in. */
export function startLoad(concurrency: number, call: (n: number) => Promise<Answer>): Load {
  const answers: Answer[] = [];
  let running = true;
  let next = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      answers.push(await call(next++));
      // Keep some CPU for the other suites of this machine.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The answers to calls sent in [from, to). */
export const sentBetween = (answers: Answer[], from: number, to: number) =>
  answers.filter((a) => a.at >= from && a.at < to);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; resolves with the seconds it took. */
export async function secondsUntil(check: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await sleep(50);
  }
  return (Date.now() - started) / 1000;
}

export interface Figures {
  fault: string;
  during: Answer[];
  recoverSeconds: number;
  acknowledged: number;
  found: number;
}

/** The one line of figures a fault prints (collected in docs/reliability.md). */
export function printFigures({ fault, during, recoverSeconds, acknowledged, found }: Figures): string {
  const byStatus = new Map<number, number>();
  for (const a of during) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const statuses = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'no answer' : status}×${count}`)
    .join(' ');
  const longest = Math.max(0, ...during.map((a) => a.ms)) / 1000;
  const line = `FAULT ${fault}: ${during.length} requests during the fault (${statuses}); longest ${longest.toFixed(2)} s; recovered in ${recoverSeconds.toFixed(2)} s; writes acknowledged ${acknowledged}, found ${found}`;
  console.log(line);
  return line;
}

export interface LoggedGatehouse extends RunningGatehouse {
  /** Every log line so far, parsed. */
  logs: { level: number; msg: string }[];
}

/** The real server in this process, logging at info into memory so a test can count lines. */
export async function startLoggedGatehouse(env: Record<string, string>): Promise<LoggedGatehouse> {
  const config = loadConfig({
    ...RELAXED_RATE_LIMITS,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: ':memory:',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-fault-')),
    WEB_DIST: mkdtempSync(join(tmpdir(), 'gatehouse-noweb-')),
    JWT_SECRET: TEST_SECRET,
    BCRYPT_COST: '4',
    EMAIL_REQUEST_MIN_MS: '0',
    ...env,
  });
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const running = await startGatehouse(config, logger, { passwordThreads: 1 });
  return Object.assign(running, { logs });
}

/** How many log lines say `msg` (a prefix). */
export const logCount = (logs: { msg: string }[], msg: string) => logs.filter((l) => l.msg.startsWith(msg)).length;

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort().at(-1);
  return version ? join(root, version, 'bin') : null;
})();

/** Why a throwaway PostgreSQL cannot be made here (not root, no binaries), or null when it can. */
export function ownPostgresUnavailable(): string | null {
  if (!PG_BIN || !existsSync(join(PG_BIN, 'initdb'))) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'not root: cannot run initdb as the postgres user';
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'no postgres OS user';
  return null;
}

export interface OwnPostgres {
  url: string;
  /** The URL of one database of this server. */
  urlOf(database: string): string;
  start(): void;
  /** Starts the server unless pg_ctl finds it running (e.g. after an attempt that stopped it failed). */
  ensureRunning(): void;
  /** pg_ctl stop: `fast` ends sessions cleanly, `immediate` is a crash. */
  stop(mode: 'fast' | 'immediate'): void;
  /** Runs SQL through psql (in `database`, default postgres) and returns its unaligned rows. */
  sql(text: string, database?: string): string[];
  /** Runs SQL in a psql of its own, in the background (e.g. to hold a lock). */
  sqlInBackground(text: string, database?: string): ChildProcess;
  /** Stops the server and forgets it. */
  destroy(): void;
}

/** A PostgreSQL of this test's own (initdb in a temporary folder, its own port), started. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = PG_BIN as string;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-faultpg-'));
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (args: string[]) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  };
  asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () =>
    asPostgres([join(bin, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = (mode: 'fast' | 'immediate') => asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', mode, '-w', 'stop']);
  // pg_ctl status exits 0 while the server runs, 3 when it does not.
  const isRunning = () =>
    spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, 'status'], { timeout: 20_000 })
      .status === 0;
  start();
  const psqlArgs = (database: string) => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database];
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let running = true;
  return {
    url: urlOf('postgres'),
    urlOf,
    start: () => {
      start();
      running = true;
    },
    ensureRunning: () => {
      if (!isRunning()) start();
      running = true;
    },
    stop: (mode) => {
      stop(mode);
      running = false;
    },
    sql: (text, database = 'postgres') => {
      const result = spawnSync('psql', [...psqlArgs(database), '-Atq', '-c', text], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
      return result.stdout.split('\n').filter((line) => line !== '');
    },
    sqlInBackground: (text, database = 'postgres') =>
      spawn('psql', [...psqlArgs(database), '-Atq', '-c', text], { stdio: 'ignore' }),
    destroy: () => {
      if (running) stop('immediate');
      running = false;
    },
  };
}

export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL: Redis vanishes mid-conversation. */
  kill(): Promise<void>;
  /** Runs a redis-cli command against it. */
  cli(...args: string[]): string;
}

/** Why a throwaway Redis cannot be started here, or null when it can. */
export function ownRedisUnavailable(): string | null {
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'no redis-server binary';
  if (spawnSync('redis-cli', ['--version']).status !== 0) return 'no redis-cli binary';
  return null;
}

/** A redis-server child process of this test's own, on a free port, without persistence. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const cli = (...args: string[]) =>
    spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    await secondsUntil(() => cli('ping').trim() === 'PONG', 10_000);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, kill, cli };
}
