import type { Database, Role, UserRecord } from '@gatehouse/db';
import { looksLikeApiKey } from '../api-keys/api-key-format.js';
import { GatehouseError } from '../errors.js';
import type { SharedSessionView } from '../session-view/shared-session-view.js';
import type { SessionService } from '../sessions/sessions.js';
import type { AccessClaims, AccessTokens } from './access-tokens.js';

export interface Principal {
  user: UserRecord;
  sessionId: string;
}

/** RFC 7662-style answer about an access token: its facts when it would be accepted, else only inactive. */
export type Introspection =
  | { active: false }
  | { active: true; sub: string; username: string; role: Role; exp: number; iat: number; jti: string };

/**
 * Turns a bearer access token into the user behind it. The user and session are checked on
 * every call, so deactivation, deletion, role and password changes and revoked sessions take
 * effect on the next request rather than when the token expires: from the session view when
 * there is one (every such change drops its entries first), else with one query.
 */
export class Authenticator {
  constructor(
    private readonly db: Database,
    private readonly tokens: AccessTokens,
    private readonly sessions: SessionService,
    private readonly view: SharedSessionView | null,
  ) {}

  async authenticate(accessToken: string): Promise<Principal> {
    const { user, claims } = await this.resolve(accessToken);
    return { user, sessionId: claims.sessionId };
  }

  /** Answers for another service whether a token is one this server would accept right now. */
  async introspect(accessToken: string): Promise<Introspection> {
    try {
      const { user, claims } = await this.resolve(accessToken);
      return {
        active: true,
        sub: String(user.id),
        username: user.username,
        role: user.role,
        exp: claims.expiresAt,
        iat: claims.issuedAt,
        jti: claims.jti,
      };
    } catch (error) {
      if (error instanceof GatehouseError) return { active: false };
      throw error;
    }
  }

  private async resolve(accessToken: string): Promise<{ user: UserRecord; claims: AccessClaims }> {
    if (looksLikeApiKey(accessToken)) {
      throw new GatehouseError('UNAUTHORIZED', 'API keys are not bearer tokens; send them in the X-API-Key header');
    }
    const claims = await this.tokens.verify(accessToken);
    const found = this.view
      ? await this.view.findWithSession(this.db, claims.userId, claims.sessionId)
      : await this.db.users.findWithSession(claims.userId, claims.sessionId);
    if (!found) throw new GatehouseError('UNAUTHORIZED', 'This account no longer exists');
    const { user, session } = found;
    if (!user.isActive) throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    if (user.tokenVersion !== claims.tokenVersion) {
      throw new GatehouseError('UNAUTHORIZED', 'Access token was revoked; refresh or sign in again');
    }
    if (!session || !this.sessions.isLive(session)) {
      throw new GatehouseError('UNAUTHORIZED', 'This session has ended; sign in again');
    }
    return { user, claims };
  }
}
