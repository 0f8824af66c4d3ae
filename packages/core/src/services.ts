import type { Database } from '@gatehouse/db';
import { AccountService } from './accounts.js';
import { AdministrationService } from './administration.js';
import { Authenticator } from './authentication.js';
import { PasswordHasher } from './passwords.js';
import { SessionService } from './sessions.js';
import { AccessTokens } from './tokens.js';

export interface AuthServicesOptions {
  db: Database;
  jwtSecret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  bcryptCost: number;
  /** Grace window for a concurrent duplicate refresh, in ms (default 5000). */
  refreshReuseGraceMs?: number;
  passwordThreads?: number;
  /** The time source; tests pass a fake one. */
  clock?: () => Date;
}

/** Every auth service wired to one database; what the API layer works with. */
export interface AuthServices {
  db: Database;
  passwords: PasswordHasher;
  accessTokens: AccessTokens;
  sessions: SessionService;
  accounts: AccountService;
  administration: AdministrationService;
  authenticator: Authenticator;
  /** Stops the hashing pool and closes the database. */
  close(): Promise<void>;
}

export function createAuthServices(options: AuthServicesOptions): AuthServices {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());
  const threads = options.passwordThreads;
  const passwords = new PasswordHasher(threads ? { cost: options.bcryptCost, threads } : { cost: options.bcryptCost });
  const accessTokens = new AccessTokens({
    secret: options.jwtSecret,
    issuer: options.issuer,
    audience: options.audience,
    ttlSeconds: options.accessTokenTtlSeconds,
  });
  const sessions = new SessionService(db, accessTokens, {
    refreshTtlSeconds: options.refreshTokenTtlSeconds,
    reuseGraceMs: options.refreshReuseGraceMs ?? 5000,
    clock,
  });
  return {
    db,
    passwords,
    accessTokens,
    sessions,
    accounts: new AccountService(db, passwords, sessions, clock),
    administration: new AdministrationService(db, sessions, clock),
    authenticator: new Authenticator(db, accessTokens, sessions),
    close: async () => {
      await passwords.close();
      await db.close();
    },
  };
}
