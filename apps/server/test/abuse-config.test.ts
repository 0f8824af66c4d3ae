import { describe, expect, it } from 'vitest';
import { rateLimitStore } from '../src/config.js';
import { ConfigError, loadConfig } from '../src/index.js';

describe('abuse-protection settings', () => {
  it('defaults to the documented limits and the memory store', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      RATE_LIMIT_LOGIN_PER_MINUTE: 5,
      RATE_LIMIT_REGISTER_PER_HOUR: 20,
      RATE_LIMIT_REFRESH_PER_MINUTE: 60,
      RATE_LIMIT_OAUTH_START_PER_MINUTE: 30,
      RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR: 10,
      RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE: 20,
      RATE_LIMIT_ACCOUNT_IP_FAILURES: 10,
      RATE_LIMIT_ACCOUNT_LOCK: 900,
      RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: 100,
      RATE_LIMIT_KEY_PREFIX: 'gatehouse',
    });
    expect(rateLimitStore(config)).toBe('memory');
  });

  it('uses Redis when REDIS_URL is set, unless another store is named', () => {
    expect(rateLimitStore(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe('redis');
    expect(rateLimitStore(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_STORE: 'database' }))).toBe(
      'database',
    );
  });

  it('names each bad variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems.join('\n');
      }
      throw new Error('expected a ConfigError');
    };
    const fields = problems({ RATE_LIMIT_LOGIN_PER_MINUTE: '0', RATE_LIMIT_ACCOUNT_LOCK: 'forever' });
    expect(fields).toMatch(/RATE_LIMIT_LOGIN_PER_MINUTE: expected a whole number/);
    expect(fields).toMatch(/RATE_LIMIT_ACCOUNT_LOCK: expected a duration/);
    expect(problems({ RATE_LIMIT_STORE: 'redis' })).toMatch(/RATE_LIMIT_STORE: redis needs REDIS_URL/);
    expect(problems({ REDIS_URL: 'http://x' })).toMatch(/REDIS_URL/);
    expect(problems({ RATE_LIMIT_ACCOUNT_IP_FAILURES: '50', RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: '20' })).toMatch(
      /RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: must be at least RATE_LIMIT_ACCOUNT_IP_FAILURES/,
    );
  });
});
