import type { Database, SessionRecord, SessionState, UserRecord } from '@gatehouse/db';
import type { AccessTokens } from '../access-tokens/access-tokens.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError } from '../errors.js';
import { hashSecret, sameHash } from '../secret-hashing.js';
import {
  formatRefreshToken,
  newSessionId,
  parseRefreshToken,
  type RefreshToken,
  RefreshTokenChain,
} from './refresh-tokens.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** A token pair plus when its session ends, for callers that set cookies. */
export interface IssuedSession {
  tokens: TokenPair;
  sessionId: string;
  sessionExpiresAt: Date;
}

export interface SessionServiceOptions {
  /** Absolute session lifetime in seconds. */
  refreshTtlSeconds: number;
  /** How long after a rotation the previous token is refused without revoking, in ms. */
  reuseGraceMs: number;
  clock?: () => Date;
  /** Where logouts and detected refresh-token reuse are recorded. */
  audit?: AuditLog;
  /** The server key refresh-token secrets are derived from (see RefreshTokenChain). */
  chainKey: Buffer;
}

/** What happened to a refresh that was refused; the API turns it into a message. */
export type SessionEvent = { type: 'refresh_reuse_detected'; userId: number; sessionId: string };

const invalidRefresh = () => new GatehouseError('UNAUTHORIZED', 'Invalid refresh token');
const USER_AGENT_MAX = 256;
/** Not less than PasswordSignIn's known-address window (30 days). */
export const ENDED_SESSIONS_KEPT_DAYS = 30;

