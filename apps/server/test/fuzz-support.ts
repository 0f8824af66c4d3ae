import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AuthServices } from '@gatehouse/core';
import { databaseOf } from '@gatehouse/core/testing';
import fc from 'fast-check';

/** Error codes the README documents, and the statuses that go with them. */
const DOCUMENTED_CODES: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
};

/** Text that must never reach a caller: stack frames, SQL engine errors, internal names. */
const LEAK =
  /\bat [\w$.<>]+ \(|\.[cm]?js:\d+:\d+|node_modules|SQLITE_|sqlite|no such (table|column)|constraint failed|syntax error at|drizzle|better-sqlite|"stack"|Internal server error|TypeError|ReferenceError|Cannot read propert|is not a function|undefined is not/i;

/** Unicode and injection strings that have broken auth services before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'root\u0000',
  'a\u0000b@example.com',
  '\u202Eroot',
  'root\u200B',
  '\u200Droot',
  '\uFEFFroot',
  'e\u0301\u0301\u0301',
  'Z\u0336\u0335\u0334',
  'ｒｏｏｔ',
  'rооt',
  'ʀᴏᴏᴛ',
  '𝐫𝐨𝐨𝐭',
  'ROOT',
  'root',
  'root@example.com',
  'ROOT@EXAMPLE.COM',
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  '\uD800',
  '\uDFFF\uD800',
  '\r\n\t',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT * FROM sessions',
  "admin'--",
  '%',
  '_',
  '\\',
  '{"$gt":""}',
  '{"role":"admin"}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../../etc/passwd',
  '%00',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  'Bearer x',
  'gh_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'a.b.c',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  '2030-01-01T00:00:00Z',
  'BCDF-GHJK',
  'bcdf ghjk',
  '0000-00-00T00:00:00Z',
  '9999-99-99T99:99:99Z',
  'x'.repeat(300),
  'é'.repeat(80),
  '😀'.repeat(19),
  'x'.repeat(200_000),
];

const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  2,
  1.5,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e21,
];

/** Keys that try prototype pollution or privilege escalation. */
const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'role',
  'isActive',
  'id',
  'admin',
  'passwordHash',
  'tokenVersion',
  'userId',
  'scopes',
  '',
  '0',
  'toString',
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20_000, size: 'max' }) },
);

const hostileNumber = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, slanted towards the hostile ones. */
/** Device sign-in user codes: the right shape in any case (never issued), near misses, other alphabets. */
export const userCode = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZbcdfghjk]{4}[- ]?[BCDFGHJKLMNPQRSTVWXZ]{4}$/) },
  fc.constantFrom('AAAA-AAAA', 'BCDF-GHJ', 'BCDF--GHJK', 'BCDFGHJKL', 'BCDF-GHJ0', 'ВСDF-GHJK', 'bcdf\u0000ghjk'),
  hostileString,
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileString, hostileNumber), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant({ __proto__: { role: 'admin', isAdmin: true } }) },
);

/** A JSON text written by hand, so `__proto__` keys and duplicate keys really reach the server. */
function objectJson(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const jsonOf = (value: unknown) => JSON.stringify(value === undefined ? null : value);
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonOf(value)}`).join(',')}}`;
}

/**
 * An input for a procedure whose real fields are `fields` (with plausible values from `plausible`):
 * a non-object, or an object with some real fields (hostile or plausible) plus hostile extra keys.
 * Returns the JSON text to send.
 */
export function hostileInput(
  fields: readonly string[],
  plausible: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<string> {
  const field = (name: string) =>
    plausible[name] ? fc.oneof({ weight: 2, arbitrary: plausible[name]! }, hostileValue) : hostileValue;
  const realEntries = fc.tuple(
    ...fields.map((name) =>
      fc.option(
        field(name).map((value) => [name, value] as const),
        { nil: undefined },
      ),
    ),
  );
  const extraEntries = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string()), hostileValue), {
    maxLength: 3,
  });
  const allPlausible = fc.tuple(
    ...fields.map((name) =>
      fc.option(
        (plausible[name] ?? hostileValue).map((value) => [name, value] as const),
        {
          nil: undefined,
          freq: 4,
        },
      ),
    ),
  );
  return fc.oneof(
    { weight: 1, arbitrary: hostileValue.map((value) => JSON.stringify(value ?? null)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(allPlausible, fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), hostileValue), { maxLength: 1 }))
        .map(([real, extra]) =>
          objectJson([...real.filter((entry) => entry !== undefined), ...extra] as Array<readonly [string, unknown]>),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(realEntries, extraEntries)
        .map(([real, extra]) =>
          objectJson([...real.filter((entry) => entry !== undefined), ...extra] as Array<readonly [string, unknown]>),
        ),
    },
  );
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends one request as given (no client-side validation of the body). */
export async function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Sends raw bytes over a socket (for headers fetch would refuse to send); returns the status line's code. */
export function sendRaw(base: string, bytes: string | Buffer): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    socket.write(bytes);
    socket.end();
  });
}

