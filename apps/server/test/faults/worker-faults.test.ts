// WORKERS=2: one worker killed with SIGKILL under write load. The primary replaces it; at most the
// calls that worker had in flight fail (the connection drops); no acknowledged write is lost.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { openSqliteFile, processEnv } from '../process-support.js';
import { killServers, spawnServer } from '../server-process.js';
import { printFigures, secondsUntil, send, sentBetween, sleep, startLoad } from './fault-support.js';

const CONCURRENCY = 4;

/**
 * The workers that logged they listen, among the lines still held: spawnServer keeps only the
 * last 100–200 KB of output, which the request lines of a few seconds of load fill.
 */
const listeningPids = (output: string) =>
  new Set([...output.matchAll(/"pid":(\d+),[^\n]*"msg":"Gatehouse listening on/g)].map((match) => Number(match[1])));

describe('worker killed under load (WORKERS=2)', () => {
  afterAll(() => killServers());

  it('is replaced; only its in-flight calls fail; every acknowledged account is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-faultworkers-'));
    const server = await spawnServer(processEnv(dir, { WORKERS: '2', EMAIL_VERIFICATION: 'off' }));
    // Server and load end with the attempt, so a retry does not share the machine with them.
    onTestFinished(() => server.stop());
    await secondsUntil(() => listeningPids(server.output()).size === 2, 30_000);
    const bothListeningAt = Date.now();
    const acknowledged: string[] = [];
    const load = startLoad(CONCURRENCY, async (n) => {
      const username = `worker${n}`;
      const answer = await send(server.url, '/trpc/auth.register', {
        username,
        email: `${username}@example.com`,
        password: 'fault-password-1',
      });
      if (answer.status === 200) acknowledged.push(username);
      return answer;
    });
    onTestFinished(() => load.stop());
    // The primary stops the cluster when a worker dies within 5 s of starting (a crash loop).
    // Counted from when both were listening (a worker starts before it listens): on a busy
    // machine start-up takes seconds, and counting from the spawn killed a worker too young.
    await sleep(Math.max(1000, 5500 - (Date.now() - bothListeningAt)));
    const workers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(server.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    expect(workers).toHaveLength(2);
    const faultAt = Date.now();
    process.kill(workers[0]!, 'SIGKILL');
    // The replacement is a worker not killed or listed before that logs it listens (counting
    // the "listening" lines failed once the load's request lines had pushed the first two out).
    const recoverSeconds = await secondsUntil(
      () => [...listeningPids(server.output())].some((pid) => !workers.includes(pid)),
      45_000,
    );
    const backAt = Date.now();
    await sleep(1000);
    await load.stop();
    await server.stop();

    const during = sentBetween(load.answers, faultAt, backAt);
    const failed = load.answers.filter((a) => a.status !== 200);
    // Only dropped connections (the calls the dead worker had), never an error answer.
    expect(failed.every((a) => a.status === 0)).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(CONCURRENCY);
    console.log('failed calls (ms):', failed.map((a) => Math.round(a.ms)).join(', '));
    // Once the replacement listens, everything succeeds again.
    expect(load.answers.filter((a) => a.at >= backAt).map((a) => a.status)).not.toContain(0);

    const db = openSqliteFile(join(dir, 'gatehouse.db'));
    const stored = new Set(
      (db.prepare("select username from users where username like 'worker%'").all() as { username: string }[]).map(
        (row) => row.username,
      ),
    );
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const found = acknowledged.filter((name) => stored.has(name)).length;
    expect(found).toBe(acknowledged.length);
    printFigures({
      fault: 'WORKERS=2, one worker SIGKILLed',
      during,
      recoverSeconds,
      acknowledged: acknowledged.length,
      found,
    });
  }, 60_000);
});
