/** Inputs for the differential tests: fixture files/trees, the corpus, and byte-exact inline cases. */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusFiles, corpusPath } from '../support/corpus.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = join(repoRoot, 'fixtures', 'postgresql-conf');
export const CORPUS_DIR = corpusPath('postgresql-conf');

export interface ConfCase {
  name: string;
  /** Relative path → content; the main file is `postgresql.conf`. */
  files: Map<string, Buffer>;
  /** Content for the data directory's postgresql.auto.conf, if the case has one. */
  autoConf?: Buffer;
}

function walk(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, base, out);
    else out.set(relative(base, p), readFileSync(p));
  }
  return out;
}

/** `fixtures/postgresql-conf/<name>.conf` (one file) and `<name>/postgresql.conf` (a tree). */
export function fixtureCases(): ConfCase[] {
  const cases: ConfCase[] = [];
  for (const name of readdirSync(FIXTURES_DIR).sort()) {
    const p = join(FIXTURES_DIR, name);
    if (statSync(p).isDirectory()) {
      const files = walk(p);
      const autoConf = files.get('postgresql.auto.conf');
      files.delete('postgresql.auto.conf');
      cases.push(autoConf ? { name, files, autoConf } : { name, files });
    } else if (name.endsWith('.conf')) {
      cases.push({ name, files: new Map([['postgresql.conf', readFileSync(p)]]) });
    }
  }
  return cases;
}

/** The corpus postgresql.conf files; none when ../shared/corpus is missing (the differential test says so). */
export function corpusCases(): ConfCase[] {
  return corpusFiles('postgresql-conf').map((name) => ({ name: `corpus/${name}`, files: new Map([['postgresql.conf', readFileSync(join(CORPUS_DIR, name))]]) }));
}

const one = (name: string, text: string): ConfCase => ({ name, files: new Map([['postgresql.conf', Buffer.from(text, 'utf8')]]) });

/** Line ends, BOM and last-line cases kept as exact bytes here (not in files an editor or git might normalize). */
export function inlineCases(): ConfCase[] {
  return [
    one('crlf', 'max_connections = 100\r\nwork_mem = 4MB\r\n# comment\r\napplication_name = \'a b\'\r\n'),
    one('crlf-syntax-error', 'max_connections = 100\r\nwork_mem = 4 MB\r\nport = 1\r\n'),
    one('lone-cr-is-whitespace', 'custom.a = 1\rcustom.b = 2\n'),
    one('lone-cr-blank', '\r\r\ncustom.a = 1\n'),
    one('bom', '\uFEFFmax_connections = 100\nwork_mem = 4MB\n'),
    one('bom-qualified', '\uFEFFcustom.a = 1\n'),
    one('no-final-newline', 'max_connections = 100\nwork_mem = 4MB'),
    one('no-final-newline-missing-value', 'max_connections = 100\nwork_mem ='),
    one('no-final-newline-name-only', 'max_connections = 100\nwork_mem'),
    one('no-final-newline-extra-token', 'max_connections = 100\nwork_mem = 4 MB'),
    one('final-comment-no-newline', 'max_connections = 100 # the end'),
    one('empty-file', ''),
    one('only-newlines', '\n\n\n'),
    one('tabs-and-trailing-spaces', '\tmax_connections\t=\t100\t\t\n  work_mem   4MB   \n'),
    one('form-feed-is-an-error', 'custom.a = 1\f\n'),
    one('many-errors', 'a b c\ncustom.a = 1\n= 2\ncustom.b = 3\n'),
    one('string-ends-at-first-closable-quote', "custom.a = 'abc''\n"),
    one('backslash-newline-unterminated', "custom.a = 'abc\\\ncustom.b = 1\n"),
    one('equals-only', '=\n'),
    one('value-then-string', "custom.a = 1'x'\n"),
    one('unit-then-digits', 'custom.a = 10MB5\n'),
  ];
}

/** Writes a case into `configDir` (which must be empty). */
export function installCase(c: ConfCase, configDir: string): void {
  for (const [rel, content] of c.files) {
    const p = join(configDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}