/** A POST through node:http that does not refuse odd header values the way fetch does. */
export function postWithHeaders(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, insecureHTTPParser: true }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface ErrorShape {
  message?: unknown;
  code?: unknown;
  data?: { code?: unknown; httpStatus?: unknown; stack?: unknown } | undefined;
}

/**
 * Checks one tRPC answer (single or one element of a batch): never a 5xx, an error has a
 * documented code matching its status, a real message, and leaks nothing. Returns the error code
 * or 'OK'.
 */
function checkAnswer(status: number, body: unknown, context: string): string {
  if (status >= 500) throw new Error(`${context}: got ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  const envelope = body as { result?: unknown; error?: ErrorShape };
  if (envelope && typeof envelope === 'object' && 'result' in envelope && !('error' in envelope)) return 'OK';
  const error = envelope?.error;
  if (!error || typeof error !== 'object') {
    throw new Error(`${context}: neither result nor error: ${JSON.stringify(body).slice(0, 300)}`);
  }
  const code = String(error.data?.code);
  if (!(code in DOCUMENTED_CODES)) throw new Error(`${context}: undocumented code ${code} (${status})`);
  const httpStatus = error.data?.httpStatus;
  if (httpStatus !== DOCUMENTED_CODES[code]) {
    throw new Error(`${context}: ${code} with httpStatus ${String(httpStatus)}`);
  }
  if (typeof error.message !== 'string' || error.message.trim().length < 5) {
    throw new Error(`${context}: unclear message ${JSON.stringify(error.message)}`);
  }
  if (error.data && 'stack' in error.data) throw new Error(`${context}: a stack trace in error.data`);
  if (LEAK.test(error.message)) throw new Error(`${context}: the message leaks internals: ${error.message}`);
  return code;
}

/** Parses and checks a whole response (batched or not); returns each element's outcome. */
export function checkResponse(response: { status: number; text: string }, context: string): string[] {
  if (response.status >= 500) throw new Error(`${context}: got ${response.status}: ${response.text.slice(0, 500)}`);
  if (LEAK.test(response.text))
    throw new Error(`${context}: the response leaks internals: ${response.text.slice(0, 500)}`);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new Error(`${context}: not JSON (${response.status}): ${response.text.slice(0, 200)}`);
  }
  if (Array.isArray(body)) {
    return body.map((element, index) => {
      const error = (element as { error?: { data?: { httpStatus?: number } } }).error;
      return checkAnswer(error?.data?.httpStatus ?? 200, element, `${context}[${index}]`);
    });
  }
  return [checkAnswer(response.status, body, context)];
}

/**
 * What refused calls must leave alone: every user (hash, role, flags, token version), every live
 * session (but not its last-used time), every API key (but not its last-used time) and every
 * passkey. The audit log and rate-limit counters are meant to change.
 */
export async function snapshotDatabase(services: AuthServices): Promise<string> {
  const db = databaseOf(services);
  const users = [];
  let cursor: number | undefined;
  do {
    const page = await db.users.list({ limit: 100, cursor });
    users.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  const now = new Date();
  const sessions = [];
  for (const user of users) {
    for (const { lastUsedAt: _used, ...session } of await db.sessions.listLive(user.id, now)) sessions.push(session);
  }
  const keys = (await db.apiKeys.list()).map(({ lastUsedAt: _used, ...key }) => key);
  const passkeys = [];
  for (const user of users) passkeys.push(...(await db.webauthnCredentials.listForUser(user.id)));
  // Second factors: a refused call never sets one up, removes one or spends a code.
  const factors = [...(await db.mfa.factorsOf(users.map((user) => user.id))).entries()];
  // Mails queued (not their delivery state, which the sender changes in the background): a refused call sends none.
  const mails = (await db.mailOutbox.list({ limit: 100_000 })).length;
  return JSON.stringify({ users, sessions, keys, mails, passkeys, factors });
}
