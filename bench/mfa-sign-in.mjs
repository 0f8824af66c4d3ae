#!/usr/bin/env node
// `node bench/mfa-sign-in.mjs [rounds]`: what a second factor adds to a sign-in, against the built
// server in production mode on a SQLite file at the real bcrypt cost (BCRYPT_COST, default 12).
// Each round signs in once with a password-only account and once with an account that has an
// authenticator app (auth.login, then auth.mfa.verify with the current code); prints medians.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { totpCode } from '@gatehouse/core';
import { startServer } from './lib/server.mjs';

const ROUNDS = Number(process.argv[2] ?? 10);

async function start() {
  const dir = fileURLToPath(new URL(`.data/mfa-${Date.now()}`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  const server = await startServer({
    cwd: dir,
    nodeArgs: [],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(48).toString('base64'),
      MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: `file:${dir}/g.db`,
      DATA_DIR: dir,
      WEB_DIST: dir,
      LOG_LEVEL: 'silent',
      BCRYPT_COST: process.env.BCRYPT_COST ?? '12',
      EMAIL_VERIFICATION: 'off',
      SIGN_IN_LINKS: 'off',
      PASSWORD_RESET: 'off',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    },
  });
  return {
    base: server.base,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function call(base, path, input, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
  const body = await response.json();
  if (body.error) throw new Error(`${path}: ${body.error.message}`);
  return body.result.data;
}

async function account(base, name) {
  const user = { username: name, email: `${name}@example.com`, password: `pw-${randomBytes(8).toString('hex')}` };
  await call(base, 'auth.register', user);
  return { ...user, tokens: await call(base, 'auth.login', user) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const { base, stop } = await start();
try {
  const plain = await account(base, 'plain');
  // One account per round: a time step is accepted once per account, and rounds are faster than 30 s.
  const guarded = [];
  for (let i = 0; i < ROUNDS; i++) {
    const user = await account(base, `guarded${i}`);
    const { secret } = await call(base, 'user.mfa.totp.setup', {}, user.tokens.accessToken);
    // Enabled with the previous step's code (one step of drift is accepted), so the current one is still unused.
    await call(
      base,
      'user.mfa.totp.enable',
      { code: totpCode(secret, new Date(Date.now() - 30_000)) },
      user.tokens.accessToken,
    );
    guarded.push({ ...user, secret });
  }
  const alone = [];
  const both = [];
  const verifyOnly = [];
  for (const user of guarded) {
    let t = performance.now();
    await call(base, 'auth.login', { username: plain.username, password: plain.password });
    alone.push(performance.now() - t);
    t = performance.now();
    const challenge = await call(base, 'auth.login', { username: user.username, password: user.password });
    const between = performance.now();
    await call(base, 'auth.mfa.verify', { mfaToken: challenge.mfaToken, code: totpCode(user.secret, new Date()) });
    both.push(performance.now() - t);
    verifyOnly.push(performance.now() - between);
  }
  const [a, b, v] = [median(alone), median(both), median(verifyOnly)];
  console.log(
    `BCRYPT_COST=${process.env.BCRYPT_COST ?? 12}, SQLite file, production mode, median of ${ROUNDS}:\n` +
      `  login alone             ${a.toFixed(1)} ms\n` +
      `  login + auth.mfa.verify ${b.toFixed(1)} ms (+${(b - a).toFixed(1)} ms, +${(((b - a) / a) * 100).toFixed(0)}%)\n` +
      `  auth.mfa.verify alone   ${v.toFixed(1)} ms`,
  );
} finally {
  await stop();
}
