import { closeSync, existsSync, fstatSync, lstatSync, openSync, constants } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FLAGS_ARGS, GIT_CONFIG, GIT_ENV, GIT_TIMEOUT_MS, git, STATUS_ARGS, takeEarlyGitOutputs } from './git-early.js';
import { readFully } from '../core/read-text.js';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../core/builtins.js';
import type { GitTrackedFiles } from '../discovery/git-tracked.js';

export { earlySnapshotTime, startGitSnapshotEarly } from './git-early.js';

/**
 * Git as the facts cache's change detector (issue 11: a warm run statted every code file — 43,000
 * `stat` calls at 50k files, ~0.5 s — and hashed every file the cached analysis read; git answers
 * the same question from its index in one process, in C, with its own "racy clean" protection).
 *
 * A snapshot is `git status --untracked-files=no` at the start of a run: HEAD's commit and every
 * tracked path that differs from it (staged or unstaged), with the index's paths (`git ls-files`).
 * HEAD and the changed paths are kept in the cache file beside the entries that run stored. A later
 * run takes its own snapshot; a path is *unchanged since the cache* when:
 *
 * - it is in the index now, and neither snapshot names it or a directory above it: both times its
 *   content was HEAD's (a path HEAD did not have then, and the index has now, was added: staged,
 *   which names it, or committed, which diff-tree names);
 * - and HEAD is the same commit, or `git diff-tree` between the two commits does not name it.
 *
 * Its content is then the content the cache entry was computed from, without a `stat`. Anything
 * else — a path either snapshot names, a new commit that touched it, a file the index does not
 * hold (untracked or ignored: git's status is not asked to look for those, which halves its time),
 * an index entry marked assume-unchanged or skip-worktree — is checked as without git (size and
 * mtime, or content). Git that cannot answer (not a repository at the root,
 * no git, a HEAD the old snapshot names but the repository no longer has, more than MAX_ENTRIES
 * changed paths, a command past GIT_TIMEOUT_MS) means no snapshot: every file is checked.
 *
 * A submodule is named by its path when anything in it changed (`--ignore-submodules=none`: a
 * `.gitmodules` cannot hide it), and a name covers every path under it.
 *
 * Run with `GIT_OPTIONAL_LOCKS=0` (status never writes the index: a pre-commit hook runs while
 * `git commit` holds it) and `core.fsmonitor=false` (no hook command from a repository's config).
 */
export interface GitSnapshot {
  /** HEAD's commit id, or '' before the first commit. */
  head: string;
  /** Paths relative to the root, `/`-separated; a directory ends with `/`. Sorted. */
  changed: string[];
  /** This run's only (not stored): every path the index holds (`git ls-files`), `/`-separated. */
  index?: IndexPaths;
}

/**
 * After this many lookups the index's paths are put in a set: at 50,000 paths a search costs ~5 µs
 * and the set ~40–60 ms. A run that reuses its report asks ~3,000 times (the files its analysis
 * read, those a finding can be in), one that stores it once per code file.
 */
const SEARCHES_BEFORE_SET = 8192;

/**
 * The index's paths as `git ls-files -v -z` lists them ("<tag> <path>\0", sorted by the paths'
 * bytes, as git keeps its index), asked by binary search in those bytes: a run that reuses its
 * report asks for a few hundred paths, and a set of 50,000 strings cost it ~25 ms and their
 * garbage. Past SEARCHES_BEFORE_SET lookups, a set.
 */
export class IndexPaths {
  private set: Set<string> | undefined;
  private searches = 0;
  /**
   * Where each entry begins (its tag), found in one pass: a search then compares one entry per step,
   * where finding each step's entry in the bytes took two more scans (the report check's ~3,000
   * lookups at 50,000 paths: 14 against 26 ms, D55).
   */
  private readonly starts: number[] = [];

  constructor(private readonly bytes: Buffer) {
    for (let at = 0; at < bytes.length; ) {
      this.starts.push(at);
      const end = bytes.indexOf(0, at);
      at = end < 0 ? bytes.length : end + 1;
    }
  }

