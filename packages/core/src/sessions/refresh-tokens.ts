import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A refresh token is "<session id>.<generation>.<secret>": the id finds the session row, the
 * generation counts rotations, and the 256-bit secret proves possession. Only a SHA-256 of the
 * current secret is stored. Tokens made before generations existed are "<session id>.<secret>"
 * (generation null) and are still accepted.
 */
export interface RefreshToken {
  sessionId: string;
  generation: number | null;
  secret: string;
}

const PART = /^[A-Za-z0-9_-]{16,64}$/;
const GENERATION = /^[1-9]\d{0,9}$/;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatRefreshToken(token: RefreshToken): string {
  return token.generation === null
    ? `${token.sessionId}.${token.secret}`
    : `${token.sessionId}.${token.generation}.${token.secret}`;
}

export function parseRefreshToken(text: string): RefreshToken | null {
  const parts = text.split('.');
  const [sessionId, middle, last] = parts;
  if (parts.length === 2 && sessionId && middle && PART.test(sessionId) && PART.test(middle)) {
    return { sessionId, generation: null, secret: middle };
  }
  if (parts.length !== 3 || !sessionId || !middle || !last) return null;
  if (!PART.test(sessionId) || !GENERATION.test(middle) || !PART.test(last)) return null;
  return { sessionId, generation: Number(middle), secret: last };
}

/**
 * The secret of every generation of a session, derived from a server key: the server can tell
 * any token a session ever issued (a replay of an old one is theft) from a guess (which must not
 * end a session: session ids are no secret), while storing nothing per rotation. Without the
 * key, a database copy cannot mint a token.
 */
export class RefreshTokenChain {
  constructor(private readonly key: Buffer) {}

  secretFor(sessionId: string, generation: number): string {
    const sessionKey = createHmac('sha256', this.key).update(`session:${sessionId}`).digest();
    return createHmac('sha256', sessionKey).update(`generation:${generation}`).digest('base64url');
  }

  /** True when this session issued `token` at some generation. */
  issued(token: RefreshToken): boolean {
    if (token.generation === null) return false;
    const expected = Buffer.from(this.secretFor(token.sessionId, token.generation));
    const presented = Buffer.from(token.secret);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  }

  /** The token that follows `generation` (null: a session's first token, or one made before generations). */
  next(sessionId: string, generation: number | null): RefreshToken {
    const nextGeneration = (generation ?? 0) + 1;
    return { sessionId, generation: nextGeneration, secret: this.secretFor(sessionId, nextGeneration) };
  }
}
