/**
 * Which environment a .env file belongs to, from its name, and loading several files without
 * merging them: `.env.production` and `.env.development` describe different deployments.
 *
 * Naming follows the convention shared by dotenv-flow, Next.js (`.env`, `.env.local`,
 * `.env.$(NODE_ENV)`, `.env.$(NODE_ENV).local`) and Vite (`.env.[mode]`, `.env.[mode].local`);
 * `.example`/`.sample`/`.template`/`.dist` files are templates that nothing loads.
 */
import { basename } from 'node:path';
import { readTextFile, type TextFile } from '../../core/read-text.js';
import { capProblemsPerFile } from '../../core/limits.js';
import { expandDotenv } from './expand.js';
import { parseDotenv } from './parse.js';
import type { EnvFileKind, LoadedEnvFile } from './types.js';

const TEMPLATE_SUFFIXES = new Set(['example', 'sample', 'template', 'tpl', 'dist']);
// dotenv-vault's encrypted bundle and dotenvx's private-key file are not variable files.
const NOT_VARIABLES = new Set(['vault', 'keys', 'me']);

/** Classifies a file name (a path is accepted; only its base name counts). Null when it is not a .env file. */
export function classifyEnvFile(fileName: string): EnvFileKind | null {
  const name = basename(fileName);
  if (name !== '.env' && !name.startsWith('.env.')) return null;
  const parts = name.slice('.env'.length).split('.').filter((p) => p !== '');
  let template = false;
  let local = false;
  // Suffixes in any order at the end: `.env.production.local`, `.env.prod.example`, `.env.local.example`.
  for (;;) {
    const tail = parts[parts.length - 1];
    if (tail === undefined) break;
    const lower = tail.toLowerCase();
    if (TEMPLATE_SUFFIXES.has(lower)) template = true;
    else if (lower === 'local') local = true;
    else break;
    parts.pop();
  }
  if (parts.length === 1 && NOT_VARIABLES.has((parts[0] ?? '').toLowerCase()) && !template && !local) return null;
  const environment = parts.length === 0 ? 'default' : parts.join('.');
  return { environment, local, template };
}

/** `.env` → 'default', `.env.production` / `.env.production.local` → 'production'; null for other names. */
export function envFileEnvironment(fileName: string): string | null {
  return classifyEnvFile(fileName)?.environment ?? null;
}

/**
 * Reads and parses each file on its own, and expands it as `dotenvExpand.expand(dotenv.config())`
 * does on an empty environment (its problems, such as an expansion cap reached, are the file's).
 * Files whose names are not `.env*` (a compose `env_file:` such as `db.env`) are read too, as
 * environment 'default'. Nothing is merged across files.
 */
export function loadEnvFiles(paths: readonly string[], readFile: (path: string) => TextFile = readTextFile): LoadedEnvFile[] {
  return paths.map((file) => {
    const kind = classifyEnvFile(file) ?? { environment: 'default', local: false, template: false };
    const read = readFile(file);
    if (!read.ok) return { file, ...kind, entries: [], problems: [read.problem] };
    const parsed = parseDotenv(read.text, file);
    const expanded = expandDotenv(parsed.entries, {});
    return { file, ...kind, entries: parsed.entries, expanded, problems: capProblemsPerFile([...read.problems, ...parsed.problems, ...expanded.problems]) };
  });
}