  has(path: string): boolean {
    if (this.set === undefined && ++this.searches > SEARCHES_BEFORE_SET) this.set = this.all();
    if (this.set !== undefined) return this.set.has(path);
    const target = isAscii(path) ? path : Buffer.from(path, 'utf8');
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const start = this.starts[mid]!;
      const end = this.end(mid);
      const from = Math.min(start + 2, end);
      const order = typeof target === 'string' ? compareAscii(target, this.bytes, from, end) : target.compare(this.bytes, from, end);
      if (order === 0) return true;
      if (order > 0) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  /**
   * The entries git's status does not look at: marked assume-unchanged (a lowercase tag) or
   * skip-worktree (`S`); undefined past `max` of them.
   */
  unwatched(max: number): string[] | undefined {
    const paths: string[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const tag = this.bytes[this.starts[i]!]!;
      if (tag !== 0x53 && (tag < 0x61 || tag > 0x7a)) continue;
      paths.push(this.bytes.toString('utf8', this.starts[i]! + 2, this.end(i)));
      if (paths.length > max) return undefined;
    }
    return paths;
  }

  /** Where entry `i` ends: at its NUL (the last one's too, unless the output was cut short). */
  private end(i: number): number {
    if (i + 1 < this.starts.length) return this.starts[i + 1]! - 1;
    const end = this.bytes.indexOf(0, this.starts[i]!);
    return end < 0 ? this.bytes.length : end;
  }

  private all(): Set<string> {
    const set = new Set<string>();
    for (let i = 0; i < this.starts.length; i++) {
      const at = this.starts[i]!;
      const end = this.end(i);
      if (end > at + 2) set.add(this.bytes.toString('utf8', at + 2, end));
    }
    return set;
  }
}

/** Is every code unit of `s` ASCII (its UTF-8 bytes are its code units)? */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * `Buffer.compare`'s order of an ASCII string's bytes against `bytes[from, end)`, without making a
 * Buffer of the string and crossing into C++ at each step of a search (the report check's 1,400
 * lookups of tracked files at 50,000 files: 6–10 against 12–33 ms, D61). A byte above 0x7f orders
 * after every ASCII one, as unsigned bytes do.
 */
function compareAscii(s: string, bytes: Buffer, from: number, end: number): number {
  const n = end - from;
  const k = Math.min(n, s.length);
  for (let i = 0; i < k; i++) {
    const d = s.charCodeAt(i) - bytes[from + i]!;
    if (d !== 0) return d;
  }
  return s.length - n;
}

/** More paths than this differ from HEAD: not worth a snapshot (and not worth storing). */
const MAX_ENTRIES = 20_000;

/**
 * Attributes under which git compares a file's text after a conversion that can map an edited file
 * back to its index entry, so that status does not name it (gitattributes(5)): `ident` collapses
 * `$Id: … $`, a `filter` runs a clean command, `working-tree-encoding` re-encodes. (`text`/`eol`
 * conversions only move carriage returns, which change no finding.) Set anywhere in an attributes
 * file, a macro's definition included; `-ident` and `!ident` unset it.
 */
const HIDING_ATTRIBUTE = /(?:^|\s)(?:ident(?=\s|$)|filter=|working-tree-encoding=)/m;
/** An attributes file larger than this is not read: git then vouches for nothing. */
const MAX_ATTRIBUTES_BYTES = 1024 * 1024;

/**
 * Does the repository set an attribute that can hide an edit from git's status (HIDING_ATTRIBUTE),
 * in a `.gitattributes` its index holds or in `.git/info/attributes`? Then git vouches for nothing
 * (every file is checked as without git). Also when that cannot be told: an attributes file that is
 * not a plain file, too large or unreadable, or a `.git` that is not a directory (a worktree's or a
 * submodule's: its `info/attributes` is elsewhere). A `.gitattributes` git does not track is the
 * checkout's own, not the repository's; it is not looked for (docs/cache.md).
 */
export function hidingAttributes(root: string, index: Buffer): boolean {
  const files: string[] = [];
  const name = Buffer.from('.gitattributes\0');
  for (let at = index.indexOf(name); at >= 0; at = index.indexOf(name, at + 1)) {
    // "<tag> <path>\0": the name is the whole path, or follows a '/'.
    const before = index[at - 1];
    if (before !== 0x2f && before !== 0x20) continue;
    const start = index.lastIndexOf(0, at) + 1;
    files.push(index.toString('utf8', start + 2, at + name.length - 1));
  }
  try {
    if (!lstatSync(join(root, '.git')).isDirectory()) return true;
  } catch {
    return true;
  }
  const info = join(root, '.git', 'info', 'attributes');
  if (existsSync(info)) files.push(info);
  for (const f of files) {
    const text = smallFile(isAbsolute(f) ? f : join(root, ...f.split('/')));
    if (text === undefined || HIDING_ATTRIBUTE.test(text)) return true;
  }
  return false;
}

/** A regular file's text (not through a link), or undefined: missing, not a plain file, too large, unreadable. */
function smallFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_ATTRIBUTES_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    return buf.toString('utf8', 0, readFully(fd, buf));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `git status`, started now in a worker thread (it takes ~0.25 s at 50,000 files, on the other core
 * while this thread reads the cache file and reuses the walk), its snapshot taken when first asked.
 * Undefined outside a repository whose top level is the root (status paths are relative to it).
 */
export function startGitSnapshot(root: string): PendingSnapshot | undefined {
  const early = takeEarlyGitOutputs(root);
  if (early !== undefined) {
    // Started by the CLI's entry point before its modules loaded (`startGitSnapshotEarly`): taken once.
    let taken: { snapshot: GitSnapshot | undefined } | undefined;
    // One index state per listing: a snapshot taken before both commands ended asks git again, and
    // its listing is then a new one (whatever was built from the early listing no longer matches).
    let index: { flags: Buffer | undefined; state: IndexState | undefined } | undefined;
    const indexOf = (flags: Buffer | undefined) => {
      if (index === undefined || index.flags !== flags) index = { flags, state: indexStateOf(root, flags) };
      return index.state;
    };
    const take = () => {
      if (taken === undefined) {
        const [status, flags] = early.take();
        taken = { snapshot: snapshotOf(status, indexOf(flags)) };
      }
      return taken.snapshot;
    };
    return Object.assign(take, {
      listedIndex: () => {
        const flags = early.listing();
        return flags === null ? null : indexOf(flags)?.index;
      },
    });
  }
  if (!existsSync(join(root, '.git'))) return undefined;
  let worker: Worker | undefined;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { MessageChannel, Worker, receiveMessageOnPort } = workerThreads();
  const { port1, port2 } = new MessageChannel();
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The index's listing (2.5 MB at 50,000 files) as bytes: no string per chunk in the worker.
      workerData: { commands: [[[...GIT_CONFIG, ...STATUS_ARGS], 'utf8'], [[...GIT_CONFIG, ...FLAGS_ARGS], 'buffer']], cwd: root, env: { ...process.env, ...GIT_ENV }, timeout: GIT_TIMEOUT_MS, port: port2, flag },
      transferList: [port2],
      stdout: false,
      stderr: true,
    });
    worker.unref();
    worker.on('error', () => {
      Atomics.store(flag, 0, 2);
    });
  } catch {
    worker = undefined;
  }
  let result: { snapshot: GitSnapshot | undefined } | undefined;
  return () => {
    if (result !== undefined) return result.snapshot;
    let outs: [string | undefined, Buffer | undefined];
    const direct = (): typeof outs => [git(root, STATUS_ARGS), git(root, FLAGS_ARGS, 'buffer')];
    if (worker === undefined) outs = direct();
    else {
      // Each command is killed after GIT_TIMEOUT_MS; past both, no snapshot.
      Atomics.wait(flag, 0, 0, 2 * GIT_TIMEOUT_MS + 5_000);
      const m = receiveMessageOnPort(port1)?.message as Array<{ status: number | null; stdout: unknown }> | undefined;
      const ok = (k: number) => Array.isArray(m) && m[k]?.status === 0;
      const status = ok(0) && typeof m![0]!.stdout === 'string' ? (m![0]!.stdout as string) : undefined;
      // A Buffer posted arrives as a Uint8Array: the same bytes, viewed as a Buffer.
      const bytes = ok(1) && m![1]!.stdout instanceof Uint8Array ? (m![1]!.stdout as Uint8Array) : undefined;
      outs = [status, bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
      void worker.terminate().catch(() => undefined);
    }
    port1.close();
    result = { snapshot: snapshotOf(outs[0], indexStateOf(root, outs[1])) };
    return result.snapshot;
  };
}

