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

  it('an ASCII name among names with bytes past 0x7f (compared without a Buffer): the same answers as a set', () => {
    // DEL (0x7f) is the last ASCII byte; 'é' is 0xc3 0xa9: the names sort x~, x\u007f, xé.
    // And names that begin others ('p', 'pq', 'pqr'): the shorter sorts first.
    const names = ['p', 'pq', 'pqr', 'x~.ts', 'x\u007f.ts', 'xé.ts', 'xé/a.ts', 'xz.ts', 'y.ts'];
    const index = new IndexPaths(lsFiles(names));
    for (const n of names) expect(index.has(n), n).toBe(true);
    for (const n of ['pq.', 'pqrs', 'x', 'x~', 'x\u007f', 'x\u007f.t', 'xa.ts', 'xé', 'xé.t', 'xz', 'y', 'z.ts']) expect(index.has(n), n).toBe(false);
  });

  it('random names, ASCII and not, present and absent: the same answers as a set', () => {
    // A fixed generator (no Math.random): the same names every run.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const alphabet = ['a', 'b', 'B', '-', '.', '_', '/', '0', '~', 'é', 'ß', '語', '😀'];
    const name = () => {
      let n = '';
      const length = 1 + (next() % 6);
      for (let i = 0; i < length; i++) n += alphabet[next() % alphabet.length];
      return next() % 2 === 0 ? `${n}.ts` : n;
    };
    const valid = (n: string) => !n.startsWith('/') && !n.includes('//') && !n.split('/').some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.git'));
    const present = new Set<string>();
    while (present.size < 300) {
      const n = name();
      // A name that is a directory of another cannot also be a file.
      if (valid(n) && ![...present].some((p) => p.startsWith(`${n}/`) || n.startsWith(`${p}/`))) present.add(n);
    }
    const index = new IndexPaths(lsFiles([...present]));
    for (const n of present) expect(index.has(n), n).toBe(true);
    for (let i = 0; i < 300; i++) {
      const n = name();
      expect(index.has(n), n).toBe(present.has(n));
    }
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
