import { dirname, sep } from 'node:path';

/**
 * The parts of the code analysis (`analyzeJsFilesInParts`): the connected components of the import
 * graph that hold a database file. The graph's edges join a file and each local module one of its
 * specifiers resolves to, in either direction. Only components with a database file are analysed,
 * and at 50,000 files they hold 1,352 of 42,892 files (issue 11: resolving every edge, 87,716 of
 * them, and a union-find over every file was ~0.4 s of CPU). So the components are searched from
 * the database files, and only their members' edges are resolved: a member's own specifiers
 * forwards; the files importing a member through an index of every specifier by the name it ends
 * in (`keyHash`), checked by resolving just those specifiers. The result is the same as a
 * union-find over every edge (test/js-pools/import-graph.test.ts).
 */

/** What the search asks of the project's module resolution. */
export interface GraphResolver {
  /** The analysed file a specifier names from a file in `dir` (a string), or not one (undefined, null). */
  resolvePathFrom(dir: string, spec: string): string | undefined | null;
  /** The paths a tsconfig `paths` alias maps the specifier to (each resolved as a path), undefined when none matches. */
  aliasTargetsOf(spec: string): readonly string[] | undefined;
}

export interface ImportGraphPart {
  /** The part's files, in the order of their index (`files`, then targets that are not among them). */
  members: Set<string>;
  /** Its database files, in the order of `database`. */
  db: string[];
  /** Its files with local specifiers that are not database files, in the order of `pending`. */
  pending: Array<[string, string[]]>;
  /** The characters the pre-filter read of its files. */
  chars: number;
}

export interface ImportGraphInput {
  files: readonly string[];
  /** Each file's index in `files` (its first occurrence); extended with targets that are not among them. */
  indexOf: Map<string, number>;
  /** By index: the file's local specifiers (undefined: none). */
  edges: ReadonlyArray<readonly string[] | undefined>;
  /** By index: the characters the pre-filter read. */
  chars: readonly number[];
  database: ReadonlyMap<string, unknown>;
  pending: ReadonlyMap<string, string[]>;
}

/**
 * The parts, in the order of their first database file, and the importers of each member (by the
 * target's path, importers in the order of `files`, each once in a row: what a pass over every
 * edge in file order gives for the members).
 */
export function databaseParts(resolver: GraphResolver, input: ImportGraphInput): { parts: ImportGraphPart[]; importedBy: Map<string, string[]> } {
  const { files, indexOf, edges, chars, database, pending } = input;
  const names = [...files];
  const part: number[] = new Array<number>(files.length).fill(-1);
  const indexOfTarget = (target: string): number => {
    let t = indexOf.get(target);
    if (t === undefined) {
      t = names.length;
      indexOf.set(target, t);
      names.push(target);
      part.push(-1);
    }
    return t;
  };

  // Every specifier whose target's name it determines, by the hash of that name's key (`keyHash`):
  // entries (file, specifier) in lists threaded through typed arrays, one list per hash. The others
  // (`.`, `..`, a workspace package, a backslash) are resolved now, their edges kept both ways.
  let total = 0;
  for (let i = 0; i < files.length; i++) total += edges[i]?.length ?? 0;
  const head = new Map<number, number>();
  let entries = 0;
  let entryFile: Int32Array = new Int32Array(total);
  let entrySpec: Int32Array = new Int32Array(total);
  let entryNext: Int32Array = new Int32Array(total);
  const addEntry = (h: number, file: number, spec: number): void => {
    if (entries === entryFile.length) {
      entryFile = grown(entryFile);
      entrySpec = grown(entrySpec);
      entryNext = grown(entryNext);
    }
    entryFile[entries] = file;
    entrySpec[entries] = spec;
    entryNext[entries] = head.get(h) ?? -1;
    head.set(h, entries++);
  };
  const eagerFrom = new Map<number, number[]>();
  const eagerTo = new Map<number, number[]>();
  const posix = sep === '/';
  for (let i = 0; i < files.length; i++) {
    const specs = edges[i];
    if (specs === undefined) continue;
    for (let j = 0; j < specs.length; j++) {
      const s = specs[j]!;
      if (posix && (s.charCodeAt(0) === 46 /* . */ || s.charCodeAt(0) === 47 /* / */)) {
        const h = pathKeyHash(s);
        if (h !== NO_KEY && s.indexOf('\\') === -1) {
          addEntry(h, i, j);
          continue;
        }
      } else if (posix) {
        const keys = aliasKeyHashes(s, resolver);
        if (keys !== undefined) {
          for (const h of keys) addEntry(h, i, j);
          continue;
        }
      }
      const target = resolver.resolvePathFrom(dirname(files[i]!), s);
      if (typeof target !== 'string') continue;
      const t = indexOfTarget(target);
      push(eagerFrom, i, t);
      push(eagerTo, t, i);
    }
  }

  // The search, from each database file not yet in a part.
  const parts: ImportGraphPart[] = [];
  const membersOf: number[][] = [];
  const dirs: Array<string | undefined> = [];
  const dirOf = (i: number): string => dirs[i] ?? (dirs[i] = dirname(names[i]!));
  for (const f of database.keys()) {
    const start = indexOf.get(f)!;
    if (part[start] !== -1) continue;
    const p = parts.length;
    parts.push({ members: new Set(), db: [], pending: [], chars: 0 });
    const members = [start];
    part[start] = p;
    for (let q = 0; q < members.length; q++) {
      const at = members[q]!;
      // Forwards: what the member's specifiers resolve to.
      const specs = at < files.length ? edges[at] : undefined;
      if (specs !== undefined) {
        for (const s of specs) {
          const target = resolver.resolvePathFrom(dirOf(at), s);
          if (typeof target !== 'string') continue;
          const t = indexOfTarget(target);
          if (part[t] === -1) {
            part[t] = p;
            members.push(t);
          }
        }
      }
      // Backwards: the files with a specifier under one of the member's keys that resolves to it.
      const path = names[at]!;
      for (const h of targetKeyHashes(path)) {
        for (let e = head.get(h) ?? -1; e !== -1; e = entryNext[e]!) {
          const g = entryFile[e]!;
          if (part[g] !== -1) continue;
          if (resolver.resolvePathFrom(dirOf(g), edges[g]![entrySpec[e]!]!) === path) {
            part[g] = p;
            members.push(g);
          }
        }
      }
      for (const g of eagerTo.get(at) ?? []) {
        if (part[g] === -1) {
          part[g] = p;
          members.push(g);
        }
      }
      for (const t of eagerFrom.get(at) ?? []) {
        if (part[t] === -1) {
          part[t] = p;
          members.push(t);
        }
      }
    }
    membersOf.push(members.sort((a, b) => a - b));
  }

  for (const f of database.keys()) parts[part[indexOf.get(f)!]!]!.db.push(f);
  const importedBy = new Map<string, string[]>();
  for (let p = 0; p < parts.length; p++) {
    const g = parts[p]!;
    for (const i of membersOf[p]!) {
      g.members.add(names[i]!);
      if (i < chars.length) g.chars += chars[i]!;
    }
  }
  for (const entry of pending) {
    const i = indexOf.get(entry[0])!;
    if (part[i] !== -1) parts[part[i]!]!.pending.push(entry);
  }
  // The importers of every member, in file order: every importer of a member is a member.
  const all = membersOf.flat().sort((a, b) => a - b);
  for (const i of all) {
    const specs = i < files.length ? edges[i] : undefined;
    if (specs === undefined) continue;
    const f = files[i]!;
    for (const s of specs) {
      const target = resolver.resolvePathFrom(dirOf(i), s);
      if (typeof target !== 'string') continue;
      const by = importedBy.get(target);
      if (by === undefined) importedBy.set(target, [f]);
      else if (by[by.length - 1] !== f) by.push(f);
    }
  }
  return { parts, importedBy };
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2 + 16);
  b.set(a);
  return b;
}

