import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Reads KEY=value lines from a .env file into `env`; variables already set win. */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(path)) return false;
  const values = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
  return true;
}
