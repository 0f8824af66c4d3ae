import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { OverloadedError, PasswordHasher, passwordProblem } from '../src/index.js';
import { commonPasswords } from '../src/passwords/common-passwords.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ cost: 4, threads: 2 });
  afterAll(() => hasher.close());

  it('hashes with the configured cost and verifies', async () => {
    const hash = await hasher.hash('correct horse');
    expect(PasswordHasher.costOf(hash)).toBe(4);
    expect(await hasher.verify('correct horse', hash)).toBe(true);
    expect(await hasher.verify('wrong horse', hash)).toBe(false);
  });

  it('flags hashes made with another cost for re-hashing', async () => {
    expect(hasher.needsRehash(bcrypt.hashSync('x', 5))).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('x'))).toBe(false);
    expect(hasher.needsRehash('not-a-hash')).toBe(true);
  });

  it("verifies long passphrases in any script, beyond bcrypt's 72 bytes", async () => {
    const cyrillic = 'съешь же ещё этих мягких французских булок да выпей чаю пожалуйста'; // 64+ characters
    expect([...cyrillic].length).toBeGreaterThanOrEqual(64);
    expect(Buffer.byteLength(cyrillic)).toBeGreaterThan(72);
    const hash = await hasher.hash(cyrillic);
    expect(await hasher.verify(cyrillic, hash)).toBe(true);
    // Plain bcrypt would ignore everything past byte 72; the pre-hash does not.
    expect(await hasher.verify(`${cyrillic.slice(0, -1)}Я`, hash)).toBe(false);
  });

  it('still verifies older plain-bcrypt hashes, refuses what bcrypt would truncate, and asks to upgrade them', async () => {
    const old = bcrypt.hashSync('a'.repeat(72), 4);
    expect(await hasher.verify('a'.repeat(72), old)).toBe(true);
    expect(await hasher.verify(`${'a'.repeat(72)}extra`, old)).toBe(false);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(PasswordHasher.costOf(old)).toBe(4);
  });

  it('burns a dummy verification when there is no hash, and always fails', async () => {
    expect(await hasher.verifyOrBurn('anything', null)).toBe(false);
  });

  it('keeps the event loop free while hashing', async () => {
    const slow = new PasswordHasher({ cost: 12, threads: 1 });
    try {
      const order: string[] = [];
      const hashing = slow.hash('a slow one').then(() => order.push('hash'));
      // A timer queued after the hash started still runs first: the hash is on another thread.
      await new Promise((resolve) => setTimeout(resolve, 1)).then(() => order.push('timer'));
      await hashing;
      expect(order).toEqual(['timer', 'hash']);
    } finally {
      await slow.close();
    }
  });
});

describe('passwordProblem', () => {
  it('requires 8 characters and at most 1024 UTF-8 bytes', () => {
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('k7#mQ2xz')).toBeNull();
    expect(passwordProblem('a'.repeat(73))).toBeNull();
    expect(passwordProblem('я'.repeat(512))).toBeNull();
    expect(passwordProblem(`${'я'.repeat(512)}a`)).toMatch(/at most 1024 bytes/);
    expect(passwordProblem('😀'.repeat(8))).toBeNull();
  });

  it('refuses the most common passwords, whatever their case', () => {
    for (const common of ['12345678', 'password', 'Password1', 'qwertyuiop', ' iloveyou ', 'TRUSTNO1']) {
      expect(passwordProblem(common)).toMatch(/too common/);
    }
    expect(commonPasswords().size).toBe(10_000);
    expect([...commonPasswords()].every((p) => [...p].length >= 8)).toBe(true);
    expect(passwordProblem('correct horse battery')).toBeNull();
  });
});

describe('PasswordHasher under a flood', () => {
  it('refuses work past its queue bound at once, with a time to retry, and finishes what it took', async () => {
    const hasher = new PasswordHasher({ cost: 8, threads: 1, maxQueue: 2 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => hasher.hash(`flood-${i}`)));
      const done = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(done).toHaveLength(3); // one on the thread, two waiting
      expect(refused).toHaveLength(7);
      for (const error of refused) {
        expect(error).toBeInstanceOf(OverloadedError);
        expect(error).toMatchObject({ kind: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) });
        expect((error as OverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
      // Once the queue drains, work is taken again.
      expect(await hasher.verify('flood-0', await hasher.hash('flood-0'))).toBe(true);
    } finally {
      await hasher.close();
    }
  });
});
