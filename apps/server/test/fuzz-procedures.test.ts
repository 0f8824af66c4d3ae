/**
 * Property-based fuzzing of every procedure over real HTTP (fast-check): hostile inputs, hostile
 * transports, hostile credentials. For every answer: never a 5xx, a documented error code whose
 * status matches, a real message, no stack trace or SQL text, and — for refused calls — the
 * database exactly as it was.
 */
import { appRouter } from '@gatehouse/api';
import { API_KEY_SCOPES, type AuthServices } from '@gatehouse/core';
import { databaseOf } from '@gatehouse/core/testing';
import type { UserRecord } from '@gatehouse/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../src/index.js';
import {
  checkResponse,
  HOSTILE_STRINGS,
  hostileInput,
  hostileString,
  hostileValue,
  postWithHeaders,
  send,
  sendRaw,
  snapshotDatabase,
  userCode,
} from './fuzz-support.js';
import { ADMIN, startTestServer } from './harness.js';

/** Runs per procedure for the input property; the README's security section quotes this. */
export const RUNS_PER_PROCEDURE = 75;
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

type Kind = 'query' | 'mutation';
interface ProcedureInfo {
  path: string;
  kind: Kind;
}

/** Every procedure of the real router, found by walking it: a new procedure is fuzzed too. */
function procedures(): ProcedureInfo[] {
  const all = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def
    .procedures;
  return Object.entries(all)
    .map(([path, procedure]) => ({ path, kind: procedure._def.type as Kind }))
    .filter((p) => p.kind === 'query' || p.kind === 'mutation')
    .sort((a, b) => a.path.localeCompare(b.path));
}

const username = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9._-]{1,20}[a-z0-9]$/),
  fc.constantFrom('root', 'ROOT', 'ｒｏｏｔ', 'rооt', 'r\u200Boot', 'ro\u0301ot', 'Root.', '.root', 'fuzzy'),
);
const email = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/).map((local) => `${local}@example.com`) },
  fc.emailAddress(),
  fc.constantFrom('root@example.com', 'ROOT@Example.com', 'a@b', 'a@@b.com', '"x"@example.com', 'x@exa\u0000mple.com'),
);
const password = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 8, maxLength: 30 }) },
  fc.constantFrom(ADMIN.password, 'fuzz-password-9', 'password', '12345678', '😀'.repeat(18), '😀'.repeat(19)),
);
const userId = fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom(2 ** 31, 2 ** 53 + 2, 1.5));
const isoDate = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2030-01-01T00:00:00Z', '2000-01-01T00:00:00+00:00', '2030-02-30T00:00:00Z', 'yesterday'),
);
const refreshToken = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[0-9a-f]{16,32}$/), fc.base64String({ minLength: 43, maxLength: 44 }))
    .map(([id, secret]) => `${id}.${secret}`),
  fc.constantFrom('.', 'a.', '.b', '..', 'x'.repeat(4097)),
);

/** Mailed-link tokens: the right shape (43 URL-safe characters, never issued), near misses, junk. */
const emailToken = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
  fc.string({ maxLength: 60 }),
  fc.constantFrom('A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`, 'x'.repeat(5000)),
);

/** base64url text: mostly well-formed, sometimes padded, empty, huge or not base64 at all. */
const base64url = fc.oneof(
  { weight: 3, arbitrary: fc.base64String({ maxLength: 120 }).map((b) => b.replace(/=+$/, '').replace(/\+/g, '-')) },
  fc.constantFrom('', '====', 'A'.repeat(70_000), '%%%', 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0'),
);
/** clientDataJSON as a browser would send it, for a challenge the server never issued, or junk. */
const clientDataJSON = fc.oneof(
  fc
    .tuple(fc.constantFrom('webauthn.create', 'webauthn.get', 'other'), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))
    .map(([type, challenge]) =>
      Buffer.from(JSON.stringify({ type, challenge, origin: 'http://localhost:3000' })).toString('base64url'),
    ),
  base64url,
);
const credentialId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{22,64}$/), base64url);
/** A RegistrationResponseJSON / AuthenticationResponseJSON shape with plausible and hostile parts. */
const passkeyResponse = fc.record(
  {
    id: credentialId,
    rawId: credentialId,
    type: fc.constantFrom('public-key', 'password', ''),
    clientExtensionResults: fc.oneof(fc.constant({}), hostileValue),
    response: fc.record(
      {
        clientDataJSON,
        attestationObject: base64url,
        authenticatorData: base64url,
        signature: base64url,
        userHandle: base64url,
        transports: fc.array(fc.constantFrom('internal', 'usb', 'hybrid', 'carrier-pigeon'), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const challengeId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{32}$/), hostileString);
/** Second-factor codes: six digits, backup-code shapes, near misses, junk. */
const mfaCode = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^\d{6}$/) },
  fc.stringMatching(/^[2-9A-Z]{4}-[2-9A-Z]{6}$/),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '00000', '0000000', ' 123456 ', '１２３４５６', 'x'.repeat(5000)),
);

