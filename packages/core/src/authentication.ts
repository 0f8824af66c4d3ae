import type { Database, UserRecord } from '@gatehouse/db';
import { GatehouseError } from './errors.js';
import type { SessionService } from './sessions.js';
import type { AccessTokens } from './tokens.js';

export interface Principal {
  user: UserRecord;
  sessionId: string;
}

/**
 * Turns a bearer access token into the user behind it. The user and session are loaded on
 * every call, so deactivation, deletion, role and password changes and revoked sessions take
 * effect on the next request rather than when the token expires.
 */
export class Authenticator {
  constructor(
    private readonly db: Database,
    private readonly tokens: AccessTokens,
    private readonly sessions: SessionService,
  ) {}

  async authenticate(accessToken: string): Promise<Principal> {
    const claims = await this.tokens.verify(accessToken);
    const user = await this.db.users.findById(claims.userId);
    if (!user) throw new GatehouseError('UNAUTHORIZED', 'This account no longer exists');
    if (!user.isActive) throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    if (user.tokenVersion !== claims.tokenVersion) {
      throw new GatehouseError('UNAUTHORIZED', 'Access token was revoked; refresh or sign in again');
    }
    if (!(await this.sessions.isLive(claims.sessionId, user.id))) {
      throw new GatehouseError('UNAUTHORIZED', 'This session has ended; sign in again');
    }
    return { user, sessionId: claims.sessionId };
  }
}
