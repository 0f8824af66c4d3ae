import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];

/** Starts `node dist/main.js` and resolves with its URL once it logs that it listens. */
export function spawnServer(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    cwd: env.DATA_DIR,
  });
  started.push(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) {
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
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
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}