/** The fields each known procedure reads, with plausible values; unknown procedures get generic fields. */
const FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  'auth.register': { username, email, password, fullName: fc.oneof(fc.string(), fc.constant(null)) },
  'auth.login': { username: fc.oneof(username, email), password, refreshCookie: fc.boolean() },
  'auth.refresh': { refreshToken },
  'auth.logout': { refreshToken },
  'user.update': { fullName: fc.oneof(fc.string({ maxLength: 120 }), fc.constant(null)), email },
  'user.changePassword': { currentPassword: password, newPassword: password },
  'user.revokeSession': { sessionId: fc.stringMatching(/^[0-9a-f]{1,64}$/) },
  'admin.users.list': {
    cursor: userId,
    limit: fc.integer({ min: -5, max: 200 }),
    search: fc.oneof(hostileString, fc.constantFrom('%', '_', "'", 'root')),
    role: fc.constantFrom('admin', 'user', 'viewer', 'ADMIN', 'superuser'),
    emailVerified: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)),
  },
  'admin.users.setRole': { userId, role: fc.constantFrom('admin', 'user', 'viewer', 'owner', '') },
  'admin.users.setActive': { userId, active: fc.oneof(fc.boolean(), fc.constantFrom('false', 0, 1)) },
  'admin.users.delete': { userId },
  'admin.apiKeys.create': {
    name: fc.string({ maxLength: 120 }),
    scopes: fc.array(fc.constantFrom(...API_KEY_SCOPES, 'admin', '*'), { maxLength: 5 }),
    expiresAt: isoDate,
  },
  'admin.apiKeys.revoke': { id: fc.stringMatching(/^[0-9a-f]{16}$/) },
  'admin.audit.list': {
    userId,
    type: fc.constantFrom('login_failed', 'logout', 'nonsense'),
    from: isoDate,
    to: isoDate,
    cursor: userId,
    limit: fc.integer({ min: -1, max: 300 }),
  },
  'service.introspect': { token: fc.oneof(fc.string(), fc.constantFrom('a.b.c', 'x'.repeat(4097))) },
  'auth.verifyEmail': { token: emailToken },
  'auth.confirmEmailChange': { token: emailToken },
  'auth.resetPassword': { token: emailToken, newPassword: password },
  'auth.requestPasswordReset': { email },
  'auth.requestSignInLink': { email },
  'auth.requestEmailVerification': { email },
  'auth.signInWithLink': { token: emailToken, refreshCookie: fc.boolean() },
  'user.requestEmailChange': { newEmail: email, currentPassword: password },
  'admin.users.sendPasswordReset': { userId },
  'service.users.get': { id: userId },
  'auth.device.start': { clientName: fc.oneof(hostileString, fc.string({ maxLength: 80 })) },
  'auth.device.poll': { deviceCode: emailToken },
  'user.device.approve': { userCode },
  'user.device.deny': { userCode },
  'user.passkeys.register': { response: passkeyResponse, name: fc.string({ maxLength: 80 }), challengeId },
  'user.passkeys.rename': { id: credentialId, name: fc.string({ maxLength: 80 }) },
  'user.passkeys.delete': { id: credentialId },
  'auth.passkey.options': { username: fc.oneof(username, email) },
  'auth.passkey.verify': { response: passkeyResponse, refreshCookie: fc.boolean(), challengeId },
  'auth.mfa.verify': { mfaToken: emailToken, code: mfaCode, refreshCookie: fc.boolean() },
  'auth.reauthenticate': { password, code: mfaCode },
  'user.mfa.totp.enable': { code: mfaCode },
  'admin.users.resetMfa': { userId },
};
const GENERIC_FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  id: hostileValue,
  userId,
  token: fc.string(),
  code: fc.string(),
  state: fc.string(),
};

