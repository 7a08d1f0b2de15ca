/**
 * The analysis's probes (issue 11): a package.json and a tsconfig.json looked for in every
 * directory above an analysed file, most of them missing. With `missing` (src/facts/build.ts
 * passes a `stat` and the file guard), a missing one is not read, and the analysis records what
 * the read would have given: the facts, the problems and the recorded reads are the same.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeJsFilesInParts, nothingAt, readSourceBytes, type AnalyzeJsOptions } from '../../src/sources/js/project.js';

let root: string;
const code: string[] = [];

function put(rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  if (/\.ts$/.test(rel)) code.push(p);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pgconn-lint-probes-'));
  put('package.json', JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*', 'apps/*'] }));
  put('packages/db/package.json', JSON.stringify({ name: '@acme/db', main: 'src/index.ts', dependencies: { pg: '^8.11.0' } }));
  put('packages/db/src/index.ts', "import { Pool } from 'pg';\nexport function makePool(max: number) {\n  return new Pool({ max });\n}\n");
  put('apps/api/package.json', JSON.stringify({ name: '@acme/api', dependencies: { '@acme/db': '*' } }));
  put('apps/api/tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: 'src' } }));
  put('apps/api/src/deep/er/db.ts', "import { makePool } from '@acme/db';\nexport const pool = makePool(7);\n");
  put('apps/api/src/deep/er/still/routes.ts', "import { pool } from '../db';\nexport async function f() {\n  const c = await pool.connect();\n  await c.query('select 1');\n}\n");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(missing: AnalyzeJsOptions['missing']) {
  const asked: string[] = [];
  const readFile = (p: string) => {
    asked.push(p);
    return readSourceBytes(p, 1024 * 1024, false);
  };
  const parts: unknown[] = [];
  const out = analyzeJsFilesInParts(code, { repoRoot: root, readFile, recordReads: true, ...(missing ? { missing } : {}) }, () => undefined, (part) => parts.push(part.pools), () => parts.splice(0));
  return { asked, parts, problems: out.problems, reads: [...(out.reads ?? new Map()).entries()].sort() };
}

describe("the analysis's probes for files that are not there", () => {
  it('are answered by `missing` and recorded as the read would have been', () => {
    const read = run(undefined);
    const probed = run(nothingAt);
    // The same facts, problems and recorded reads (a missing file's digest included).
    expect(probed.parts).toEqual(read.parts);
    expect(probed.problems).toEqual(read.problems);
    expect(probed.reads).toEqual(read.reads);
    expect(JSON.stringify(probed.parts)).toContain('"max"');
    // Missing package.json and tsconfig.json files were asked of the reader without `missing`, never with it.
    const absent = read.asked.filter((p) => nothingAt(p));
    expect(absent.filter((p) => p.endsWith('package.json')).length).toBeGreaterThan(3);
    expect(absent.filter((p) => p.endsWith('tsconfig.json')).length).toBeGreaterThan(0);
    expect(probed.asked.filter((p) => nothingAt(p))).toEqual([]);
    // Every missing probe is still recorded: the facts cache checks it is still missing next time.
    for (const p of absent) expect(probed.reads.some(([k]) => k === p)).toBe(true);
    // The files that exist are read as before.
    expect(probed.asked.sort()).toEqual(read.asked.filter((p) => !nothingAt(p)).sort());
  });

  it('`nothingAt` is false for a file, a directory, and a path under a file (ENOTDIR: the reader says what that is)', () => {
    expect(nothingAt(join(root, 'package.json'))).toBe(false);
    expect(nothingAt(join(root, 'apps'))).toBe(false);
    expect(nothingAt(join(root, 'package.json', 'x.json'))).toBe(false);
    expect(nothingAt(join(root, 'nope', 'package.json'))).toBe(true);
  });
});
