// The SDK as another project gets it: `pnpm pack`, installed from the tarball into a new project
// in the OS temp folder (offline, from the pnpm store), type-checked by that project's tsc and run
// against a live server.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './harness.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The workspace's TypeScript (a root devDependency), as the consumer's compiler.
const tsc = join(fileURLToPath(new URL('../../..', import.meta.url)), 'node_modules', '.bin', 'tsc');
const TYPES_NODE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).devDependencies[
  '@types/node'
] as string;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    // What most apps set; it would also hide an unresolved router type, which the failing file catches.
    skipLibCheck: true,
    types: ['node'],
    outDir: 'dist',
  },
};

const PROGRAM = `import { createGatehouseClient, type PublicUser, type RouterInputs } from '@gatehouse/client';

const client = createGatehouseClient({ url: process.argv[2] ?? '' });
const account: RouterInputs['auth']['register'] = {
  username: \`consumer\${process.pid}\`,
  email: \`consumer\${process.pid}@example.com\`,
  password: 'consumer-password-1',
};
const registered = await client.register(account);
const pair = await client.trpc.auth.login.mutate({ username: account.username, password: account.password });
if (!('accessToken' in pair)) throw new Error('unexpected second factor');
await client.login({ username: account.username, password: account.password });
const me: PublicUser = await client.trpc.user.me.query();
const role: 'admin' | 'user' | 'viewer' = me.role;
const id: number = me.id;
console.log(JSON.stringify({ sameId: id === registered.id, username: me.username, role, tokenType: pair.tokenType }));
`;

// Each mistake on its own line, so the test can check tsc reports exactly those lines.
const MISTAKES = `import { createGatehouseClient } from '@gatehouse/client';

const client = createGatehouseClient({ url: 'http://127.0.0.1:1' });
export async function mistakes(): Promise<void> {
  await client.trpc.auth.login.mutate({ username: 'alice', pasword: 'wonderland' });
  await client.trpc.user.mee.query();
  const id: string = (await client.trpc.user.me.query()).id;
  console.log(id);
}
`;

function run(command: string, args: string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
}

describe('the packed SDK in a project outside the workspace', () => {
  let app: RunningGatehouse;
  let work: string;
  let project: string;
  let tarball: string;

  beforeAll(async () => {
    app = await startServer();
    work = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-'));
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: packageDir, stdio: 'pipe' });
    const name = readdirSync(work).find((file) => file.endsWith('.tgz'));
    if (!name) throw new Error('pnpm pack wrote no tarball');
    tarball = join(work, name);
    project = join(work, 'consumer');
    mkdirSync(project);
    const manifest = {
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { '@gatehouse/client': `file:${tarball}`, '@types/node': TYPES_NODE },
    };
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs with publishable metadata and no workspace references', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/dist/router.d.ts');
    expect(listing).toContain('package/README.md');
    expect(listing).toContain('package/LICENSE');
    expect(listing.filter((file) => file.startsWith('package/src/') || file.startsWith('package/test/'))).toEqual([]);
    const manifest = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
    expect(manifest).not.toMatch(/workspace:/);
    expect(JSON.parse(manifest)).toMatchObject({ license: 'MIT', engines: { node: '>=20.12' } });
    expect(JSON.parse(manifest).private).toBeUndefined();
    // The declarations carry the router's types themselves, naming no server package.
    const declarations = execFileSync('tar', ['-xzOf', tarball, '--wildcards', 'package/dist/*.d.ts'], {
      encoding: 'utf8',
    });
    expect(declarations).not.toMatch(/@gatehouse\//);
    console.log(`@gatehouse/client tarball: ${statSync(tarball).size} bytes`);
  });

  it('installs offline, type-checks, and runs against a live server', async () => {
    const install = run('pnpm', ['install', '--offline', '--ignore-workspace'], project);
    expect(install.status, install.stdout + install.stderr).toBe(0);
    writeFileSync(join(project, 'main.ts'), PROGRAM);
    const compiled = run(tsc, ['-p', '.'], project);
    expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
    // Asynchronously: the server answers from this process's event loop.
    const ran = await promisify(execFile)(process.execPath, ['dist/main.js', app.url], {
      cwd: project,
      timeout: 30_000,
    });
    expect(JSON.parse(ran.stdout)).toMatchObject({ sameId: true, role: 'user', tokenType: 'Bearer' });
    expect(JSON.parse(ran.stdout).username).toMatch(/^consumer\d+$/);
  }, 120_000);

  it("fails the consumer's tsc on a wrong input, a misspelt procedure and a wrong output type", () => {
    writeFileSync(join(project, 'mistakes.ts'), MISTAKES);
    const checked = run(tsc, ['--noEmit', '-p', '.'], project);
    expect(checked.status).not.toBe(0);
    const errors = checked.stdout.split('\n').filter((line) => /^mistakes\.ts\(\d+,\d+\): error/.test(line));
    console.log(`consumer tsc caught:\n${errors.join('\n')}`);
    expect(errors.map((line) => /^mistakes\.ts\((\d+),/.exec(line)?.[1])).toEqual(['5', '6', '7']);
    expect(errors[0]).toMatch(/pasword/);
    expect(errors[1]).toMatch(/mee/);
    expect(errors[2]).toMatch(/number.*not assignable to type 'string'/);
    // The working program still compiles alongside.
    expect(checked.stdout).not.toMatch(/^main\.ts/m);
  }, 60_000);
});
