import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../src/config.js';
import { ConfigError, loadConfig } from '../src/index.js';
import { secretWeakness } from '../src/jwt-secret.js';

describe('configuration', () => {
  it('starts on the documented defaults from a copy of .env.example', () => {
    const example = parseEnv(readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')) as Record<
      string,
      string
    >;
    const config = loadConfig(example);
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', ACCESS_TOKEN_TTL: 900, BCRYPT_COST: 12 });
    expect(config.REFRESH_TOKEN_TTL).toBe(30 * 86400);
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it('.env.example lists every variable the schema reads, and no other, each at its default or blank', () => {
    const example = parseEnv(readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')) as Record<
      string,
      string
    >;
    const variables = configVariables();
    expect(Object.keys(example).sort()).toEqual(variables.map((v) => v.name).sort());
    const unset = loadConfig({});
    for (const { name, default: fallback } of variables) {
      const value = example[name]?.trim() ?? '';
      if (fallback === undefined) {
        expect(value, `${name} has no default, so .env.example leaves it blank`).toBe('');
      } else {
        // Compared as the server reads them: 15m and 900 are the same default.
        const key = name as keyof typeof unset;
        expect(loadConfig({ [name]: value })[key], `${name}=${value} in .env.example`).toEqual(unset[key]);
        expect(value, `${name} has a default, so .env.example shows it`).not.toBe('');
      }
    }
  });

  it('refuses a bad value with a ConfigError naming the variable', () => {
    const bad = () => loadConfig({ PORT: '-1', CORS_ORIGINS: 'app.example.com' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/- PORT: expected a whole number/);
  });

  it('refuses a guessable JWT_SECRET in production, saying how to make a good one', () => {
    const prod = { NODE_ENV: 'production', BCRYPT_COST: '12' };
    for (const weak of ['a'.repeat(48), 'changeme-'.repeat(6), 'abcd'.repeat(12), '0123456789'.repeat(4)]) {
      expect(() => loadConfig({ ...prod, JWT_SECRET: weak }), weak).toThrow(
        /JWT_SECRET: looks guessable.*openssl rand -base64 48/,
      );
    }
    for (const strong of [randomBytes(48).toString('base64'), randomBytes(32).toString('hex')]) {
      expect(loadConfig({ ...prod, JWT_SECRET: strong }).JWT_SECRET).toBe(strong);
    }
    // Development accepts it (the server warns at start-up instead).
    expect(loadConfig({ JWT_SECRET: 'a'.repeat(48) }).JWT_SECRET).toBe('a'.repeat(48));
  });

  it('judges openssl-made secrets strong and patterned ones weak', () => {
    for (let i = 0; i < 200; i++) expect(secretWeakness(randomBytes(48).toString('base64'))).toBeNull();
    expect(secretWeakness('changeme-changeme-changeme-changeme-changeme-')).toMatch(/only 8 different|repeats/);
  });
});
