import { openDatabase } from '@gatehouse/db';
import { type AuthServices, type AuthServicesOptions, createAuthServices } from './services.js';

export { databaseOf } from './services.js';

/**
 * Services on a fresh in-memory SQLite database with settings fit for tests (bcrypt cost 4, one
 * hashing thread, short lifetimes). For test suites of Gatehouse and of apps built on it.
 */
export async function createTestServices(overrides: Partial<AuthServicesOptions> = {}): Promise<AuthServices> {
  return createAuthServices({
    db: overrides.db ?? (await openDatabase(':memory:')),
    jwtSecret: 'test-secret-of-at-least-32-bytes!',
    issuer: 'test',
    audience: 'test',
    accessTokenTtlSeconds: 60,
    refreshTokenTtlSeconds: 3600,
    bcryptCost: 4,
    passwordThreads: 1,
    ...overrides,
  } as AuthServicesOptions);
}
export { type CeremonyOverrides, SoftwareAuthenticator } from './passkeys/software-authenticator.js';
