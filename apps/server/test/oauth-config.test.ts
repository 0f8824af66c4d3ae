import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../src/index.js';

const base = { JWT_SECRET: randomBytes(32).toString('base64') };
const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('OAuth settings', () => {
  it('enables nothing by default', () => {
    expect(loadConfig(base).PUBLIC_URL).toBeUndefined();
  });

  it('wants client id and secret together, and PUBLIC_URL with any provider', () => {
    expect(problems({ OAUTH_GITHUB_CLIENT_ID: 'id' }).join()).toMatch(/OAUTH_GITHUB_CLIENT_SECRET/);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'id' }).join()).toMatch(
      /OIDC_CLIENT_SECRET/,
    );
    expect(problems({ OAUTH_GOOGLE_CLIENT_ID: 'id', OAUTH_GOOGLE_CLIENT_SECRET: 's' }).join()).toMatch(/PUBLIC_URL/);
    const ok = {
      OAUTH_GOOGLE_CLIENT_ID: 'id',
      OAUTH_GOOGLE_CLIENT_SECRET: 's',
      PUBLIC_URL: 'https://app.example.com/',
    };
    expect(loadConfig({ ...base, ...ok }).PUBLIC_URL).toBe('https://app.example.com');
  });

  it('requires https in production except for loopback hosts', () => {
    const oidc = { OIDC_ISSUER: 'http://idp.example.com', OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 's' };
    const prod = { NODE_ENV: 'production', PUBLIC_URL: 'http://app.example.com', ...oidc };
    expect(problems(prod).filter((p) => /must use https/.test(p))).toHaveLength(2);
    expect(problems({ ...prod, PUBLIC_URL: 'http://localhost:5173', OIDC_ISSUER: 'http://127.0.0.1:9000' })).toEqual(
      [],
    );
    expect(problems({ PUBLIC_URL: 'http://app.example.com', ...oidc })).toEqual([]);
  });
});
