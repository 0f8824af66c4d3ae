import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appRouter, hasLimitMiddleware, PROCEDURE_LIMITS } from '../src/index.js';

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; middlewares: readonly object[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

const DOC = new URL('../../../docs/rate-limits-and-api-keys.md', import.meta.url);
const HEADING = '## Every procedure and its limit';

/** The table docs/rate-limits-and-api-keys.md must hold, row for row. */
function expectedTable(): string {
  const rows = procedures.map(([path]) => `| \`${path}\` | ${PROCEDURE_LIMITS[path]?.limit} |`);
  return ['| procedure | limit |', '|---|---|', ...rows].join('\n');
}

describe('no procedure without a limit', () => {
  it('lists every procedure of the router, and nothing else', () => {
    expect(Object.keys(PROCEDURE_LIMITS).sort()).toEqual(procedures.map(([path]) => path).sort());
  });

  it('holds every "middleware" entry to a limit middleware in its chain, and no mutation to none', () => {
    for (const [path, procedure] of procedures) {
      const entry = PROCEDURE_LIMITS[path]!;
      if (entry.by === 'middleware') expect(hasLimitMiddleware(procedure), path).toBe(true);
      if (procedure._def.type === 'mutation')
        expect(entry.by, `${path} writes, so it needs a limit`).not.toBe('read-only');
    }
  });

  it('is the table in the docs', () => {
    const doc = readFileSync(DOC, 'utf8');
    const section = doc.slice(doc.indexOf(HEADING));
    expect(doc.includes(HEADING), `docs/rate-limits-and-api-keys.md needs "${HEADING}"`).toBe(true);
    expect(section, `put this table under "${HEADING}":\n${expectedTable()}`).toContain(expectedTable());
  });
});
