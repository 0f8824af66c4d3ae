import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { MfaChallengeRecord, MfaRepository, NewMfaChallenge, TotpFactorRecord, UserFactors } from './records.js';
import type { Dialect, Statements } from './statements.js';

/** Second factors and pending second-factor sign-ins on any engine. */
export class SqlMfaRepository implements MfaRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get t() {
    return this.statements.tables;
  }

  async findTotp(userId: number): Promise<TotpFactorRecord | null> {
    const [row] = await this.statements.select(this.t.totpFactors, eq(this.t.totpFactors.userId, userId));
    return row ?? null;
  }

  async putPendingTotp(userId: number, encryptedSecret: string, now: Date): Promise<boolean> {
    const { totpFactors } = this.t;
    await this.statements.deleteCount(totpFactors, and(eq(totpFactors.userId, userId), isNull(totpFactors.enabledAt)));
    const row = await this.statements.insertIfAbsent(totpFactors, { userId, encryptedSecret, createdAt: now });
    return row !== undefined;
  }

  async enableTotp(userId: number, step: number, now: Date): Promise<boolean> {
    const { totpFactors } = this.t;
    const pending = and(eq(totpFactors.userId, userId), isNull(totpFactors.enabledAt));
    return (await this.statements.updateCount(totpFactors, { enabledAt: now, lastUsedStep: step }, pending)) === 1;
  }

  async useTotpStep(userId: number, step: number): Promise<boolean> {
    const { totpFactors } = this.t;
    const newer = or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step));
    const where = and(eq(totpFactors.userId, userId), isNotNull(totpFactors.enabledAt), newer);
    return (await this.statements.updateCount(totpFactors, { lastUsedStep: step }, where)) === 1;
  }

  async replaceBackupCodes(userId: number, codeHashes: string[], now: Date): Promise<void> {
    const { backupCodes } = this.t;
    await this.statements.deleteCount(backupCodes, eq(backupCodes.userId, userId));
    for (const codeHash of codeHashes) await this.statements.insert(backupCodes, { userId, codeHash, createdAt: now });
  }

  async useBackupCode(userId: number, codeHash: string, now: Date): Promise<boolean> {
    const { backupCodes } = this.t;
    const unused = and(eq(backupCodes.userId, userId), eq(backupCodes.codeHash, codeHash), isNull(backupCodes.usedAt));
    return (await this.statements.updateCount(backupCodes, { usedAt: now }, unused)) === 1;
  }

  async backupCodesLeft(userId: number): Promise<number> {
    const { backupCodes } = this.t;
    return this.statements.count(backupCodes, and(eq(backupCodes.userId, userId), isNull(backupCodes.usedAt)));
  }

  async removeFactors(userId: number): Promise<UserFactors> {
    const { totpFactors, backupCodes } = this.t;
    const removed = await this.statements.delete(totpFactors, eq(totpFactors.userId, userId));
    const left = await this.backupCodesLeft(userId);
    await this.statements.deleteCount(backupCodes, eq(backupCodes.userId, userId));
    return { totp: removed.some((row) => row.enabledAt !== null), backupCodesLeft: left };
  }

  async factorsOf(userIds: number[]): Promise<Map<number, UserFactors>> {
    const factors = new Map<number, UserFactors>(userIds.map((id) => [id, { totp: false, backupCodesLeft: 0 }]));
    if (userIds.length === 0) return factors;
    const { totpFactors, backupCodes } = this.t;
    const enabled = and(inArray(totpFactors.userId, userIds), isNotNull(totpFactors.enabledAt));
    for (const row of await this.statements.select(totpFactors, enabled)) {
      const entry = factors.get(row.userId);
      if (entry) entry.totp = true;
    }
    const unused = and(inArray(backupCodes.userId, userIds), isNull(backupCodes.usedAt));
    for (const row of await this.statements.select(backupCodes, unused)) {
      const entry = factors.get(row.userId);
      if (entry) entry.backupCodesLeft += 1;
    }
    return factors;
  }

  async anyEnabledTotp(): Promise<TotpFactorRecord | null> {
    const [row] = await this.statements.select(this.t.totpFactors, isNotNull(this.t.totpFactors.enabledAt), {
      limit: 1,
    });
    return row ?? null;
  }

  async createChallenge(challenge: NewMfaChallenge, now: Date): Promise<MfaChallengeRecord> {
    return this.statements.insert(this.t.mfaChallenges, { ...challenge, createdAt: now });
  }

  async findChallenge(tokenHash: string): Promise<MfaChallengeRecord | null> {
    const [row] = await this.statements.select(this.t.mfaChallenges, eq(this.t.mfaChallenges.tokenHash, tokenHash));
    return row ?? null;
  }

  async countChallengeFailure(id: number): Promise<number> {
    const { mfaChallenges } = this.t;
    const [row] = await this.statements.update(
      mfaChallenges,
      { attempts: sql`${mfaChallenges.attempts} + 1` },
      eq(mfaChallenges.id, id),
    );
    return row?.attempts ?? Number.POSITIVE_INFINITY;
  }

  async endChallenge(id: number, now: Date): Promise<boolean> {
    const { mfaChallenges } = this.t;
    const live = and(eq(mfaChallenges.id, id), isNull(mfaChallenges.usedAt));
    return (await this.statements.updateCount(mfaChallenges, { usedAt: now }, live)) === 1;
  }

  async purgeChallenges(before: Date): Promise<number> {
    return this.statements.deleteCount(this.t.mfaChallenges, lt(this.t.mfaChallenges.expiresAt, before));
  }
}
