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
    return (await this.pool.run({ op: 'hash', password, cost: this.cost })) as string;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    return (await this.pool.run({ op: 'verify', password, hash })) === true;
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

  /** True when the hash was made with another cost than the current setting. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) !== this.cost;
    } catch {
      return true;
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
