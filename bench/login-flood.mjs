#!/usr/bin/env node
// `node bench/login-flood.mjs [seconds]`: a real user's sign-in during a flood of wrong passwords
// from 1,000 addresses (X-Forwarded-For behind TRUST_PROXY=1), against the built server in
// production mode: once with the hashing queue bounded (PASSWORD_QUEUE_LIMIT, default 32) and
// once effectively unbounded, in one run. Prints the real user's latency and outcomes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../apps/server/dist/main.js', import.meta.url));
const SECONDS = Number(process.argv[2] ?? 15);
const ATTACKERS = 64; // concurrent connections sending wrong passwords
const ADDRESSES = 1000;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function start(queueLimit) {
  const dir = fileURLToPath(new URL(`.data/flood-${Date.now()}`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
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
      PORT: String(port),
      LOG_LEVEL: 'silent',
      BCRYPT_COST: process.env.BCRYPT_COST ?? '12',
      TRUST_PROXY: '1',
      PASSWORD_QUEUE_LIMIT: String(queueLimit),
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, stop };
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
  stop();
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
