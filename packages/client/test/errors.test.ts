import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCode, fieldErrors, isNetworkError, retryAfter, TRPCClientError } from '@gatehouse/client';
import { describe, expect, it } from 'vitest';

/** An error as the client builds it from a server answer (the server has no rate limiter to trip in a test yet). */
function answered(data: Record<string, unknown>, headers: Record<string, string> = {}) {
  return TRPCClientError.from(
    { error: { message: 'Too many attempts', code: -32029, data } },
    { meta: { response: new Response(null, { status: 429, headers }) } },
  );
}

describe('error helpers', () => {
  it('retryAfter reads data.retryAfter, else the Retry-After header, only for TOO_MANY_REQUESTS', () => {
    expect(retryAfter(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, retryAfter: 30 }))).toBe(30);
    expect(retryAfter(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 }, { 'retry-after': '12' }))).toBe(12);
    expect(retryAfter(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 }))).toBeNull();
    expect(retryAfter(answered({ code: 'UNAUTHORIZED', httpStatus: 401, retryAfter: 5 }))).toBeNull();
    expect(errorCode(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 }))).toBe('TOO_MANY_REQUESTS');
  });

  it('return null for things that are not client errors', () => {
    for (const value of [new Error('x'), 'text', null, undefined, { data: { code: 'X' } }]) {
      expect(errorCode(value)).toBeNull();
      expect(fieldErrors(value)).toBeNull();
      expect(retryAfter(value)).toBeNull();
      expect(isNetworkError(value)).toBe(false);
    }
  });
});

describe('browser safety', () => {
  it('the main entry never imports node: modules', () => {
    const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(join(dist, file), 'utf8');
      for (const [, specifier] of source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:|^(fs|path|os|crypto)$/);
        if (specifier?.startsWith('./')) visit(specifier.slice(2));
      }
    };
    visit('index.js');
    expect(seen.has('client.js')).toBe(true);
    expect(seen.has('file-token-store.js')).toBe(false);
  });
});
