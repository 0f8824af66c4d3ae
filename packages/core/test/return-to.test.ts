import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProvider, sameOriginPath } from '../src/index.js';

const BASE = 'https://app.example.com';

/** What a browser does with a Location header: the page it lands on must be on the app. */
function landsOnApp(path: string): boolean {
  return new URL(path, BASE).origin === new URL(BASE).origin && path.startsWith('/') && !/^\/[/\\]/.test(path);
}

function accepted(returnTo: string): string | null {
  try {
    return sameOriginPath(returnTo, BASE);
  } catch {
    return null;
  }
}

/** Known open-redirect shapes: encoded, backslashes, control characters, dot segments, unicode slashes. */
const PAYLOADS = [
  '//evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '/%2f%2fevil.example',
  '/%2F/evil.example',
  '/%5cevil.example',
  '/..//evil.example',
  '/a/..//evil.example',
  '/a/.././/evil.example',
  '/././/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\u0000//evil.example',
  '/\u2215\u2215evil.example',
  '/\uff0f\uff0fevil.example',
  '/\u29f8evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  '/%09/evil.example',
  '/.%2f/evil.example',
  '/%2e/%2fevil.example',
  '///evil.example',
  '/.../evil.example',
];

describe('returnTo', () => {
  it('never hands back a path a browser would read as another host', () => {
    for (const payload of PAYLOADS) {
      const out = accepted(payload);
      if (out !== null) expect(landsOnApp(out), `${JSON.stringify(payload)} -> ${out}`).toBe(true);
    }
    expect(accepted('/.//evil.example')).toBeNull();
  });

  it('holds for generated paths built from slashes, dots, escapes and look-alikes', () => {
    const piece = fc.constantFrom(
      '/',
      '\\',
      '.',
      '..',
      '%2f',
      '%2F',
      '%5c',
      '%2e',
      '\u2215',
      '\uff0f',
      'evil.example',
      'a',
      '?',
      '#',
      '\t',
      '@',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        const out = accepted(`/${pieces.join('')}`);
        return out === null || landsOnApp(out);
      }),
      { numRuns: 20_000, seed: 20261205 },
    );
  });

  it('still accepts ordinary paths of the app', () => {
    expect(accepted('/profile?tab=accounts')).toBe('/profile?tab=accounts');
    expect(accepted('/a/./b/../c')).toBe('/a/c');
  });
});

describe('OIDC discovery', () => {
  let server: Server;
  let issuer: string;
  let userinfo = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: 'https://idp.example.com/auth',
          token_endpoint: 'https://idp.example.com/token',
          jwks_uri: 'https://idp.example.com/jwks',
          userinfo_endpoint: userinfo,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a plain-http userinfo endpoint outside loopback in production', async () => {
    userinfo = 'http://idp.example.com/userinfo';
    await expect(discoverProvider(issuer, true)).rejects.toThrow(/userinfo.*must use https/);
    userinfo = 'https://idp.example.com/userinfo';
    await expect(discoverProvider(issuer, true)).resolves.toMatchObject({ userinfo_endpoint: userinfo });
  });
});