/**
 * A snapshot on its way: `()` takes it (waiting for git if it still runs); `listedIndex`, when git
 * started before the CLI's modules loaded, gives the index's paths as soon as `git ls-files` ended
 * (null before; undefined when git cannot vouch for anything), so that the run can take the part of
 * its work that needs only those while status still runs (the snapshot then holds the same object).
 */
export type PendingSnapshot = (() => GitSnapshot | undefined) & { listedIndex?: () => IndexPaths | undefined | null };

/** The index's part of a snapshot (`git ls-files -v`): its paths, and the entries status does not look at. */
interface IndexState {
  index: IndexPaths;
  unwatched: string[];
}

/** The index's part of a snapshot, or undefined when git cannot vouch for anything (`hidingAttributes`, too many unwatched entries). */
function indexStateOf(root: string, flags: Buffer | undefined): IndexState | undefined {
  if (flags === undefined || hidingAttributes(root, flags)) return undefined;
  const index = new IndexPaths(flags);
  const unwatched = index.unwatched(MAX_ENTRIES);
  return unwatched === undefined ? undefined : { index, unwatched };
}

/** The snapshot of `git status`'s output and the index's part, or undefined when git cannot vouch for anything. */
function snapshotOf(status: string | undefined, state: IndexState | undefined): GitSnapshot | undefined {
  return status === undefined || state === undefined ? undefined : parseStatus(status, state);
}

