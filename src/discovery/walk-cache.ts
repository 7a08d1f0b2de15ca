import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileAccess } from '../core/file-access.js';
import { youngGenerationCheckpoint } from '../core/gc.js';
import { classifyByName, isProbedMask, type Candidate, type CandidateKind, type DiscoveryOptions, type DiscoveryResult, type SkippedEntry } from './discover.js';

/**
 * The walk cache (issue 11, with --cache; kept in the facts cache file, docs/cache.md): what
 * discovery found — the candidates in order, package.json files, files seen, the --verbose sample
 * of skipped entries — reused without listing a directory or matching a .gitignore pattern when
 * nothing the walk depended on has changed:
 *
 * - every directory it listed has the same inode, mtime and ctime. A directory's mtime changes when
 *   an entry is added, removed or renamed, its ctime also when its mode or owner changes (a
 *   directory made unreadable); replacing a file by a directory, a link or a FIFO is a removal and
 *   an addition. A file's content is not the walk's business (the facts cache checks it);
 * - every .gitignore it read (or looked for above the starting directory) has the same size, mtime
 *   and ctime, or is still missing;
 * - the same options (starting directory, working directory, --ignore-pattern, the config's
 *   ignorePatterns and their base, --no-gitignore) and repository root.
 *
 * Not stored when the walk met a symbolic link (what it leads to can change without any directory
 * walked changing), said something (a note), or saw a directory or .gitignore change within
 * `racyMs` before it started (a change in the same clock tick would go unseen: git's "racy clean").
 */
export interface WalkRecord {
  key: string;
  /**
   * Directories listed, in order: [path relative to the root, inode, mtimeMs, ctimeMs]; the
   * directory of the cache file itself: [path, inode, -1, -1, digest of its entries, mode, the cache
   * file's name] (`listingDigest`: every write of the cache changes that directory's times).
   */
  dirs: Array<[string, number, number, number] | [string, number, -1, -1, string, number, string]>;
  /** .gitignore files read or looked for: [relative path, size, mtimeMs, ctimeMs], or [relative path, -1] when missing. */
  files: Array<[string, number, number?, number?]>;
  /** Candidates in discovery's order: [relative path, kind]. */
  candidates: Array<[string, CandidateKind]>;
  packageJsons: string[];
  filesSeen: number;
  skipped: Array<[string, SkippedEntry['reason'], 0 | 1]>;
  /** The directories whose listing held one of discover.ts's `PROBED_NAMES`: [relative path, mask] (`DiscoveryResult.listed`; every other directory of `dirs` held none). */
  probed?: Array<[string, number]>;
}

/** Where discovery gets and leaves its record (src/facts/cache.ts keeps it in the cache file). */
export interface WalkCache {
  get(): unknown;
  put(record: WalkRecord): void;
  /** Told when the record from `get` was reused. */
  reused?(): void;
  /** A directory or .gitignore changed this recently before the walk is not trusted (default 2,000 ms). */
  racyMs?: number;
  /**
   * The cache file (absolute): its directory is checked by its entries, not its times, which each
   * write of the cache changes (a temporary file, then a rename: the default location is the
   * repository root, a directory every walk lists).
   */
  exempt?: string;
}

const DEFAULT_RACY_MS = 2_000;

/** What the walk's result depends on besides the files. */
export function walkKeyOf(options: DiscoveryOptions, cwd: string, start: string): string {
  const ci = options.configIgnore && options.configIgnore.patterns.length > 0 ? [resolve(options.configIgnore.base), options.configIgnore.patterns] : null;
  return JSON.stringify([1, cwd, start, options.ignorePatterns, ci, options.noGitignore === true]);
}

type Stat = { ino: number; mtimeMs: number; ctimeMs: number; size: number; mode: number };

function statOf(path: string): Stat | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A directory's entries, names and types, as a digest; the cache file's temporary files
 * (`<name>.<pid>.<random>.tmp`, there only while a run writes it) left out. The cache file itself
 * is in it: present or not, it is a file the walk sees.
 */
export function listingDigest(dir: string, cacheName: string): string | undefined {
  try {
    const names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => !(e.name.startsWith(`${cacheName}.`) && e.name.endsWith('.tmp')))
      .map((e) => `${e.isFile() ? 'f' : e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'o'}${e.name}`)
      .sort();
    return createHash('sha256').update(names.join('\0')).digest('base64url');
  } catch {
    return undefined;
  }
}

