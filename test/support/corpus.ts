/**
 * The real-world corpus, ../shared/corpus beside the repository: CI checks the
 * repository out with shared/ beside it; a user's fresh clone has none.
 *
 * Every test that reads the corpus goes through this module:
 * - corpus present: the tests run;
 * - corpus missing, CI=true: the suites still run, and each fails with one test
 *   that says where the corpus is expected;
 * - corpus missing otherwise: they are skipped, and the closing summary says in
 *   one line where the corpus is expected (see skip-note.ts).
 * Nothing is read from the corpus while a test file is collected unless it is
 * present, so a missing folder never crashes a test file at import.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { CORPUS_ROOT } from './paths.js';
import { skipNote } from './skip-note.js';

export { CORPUS_ROOT };

/** CI must run the corpus tests: a missing corpus is a broken setup there. */
export const CORPUS_REQUIRED = process.env.CI === 'true';
export const HAVE_CORPUS = existsSync(CORPUS_ROOT);

const WHERE = `../shared/corpus is expected at ${CORPUS_ROOT}`;
const skipped = () => skipNote(`${WHERE}; with CI=true they run and fail without it`);

function corpusMissing(): never {
  throw new Error(`CI=true: the corpus tests must run, but ${WHERE} and it is missing (check the shared folder out beside the repository)`);
}

/** A path inside the corpus (`corpusPath('pgbouncer', name)`). Reads nothing. */
export function corpusPath(...parts: string[]): string {
  return join(CORPUS_ROOT, ...parts);
}

/** The sorted file names of one corpus folder (`env`, `pgbouncer` …), or none when the corpus is missing. */
export function corpusFiles(kind: string): string[] {
  return HAVE_CORPUS ? readdirSync(corpusPath(kind)).sort() : [];
}

/**
 * `describe` for a suite that reads the corpus. Its body (which may list the
 * corpus to generate tests) is only collected when the corpus is present.
 */
export function describeCorpus(name: string, body: () => void): void {
  if (HAVE_CORPUS) describe(name, body);
  else if (CORPUS_REQUIRED) describe(name, () => it('has the corpus', corpusMissing));
  else describe.skip(name, skipped(), () => it('reads ../shared/corpus', () => {}));
}

/** `it` for one test that reads the corpus, inside a suite that otherwise does not. */
export function itCorpus(name: string, fn: () => unknown): void {
  if (HAVE_CORPUS) it(name, fn);
  else if (CORPUS_REQUIRED) it(name, corpusMissing);
  else it.skip(name, skipped(), fn);
}
