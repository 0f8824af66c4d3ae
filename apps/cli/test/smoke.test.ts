import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, gatehouse, startServer } from './harness.js';

const STEPS = [
  'health',
  'register',
  'login',
  'user.me',
  'user.update',
  'refresh',
  'refresh token reuse',
  'admin forbidden',
  'logout',
];

describe('gatehouse smoke', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    // A short reuse grace window, so the smoke test also goes through waiting it out.
    app = await startServer({ REFRESH_REUSE_GRACE: '1s' });
  });
  afterAll(() => app.close());

  it('passes every step against a running server and exits 0', async () => {
    const result = await gatehouse(['smoke', '--url', app.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Smoke test of ${app.url}`);
    expect(lines.slice(1, -1).map((line) => line.split(':')[0])).toEqual(STEPS.map((step) => `✓ ${step}`));
    expect(lines.at(-1)).toMatch(/^smoke: 9 passed, 0 failed \(\d+\.\d s\)$/);
    expect(result.stdout).toContain('✓ refresh token reuse: old token refused and the session revoked');
  });

  it('can run twice against the same server (fresh user each time)', async () => {
    const result = await gatehouse(['smoke'], { GATEHOUSE_URL: app.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('smoke: 9 passed, 0 failed');
  });

  it('exits 1 with a plain reason when nothing listens at the URL', async () => {
    const url = await deadUrl();
    const result = await gatehouse(['smoke', '--url', url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`✗ health: cannot reach ${url}: .*ECONNREFUSED`));
    expect(result.stdout).toContain('- register: skipped');
    expect(result.stdout).toMatch(/smoke: 0 passed, 1 failed, 8 skipped/);
  });
});