/** Records, during a walk, what its result depends on. */
export class WalkRecorder {
  private readonly dirs: WalkRecord['dirs'] = [];
  private readonly files: WalkRecord['files'] = [];
  private ok = true;
  private readonly started = Date.now();
  private readonly exemptDir: string | undefined;

  constructor(
    private readonly root: string,
    private readonly exempt?: string,
  ) {
    this.exemptDir = exempt === undefined ? undefined : dirname(resolve(exempt));
  }

  /** Called before a directory is listed (a change during the listing leaves a newer ctime). */
  dir(path: string): void {
    if (!this.ok) return;
    const st = statOf(path);
    if (st === undefined) {
      this.ok = false;
      return;
    }
    const rel = relative(this.root, path);
    if (this.exemptDir !== undefined && resolve(path) === this.exemptDir) {
      const name = basename(this.exempt!);
      const digest = listingDigest(path, name);
      if (digest === undefined) this.ok = false;
      else this.dirs.push([rel, st.ino, -1, -1, digest, st.mode, name]);
      return;
    }
    this.dirs.push([rel, st.ino, st.mtimeMs, st.ctimeMs]);
  }

  /** Called before a .gitignore is looked for and read. */
  file(path: string): void {
    if (!this.ok) return;
    const st = statOf(path);
    this.files.push(st === undefined ? [relative(this.root, path), -1] : [relative(this.root, path), st.size, st.mtimeMs, st.ctimeMs]);
  }

  uncacheable(): void {
    this.ok = false;
  }

