import { SqlApiKeysRepository } from './api-keys-repository.js';
import { SqlAuditRepository } from './audit-repository.js';
import { SqlDeviceCodesRepository } from './device-codes-repository.js';
import { type EmailEngine, SqlEmailTokensRepository, SqlMailOutboxRepository } from './email-repositories.js';
import { SqlMfaRepository } from './mfa-repository.js';
import { SqlOAuthAccountsRepository, SqlOAuthStatesRepository } from './oauth-repositories.js';
import type { Database, OAuthAccountsRepository, RateLimitCounters, SigningKeysRepository } from './records.js';
import { type SessionsEngine, SqlSessionsRepository } from './sessions-repository.js';
import { SqlSigningKeysRepository } from './signing-keys-repository.js';
import type { Dialect, Statements } from './statements.js';
import { SqlUsersRepository, type UsersEngine } from './users-repository.js';
import { SqlWebAuthnChallengesRepository, SqlWebAuthnCredentialsRepository } from './webauthn-repository.js';

/** What an engine supplies beyond its statements: the parts where the engines truly differ. */
export interface EngineParts {
  users: UsersEngine;
  sessions: SessionsEngine;
  unlink: OAuthAccountsRepository['unlink'];
  addSigningKey: SigningKeysRepository['add'];
  email: EmailEngine;
  rateLimits: RateLimitCounters;
}

type Repositories = Omit<Database, 'engine' | 'ping' | 'notifications' | 'close'>;

/** Every repository of one database, from its engine's statements and parts. */
export function repositories(statements: Statements<Dialect>, parts: EngineParts): Repositories {
  return {
    users: new SqlUsersRepository(statements, parts.users),
    sessions: new SqlSessionsRepository(statements, parts.sessions),
    apiKeys: new SqlApiKeysRepository(statements),
    audit: new SqlAuditRepository(statements),
    oauthAccounts: new SqlOAuthAccountsRepository(statements, parts.unlink),
    oauthStates: new SqlOAuthStatesRepository(statements),
    signingKeys: new SqlSigningKeysRepository(statements, parts.addSigningKey),
    rateLimitTable: parts.rateLimits,
    emailTokens: new SqlEmailTokensRepository(statements, parts.email),
    mailOutbox: new SqlMailOutboxRepository(statements, parts.email),
    deviceCodes: new SqlDeviceCodesRepository(statements),
    webauthnCredentials: new SqlWebAuthnCredentialsRepository(statements),
    webauthnChallenges: new SqlWebAuthnChallengesRepository(statements),
    mfa: new SqlMfaRepository(statements),
  };
}
