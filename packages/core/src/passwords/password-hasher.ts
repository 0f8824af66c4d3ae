import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import type { PasswordTask } from './password-worker.js';

export interface PasswordHasherOptions {
  cost: number;
  /** Worker threads; defaults to the number of CPUs. */
  threads?: number;
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
  private dummyHash: Promise<string> | null = null;

  constructor(options: PasswordHasherOptions) {
    this.cost = options.cost;
    const threads = options.threads ?? availableParallelism();
    this.pool = new Piscina({
      filename: workerUrl.href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  async hash(password: string): Promise<string> {
    return PREHASHED + ((await this.pool.run({ op: 'hash', password: prehash(password), cost: this.cost })) as string);
  }

  /** Verifies new (pre-hashed) and older (plain bcrypt) hashes alike. */
  async verify(password: string, hash: string): Promise<boolean> {
    if (hash.startsWith(PREHASHED)) {
      return (
        (await this.pool.run({ op: 'verify', password: prehash(password), hash: hash.slice(PREHASHED.length) })) ===
        true
      );
    }
    // bcrypt would compare only the first 72 bytes, so a longer password must not match an old hash.
    const fits = Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES;
    const matches = (await this.pool.run({ op: 'verify', password: fits ? password : '', hash })) === true;
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

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