type Credential = 'none' | 'user' | 'admin' | 'apiKey' | 'garbage';
/** Mostly the credential the procedure expects, so calls get past authentication to the input. */
function credentialFor(path: string): fc.Arbitrary<Credential> {
  const natural: Credential = path.startsWith('admin.')
    ? 'admin'
    : path.startsWith('user.')
      ? 'user'
      : path.startsWith('service.')
        ? 'apiKey'
        : 'none';
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(natural) },
    { weight: 4, arbitrary: fc.constantFrom<Credential>('none', 'user', 'admin', 'apiKey', 'garbage') },
  );
}
const garbageHeaders = fc.oneof(
  fc.constantFrom<Record<string, string>>(
    { authorization: 'Bearer' },
    { authorization: 'Bearer a.b.c' },
    { authorization: 'Basic cm9vdDphZG1pbi1wYXNzd29yZC0x' },
    { authorization: `Bearer ${'A'.repeat(12_000)}` },
    { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.' },
    { 'x-api-key': 'gh_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    { 'x-api-key': 'gh_' },
    { 'x-api-key': `gh_${'f'.repeat(16)}_${'A'.repeat(12_000)}` },
    { 'x-api-key': "' OR 1=1 --" },
  ),
  fc
    .tuple(fc.constantFrom('authorization', 'x-api-key'), fc.string({ unit: 'binary-ascii', maxLength: 300 }))
    // fetch refuses control characters and non-Latin-1 in header values; those go over a raw socket below.
    .filter(([, value]) => /^[\x20-\x7e]*$/.test(value))
    .map(([name, value]) => ({ [name]: value })),
);

describe('fuzzing every procedure over HTTP', () => {
  let app: RunningGatehouse;
  let services: AuthServices;
  let adminToken = '';
  let userToken = '';
  let fuzzUser: UserRecord | null = null;
  let apiKey = '';
  let apiKeyId = '';
  let userCount = 0;
  const client = { ip: '127.0.0.1', userAgent: 'fuzz' };
  const tally: Record<string, Record<string, number>> = {};

  async function works(token: string): Promise<boolean> {
    return services.authenticator.authenticate(token).then(
      () => true,
      () => false,
    );
  }

  /** Puts the fixtures back however the previous run left them (outside the measured call). */
  async function restoreFixtures(): Promise<void> {
    const root = (await databaseOf(services).users.findByLoginKey(ADMIN.username))!;
    if (root.role !== 'admin') await databaseOf(services).users.setRole(root.id, 'admin', new Date());
    if (!root.isActive) await databaseOf(services).users.setActive(root.id, true, new Date());
    if (!(await works(adminToken))) {
      adminToken = (await services.sessions.open((await databaseOf(services).users.findById(root.id))!, client)).tokens
        .accessToken;
    }
    const user = fuzzUser ? await databaseOf(services).users.findById(fuzzUser.id) : null;
    if (!user?.isActive || user.role !== 'user') {
      userCount += 1;
      fuzzUser = await services.accounts.register({
        username: `fuzzer${userCount}`,
        email: `fuzzer${userCount}@example.com`,
        password: 'fuzz-password-9',
      });
      userToken = (await services.sessions.open(fuzzUser, client)).tokens.accessToken;
    } else if (!(await works(userToken))) {
      userToken = (await services.sessions.open(user, client)).tokens.accessToken;
    }
    const key = apiKeyId ? await databaseOf(services).apiKeys.findById(apiKeyId) : null;
    if (!key || key.revokedAt) {
      const created = await services.apiKeys.create(
        { userId: root.id, client },
        { name: 'fuzz', scopes: [...API_KEY_SCOPES], expiresAt: null },
      );
      apiKey = created.key;
      apiKeyId = created.record.id;
    }
  }

  function headersFor(cred: Credential, garbage: Record<string, string>): Record<string, string> {
    if (cred === 'user') return { authorization: `Bearer ${userToken}` };
    if (cred === 'admin') return { authorization: `Bearer ${adminToken}` };
    if (cred === 'apiKey') return { 'x-api-key': apiKey };
    if (cred === 'garbage') return garbage;
    return {};
  }

  function count(path: string, outcome: string): void {
    tally[path] ??= {};
    tally[path][outcome] = (tally[path][outcome] ?? 0) + 1;
  }

  beforeAll(async () => {
    app = await startTestServer();
    services = app.services;
    await restoreFixtures();
  });
  afterAll(async () => {
    console.log(
      `fuzz outcomes (${RUNS_PER_PROCEDURE} input runs per procedure, seed ${SEED}):\n${Object.entries(tally)
        .map(([path, outcomes]) => `  ${path}: ${JSON.stringify(outcomes)}`)
        .join('\n')}`,
    );
    await app.close();
  });

  it('walks the router: every procedure has a kind and the known ones have their fields listed', () => {
    const found = procedures();
    expect(found.length).toBeGreaterThanOrEqual(21);
    for (const known of Object.keys(FIELDS)) expect(found.map((p) => p.path)).toContain(known);
  });

  for (const { path, kind } of procedures()) {
    it(`${path} (${kind}): hostile input and credentials never get a 5xx, leak or change the database`, async () => {
      const fields = FIELDS[path] ?? GENERIC_FIELDS;
      await fc.assert(
        fc.asyncProperty(
          hostileInput(Object.keys(fields), fields),
          credentialFor(path),
          garbageHeaders,
          fc.boolean(),
          async (body, cred, garbage, omitInput) => {
            await restoreFixtures();
            const headers = headersFor(cred, garbage);
            const before = await snapshotDatabase(services);
            let response: { status: number; text: string };
            if (kind === 'query') {
              const query = omitInput ? '' : `?input=${encodeURIComponent(body)}`;
              const url = `${app.url}/trpc/${path}${query}`;
              response = await send(url, { headers });
              if (url.length > 16_000) {
                // Node's HTTP parser refuses request heads over 16 KiB before any handler runs.
                expect([200, 400, 401, 403, 404, 414, 431]).toContain(response.status);
                if (response.status === 431 || response.status === 414) {
                  if (response.status === 431) expect(JSON.parse(response.text).error.data.httpStatus).toBe(431);
                  count(path, String(response.status));
                  return;
                }
              }
            } else {
              response = await send(`${app.url}/trpc/${path}`, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/json' },
                ...(omitInput ? {} : { body }),
              });
            }
            const [outcome] = checkResponse(response, `${path} ${cred} ${body.slice(0, 200)}`);
            count(path, outcome!);
            if (outcome !== 'OK') expect(await snapshotDatabase(services)).toBe(before);
          },
        ),
        { numRuns: RUNS_PER_PROCEDURE, seed: SEED, endOnFailure: true },
      );
    });
  }

  it('malformed JSON, wrong content types and wrong methods get 4xx with a clear message', async () => {
    const bodies = fc.oneof(
      fc.constantFrom(
        '{"username": ',
        '{username: "root"}',
        "{'username':'root'}",
        '{"a":1,}',
        '[1,2',
        'undefined',
        'NaN',
        '\u0000',
        '\uFEFF{"username":"root","password":"x"}',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
        '{"__proto__":{"isAdmin":true},"username":"root","password":"admin"}',
        '{"username":"root","username":"other","password":"x"}',
      ),
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
    );
    const contentTypes = fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      'application/json; charset=utf-16',
      'application/xml',
      '*/*',
      'garbage',
    );
    const paths = fc.constantFrom(...procedures().map((p) => p.path), 'auth', 'nothing.here', '__proto__', '..%2f');
    const methods = fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH');
    await fc.assert(
      fc.asyncProperty(paths, methods, contentTypes, bodies, async (path, method, type, body) => {
        const before = await snapshotDatabase(services);
        const response = await send(`${app.url}/trpc/${path}`, {
          method,
          headers: type ? { 'content-type': type } : {},
          ...(method === 'GET' ? {} : { body }),
        });
        const outcomes = checkResponse(response, `${method} ${path} ${type} ${body.slice(0, 80)}`);
        if (!outcomes.includes('OK')) expect(await snapshotDatabase(services)).toBe(before);
      }),
      { numRuns: 150, seed: SEED, endOnFailure: true },
    );
  });

  it('malformed batch requests (?batch=1) get 4xx per call, never a 5xx', async () => {
    const names = procedures().map((p) => p.path);
    const pathList = fc.oneof(
      fc.array(fc.constantFrom(...names, 'nothing', ''), { minLength: 0, maxLength: 12 }).map((l) => l.join(',')),
      fc.constantFrom(',,,', 'auth.login,,auth.login', `${'health,'.repeat(200)}health`),
    );
    const batchBody = fc.oneof(
      fc
        .dictionary(fc.constantFrom('0', '1', '2', '-1', '99', 'x', '__proto__'), hostileValue)
        .map((d) => JSON.stringify(d)),
      fc.array(hostileValue, { maxLength: 4 }).map((a) => JSON.stringify(a)),
      hostileValue.map((v) => JSON.stringify(v ?? null)),
      fc.constantFrom('{"0":', '{}', '[]', 'null', '{"0":{"username":"root","password":"wrong-password"}}'),
    );
    await fc.assert(
      fc.asyncProperty(pathList, batchBody, fc.boolean(), async (list, body, asQuery) => {
        const before = await snapshotDatabase(services);
        const response = asQuery
          ? await send(`${app.url}/trpc/${list}?batch=1&input=${encodeURIComponent(body)}`)
          : await send(`${app.url}/trpc/${list}?batch=1`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            });
        // A request head over 16 KiB: refused by Node's parser, answered with a JSON 431.
        if (asQuery && response.status === 431) {
          expect(JSON.parse(response.text).error.data.httpStatus).toBe(431);
          return;
        }
        const outcomes = checkResponse(response, `batch ${list.slice(0, 80)} ${body.slice(0, 80)}`);
        if (!outcomes.includes('OK')) expect(await snapshotDatabase(services)).toBe(before);
      }),
      { numRuns: 100, seed: SEED, endOnFailure: true },
    );
  });

  it('oversized bodies get 413 (declared or streamed), never a 5xx', async () => {
    await restoreFixtures();
    for (const path of ['auth.login', 'auth.register', 'user.update', 'admin.apiKeys.create']) {
      const body = JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 1), password: 'p' });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` };
      const declared = await send(`${app.url}/trpc/${path}`, {
        method: 'POST',
        headers,
        body,
      });
      expect(declared.status).toBe(413);
      checkResponse(declared, `413 ${path}`);
      // Chunked, so no Content-Length to refuse up front: the body limit must still hold.
      const streamed = await fetch(`${app.url}/trpc/${path}`, {
        method: 'POST',
        headers,
        body: new Blob([body]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      checkResponse({ status: streamed.status, text: await streamed.text() }, `413 streamed ${path}`);
    }
  });

  it('control characters, non-Latin-1 and oversized values in Authorization and X-API-Key never get a 5xx', async () => {
    const values = fc.oneof(
      fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5000)),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('authorization', 'x-api-key'),
        fc.constantFrom('Bearer ', 'bearer  ', '', 'gh_'),
        values,
        fc.constantFrom('user.me', 'service.users.get?input=%7B%22id%22%3A1%7D', 'admin.users.list'),
        async (name, prefix, value, target) => {
          // Raw bytes: the header goes out exactly as generated (UTF-8), NUL and CR/LF included.
          const header = `${name}: ${prefix}${value.replace(/\r|\n/g, ' ')}`;
          const request = Buffer.concat([
            Buffer.from(`GET /trpc/${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`),
            Buffer.from(header, 'utf8'),
            Buffer.from('\r\n\r\n'),
          ]);
          const { status, text } = await sendRaw(app.url, request);
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4);
          if (bodyText.trim().startsWith('{')) {
            const parsed = JSON.parse(bodyText) as { error?: { data?: { code?: string } } };
            expect(['UNAUTHORIZED', 'BAD_REQUEST']).toContain(parsed.error?.data?.code);
          }
        },
      ),
      { numRuns: 80, seed: SEED, endOnFailure: true },
    );
    // And over node:http with lenient parsing, several credentials at once.
    const both = await postWithHeaders(
      `${app.url}/trpc/service.introspect`,
      { 'content-type': 'application/json', authorization: `Bearer ${userToken}`, 'x-api-key': 'gh_nope' },
      '{"token":"x"}',
    );
    checkResponse(both, 'both credentials');
    expect(both.status).toBe(401);
  });

  it('usernames are NFKC-normalised and ASCII-only: no two accounts look alike', async () => {
    const register = (name: string, mail: string) =>
      send(`${app.url}/trpc/auth.register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name, email: mail, password: 'lookalike-password-7' }),
      });
    const first = await register('lookalike', 'lookalike@example.com');
    expect(first.status).toBe(200);
    const lookalikes = [
      'LOOKALIKE',
      'ｌｏｏｋａｌｉｋｅ',
      'lооkalike',
      'lookalike\u200B',
      '\u202Elookalike',
      'lookalike\u0000',
      'looka\u0301like',
      'ℓookalike',
      ' lookalike ',
    ];
    for (const [i, name] of lookalikes.entries()) {
      const answer = await register(name, `lookalike${i}@example.com`);
      expect([400, 409], `${JSON.stringify(name)} -> ${answer.status}`).toContain(answer.status);
    }
    const emailTwin = await register('emailtwin', 'LOOKALIKE@EXAMPLE.COM');
    expect(emailTwin.status).toBe(409);
  });
});