/** The worker: git status, its output posted back, then the flag the waiting thread watches. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { execFile } = require('node:child_process');
const run = ([args, encoding]) => new Promise((done) => {
  try {
    execFile('git', args, { cwd: workerData.cwd, encoding, maxBuffer: 64 * 1024 * 1024, timeout: workerData.timeout, env: workerData.env, windowsHide: true }, (err, stdout) => {
      done({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout: typeof stdout === 'string' || Buffer.isBuffer(stdout) ? stdout : null });
    });
  } catch {
    done({ status: null, stdout: null });
  }
});
Promise.all(workerData.commands.map(run)).then((msg) => {
  workerData.port.postMessage(msg);
  Atomics.store(workerData.flag, 0, 1);
  Atomics.notify(workerData.flag, 0);
});
`;

/** `git status` now, or undefined when git cannot tell (then nothing is trusted to git). */
export function takeGitSnapshot(root: string): GitSnapshot | undefined {
  return startGitSnapshot(root)?.();
}

function parseStatus(out: string, { index, unwatched }: IndexState): GitSnapshot | undefined {
  let head: string | undefined;
  const changed = [...unwatched];
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === '') continue;
    if (f.startsWith('# branch.oid ')) {
      const oid = f.slice('# branch.oid '.length);
      head = oid === '(initial)' ? '' : oid;
      continue;
    }
    if (f.startsWith('#')) continue;
    // 1 XY sub mH mI mW hH hI path | u XY sub m1 m2 m3 mW h1 h2 h3 path (no `?` or `!` with
    // --untracked-files=no and no --ignored; 2 … is a rename, not reported with --no-renames; if it
    // were, its second path is the next field.)
    const kind = f[0];
    let path: string | undefined;
    if (kind === '1') path = nthField(f, 8);
    else if (kind === 'u') path = nthField(f, 10);
    else if (kind === '2') {
      path = nthField(f, 9);
      const orig = fields[++i];
      if (orig) changed.push(orig);
    } else return undefined;
    if (path === undefined || path === '') return undefined;
    changed.push(path);
    if (changed.length > MAX_ENTRIES) return undefined;
  }
  if (head === undefined || !/^([0-9a-f]{40}|[0-9a-f]{64}|)$/.test(head)) return undefined;
  changed.sort();
  return { head, changed, index };
}

/** Which of `only` git tracks (the index holds it), from a snapshot instead of `git ls-files` (src/discovery/git-tracked.ts). */
/**
 * `trackedFromSnapshot` of paths relative to the root, as a stored report keeps them (1,400 at 50,000
 * files), from a snapshot or the index's paths alone: a plain one (no `.`, `..` or empty segment, POSIX) is its own answer, without the round
 * trip through an absolute path; any other is resolved as `trackedFromSnapshot` does.
 */
export function trackedAmong(root: string, snapshot: GitSnapshot | IndexPaths, rels: readonly string[]): GitTrackedFiles | undefined {
  const index = snapshot instanceof IndexPaths ? snapshot : snapshot.index;
  if (index === undefined) return undefined;
  const asked = new Set<string>();
  const files = new Set<string>();
  for (const rel of rels) {
    let r: string;
    if (sep === '/' && rel !== '' && !NOT_PLAIN.test(rel)) r = rel;
    else {
      const back = relative(root, resolve(root, rel));
      if (back === '' || back.startsWith('..') || isAbsolute(back)) continue;
      r = back.split(sep).join('/');
    }
    asked.add(r);
    if (index.has(r)) files.add(r);
  }
  return { known: true, files, asked };
}

