import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier } from '@gatehouse/client/verifier';
import { createLogger, loadConfig, type RunningGatehouse, startGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceServer } from '../src/index.js';

const GATEHOUSE_MAIN = fileURLToPath(new URL('./main.js', import.meta.resolve('@gatehouse/server')));
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-resource-'));
const env = {
  NODE_ENV: 'test',
  PORT: '0',
  DATA_DIR: dir,
  DATABASE_URL: `file:${join(dir, 'gatehouse.db')}`,
  JWT_ALG: 'EdDSA',
  JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  // Re-read keys on every use, so a rotation by the command is seen at once.
  JWT_KEY_CACHE_TTL: '0',
  BCRYPT_COST: '4',
  LOG_LEVEL: 'silent',
  GATEHOUSE_ADMIN_USERNAME: 'root',
  GATEHOUSE_ADMIN_EMAIL: 'root@example.com',
  GATEHOUSE_ADMIN_PASSWORD: 'admin-password-1',
};

async function login(gatehouse: string): Promise<string> {
  const response = await fetch(`${gatehouse}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'admin-password-1' }),
  });
  return ((await response.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
}

describe('a resource server trusting Gatehouse through its JWKS', () => {
  let gatehouse: RunningGatehouse;
  let resource: Server;
  let resourceUrl: string;

  beforeAll(async () => {
    const config = loadConfig(env);
    gatehouse = await startGatehouse(config, createLogger(config));
    const verifier = createTokenVerifier({
      issuer: 'gatehouse',
      audience: 'gatehouse',
      jwksUrl: `${gatehouse.url}/.well-known/jwks.json`,
      jwksCooldownMs: 0,
    });
    resource = createResourceServer(verifier);
    await new Promise<void>((resolve) => resource.listen(0, '127.0.0.1', resolve));
    resourceUrl = `http://127.0.0.1:${(resource.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => resource.close(resolve));
    await gatehouse.close();
  });

  const greet = (token?: string) =>
    fetch(`${resourceUrl}/api/greeting`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('admits a Gatehouse access token and refuses none or a bad one', async () => {
    const token = await login(gatehouse.url);
    const ok = await greet(token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ message: expect.stringMatching(/^Hello, user \d+$/) });
    expect((await greet()).status).toBe(401);
    const bad = await greet(`${token.slice(0, -4)}AAAA`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('keeps admitting old and new tokens across a rotate-keys run', async () => {
    const before = await login(gatehouse.url);
    const beforeKid = ((await (await greet(before)).json()) as { keyId: string }).keyId;

    const rotation = spawnSync(process.execPath, [GATEHOUSE_MAIN, 'rotate-keys'], {
      env: { ...env, PATH: process.env.PATH },
      encoding: 'utf8',
      cwd: dir,
    });
    expect(rotation.status).toBe(0);
    const newKid = /new signing key (\S+)/.exec(rotation.stdout)?.[1];
    expect(rotation.stdout).toContain(`retired ${beforeKid}`);

    const after = await login(gatehouse.url);
    const answer = await greet(after);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { keyId: string }).keyId).toBe(newKid);
    expect((await greet(before)).status).toBe(200);
  });
});
