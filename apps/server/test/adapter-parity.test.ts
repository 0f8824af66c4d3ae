import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The lean tRPC path (src/trpc-fast-path.ts) rests on tRPC internals, so it must keep answering
 * exactly like tRPC's own adapter. bench/adapter-parity.mjs starts one server of each kind on
 * copies of one database and compares status, headers and body of every call it makes.
 */
describe('lean tRPC path vs the standalone adapter', () => {
  it('answers every parity call with the same status, headers and body', () => {
    const script = fileURLToPath(new URL('../../../bench/adapter-parity.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 180_000 });
    const lines = run.stdout.split('\n');
    const differing = lines.filter((line) => line.startsWith('DIFF') || line.startsWith('  '));
    expect(differing).toEqual([]);
    expect(lines.filter((line) => line.startsWith('same ')).length).toBeGreaterThanOrEqual(50);
    expect(lines).toContain('all identical');
    expect(run.status).toBe(0);
  }, 240_000);
});
