/**
 * The parts of the code analysis (src/sources/js/import-graph.ts): the components of the import
 * graph that hold a database file, found by a search from the database files that resolves only the
 * members' edges, must be what a union-find over every edge gives (the design before issue 11's
 * twentieth round, kept here as the reference): the same members, database files, pending files and
 * sizes, in the same order, and the same importers of every member.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseParts, keyHash, NO_KEY, pathKeyHash, targetKeyHashes, type ImportGraphPart } from '../../src/sources/js/import-graph.js';
import { JsProject, readSourceBytes } from '../../src/sources/js/project.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Graph {
  files: string[];
  edges: Array<string[] | undefined>;
  chars: number[];
  database: Map<string, unknown>;
  pending: Map<string, string[]>;
}

/** A project over `root` as `analyzeJsFilesInParts` makes it, and the graph's input for `files` (local specifiers only). */
function projectFor(root: string, files: string[], specs: Map<string, string[]>, db: Set<string>): { project: JsProject; graph: Graph } {
  const project = new JsProject(root, (p) => readSourceBytes(p, 1 << 20, false), false);
  for (const f of files) project.known.add(f);
  project.readTsconfigPaths();
  const edges: Array<string[] | undefined> = [];
  const pending = new Map<string, string[]>();
  const database = new Map<string, unknown>();
  const chars: number[] = [];
  files.forEach((f, i) => {
    chars.push(i * 7 + 1);
    const local = (specs.get(f) ?? []).filter((s) => project.isLocalSpecifier(s));
    edges.push(local.length > 0 ? local : undefined);
    if (db.has(f)) database.set(f, undefined);
    else if (local.length > 0) pending.set(f, local);
  });
  return { project, graph: { files, edges, chars, database, pending } };
}

/** The reference: every edge resolved, a union-find over them, the groups in one pass (project.ts before the twentieth round). */
function unionFindParts(project: JsProject, g: Graph): { parts: ImportGraphPart[]; importedBy: Map<string, string[]> } {
  const { files, edges, chars, database, pending } = g;
  const indexOf = new Map<string, number>();
  files.forEach((f, i) => indexOf.has(f) || indexOf.set(f, i));
  const names = [...files];
  const parent: number[] = files.map(() => -1);
  const indexOfTarget = (t: string): number => {
    let i = indexOf.get(t);
    if (i === undefined) {
      i = parent.length;
      indexOf.set(t, i);
      names.push(t);
      parent.push(-1);
    }
    return i;
  };
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    return r;
  };
  for (const f of database.keys()) {
    const i = indexOf.get(f)!;
    if (parent[i] === -1) parent[i] = i;
  }
  const importedBy = new Map<string, string[]>();
  for (let i = 0; i < files.length; i++) {
    for (const s of edges[i] ?? []) {
      const target = project.resolvePathFrom(dirname(files[i]!), s);
      if (typeof target !== 'string') continue;
      const t = indexOfTarget(target);
      if (parent[i] === -1) parent[i] = i;
      if (parent[t] === -1) parent[t] = t;
      const ra = find(i);
      const rb = find(t);
      if (ra !== rb) parent[rb] = ra;
      const by = importedBy.get(target);
      if (by === undefined) importedBy.set(target, [files[i]!]);
      else if (by[by.length - 1] !== files[i]) by.push(files[i]!);
    }
  }
  const groups = new Map<number, ImportGraphPart>();
  for (const f of database.keys()) {
    const r = find(indexOf.get(f)!);
    let grp = groups.get(r);
    if (grp === undefined) groups.set(r, (grp = { members: new Set(), db: [], pending: [], chars: 0 }));
    grp.db.push(f);
  }
  for (let i = 0; i < parent.length; i++) {
    if (parent[i] === -1) continue;
    const grp = groups.get(find(i));
    if (grp === undefined) continue;
    grp.members.add(names[i]!);
    if (i < chars.length) grp.chars += chars[i]!;
  }
  for (const entry of pending) {
    const i = indexOf.get(entry[0])!;
    if (parent[i] !== -1) groups.get(find(i))?.pending.push(entry);
  }
  return { parts: [...groups.values()], importedBy };
}

function compare(root: string, files: string[], specs: Map<string, string[]>, db: Set<string>): number {
  const a = projectFor(root, files, specs, db);
  const b = projectFor(root, files, specs, db);
  const indexOf = new Map<string, number>();
  files.forEach((f, i) => indexOf.has(f) || indexOf.set(f, i));
  const got = databaseParts(a.project, { ...a.graph, indexOf });
  const want = unionFindParts(b.project, b.graph);
  const shape = (parts: ImportGraphPart[]) => parts.map((p) => ({ members: [...p.members], db: p.db, pending: p.pending, chars: p.chars }));
  expect(shape(got.parts)).toEqual(shape(want.parts));
  const members = new Set(want.parts.flatMap((p) => [...p.members]));
  const importersOfMembers = (m: Map<string, string[]>) => [...m].filter(([t]) => members.has(t)).sort(([x], [y]) => (x < y ? -1 : 1));
  expect(importersOfMembers(got.importedBy)).toEqual(importersOfMembers(want.importedBy));
  return want.parts.length;
}

