/** Storage shapes of device sign-in (RFC 8628): a CLI waits while a signed-in user approves it in a browser. */

export const DEVICE_CODE_STATUSES = ['pending', 'approved', 'denied', 'used'] as const;
export type DeviceCodeStatus = (typeof DEVICE_CODE_STATUSES)[number];

export interface DeviceCodeRecord {
  id: number;
  /** SHA-256 (hex) of the device code; the code itself only ever reaches the device. */
  deviceCodeHash: string;
  /** SHA-256 (hex) of the normalized user code (upper case, no dash). */
  userCodeHash: string;
  /** What the device said it is (shown on the approval page); free text, never trusted. */
  clientName: string | null;
  status: DeviceCodeStatus;
  /** The user who approved (or denied); null while pending. */
  userId: number | null;
  /** Seconds the device must wait between polls; grows by 5 on every slow_down. */
  interval: number;
  lastPolledAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

export type NewDeviceCode = Pick<
  DeviceCodeRecord,
  'deviceCodeHash' | 'userCodeHash' | 'clientName' | 'interval' | 'expiresAt'
>;

export interface DeviceCodesRepository {
  /** Stores a pending code; null when a live row already has this user code (the caller draws another). */
  create(code: NewDeviceCode, now: Date): Promise<DeviceCodeRecord | null>;
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | null>;
  findByUserCode(userCodeHash: string): Promise<DeviceCodeRecord | null>;
  /**
   * Approves or denies a pending, unexpired code for `userId` in one conditional UPDATE, so of
   * two racing decisions only one lands; null when the code is unknown, decided or expired.
   */
  decide(
    userCodeHash: string,
    decision: 'approved' | 'denied',
    userId: number,
    now: Date,
  ): Promise<DeviceCodeRecord | null>;
  /**
   * Records a poll at `now` (and the interval from then on) if nobody polled since
   * `lastPolledAt` was read; false when another poll got there first.
   */
  recordPoll(id: number, lastPolledAt: Date | null, now: Date, interval: number): Promise<boolean>;
  /** Marks an approved code used and returns it; of two racing polls only one gets the row. */
  consume(id: number): Promise<DeviceCodeRecord | null>;
  purgeExpired(before: Date): Promise<number>;
}
