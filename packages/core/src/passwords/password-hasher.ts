import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import { OverloadedError, waitPhrase } from '../errors.js';
import type { PasswordTask } from './password-worker.js';

export interface PasswordHasherOptions {
  cost: number;
  /** Worker threads; defaults to the number of CPUs. */
  threads?: number;
  /**
   * Hashing tasks that may wait for a thread (default 32). Past it, password procedures are
   * refused at once with a 503 rather than queued for minutes behind a flood.
   */
  maxQueue?: number;
}

// Compiled code sits next to its worker; tests running the TypeScript source use the build.
const workerUrl = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/passwords/password-worker.js', import.meta.url)
  : new URL('./password-worker.js', import.meta.url);

/**
 * Hashes made since passphrases may exceed bcrypt's 72 bytes: bcrypt over an HMAC-SHA256 of the
 * password, base64 (44 ASCII bytes, no NUL). The key is not a secret; it separates these inputs
 * from plain SHA-256 digests of the same password elsewhere.
 */
const PREHASHED = 'ghp1$';
const PREHASH_KEY = 'gatehouse/password-prehash/v1';
/** What bcrypt reads of a password; older hashes were made from passwords within it. */
const BCRYPT_MAX_BYTES = 72;

function prehash(password: string): string {
  return createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('base64');
}

/** bcrypt hashing and verification on a pool of worker threads. */
export class PasswordHasher {
  readonly cost: number;
  private readonly pool: Piscina<PasswordTask, string | boolean>;
  private readonly threads: number;
  private readonly maxQueue: number;
  /** Tasks running or waiting for a thread. */
  private pending = 0;
  /** A moving average of one task's time, for the Retry-After of a refusal. */
  private taskMs = 250;
  private dummyHash: Promise<string> | null = null;

  constructor(options: PasswordHasherOptions) {
    this.cost = options.cost;
    const threads = options.threads ?? availableParallelism();
    this.threads = threads;
    this.maxQueue = options.maxQueue ?? 32;
    this.pool = new Piscina({
      filename: workerUrl.href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  async hash(password: string): Promise<string> {
    return PREHASHED + ((await this.run({ op: 'hash', password: prehash(password), cost: this.cost })) as string);
  }

  /** Verifies new (pre-hashed) and older (plain bcrypt) hashes alike. */
  async verify(password: string, hash: string): Promise<boolean> {
    if (hash.startsWith(PREHASHED)) {
      return (
        (await this.run({ op: 'verify', password: prehash(password), hash: hash.slice(PREHASHED.length) })) === true
      );
    }
    // bcrypt would compare only the first 72 bytes, so a longer password must not match an old hash.
    const fits = Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES;
    const matches = (await this.run({ op: 'verify', password: fits ? password : '', hash })) === true;
    return fits && matches;
  }

  /**
   * Verifies against `hash`, or against a dummy hash of the same cost when there is none, so
   * an unknown user takes as long to refuse as a wrong password.
   */
  async verifyOrBurn(password: string, hash: string | null): Promise<boolean> {
    if (hash) return this.verify(password, hash);
    this.dummyHash ??= this.hash('gatehouse-dummy-password');
    await this.verify(password, await this.dummyHash);
    return false;
  }

  /** True for an older plain-bcrypt hash, or one made with another cost than the current setting. */
  needsRehash(hash: string): boolean {
    return !hash.startsWith(PREHASHED) || PasswordHasher.costOf(hash) !== this.cost;
  }

  /** The bcrypt cost a stored hash was made with, or null when it is not a bcrypt hash. */
  static costOf(hash: string): number | null {
    try {
      return bcrypt.getRounds(hash.startsWith(PREHASHED) ? hash.slice(PREHASHED.length) : hash);
    } catch {
      return null;
    }
  }

  /** Makes the dummy hash ahead of the first login so that one is not slower. */
  async warmUp(): Promise<void> {
    this.dummyHash ??= this.hash('gatehouse-dummy-password');
    await this.dummyHash;
  }

  /** Runs a task on the pool, or refuses it at once when the queue is full. */
  private async run(task: PasswordTask): Promise<string | boolean> {
    if (this.pending >= this.threads + this.maxQueue) {
      const seconds = Math.max(1, Math.ceil((this.pending * this.taskMs) / this.threads / 1000));
      throw new OverloadedError(
        `Too many sign-ins are being checked right now; try again ${waitPhrase(seconds)}`,
        seconds,
      );
    }
    // Only tasks that found a free thread time the work itself, not the wait before it.
    const timed = this.pending < this.threads;
    this.pending++;
    const started = performance.now();
    try {
      return await this.pool.run(task);
    } finally {
      this.pending--;
      if (timed) this.taskMs = 0.8 * this.taskMs + 0.2 * (performance.now() - started);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
