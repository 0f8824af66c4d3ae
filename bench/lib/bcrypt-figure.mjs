import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

function runWorker(cost, seconds) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bcrypt-worker.mjs', import.meta.url), {
      workerData: { cost, seconds, password: 'bench-password-123' },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The machine's bcrypt figure, measured with worker threads: one verification at `cost`
 * (median, one thread alone) and what every core together sustains.
 */
export async function measureBcrypt(cost, seconds = 3) {
  const cores = availableParallelism();
  const single = await runWorker(cost, Math.min(2, seconds));
  const hashMs = median(single.times);
  const started = performance.now();
  const all = await Promise.all(Array.from({ length: cores }, () => runWorker(cost, seconds)));
  const elapsed = (performance.now() - started) / 1000;
  const count = all.reduce((n, r) => n + r.count, 0);
  return {
    cost,
    cores,
    hashMs: Math.round(hashMs * 10) / 10,
    // The limit the login target is measured against: cores x 1 / hash time.
    limitPerSecond: Math.round((cores * 1000 * 100) / hashMs) / 100,
    measuredAllCoresPerSecond: Math.round((count / elapsed) * 100) / 100,
  };
}
