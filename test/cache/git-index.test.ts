/**
 * The index's paths looked up by binary search in the bytes of `git ls-files -v -z` (src/facts/git-changes.ts
 * `IndexPaths`): the same answers as a set of them, in git's own order, for names that sort
 * differently by bytes and by naive expectation (spaces, dots, dashes, slashes, capitals, accents,
 * CJK, characters outside the Basic Multilingual Plane).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IndexPaths, takeGitSnapshot } from '../../src/facts/git-changes.js';

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-git-index-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lsFiles(names: string[]): Buffer {
  return execFileSync('git', ['-c', 'core.quotePath=false', 'ls-files', '-v', '-z', '--full-name'], { cwd: repo(names) });
}

function repo(names: string[]): string {
  const dir = mkdtempSync(join(scratch, 'repo-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  for (const n of names) {
    mkdirSync(dirname(join(dir, n)), { recursive: true });
    writeFileSync(join(dir, n), 'x');
  }
  execFileSync('git', ['add', '-A'], { cwd: dir });
  return dir;
}

const NAMES = ['a b', 'a-b', 'a.b', 'a/b/c.ts', 'a0', 'A', 'Z/z.ts', 'b', 'ä.ts', 'é/x.ts', '日本/語.ts', 'ｆｕｌｌ.ts', 'z~', '[id].tsx', 'pages/[slug]/index.tsx'];
const ABSENT = ['', 'a', 'a/', 'a/b', 'a/b/c', 'a/b/c.t', 'aa', 'B', 'ä', '日本', 'zz', '[id]', 'pages/[slug]'];

describe('the index’s paths by binary search', () => {
  it('answers as a set does, for every path present and absent', () => {
    const text = lsFiles(NAMES);
    const index = new IndexPaths(text);
    for (const n of NAMES) expect(index.has(n), n).toBe(true);
    for (const n of ABSENT) expect(index.has(n), n).toBe(false);
  });

  it('with a name outside the Basic Multilingual Plane (its UTF-16 order is not git’s byte order): the same answers', () => {
    const names = [...NAMES, 'emoji/😀.ts', 'emoji/\uFF5E.ts'];
    const index = new IndexPaths(lsFiles(names));
    for (const n of names) expect(index.has(n), n).toBe(true);
    for (const n of ABSENT) expect(index.has(n), n).toBe(false);
  });

  it("through a snapshot (the entries' starts found while its flags are read): the same answers", () => {
    const names = [...NAMES, 'emoji/😀.ts'];
    const index = takeGitSnapshot(repo(names))?.index;
    expect(index).toBeDefined();
    for (const n of names) expect(index!.has(n), n).toBe(true);
    for (const n of ABSENT) expect(index!.has(n), n).toBe(false);
  });

  it('with many lookups (a set past 8,192) and in an empty index', () => {
    const names = Array.from({ length: 700 }, (_, i) => `src/m${i}.ts`);
    const index = new IndexPaths(lsFiles(names));
    for (let round = 0; round < 12; round++) for (const n of names) expect(index.has(n)).toBe(true);
    expect(index.has('src/m700.ts')).toBe(false);
    const empty = new IndexPaths(Buffer.alloc(0));
    expect(empty.has('a')).toBe(false);
  });
});