/** A relative POSIX path that `resolve` would change: a `.` or `..` segment, an empty one, a leading or trailing `/`. */
export const NOT_PLAIN = /(?:^|\/)\.\.?(?:\/|$)|\/\/|^\/|\/$/;

export function trackedFromSnapshot(root: string, snapshot: GitSnapshot, only: Iterable<string>): GitTrackedFiles | undefined {
  const index = snapshot.index;
  if (index === undefined) return undefined;
  const asked = new Set<string>();
  const files = new Set<string>();
  for (const p of only) {
    const rel = relative(root, p);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const r = rel.split(sep).join('/');
    asked.add(r);
    if (index.has(r)) files.add(r);
  }
  return { known: true, files, asked };
}

/** Is `p`, or a directory above it (`dir/`, or a submodule's `dir`), in `names`? */
function namedOrUnder(names: ReadonlySet<string>, p: string): boolean {
  if (names.has(p)) return true;
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (names.has(p.slice(0, i + 1)) || names.has(p.slice(0, i))) return true;
  return false;
}

/** The rest of a space-separated record after its first `n` fields (a path may hold spaces). */
function nthField(record: string, n: number): string | undefined {
  let at = 0;
  for (let k = 0; k < n; k++) {
    at = record.indexOf(' ', at);
    if (at < 0) return undefined;
    at++;
  }
  return record.slice(at);
}

/** Is `x` a snapshot as this module writes it (from a cache file: anything may be there)? */
export function isGitSnapshot(x: unknown): x is GitSnapshot {
  if (x === null || typeof x !== 'object') return false;
  const s = x as Partial<GitSnapshot>;
  return typeof s.head === 'string' && /^([0-9a-f]{40}|[0-9a-f]{64}|)$/.test(s.head) && Array.isArray(s.changed) && s.changed.length <= MAX_ENTRIES && s.changed.every((p) => typeof p === 'string');
}

/** Which paths are unchanged since the run that took `old`, as this run's snapshot `now` tells. */
export class GitChanges {
  private readonly names = new Set<string>();

  /** The names when there are few (the usual case): a path is checked against each, without a slice per `/`. */
  private readonly few: readonly string[] | undefined;

  private constructor(
    names: Iterable<string>,
    private readonly index: IndexPaths,
  ) {
    for (const n of names) this.names.add(n);
    this.few = this.names.size <= 32 ? [...this.names] : undefined;
  }

  /** Undefined when git cannot vouch for any path (no snapshot either time, HEADs git cannot compare). */
  static between(root: string, old: GitSnapshot | undefined, now: GitSnapshot | undefined): GitChanges | undefined {
    if (old === undefined || now === undefined || now.index === undefined) return undefined;
    const names = [...old.changed, ...now.changed];
    if (old.head !== now.head) {
      if (old.head === '' || now.head === '') return undefined;
      const out = git(root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', '--no-commit-id', old.head, now.head]);
      if (out === undefined) return undefined;
      for (const p of out.split('\0')) if (p !== '') names.push(p);
    }
    return new GitChanges(names, now.index);
  }

  /** Every path git names: changed when the old snapshot was taken, now, or by the commits between ('/'-separated). */
  named(): Iterable<string> {
    return this.names;
  }

  /** `rel`: relative to the root (either separator). True only when git vouches its content is the same. */
  unchanged(rel: string): boolean {
    const p = sep === '/' ? rel : rel.split(sep).join('/');
    if (p === '' || p.startsWith('../') || !this.index.has(p)) return false;
    // Named, or a directory above it (a submodule's path).
    if (this.few === undefined) return !namedOrUnder(this.names, p);
    for (const n of this.few) if (p.startsWith(n) && (p.length === n.length || n.endsWith('/') || p.charCodeAt(n.length) === 0x2f)) return false;
    return true;
  }
}

/**
 * May a snapshot taken at `since` (or before) not hold for what was just read at `path`? It was
 * modified or changed after `since` (git's status may predate the read), cannot be statted, or is a
 * symbolic link (git vouches for the link's text, not for what it leads to). Such a file is named in
 * the snapshot stored with the cache, so the next run checks it itself.
 */
export function outlivesSnapshot(path: string, since: number): boolean {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    return st !== undefined && (st.isSymbolicLink() || st.mtimeMs >= since || st.ctimeMs >= since);
  } catch {
    return true;
  }
}
