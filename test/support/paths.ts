import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../..');
/** ../shared/corpus beside the repository (CI clones the repository with shared/ beside it). Tests read it through corpus.ts. */
export const CORPUS_ROOT = resolve(REPO_ROOT, '../shared/corpus');

const CODE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** The JS/TS files under `dir`, at any depth, in sorted order. */
export function codeFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...codeFilesUnder(p));
    else if (CODE_FILE.test(name)) out.push(p);
  }
  return out;
}
