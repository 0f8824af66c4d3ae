import type { Database, DeviceCodeRecord } from '@gatehouse/db';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError, RateLimitedError, waitPhrase } from '../errors.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { hashSecret } from '../secret-hashing.js';
import type { IssuedSession, SessionService } from '../sessions/sessions.js';
import { newDeviceCode, newUserCode, normalizeUserCode } from './user-codes.js';

export interface DeviceSignInSettings {
  /** Where the web app is; the approval page is `<publicUrl>/device`. */
  publicUrl: () => string;
  /** How long a started sign-in waits for approval, in seconds. */
  ttlSeconds: number;
  /** The least wait between polls a device is told, in seconds. */
  intervalSeconds: number;
}

export const DEFAULT_DEVICE_CODE_TTL_SECONDS = 10 * 60;
export const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: on slow_down the device adds 5 seconds to its interval; the server does the same. */
const SLOW_DOWN_STEP_SECONDS = 5;
const CLIENT_NAME_KEPT = 64;

/** auth.device.start's answer, in RFC 8628's terms. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  /** Seconds between polls. */
  interval: number;
  /** Seconds until the codes expire. */
  expiresIn: number;
}

export type DevicePollOutcome =
  | { status: 'authorization_pending' | 'access_denied' | 'expired_token' }
  | { status: 'slow_down'; interval: number }
  | { status: 'approved'; issued: IssuedSession };

interface DeviceSignInDeps {
  db: Database;
  sessions: SessionService;
  audit: AuditLog;
  limits: RateLimits;
  settings: DeviceSignInSettings;
  clock: () => Date;
}

/** OAuth 2.0 device authorization grant: a CLI signs in through a browser where the user already is. */
export class DeviceSignIn {
  constructor(private readonly d: DeviceSignInDeps) {}

  async start(clientName: string | null): Promise<DeviceAuthorization> {
    const { ttlSeconds, intervalSeconds } = this.d.settings;
    const now = this.d.clock();
    // A user code can collide with a live one (the unique index says so): draw again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const deviceCode = newDeviceCode();
      const userCode = newUserCode();
      const stored = await this.d.db.deviceCodes.create(
        {
          deviceCodeHash: hashSecret(deviceCode),
          userCodeHash: hashSecret(normalizeUserCode(userCode)),
          clientName: clientName?.slice(0, CLIENT_NAME_KEPT) ?? null,
          interval: intervalSeconds,
          expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        },
        now,
      );
      if (!stored) continue;
      const verificationUri = `${this.d.settings.publicUrl()}/device`;
      return {
        deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
        interval: intervalSeconds,
        expiresIn: ttlSeconds,
      };
    }
    throw new GatehouseError('SERVICE_UNAVAILABLE', 'Could not issue a device code; try again');
  }

  /** The signed-in user lets the device that shows `userCode` sign in as them. */
  async approve(userId: number, userCode: string, client: ClientInfo): Promise<{ clientName: string | null }> {
    const decided = await this.decide(userId, userCode, 'approved', client);
    return { clientName: decided.clientName };
  }

  /** The signed-in user refuses the device that shows `userCode`; its next poll gets access_denied. */
  async deny(userId: number, userCode: string, client: ClientInfo): Promise<{ clientName: string | null }> {
    const decided = await this.decide(userId, userCode, 'denied', client);
    return { clientName: decided.clientName };
  }

  async poll(deviceCode: string, client: ClientInfo): Promise<DevicePollOutcome> {
    const now = this.d.clock();
    const found = await this.d.db.deviceCodes.findByDeviceCode(hashSecret(deviceCode));
    // Unknown, spent and expired codes alike: the device must start over.
    if (!found || found.status === 'used' || found.expiresAt <= now) return { status: 'expired_token' };
    const last = found.lastPolledAt;
    if (last && now.getTime() - last.getTime() < found.interval * 1000) {
      const interval = found.interval + SLOW_DOWN_STEP_SECONDS;
      await this.d.db.deviceCodes.recordPoll(found.id, last, now, interval);
      return { status: 'slow_down', interval };
    }
    // Two polls at once: one records, the other was too fast.
    if (!(await this.d.db.deviceCodes.recordPoll(found.id, last, now, found.interval))) {
      return { status: 'slow_down', interval: found.interval };
    }
    if (found.status === 'pending') return { status: 'authorization_pending' };
    if (found.status === 'denied') return { status: 'access_denied' };
    const used = await this.d.db.deviceCodes.consume(found.id);
    if (!used || used.userId === null) return { status: 'expired_token' };
    const user = await this.d.db.users.findById(used.userId);
    // Deactivated (or deleted) between approval and poll: the approval no longer stands.
    if (!user?.isActive) return { status: 'access_denied' };
    const issued = await this.d.sessions.open(user, client);
    await this.d.audit.record({
      type: 'device_tokens_issued',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { clientName: used.clientName },
    });
    return { status: 'approved', issued };
  }

  /** Deletes codes expired for a day (kept that long so a late approver is told "expired"). */
  async purgeExpired(): Promise<number> {
    return this.d.db.deviceCodes.purgeExpired(new Date(this.d.clock().getTime() - 86400_000));
  }

  private async decide(
    userId: number,
    userCode: string,
    decision: 'approved' | 'denied',
    client: ClientInfo,
  ): Promise<DeviceCodeRecord> {
    const keys = [`user:${userId}`, this.d.limits.addressKey(client.ip)];
    for (const key of keys) {
      const seconds = await this.d.limits.blockedFor('deviceCode', key);
      if (seconds !== null) {
        throw new RateLimitedError(`Too many wrong device codes; try again ${waitPhrase(seconds)}`, seconds);
      }
    }
    const now = this.d.clock();
    const userCodeHash = hashSecret(normalizeUserCode(userCode));
    const decided = await this.d.db.deviceCodes.decide(userCodeHash, decision, userId, now);
    if (decided) {
      await this.d.audit.record({
        type: decision === 'approved' ? 'device_approved' : 'device_denied',
        actorUserId: userId,
        targetUserId: userId,
        client,
        detail: { clientName: decided.clientName },
      });
      return decided;
    }
    // Every miss counts, per user and per address, so user codes cannot be guessed in bulk.
    for (const key of keys) await this.d.limits.count('deviceCode', key);
    const known = await this.d.db.deviceCodes.findByUserCode(userCodeHash);
    if (!known) throw new GatehouseError('NOT_FOUND', 'No device is waiting for this code; check it', 'userCode');
    if (known.expiresAt <= now) {
      throw new GatehouseError('BAD_REQUEST', 'This code has expired; start again on the device', 'userCode');
    }
    throw new GatehouseError('CONFLICT', 'This code was already approved or denied', 'userCode');
  }
}
