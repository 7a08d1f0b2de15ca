/**
 * The parts of the code analysis (issue 11, twenty-second round): `partsOf` walks only the
 * components of the import graph that hold a database file, finding the files that may import a
 * member by the name its specifier ends in (`reverseKey`) instead of resolving every specifier of
 * the repository. Its parts must be exactly the connected components a resolution of every
 * specifier gives, on trees made to trip the name keys: `index` files, names with several dots,
 * `.js` written for `.ts`, `.d.ts`, `.`, `..`, trailing slashes, hidden names, workspace packages.
 */
import { describe, expect, it } from 'vitest';
import { JsProject, partsOf, reverseKey, type Prefiltered } from '../../src/sources/js/project.js';
import { prng } from '../support/prng.js';
import { memRead, ROOT } from './helpers.js';

const DIRS = ['', 'a', 'a/b', 'a/b.c', 'a/b/index', 'x', 'x/.h', 'packages/db', 'packages/db/src'];
const NAMES = ['db.ts', 'db.service.ts', 'index.ts', 'index.js', 'u.ts', 'u.d.ts', 'v.mjs', 'b.ts', 'b.c.ts', '.h.ts', 'x.tsx', 'package.json'];
const SPECS = ['./db', './db.js', './db.service', '../db', '.', '..', './', '../', './b', './b.c', './b/index', '../b.c/index.js', './u', './u.js', './v.mjs', './x', '../x', './.h', '../..', '../../a', './index', '@acme/db', '@acme/db/src/db', 'pg', '../a/b.c', './b.c/'];

function randomTree(seed: number) {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', main: 'src/index.ts' }),
  };
  for (let i = 0; i < 40; i++) {
    const dir = pick(DIRS);
    const name = pick(NAMES);
    if (name === 'package.json') continue;
    files[dir === '' ? name : `${dir}/${name}`] = '';
  }
  const code = Object.keys(files).filter((f) => !f.endsWith('package.json'));
  const edges = code.map(() => Array.from({ length: Math.floor(rnd() * 4) }, () => pick(SPECS)));
  const database = code.filter(() => rnd() < 0.15);
  if (database.length === 0) database.push(code[0]!);
  return { files, code, edges, database };
}

/** The parts by brute force: every specifier resolved, then the components that hold a database file. */
function reference(project: JsProject, paths: string[], edges: string[][], database: string[]) {
  const adj = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!adj.has(a)) adj.set(a, new Set());
    adj.get(a)!.add(b);
  };
  const importedBy = new Map<string, Set<string>>();
  paths.forEach((f, i) => {
    for (const s of edges[i]!) {
      const t = project.resolvePath(f, s);
      if (typeof t !== 'string') continue;
      link(f, t);
      link(t, f);
      if (!importedBy.has(t)) importedBy.set(t, new Set());
      importedBy.get(t)!.add(f);
    }
  });
  const seen = new Set<string>();
  const parts: Array<{ members: string[]; db: string[] }> = [];
  for (const d of database) {
    if (seen.has(d)) continue;
    const members = new Set([d]);
    const queue = [d];
    while (queue.length > 0) for (const n of adj.get(queue.pop()!) ?? []) if (!members.has(n)) (members.add(n), queue.push(n));
    for (const m of members) seen.add(m);
    parts.push({ members: [...members].sort(), db: database.filter((x) => members.has(x)) });
  }
  return { parts, importedBy };
}

describe('the parts of the code analysis', () => {
  it('are the connected components of the whole import graph that hold a database file (300 random trees)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { files, code, edges, database } = randomTree(seed);
      const paths = code.map((f) => `${ROOT}/${f}`);
      const db = database.map((f) => `${ROOT}/${f}`);
      const project = () => {
        const p = new JsProject(ROOT, memRead(files), false);
        for (const f of paths) p.known.add(f);
        return p;
      };
      const ref = reference(project(), paths, edges, db);
      const tested = project();
      const indexOf = new Map(paths.map((f, i) => [f, i]));
      const filtered: Prefiltered = { database: new Map(db.map((f) => [f, undefined])), pending: new Map(), edges, chars: paths.map(() => 1) };
      const groups = [...partsOf(tested, paths, indexOf, filtered).values()];
      const got = groups.map((g) => ({ members: [...g.members].sort(), db: g.db }));
      expect(got, `seed ${seed}`).toEqual(ref.parts);
      // What imports each member, as `settleEarly` asks.
      for (const g of groups) {
        for (const m of g.members) expect(new Set(tested.importedBy.get(m) ?? []), `seed ${seed}: importers of ${m}`).toEqual(ref.importedBy.get(m) ?? new Set());
      }
    }
  });

  it('key a relative specifier by its last segment up to the first dot, and leave the others to be resolved for every file', () => {
    expect(['./db', '../lib/db.js', './db.service', './db/', '.x/db'].map(reverseKey)).toEqual(['db', 'db', 'db', undefined, 'db']);
    expect(['.', '..', './', '../', './.env', '@acme/db', 'pg', '/abs/db', '.\\db'].map(reverseKey)).toEqual(Array(9).fill(undefined));
  });
});
