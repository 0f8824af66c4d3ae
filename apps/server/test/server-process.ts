import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** What it printed (the last 100–200 KB). */
  output(): string;
  /** How the process ended, once it has. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];

/** Starts `node dist/main.js` and resolves with its URL once it logs that it listens. */
export function spawnServer(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    cwd: env.DATA_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
      const match = /Gatehouse listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output, exited, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening: ${output}`)));
    setTimeout(() => reject(new Error(`server did not listen within 30 s: ${output.slice(-2000)}`)), 30_000).unref();
  });
}

/** Runs a server command (migrate, rotate-keys, …) to completion. */
export function runCommand(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    cwd: env.DATA_DIR,
    timeout: 20_000,
  });
}

/** Kills every server this module started that is still running (for afterAll/afterEach). */
export function killServers(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