/** Login sessions: refresh tokens, their rotation with theft detection, and revocation. */
export class SessionService {
  private readonly clock: () => Date;
  private readonly chain: RefreshTokenChain;
  onEvent: (event: SessionEvent) => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly accessTokens: AccessTokens,
    private readonly options: SessionServiceOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.chain = new RefreshTokenChain(options.chainKey);
  }

  /** Opens a new session for a signed-in user. */
  async open(user: UserRecord, client: ClientInfo): Promise<IssuedSession> {
    const now = this.clock();
    const token = this.chain.next(newSessionId(), null);
    const session = await this.db.sessions.create(
      {
        id: token.sessionId,
        userId: user.id,
        tokenHash: hashSecret(token.secret),
        expiresAt: new Date(now.getTime() + this.options.refreshTtlSeconds * 1000),
        userAgent: client.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
        ip: client.ip,
      },
      now,
    );
    return this.issue(user, session, token);
  }

  /**
   * Exchanges a refresh token for a new pair. The old token stops working at once; presenting
   * it again later ends the whole session, since only a thief or a confused client would.
   */
  async refresh(text: string, client: ClientInfo | null = null): Promise<IssuedSession> {
    const token = parseRefreshToken(text);
    if (!token) throw invalidRefresh();
    const session = await this.liveSession(token.sessionId);
    const presented = hashSecret(token.secret);
    if (sameHash(session.tokenHash, presented)) {
      const next = this.chain.next(session.id, token.generation);
      if (await this.db.sessions.rotate(session.id, presented, hashSecret(next.secret), this.clock())) {
        const user = await this.db.users.findById(session.userId);
        if (!user?.isActive) throw new GatehouseError('UNAUTHORIZED', 'This account can no longer sign in');
        return this.issue(user, session, next);
      }
      // Another request rotated it between our read and our write: judge against the new row.
      const current = await this.liveSession(token.sessionId);
      return this.refuseStale(current, token, presented, client);
    }
    return this.refuseStale(session, token, presented, client);
  }

  /** Ends the session a refresh token belongs to; unknown or stale tokens change nothing. */
  async close(text: string, client: ClientInfo | null = null): Promise<void> {
    const token = parseRefreshToken(text);
    if (!token) return;
    const session = await this.db.sessions.findById(token.sessionId);
    if (session && sameHash(session.tokenHash, hashSecret(token.secret))) {
      if (await this.db.sessions.revoke(session.id, this.clock())) {
        await this.recordLogout(session.userId, client, { sessionsEnded: 1 });
      }
    }
  }

  /** A user signing out of every session at once. */
  async logoutAll(userId: number, client: ClientInfo | null = null): Promise<number> {
    const ended = await this.revokeAll(userId);
    await this.recordLogout(userId, client, { sessionsEnded: ended, everywhere: true });
    return ended;
  }

  async list(userId: number): Promise<SessionRecord[]> {
    return this.db.sessions.listLive(userId, this.clock());
  }

  /** Revokes one of the user's own sessions; another user's id is simply not found. */
  async revokeOwn(userId: number, sessionId: string, client: ClientInfo | null = null): Promise<void> {
    const session = await this.db.sessions.findById(sessionId);
    if (!session || session.userId !== userId || session.revokedAt) {
      throw new GatehouseError('NOT_FOUND', 'Session not found');
    }
    if (await this.db.sessions.revoke(sessionId, this.clock())) {
      await this.recordLogout(userId, client, { sessionsEnded: 1 });
    }
  }

  async revokeAll(userId: number, exceptSessionId?: string): Promise<number> {
    return this.db.sessions.revokeForUser(userId, this.clock(), exceptSessionId);
  }

  /** True when the session exists, belongs to the user and has not ended. */
  /**
   * Deletes sessions that ended (revoked or expired) more than ENDED_SESSIONS_KEPT_DAYS ago. Kept
   * that long, they still answer "which addresses has this user signed in from lately" for the
   * account lock-out (see PasswordSignIn).
   */
  async purgeEnded(): Promise<number> {
    return this.db.sessions.purgeEnded(new Date(this.clock().getTime() - ENDED_SESSIONS_KEPT_DAYS * 86400_000));
  }

  /** Neither revoked nor expired. */
  isLive(session: SessionState): boolean {
    return this.endedAt(session) === null;
  }

  private async liveSession(id: string): Promise<SessionRecord> {
    const session = await this.db.sessions.findById(id);
    if (!session) throw invalidRefresh();
    const ended = this.endedAt(session);
    if (ended === 'revoked') throw new GatehouseError('UNAUTHORIZED', 'This session has been revoked');
    if (ended === 'expired') throw new GatehouseError('UNAUTHORIZED', 'This session has expired; sign in again');
    return session;
  }

  private endedAt(session: SessionState): 'revoked' | 'expired' | null {
    if (session.revokedAt) return 'revoked';
    if (session.expiresAt.getTime() <= this.clock().getTime()) return 'expired';
    return null;
  }

  /**
   * A token that is not the current one: the previous secret within the grace window is a racing
   * duplicate; any other token this session issued, at whatever generation, means a copy is in
   * other hands (theft), and the whole session is revoked.
   */
  private async refuseStale(
    session: SessionRecord,
    token: RefreshToken,
    presented: string,
    client: ClientInfo | null,
  ): Promise<never> {
    const rotatedAgo = session.rotatedAt ? this.clock().getTime() - session.rotatedAt.getTime() : Infinity;
    const isPrevious = sameHash(session.previousTokenHash, presented);
    if (isPrevious && rotatedAgo <= this.options.reuseGraceMs) {
      throw new GatehouseError('CONFLICT', 'This refresh token was just used by another request; use the newer one');
    }
    // Only a token this session issued proves a copy. Any other secret is a guess: the session
    // id is no secret (access tokens carry it), so a guess must not end a session.
    if (!isPrevious && !this.chain.issued(token)) throw invalidRefresh();
    await this.db.sessions.revoke(session.id, this.clock());
    this.onEvent({ type: 'refresh_reuse_detected', userId: session.userId, sessionId: session.id });
    // The session id is its public handle (as in user.sessions), not the secret part of a token.
    await this.options.audit?.record({
      type: 'refresh_reuse_detected',
      targetUserId: session.userId,
      client,
      detail: { sessionId: session.id, sessionRevoked: true },
    });
    throw new GatehouseError('UNAUTHORIZED', 'Refresh token reuse detected; the session has been revoked');
  }

  private async recordLogout(userId: number, client: ClientInfo | null, detail: Record<string, number | boolean>) {
    await this.options.audit?.record({ type: 'logout', actorUserId: userId, targetUserId: userId, client, detail });
  }

  private async issue(user: UserRecord, session: SessionRecord, token: RefreshToken): Promise<IssuedSession> {
    const accessToken = await this.accessTokens.sign({
      userId: user.id,
      sessionId: session.id,
      tokenVersion: user.tokenVersion,
    });
    return {
      tokens: {
        accessToken,
        refreshToken: formatRefreshToken(token),
        tokenType: 'Bearer',
        expiresIn: this.accessTokens.ttlSeconds,
      },
      sessionId: session.id,
      sessionExpiresAt: session.expiresAt,
    };
  }
}