function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pgconn-lint-import-graph-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('the parts of the analysis, searched from the database files', () => {
  it('find what a name does not show: an index file, an added extension, an alias to another name, a workspace package, `.` and `..`', () => {
    const root = writeProject({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'], '@db': ['src/store/pool.ts'], '~/*.js': ['src/*.ts'] } } }),
      'packages/acme/package.json': JSON.stringify({ name: '@acme/db', main: 'dist/index.js' }),
      'packages/acme/src/index.ts': '',
      'src/store/pool.ts': '',
      'src/db.js/index.ts': '',
      'src/x.node.ts': '',
      'src/dir/index.ts': '',
      'src/a/b/c.ts': '',
      'src/h.ts': '',
      'src/use1.ts': '',
      'src/use2.ts': '',
      'src/use3.ts': '',
      'src/use4.ts': '',
      'src/use5.ts': '',
      'src/use6.ts': '',
      'src/dir/use7.ts': '',
      'src/a/b/use8.ts': '',
      'src/unrelated.ts': '',
    });
    const f = (rel: string) => join(root, rel);
    const files = ['packages/acme/src/index.ts', 'src/store/pool.ts', 'src/db.js/index.ts', 'src/x.node.ts', 'src/dir/index.ts', 'src/a/b/c.ts', 'src/h.ts', 'src/use1.ts', 'src/use2.ts', 'src/use3.ts', 'src/use4.ts', 'src/use5.ts', 'src/use6.ts', 'src/dir/use7.ts', 'src/a/b/use8.ts', 'src/unrelated.ts'].map(f);
    const specs = new Map<string, string[]>([
      [f('src/use1.ts'), ['@db']],
      [f('src/use2.ts'), ['./db.js']],
      [f('src/use3.ts'), ['./x.node']],
      [f('src/use4.ts'), ['@acme/db', 'react']],
      [f('src/use5.ts'), ['~/h.js']],
      [f('src/use6.ts'), ['./a/b/../../dir/']],
      [f('src/dir/use7.ts'), ['.']],
      [f('src/a/b/use8.ts'), ['./c', '../..//h']],
      [f('src/unrelated.ts'), ['./nothing']],
    ]);
    // Each database file alone: every importer above reaches its part only through one of the cases.
    for (const db of files.slice(0, 7)) compare(root, files, specs, new Set([db]));
    expect(compare(root, files, specs, new Set(files.slice(0, 7)))).toBeGreaterThan(1);
  });

  it('are those of a union-find over every edge (200 random projects)', () => {
    const rand = prng(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const dirs = ['src', 'src/lib', 'src/lib/db', 'src/api', 'src/api/v1', 'packages/core/src', 'apps/web'];
    const names = ['db.ts', 'db.js', 'db.service.ts', 'index.ts', 'index.js', 'x.node.ts', 'util.ts', 'util.tsx', 'a.d.ts', 'b.mts', 'c.cjs', '.hidden.ts', 'pool.ts', 'lib.ts', 'api.ts'];
    let parts = 0;
    for (let n = 0; n < 200; n++) {
      const rel = new Set<string>();
      const count = 5 + Math.floor(rand() * 25);
      while (rel.size < count) rel.add(`${pick(dirs)}/${pick(names)}`);
      const tree: Record<string, string> = {
        'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
        'packages/core/package.json': JSON.stringify({ name: '@acme/core', main: 'src/index.ts' }),
        'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['src/*'], '@pool': ['src/lib/db/index.ts'], '#db': ['src/lib/db.ts', 'src/lib/db'] } } }),
      };
      for (const r of rel) tree[r] = '';
      const root = writeProject(tree);
      const files = [...rel].map((r) => join(root, r));
      const stems = ['db', 'db.js', 'db.service', 'index', 'x.node', 'x', 'util', 'a', 'b', 'b.mjs', 'c.cjs', '.hidden', 'pool', 'lib', 'api', 'missing', 'lib/db', 'db/index', 'v1', 'api/v1'];
      const prefixes = ['./', '../', '../../', './lib/', '../lib/', '/'];
      const specs = new Map<string, string[]>();
      for (const f of files) {
        const list: string[] = [];
        const k = Math.floor(rand() * 4);
        for (let j = 0; j < k; j++) {
          const r = rand();
          if (r < 0.6) {
            const prefix = pick(prefixes);
            list.push(prefix === '/' ? join(root, pick(dirs), pick(stems)) : `${prefix}${pick(stems)}${rand() < 0.1 ? '/' : ''}`);
          } else if (r < 0.8) list.push(pick(['@/lib/db', '@/lib/db.js', '@/api', '@pool', '#db', '@/x.node', '@/lib', '@/']));
          else list.push(pick(['.', '..', './', '../', '../..', '@acme/core', '@acme/core/x', 'pg', 'react']));
        }
        specs.set(f, list);
      }
      const db = new Set(files.filter(() => rand() < 0.25));
      if (db.size === 0) db.add(files[0]!);
      parts += compare(root, files, specs, db);
    }
    expect(parts).toBeGreaterThan(200);
  });
});

describe('the keys a specifier and its target are found under', () => {
  const h = (s: string) => keyHash(s, 0, s.length);
  it('are the text before the first dot of the last segment; an index file also its directory', () => {
    expect(pathKeyHash('./db')).toBe(h('db'));
    expect(pathKeyHash('../lib/db.js')).toBe(h('db'));
    expect(pathKeyHash('./db.service')).toBe(h('db'));
    expect(pathKeyHash('./db/')).toBe(h('db'));
    expect(pathKeyHash('./.env')).toBe(h('.x'));
    expect([pathKeyHash('.'), pathKeyHash('..'), pathKeyHash('./'), pathKeyHash('../..'), pathKeyHash('./db/.')]).toEqual([NO_KEY, NO_KEY, NO_KEY, NO_KEY, NO_KEY]);
    expect(targetKeyHashes('/r/src/db.service.ts')).toEqual([h('db')]);
    expect(targetKeyHashes('/r/src/db.js/index.ts')).toEqual([h('index'), h('db')]);
    expect(targetKeyHashes('/r/src/index.ts')).toEqual([h('index'), h('src')]);
    expect(h('db')).toBeGreaterThanOrEqual(0);
  });
});
