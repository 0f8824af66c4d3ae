import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { DeviceCodeRecord, DeviceCodesRepository, NewDeviceCode } from './device-records.js';
import type { Dialect, Statements } from './statements.js';

/** Device sign-in codes on any engine: every state change is one conditional statement. */
export class SqlDeviceCodesRepository implements DeviceCodesRepository {
  constructor(private readonly statements: Statements<Dialect>) {}

  private get deviceCodes() {
    return this.statements.tables.deviceCodes;
  }

  async create(code: NewDeviceCode, now: Date): Promise<DeviceCodeRecord | null> {
    const row = await this.statements.insertIfAbsent(this.deviceCodes, {
      ...code,
      status: 'pending',
      userId: null,
      lastPolledAt: null,
      createdAt: now,
    });
    return row ?? null;
  }

  async findByDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | null> {
    const [row] = await this.statements.select(this.deviceCodes, eq(this.deviceCodes.deviceCodeHash, deviceCodeHash));
    return row ?? null;
  }

  async findByUserCode(userCodeHash: string): Promise<DeviceCodeRecord | null> {
    const [row] = await this.statements.select(this.deviceCodes, eq(this.deviceCodes.userCodeHash, userCodeHash));
    return row ?? null;
  }

  async decide(
    userCodeHash: string,
    decision: 'approved' | 'denied',
    userId: number,
    now: Date,
  ): Promise<DeviceCodeRecord | null> {
    const { deviceCodes } = this;
    const open = and(
      eq(deviceCodes.userCodeHash, userCodeHash),
      eq(deviceCodes.status, 'pending'),
      gt(deviceCodes.expiresAt, now),
    );
    const [row] = await this.statements.update(deviceCodes, { status: decision, userId }, open);
    return row ?? null;
  }

  async recordPoll(id: number, lastPolledAt: Date | null, now: Date, interval: number): Promise<boolean> {
    const { deviceCodes } = this;
    // Compare-and-set on the time read: two polls racing past the interval check, one records.
    const unchanged =
      lastPolledAt === null ? isNull(deviceCodes.lastPolledAt) : eq(deviceCodes.lastPolledAt, lastPolledAt);
    const changed = await this.statements.updateCount(
      deviceCodes,
      { lastPolledAt: now, interval },
      and(eq(deviceCodes.id, id), unchanged),
    );
    return changed === 1;
  }

  async consume(id: number): Promise<DeviceCodeRecord | null> {
    const { deviceCodes } = this;
    const approved = and(eq(deviceCodes.id, id), eq(deviceCodes.status, 'approved'));
    const [row] = await this.statements.update(deviceCodes, { status: 'used' }, approved);
    return row ?? null;
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.statements.deleteCount(this.deviceCodes, lt(this.deviceCodes.expiresAt, before));
  }
}
