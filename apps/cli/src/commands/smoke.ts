import { parseArgs } from 'node:util';
import { urlForNew } from '../credentials.js';
import { runSmoke } from '../smoke.js';

export const smokeHelp = 'smoke [--url URL]                  check a running server end to end';

export async function smoke(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { url: { type: 'string' } } });
  const url = urlForNew(values.url);
  console.log(`Smoke test of ${url}`);
  const started = performance.now();
  const { passed, failed, skipped } = await runSmoke(url);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const tail = skipped ? `, ${skipped} skipped` : '';
  console.log(`smoke: ${passed} passed, ${failed} failed${tail} (${seconds} s)`);
  return failed === 0 && skipped === 0 ? 0 : 1;
}