/** `keyHash` of nothing: a segment that names no file of its own (empty, `.`, `..`). */
export const NO_KEY = -1;

/**
 * The hash of the key of the path segment `text[start, end)`: of its text before its first dot (`db`
 * for `db.service.ts`, '' for `.env`), FNV-1a over its UTF-16 code units, never negative. `NO_KEY`
 * for an empty segment, `.` and `..`. Equal keys give equal hashes; two keys may share one (the
 * search then resolves a few more specifiers), never a specifier and its target different ones.
 */
export function keyHash(text: string, start: number, end: number): number {
  const len = end - start;
  if (len === 0 || (len === 1 && text.charCodeAt(start) === 46) || (len === 2 && text.charCodeAt(start) === 46 && text.charCodeAt(start + 1) === 46)) return NO_KEY;
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 1;
}

/** `keyHash` of a `/`-separated path's last segment, trailing slashes ignored. */
export function pathKeyHash(path: string): number {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return keyHash(path, path.lastIndexOf('/', end - 1) + 1, end);
}

/**
 * Where a local specifier's target is found (`targetKeyHashes`), for one that is not a path: an
 * alias, by each of its targets (undefined when one of them names no file of its own); a workspace
 * package (its entry comes from its package.json) is not keyed: undefined.
 *
 * Why a path's key holds: the project's resolution (`JsProject.resolveFile`) turns a path into an
 * analysed file by keeping it, swapping a JavaScript extension for TypeScript's (`db.js` → `db.ts`),
 * adding an extension (`db` → `db.ts`, `x.node` → `x.node.ts`) or adding `/index` and an extension
 * (`db` → `db/index.ts`): the text of the last segment before its first dot stays, or becomes the
 * directory of an `index.*` file. A relative or absolute specifier is resolved as a path, whose last
 * segment after `.`/`..` are resolved is its own unless that is `.` or `..`; an alias as each of its
 * targets. Nothing is keyed on a system whose separator is not `/`, nor a specifier with a backslash.
 */
function aliasKeyHashes(spec: string, resolver: Pick<GraphResolver, 'aliasTargetsOf'>): number[] | undefined {
  const targets = resolver.aliasTargetsOf(spec);
  if (targets === undefined) return undefined;
  const keys: number[] = [];
  for (const t of targets) {
    const h = pathKeyHash(t);
    if (h === NO_KEY) return undefined;
    if (!keys.includes(h)) keys.push(h);
  }
  return keys;
}

/** The key hashes an analysed file is found under: its name's, and its directory's for an `index.*` file. */
export function targetKeyHashes(path: string): number[] {
  const slash = path.lastIndexOf(sep);
  const own = keyHash(path, slash + 1, path.length);
  const keys = own === NO_KEY ? [] : [own];
  if (path.startsWith('index.', slash + 1) && slash > 0) {
    const parent = keyHash(path, path.lastIndexOf(sep, slash - 1) + 1, slash);
    if (parent !== NO_KEY && parent !== own) keys.push(parent);
  }
  return keys;
}
