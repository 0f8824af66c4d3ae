#!/usr/bin/env node
// `node bench/login-flood.mjs [seconds]`: a real user's sign-in during a flood of wrong passwords
// from 1,000 addresses (X-Forwarded-For behind TRUST_PROXY=1), against the built server in
// production mode: once with the hashing queue bounded (PASSWORD_QUEUE_LIMIT, default 32) and
// once effectively unbounded, in one run. Prints the real user's latency and outcomes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';

const SECONDS = Number(process.argv[2] ?? 15);
const ATTACKERS = 64; // concurrent connections sending wrong passwords
const ADDRESSES = 1000;

async function start(queueLimit) {
  const dir = fileURLToPath(new URL(`.data/flood-${Date.now()}`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  const server = await startServer({
    cwd: dir,
    nodeArgs: [],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // Production refuses mail features without SMTP_URL; these measurements need none.
      EMAIL_VERIFICATION: 'off',
      SIGN_IN_LINKS: 'off',
      PASSWORD_RESET: 'off',
      JWT_SECRET: randomBytes(48).toString('base64'),
      DATABASE_URL: `file:${dir}/g.db`,
      DATA_DIR: dir,
      WEB_DIST: dir,
      LOG_LEVEL: 'silent',
      BCRYPT_COST: process.env.BCRYPT_COST ?? '12',
      TRUST_PROXY: '1',
      PASSWORD_QUEUE_LIMIT: String(queueLimit),
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
    },
  });
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { base: server.base, stop };
}

const login = (base, ip, username, password) =>
  fetch(`${base}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ username, password }),
  }).then((r) => r.status);

async function scenario(queueLimit) {
  const { base, stop } = await start(queueLimit);
  const real = { username: 'realuser', password: 'real-password-123' };
  await fetch(`${base}/trpc/auth.register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
    body: JSON.stringify({ ...real, email: 'real@example.com' }),
  });
  const until = Date.now() + SECONDS * 1000;
  let sent = 0;
  const attacker = async () => {
    while (Date.now() < until) {
      // Claimed addresses from the benchmarking range 198.18.0.0/15 (only a header; traffic stays on loopback).
      const k = sent++ % ADDRESSES;
      const ip = `198.18.${k >> 8}.${k & 255}`;
      await login(base, ip, `victim${k % 50}`, 'wrong-password');
    }
  };
  const flood = Array.from({ length: ATTACKERS }, attacker);
  await sleep(1000); // let the flood fill the queue first
  const samples = [];
  while (Date.now() < until - 500) {
    const t0 = performance.now();
    // Each attempt from its own address (real users are many): the per-address limit is not what is measured.
    const status = await login(base, `192.0.2.${(samples.length % 250) + 2}`, real.username, real.password);
    samples.push({ ms: performance.now() - t0, status });
    await sleep(250);
  }
  await Promise.all(flood);
  await stop();
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const count = (status) => samples.filter((s) => s.status === status).length;
  return {
    queueLimit,
    attempts: samples.length,
    ok: count(200),
    refused503: count(503),
    p50: Math.round(at(0.5)),
    p99: Math.round(at(0.99)),
    floodRequests: sent,
  };
}

const rows = [await scenario(Number(process.env.PASSWORD_QUEUE_LIMIT ?? 32)), await scenario(100_000)];
console.table(rows);
