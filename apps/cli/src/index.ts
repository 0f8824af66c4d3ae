// For scripts that want the smoke test without a child process.
export { run } from './cli.js';
export { runSmoke, type SmokeResult } from './smoke.js';
