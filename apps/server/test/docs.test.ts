// Keeps README.md and docs/*.md from drifting away from the code: the configuration table against
// the server's config schema, relative links (and #anchors) against the tree, and the pnpm
// commands they show against the package.json scripts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from '../src/config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS_DIR = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS_DIR)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS_DIR, name)),
];

const read = (file: string) => readFileSync(file, 'utf8');
const shown = (file: string) => relative(ROOT, file);

const FENCE = /^```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
const INLINE_CODE = /`([^`\n]+)`/g;

/** The page with its fenced code blocks blanked line for line. */
const withoutFences = (markdown: string) => markdown.replace(FENCE, (block) => block.replace(/[^\n]/g, ''));

/** The text outside code, where links are read from. */
const prose = (markdown: string) => withoutFences(markdown).replace(INLINE_CODE, '');

/** Every piece of code the page shows: fenced blocks and inline code spans. */
function codeOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(FENCE)].map((m) => m[1] ?? '');
  const spans = [...withoutFences(markdown).matchAll(INLINE_CODE)].map((m) => m[1] ?? '');
  return [...blocks, ...spans];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text = ''] of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = text
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface VariableRow {
  name: string;
  defaultCell: string;
}

/** The tables whose header is `| variable | default | … |`, each as its rows. */
function variableTables(markdown: string): VariableRow[][] {
  const tables: VariableRow[][] = [];
  let current: VariableRow[] | null = null;
  for (const line of withoutFences(markdown).split('\n')) {
    const cells = line.trim().startsWith('|')
      ? line
          .trim()
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim())
      : null;
    if (!cells) {
      current = null;
    } else if (cells[0] === 'variable' && cells[1] === 'default') {
      current = [];
      tables.push(current);
    } else if (current && !/^-+$/.test(cells[0] ?? '')) {
      const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? '')?.[1];
      if (!name) throw new Error(`a row of a variable table names no single variable: ${line}`);
      current.push({ name, defaultCell: cells[1] ?? '' });
    }
  }
  return tables;
}

/** The default a table cell documents: the leading code span, or undefined for "none…". */
function documentedDefault(cell: string): string | undefined {
  if (/^none\b/.test(cell)) return undefined;
  const value = /^`([^`]*)`/.exec(cell)?.[1];
  if (value === undefined) throw new Error(`a default cell must start with \`value\` or "none": ${cell}`);
  return value;
}

describe('docs/configuration.md', () => {
  const schema = new Map(configVariables().map((v) => [v.name, v.default]));
  const [table = []] = variableTables(read(join(DOCS_DIR, 'configuration.md')));

  it('lists every variable the config schema reads, once, and no other', () => {
    const listed = table.map((row) => row.name);
    expect(
      listed.filter((name, i) => listed.indexOf(name) !== i),
      'listed twice',
    ).toEqual([]);
    expect(
      [...schema.keys()].filter((name) => !listed.includes(name)),
      'read by the schema, not listed',
    ).toEqual([]);
    expect(
      listed.filter((name) => !schema.has(name)),
      'listed, not read by the schema',
    ).toEqual([]);
  });

  it("gives each variable the schema's default, in every variable table of the README and docs", () => {
    const rows = PAGES.flatMap((page) =>
      variableTables(read(page))
        .flat()
        .map((row) => ({ page, ...row })),
    );
    expect(rows.length).toBeGreaterThanOrEqual(schema.size);
    const unset = loadConfig({});
    for (const { page, name, defaultCell } of rows) {
      const where = `${shown(page)}: ${name}`;
      expect(schema.has(name), `${where} is not read by the schema`).toBe(true);
      const documented = documentedDefault(defaultCell);
      if (schema.get(name) === undefined) {
        expect(documented, `${where} has no default in the schema; write "none…"`).toBeUndefined();
      } else {
        expect(documented, `${where} has the default ${schema.get(name)} in the schema`).toBeDefined();
        // Compared as the server reads them, so `15m` documents a schema default of 900 seconds.
        const key = name as keyof typeof unset;
        expect(loadConfig({ [name]: documented })[key], `${where} documents ${documented}`).toEqual(unset[key]);
      }
    }
  });
});

describe('links in README.md and docs/*.md', () => {
  it.each(PAGES.map((page) => [shown(page), page]))('%s: every relative link reaches a file and heading', (_, page) => {
    const broken: string[] = [];
    const links = [...prose(read(page)).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
    for (const [, target = ''] of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
      const [path = '', anchor] = target.split('#');
      const file = path ? resolve(dirname(page), decodeURIComponent(path)) : page;
      if (!file.startsWith(ROOT) || !existsSync(file)) {
        broken.push(`${target}: no such file`);
      } else if (anchor !== undefined) {
        if (statSync(file).isDirectory() || !file.endsWith('.md')) broken.push(`${target}: anchor into a non-page`);
        else if (!anchorsOf(read(file)).has(anchor)) broken.push(`${target}: no such heading`);
      }
    }
    expect(broken, broken.join('\n')).toEqual([]);
  });
});

describe('pnpm commands shown in README.md and docs/*.md', () => {
  /** pnpm's own commands, which run no package script. */
  const BUILT_IN = new Set([
    'install',
    'i',
    'add',
    'remove',
    'update',
    'exec',
    'dlx',
    'why',
    'list',
    'ls',
    'pack',
    'publish',
  ]);
  const scriptsOf = (dir: string): string[] =>
    Object.keys((JSON.parse(read(join(dir, 'package.json'))) as { scripts?: object }).scripts ?? {});
  const workspace = new Map<string, string[]>();
  for (const pattern of [...read(join(ROOT, 'pnpm-workspace.yaml')).matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1])) {
    const dirs = pattern?.endsWith('/*')
      ? readdirSync(join(ROOT, pattern.slice(0, -2))).map((name) => join(ROOT, pattern.slice(0, -2), name))
      : [join(ROOT, pattern ?? '')];
    for (const dir of dirs.filter((d) => existsSync(join(d, 'package.json')))) {
      workspace.set((JSON.parse(read(join(dir, 'package.json'))) as { name: string }).name, scriptsOf(dir));
    }
  }
  const rootScripts = scriptsOf(ROOT);

  it.each(PAGES.map((page) => [shown(page), page]))('%s: every pnpm <script> exists', (_, page) => {
    const missing: string[] = [];
    let checked = 0;
    for (const code of codeOf(read(page))) {
      for (const [command, rest = ''] of code.matchAll(/\bpnpm((?:[ \t]+[^\s`|;&()]+)*)/g)) {
        const words = rest.trim().split(/\s+/).filter(Boolean);
        let filter: string | undefined;
        while (words[0]?.startsWith('-')) {
          const flag = words.shift() ?? '';
          if (flag === '--filter' || flag === '-F') filter = words.shift();
          else if (flag.startsWith('--filter=')) filter = flag.slice('--filter='.length);
        }
        let script = words.shift();
        if (script === 'run') script = words.shift();
        if (!script || !/^[a-z][\w:.-]*$/.test(script)) continue; // prose such as `pnpm <script>`
        checked++;
        const scripts = filter === undefined ? rootScripts : workspace.get(filter);
        if (!scripts) missing.push(`${command.trim()}: no workspace package ${filter}`);
        else if (!BUILT_IN.has(script) && !scripts.includes(script)) {
          missing.push(`${command.trim()}: no script "${script}" in ${filter ?? 'the root package.json'}`);
        }
      }
    }
    expect(missing, missing.join('\n')).toEqual([]);
    if (page.endsWith('README.md')) expect(checked).toBeGreaterThan(0);
  });
});
