import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * Git as the facts cache's change detector (issue 11: a warm run statted every code file — 43,000
 * `stat` calls at 50k files, ~0.5 s — and hashed every file the cached analysis read; git answers
 * the same question from its index in one process, in C, with its own "racy clean" protection).
 *
 * A snapshot is `git status` at the start of a run: HEAD's commit and every path that differs
 * from it (staged, unstaged, untracked — a whole untracked directory as `dir/` — and ignored,
 * `dir/` likewise). It is kept in the cache file beside the entries that run stored. A later run
 * takes its own snapshot; a path is *unchanged since the cache* when:
 *
 * - neither snapshot names it or a directory above it: both times its content was HEAD's;
 * - and HEAD is the same commit, or `git diff-tree` between the two commits does not name it.
 *
 * Its content is then the content the cache entry was computed from, without a `stat`. Anything
 * else — a path either snapshot names, a new commit that touched it, a file git ignores (named by
 * the `! dir/` entries) — is checked as without git (size and mtime, or content). Git that cannot
 * answer (not a repository at the root, no git, a HEAD the old snapshot names but the repository no
 * longer has, more than MAX_ENTRIES changed paths) means no snapshot: every file is checked.
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
}

/** More paths than this differ from HEAD: not worth a snapshot (and not worth storing). */
const MAX_ENTRIES = 20_000;
const GIT_ENV = { GIT_OPTIONAL_LOCKS: '0', GIT_LITERAL_PATHSPECS: '1', LC_ALL: 'C' };

function git(root: string, args: string[]): string | undefined {
  try {
    const r = spawnSync('git', ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false', ...args], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...GIT_ENV },
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    });
    return r.status === 0 && typeof r.stdout === 'string' ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

/** `git status` now, or undefined when git cannot tell (then nothing is trusted to git). */
export function takeGitSnapshot(root: string): GitSnapshot | undefined {
  // Only a repository whose top level is the root: status paths are relative to it.
  if (!existsSync(join(root, '.git'))) return undefined;
  const out = git(root, ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=normal', '--ignored=traditional', '--ignore-submodules=none', '--no-renames']);
  if (out === undefined) return undefined;
  let head: string | undefined;
  const changed: string[] = [];
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
    // 1 XY sub mH mI mW hH hI path | u XY sub m1 m2 m3 mW h1 h2 h3 path | ? path | ! path
    // (2 … is a rename, not reported with --no-renames; if it were, its second path is the next field.)
    const kind = f[0];
    let path: string | undefined;
    if (kind === '?' || kind === '!') path = f.slice(2);
    else if (kind === '1') path = nthField(f, 8);
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
  return { head, changed };
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

  private constructor(names: Iterable<string>) {
    for (const n of names) this.names.add(n);
  }

  /** Undefined when git cannot vouch for any path (no snapshot either time, HEADs git cannot compare). */
  static between(root: string, old: GitSnapshot | undefined, now: GitSnapshot | undefined): GitChanges | undefined {
    if (old === undefined || now === undefined) return undefined;
    const names = [...old.changed, ...now.changed];
    if (old.head !== now.head) {
      if (old.head === '' || now.head === '') return undefined;
      const out = git(root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', '--no-commit-id', old.head, now.head]);
      if (out === undefined) return undefined;
      for (const p of out.split('\0')) if (p !== '') names.push(p);
    }
    return new GitChanges(names);
  }

  /** `rel`: relative to the root (either separator). True only when git vouches its content is the same. */
  unchanged(rel: string): boolean {
    const p = sep === '/' ? rel : rel.split(sep).join('/');
    if (p === '' || p.startsWith('../') || this.names.has(p)) return false;
    // A directory above it: `dir/` (untracked or ignored as a whole), or a submodule's path.
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (this.names.has(p.slice(0, i + 1)) || this.names.has(p.slice(0, i))) return false;
    return true;
  }
}
