// Runs in a worker thread of the bench runner: hashes for a fixed time and reports how many.
import { parentPort, workerData } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

const { cost, seconds, password } = workerData;
const hash = bcrypt.hashSync(password, cost);
const times = [];
const until = performance.now() + seconds * 1000;
while (performance.now() < until || times.length < 2) {
  const started = performance.now();
  bcrypt.compareSync(password, hash);
  times.push(performance.now() - started);
}
parentPort.postMessage({ count: times.length, totalMs: times.reduce((a, b) => a + b, 0), times });
