import { and, asc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Dialect, Statements } from './statements.js';
import type {
  NewWebAuthnChallenge,
  NewWebAuthnCredential,
  WebAuthnChallengePurpose,
  WebAuthnChallengeRecord,
  WebAuthnChallengesRepository,
  WebAuthnCredentialRecord,
  WebAuthnCredentialsRepository,
} from './webauthn-records.js';

/** Passkeys on any engine: nothing here depends on the engine. */
export class SqlWebAuthnCredentialsRepository implements WebAuthnCredentialsRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get credentials() {
    return this.statements.tables.webauthnCredentials;
  }

  async create(credential: NewWebAuthnCredential, now: Date): Promise<WebAuthnCredentialRecord | null> {
    const row = await this.statements.insertIfAbsent(this.credentials, { ...credential, createdAt: now });
    return row ?? null;
  }

  async findById(id: string): Promise<WebAuthnCredentialRecord | null> {
    const [row] = await this.statements.select(this.credentials, eq(this.credentials.id, id));
    return row ?? null;
  }

  async listForUser(userId: number): Promise<WebAuthnCredentialRecord[]> {
    const { credentials } = this;
    return this.statements.select(credentials, eq(credentials.userId, userId), {
      orderBy: [asc(credentials.createdAt), asc(credentials.id)],
    });
  }

  async countForUser(userId: number): Promise<number> {
    return this.statements.count(this.credentials, eq(this.credentials.userId, userId));
  }

  async rename(userId: number, id: string, name: string): Promise<boolean> {
    const { credentials } = this;
    const mine = and(eq(credentials.id, id), eq(credentials.userId, userId));
    return (await this.statements.updateCount(credentials, { name }, mine)) === 1;
  }

  async delete(userId: number, id: string): Promise<boolean> {
    const { credentials } = this;
    const mine = and(eq(credentials.id, id), eq(credentials.userId, userId));
    return (await this.statements.deleteCount(credentials, mine)) === 1;
  }

  async recordUse(id: string, previousCounter: number, counter: number, now: Date): Promise<boolean> {
    const { credentials } = this;
    const unchanged = and(eq(credentials.id, id), eq(credentials.counter, previousCounter));
    return (await this.statements.updateCount(credentials, { counter, lastUsedAt: now }, unchanged)) === 1;
  }
}

/** Ceremony challenges on any engine. */
export class SqlWebAuthnChallengesRepository implements WebAuthnChallengesRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get challenges() {
    return this.statements.tables.webauthnChallenges;
  }

  async create(challenge: NewWebAuthnChallenge, now: Date): Promise<void> {
    await this.statements.insert(this.challenges, { ...challenge, createdAt: now });
  }

  async consume(
    challengeHash: string,
    purpose: WebAuthnChallengePurpose,
    now: Date,
  ): Promise<WebAuthnChallengeRecord | null> {
    const { challenges } = this;
    const live = and(
      eq(challenges.challengeHash, challengeHash),
      eq(challenges.purpose, purpose),
      isNull(challenges.usedAt),
      gt(challenges.expiresAt, now),
    );
    const [row] = await this.statements.update(challenges, { usedAt: now }, live);
    return row ?? null;
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.statements.deleteCount(this.challenges, lt(this.challenges.expiresAt, before));
  }
}