  /** The record to keep, or undefined when this walk must not be reused. */
  finish(key: string, result: DiscoveryResult, racyMs = DEFAULT_RACY_MS): WalkRecord | undefined {
    if (!this.ok || result.notes.length > 0 || this.dirs.length === 0) return undefined;
    const outside = (p: string) => {
      const rel = relative(this.root, p);
      return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    };
    if (this.dirs.some((d) => outside(resolve(this.root, d[0])))) return undefined;
    const limit = this.started - racyMs;
    // (The cache file's directory is checked by its entries: no clock tick to miss.)
    for (const d of this.dirs) if (d[2] !== -1 && (d[2] >= limit || d[3] >= limit)) return undefined;
    for (const f of this.files) if (f[1] !== -1 && ((f[2] ?? 0) >= limit || (f[3] ?? 0) >= limit)) return undefined;
    if (result.candidates.some((c) => c.explicit)) return undefined;
    const rel = (p: string) => relative(this.root, p);
    const probed: Array<[string, number]> = [];
    for (const [dir, mask] of result.listed ?? []) if (mask !== 0) probed.push([rel(dir), mask]);
    return {
      key,
      dirs: this.dirs,
      files: this.files,
      candidates: result.candidates.map((c) => [rel(c.path), c.kind]),
      packageJsons: result.packageJsons.map(rel),
      filesSeen: result.filesSeen,
      skipped: result.skipped.map((s) => [rel(s.path), s.reason, s.directory ? 1 : 0]),
      ...(result.listed !== undefined ? { probed } : {}),
    };
  }
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';

/**
 * `path.resolve(root, rel)`, without resolve's cost for the plain case (~40 ms for 43,000 paths at 50k
 * files): a relative path with no `.`, `..` or empty segment is joined as it is (the same string).
 */
function joiner(root: string): (rel: string) => string {
  const base = resolve(root);
  const prefix = base.endsWith(sep) ? base : base + sep;
  const plain = sep === '/' ? /(?:^|\/)\.\.?(?:\/|$)|\/\/|^\/|\/$/ : undefined;
  return (rel: string) => (plain !== undefined && rel !== '' && !plain.test(rel) ? prefix + rel : resolve(root, rel));
}

/** A cache file is input like any other: a path of its record is used only inside the root, outside .git. */
function insideRoot(rel: unknown): rel is string {
  const dotGit = `${sep}.git${sep}`;
  return isStr(rel) && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`) && rel !== '.git' && !rel.startsWith(`.git${sep}`) && !rel.endsWith(`${sep}.git`) && !rel.includes(dotGit);
}

/**
 * The directories of a walk record (absolute) when every one of them, and every .gitignore it
 * read or looked for, is as the record says; otherwise undefined.
 */
function unchangedDirs(r: WalkRecord, root: string): Set<string> | undefined {
  const dirs = new Set<string>();
  const join = joiner(root);
  for (const d of r.dirs) {
    youngGenerationCheckpoint();
    if (!Array.isArray(d) || !insideRoot(d[0])) return undefined;
    const path = join(d[0]);
    const st = statOf(path);
    if (st === undefined || st.ino !== d[1]) return undefined;
    if (d.length === 7) {
      // The cache file's directory: its entries (names, types) and its mode, not its times.
      if (d[2] !== -1 || st.mode !== d[5] || !isStr(d[6]) || d[6] === '' || d[6].includes(sep) || listingDigest(path, d[6]) !== d[4]) return undefined;
    } else if (st.mtimeMs !== d[2] || st.ctimeMs !== d[3]) return undefined;
    dirs.add(path);
  }
  for (const f of r.files) {
    if (!Array.isArray(f) || !insideRoot(f[0])) return undefined;
    const st = statOf(resolve(root, f[0]));
    if (f[1] === -1 ? st !== undefined : st === undefined || st.size !== f[1] || st.mtimeMs !== f[2] || st.ctimeMs !== f[3]) return undefined;
  }
  return dirs;
}

/**
 * Would a walk with `key` find what `record` (the walk without its candidates) says? Its
 * directories (absolute) when it would, without building its result (the report cache,
 * src/facts/report-cache.ts).
 */
export function unchangedWalkDirs(record: unknown, key: string, root: string): Set<string> | undefined {
  const r = record as Partial<WalkRecord> | null | undefined;
  if (r === null || typeof r !== 'object' || r.key !== key || !Array.isArray(r.dirs) || !Array.isArray(r.files)) return undefined;
  return unchangedDirs(r as WalkRecord, root);
}

/**
 * The cached walk's result when `record` is one for `key` and nothing it depends on changed;
 * otherwise undefined (a full walk follows). Its candidates are trusted by `access` as the walk
 * would have (plain files found in the tree).
 */
export function reuseWalk(record: unknown, key: string, root: string, access: FileAccess): DiscoveryResult | undefined {
  const r = record as Partial<WalkRecord> | null | undefined;
  if (r === null || typeof r !== 'object' || r.key !== key) return undefined;
  if (!Array.isArray(r.dirs) || !Array.isArray(r.files) || !Array.isArray(r.candidates) || !Array.isArray(r.packageJsons) || !Array.isArray(r.skipped) || !isNum(r.filesSeen)) return undefined;
  // A cache file is input like any other (a repository could ship one): its paths are used only
  // inside the root, outside .git, in directories whose identity was just checked, under names
  // that discovery gives the same kind.
  const dirs = unchangedDirs(r as WalkRecord, root);
  if (dirs === undefined) return undefined;
  const candidates: Candidate[] = [];
  const join = joiner(root);
  for (const c of r.candidates) {
    if (!Array.isArray(c) || !insideRoot(c[0]) || !isStr(c[1])) return undefined;
    const path = join(c[0]);
    if (!dirs.has(dirname(path)) || classifyByName(path) !== c[1]) return undefined;
    access.trust(path);
    candidates.push({ path, kind: c[1] as CandidateKind, explicit: false });
  }
  if (!r.packageJsons.every((p) => insideRoot(p) && basename(p) === 'package.json' && dirs.has(dirname(resolve(root, p))))) return undefined;
  const skipped: SkippedEntry[] = [];
  for (const s of r.skipped) {
    // Only shown under --verbose (and `.git` itself is one): never read.
    if (!Array.isArray(s) || !isStr(s[0]) || isAbsolute(s[0]) || !isStr(s[1])) return undefined;
    skipped.push({ path: resolve(root, s[0]), reason: s[1] as SkippedEntry['reason'], directory: s[2] === 1 });
  }
  // The listings' probed names: every directory of the record listed none unless `probed` says so.
  let listed: Map<string, number> | undefined;
  if (r.probed !== undefined) {
    if (!Array.isArray(r.probed)) return undefined;
    listed = new Map<string, number>();
    for (const d of dirs) listed.set(d, 0);
    for (const p of r.probed) {
      if (!Array.isArray(p) || !insideRoot(p[0]) || !isProbedMask(p[1])) return undefined;
      const dir = join(p[0]);
      if (!listed.has(dir)) return undefined;
      listed.set(dir, p[1]);
    }
  }
  return { root, candidates, notes: [], filesSeen: r.filesSeen, access, packageJsons: r.packageJsons.map((p) => resolve(root, p)), skipped, ...(listed !== undefined ? { listed } : {}) };
}
