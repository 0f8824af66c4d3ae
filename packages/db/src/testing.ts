/**
 * Helpers for tests that need PostgreSQL or Redis (`@gatehouse/db/testing`). Every run gets its
 * own scratch database, so parallel runs and leftovers of a crashed run never collide.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import postgres from 'postgres';

const DEFAULT_ADMIN_URLS = ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/** True under CI=true: there a missing service is a failure, not a reason to skip. */
export const servicesRequired = process.env.CI === 'true';

async function answers(url: string): Promise<boolean> {
  const client = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await client`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await client.end({ timeout: 1 });
  }
}

let adminUrl: Promise<string | null> | undefined;

/** The URL of the maintenance database scratch databases are made from, or null when none answers. */
export function postgresAdminUrl(): Promise<string | null> {
  adminUrl ??= (async () => {
    const candidates = process.env.TEST_POSTGRES_URL ? [process.env.TEST_POSTGRES_URL] : DEFAULT_ADMIN_URLS;
    for (const url of candidates) if (await answers(url)) return url;
    return null;
  })();
  return adminUrl;
}

export interface ScratchDatabase {
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates an empty database `gatehouse_test_<random>`; throws when PostgreSQL cannot be reached. */
export async function createScratchPostgres(): Promise<ScratchDatabase> {
  const admin = await postgresAdminUrl();
  if (!admin) throw new Error('PostgreSQL is not reachable (set TEST_POSTGRES_URL or start it on 127.0.0.1:5432)');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const client = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(`create database "${name}"`);
  } finally {
    await client.end({ timeout: 1 });
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const dropper = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end({ timeout: 1 });
      }
    },
  };
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when a Redis server answers PING at TEST_REDIS_URL within two seconds. */
export function redisReachable(redisUrl = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

/**
 * Whether tests needing a service should run: yes when it answers, and always under CI (where
 * they then fail). Otherwise they skip, and this says why.
 */
export function shouldRun(service: string, reachable: boolean): boolean {
  if (reachable || servicesRequired) return true;
  process.stderr.write(`[gatehouse tests] ${service} is not reachable: skipping the tests that need it\n`);
  return false;
}
