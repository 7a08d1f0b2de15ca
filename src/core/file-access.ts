import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { InputProblem } from './diagnostic.js';
import { rangeOnLine } from './location.js';
import { DEFAULT_MAX_FILE_BYTES, readTextFile, type TextFile } from './read-text.js';
import { hasSegmentUnder, inside, resolved } from './paths.js';

/**
 * Which files the input may make pgconn-lint read (docs/security.md).
 *
 * pgconn-lint runs on untrusted pull requests and publishes what it prints, so a path written in
 * the repository — a symbolic link, an `include`, `%include`, `auth_file`, `env_file`, a schema
 * folder, an import — is read only when its REAL path (symbolic links resolved) lies inside the
 * repository root, outside any `.git` directory, and is a regular file or a directory. Paths the
 * user names on the command line that lie outside the repository are allowed with what is under
 * them (a named file: its directory, for its own includes). A path named on the command line that
 * lies inside the repository gets no exception: the repository may have made it a link.
 * `/proc`, `/sys` and `/dev` are never read, whoever names them.
 */
export type Access = { ok: true } | { ok: false; reason: string };
/** One object for every path that may be read (discovery trusts ~50,000 at 50k files). */
const ALLOWED: Access = Object.freeze({ ok: true });

/** A directory's names, each a file, a directory (links followed) or an entry that could not be stat'ed. */
export type DirListing = { ok: true; entries: Array<{ name: string; kind: 'file' | 'dir' | 'error' }> } | { ok: false; reason: string };

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' ? 'No such file or directory' : code === 'ENOTDIR' ? 'Not a directory' : code === 'EACCES' ? 'Permission denied' : (code ?? 'unknown error');
}

/**
 * Lists a directory with no access check (unit tests and callers with a trusted path);
 * `allowed` decides per entry, and an entry it refuses is listed as a file, whose read then says why.
 */
export function listDirectory(dir: string, allowed: (path: string) => boolean = () => true): DirListing {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    return { ok: false, reason: errnoReason(err) };
  }
  return {
    ok: true,
    entries: names.map((name) => {
      const p = join(dir, name);
      if (!allowed(p)) return { name, kind: 'file' as const };
      try {
        return { name, kind: statSync(p).isDirectory() ? ('dir' as const) : ('file' as const) };
      } catch {
        return { name, kind: 'error' as const };
      }
    }),
  };
}

const NEVER = ['/proc', '/sys', '/dev'];

function realOrNull(path: string): string | null {
  // A missing path (most of what module resolution asks about) is answered without the
  // exception realpath throws for it: building that error cost ~30 µs a path (issue 11).
  if (!existsSync(path)) return null;
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function hasGitComponent(path: string, base: string): boolean {
  return hasSegmentUnder(path, base, '.git');
}

/**
 * One answer the file system gave while the facts were built (`FileAccess.recordInputs`), kept so
 * that a later run can ask the same question and reuse the report when every answer is the same
 * (src/facts/report-cache.ts): a read (`r`: a digest of what `readText` returned; `s`: of a code
 * file's bytes, recorded by the caller), an access check (`c`), `isFile` (`f`), a listing (`l`),
 * an existence (`e`), a file or directory kind (`k`). Paths are absolute.
 */
export type InputRecord = [op: 'r' | 's' | 'c' | 'f' | 'l' | 'e' | 'k', path: string, answer: string, maxBytes?: number];

const digestOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** What `readText` returned, as a digest (the text and whatever the read said about it). */
export function textFileDigest(t: TextFile): string {
  return t.ok ? digestOf(['T', t.text, t.hasBom, t.problems]) : digestOf(['P', t.problem]);
}

/** A path's kind for `probeKind` (no access check: the same answer `statSync` gives the loaders). */
function kindOf(path: string): 'file' | 'dir' | 'other' | 'missing' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

export class FileAccess {
  /** The repository root as given (lexical) and as its real path. */
  readonly root: string;
  private readonly realRoot: string;
  /** Real paths of the allowed trees: the repository, and what the command line named outside it. */
  private readonly roots: string[];
  private readonly verdicts = new Map<string, Access>();
  /** The answers recorded since `recordInputs` (keyed by op and path: the last answer wins). */
  private inputs: Map<string, InputRecord> | undefined;
  private quiet = false;

  constructor(root: string, namedOutside: readonly string[] = []) {
    this.root = resolve(root);
    this.realRoot = realOrNull(this.root) ?? this.root;
    this.roots = [this.realRoot];
    for (const p of namedOutside) {
      const real = realOrNull(resolve(p));
      if (real === null) continue;
      let dir = real;
      try {
        if (!statSync(real).isDirectory()) dir = dirname(real);
      } catch {
        continue;
      }
      if (!NEVER.some((n) => inside(dir, n))) this.roots.push(dir);
    }
  }

  /** Paths named on the command line (resolved against `cwd`) that lie outside `root`. */
  static namedOutside(root: string, cwd: string, paths: readonly string[]): string[] {
    return paths.map((p) => resolve(cwd, p)).filter((p) => !inside(p, resolve(root)));
  }

  /** A real path inside the repository written under the root as given (so a link and its target are one file). */
  lexical(real: string): string {
    return inside(real, this.realRoot) ? join(this.root, relative(this.realRoot, real)) : real;
  }

  /** From now on, record every answer the file system gives through this object (`InputRecord`). */
  recordInputs(): void {
    this.inputs ??= new Map();
  }

  /** What was recorded, or undefined when nothing was asked to be. */
  recordedInputs(): InputRecord[] | undefined {
    return this.inputs === undefined ? undefined : [...this.inputs.values()];
  }

  /** Records an answer given outside this object (a code file's bytes read by the caller: `s`). */
  record(entry: InputRecord): void {
    this.inputs?.set(`${entry[0]}\0${entry[1]}`, entry);
  }

  /** Marks a path already checked by discovery (a plain entry of a directory walked inside the root). */
  trust(path: string): void {
    this.verdicts.set(path, ALLOWED);
  }

  /**
   * May `path` be opened? A path that does not exist is allowed when it lies inside the allowed
   * trees (the reader then says it is missing), so missing includes keep their own diagnostics.
   */
  check(path: string): Access {
    const abs = resolved(path);
    const verdict = this.verdictFor(abs);
    // A path discovery found in a walked directory (ALLOWED) is the walk's record's business.
    if (this.inputs !== undefined && verdict !== ALLOWED && !this.quiet) this.record(['c', abs, verdict.ok ? '' : verdict.reason]);
    return verdict;
  }

  /**
   * `check`, not recorded: for the code analysis's reads, which the facts cache checks itself (each
   * read's digest holds a refusal's reason).
   */
  checkUnrecorded(path: string): Access {
    this.quiet = true;
    try {
      return this.check(path);
    } finally {
      this.quiet = false;
    }
  }

  /**
   * `checkUnrecorded` for a path the caller knows holds nothing (its name missing from its
   * directory's listing, discover.ts `listedEntry`): the verdict `decide` gives a path with nothing
   * there, without asking the file system whether there is.
   */
  checkAbsent(path: string): Access {
    return this.verdictFor(resolved(path), null);
  }

  /** The verdict on `abs`, decided once (`real`: as `decide`'s). */
  private verdictFor(abs: string, real?: string | null): Access {
    let verdict = this.verdicts.get(abs);
    if (verdict === undefined) {
      verdict = this.decide(abs, real);
      this.verdicts.set(abs, verdict);
    }
    return verdict;
  }

  /** `real`: the path's real path, null when nothing is there (`realOrNull`, asked when not given). */
  private decide(abs: string, real: string | null = realOrNull(abs)): Access {
    const target = real ?? abs;
    if (NEVER.some((n) => inside(target, n))) return { ok: false, reason: 'is a system path (/proc, /sys, /dev): not read' };
    const base = this.roots.find((r) => inside(target, r));
    if (base === undefined) {
      // Lexically inside the repository but really outside it: a symbolic link on the way.
      const viaLink = inside(abs, this.root) || inside(abs, this.realRoot);
      return { ok: false, reason: viaLink ? 'points outside the repository: not read' : 'is outside the repository: not read' };
    }
    if (hasGitComponent(target, base)) return { ok: false, reason: 'is inside a .git directory: not read' };
    if (real === null) return { ok: true };
    try {
      const st = statSync(real);
      if (!st.isFile() && !st.isDirectory()) return { ok: false, reason: 'is not a regular file (a FIFO, socket or device): not read' };
    } catch {
      /* gone since: the reader says so */
    }
    return { ok: true };
  }

  /** The problem to report for a path that may not be read, at the path itself (worded as readTextFile's: "File …"). */
  problemFor(path: string, reason: string): InputProblem {
    return { message: `File ${reason}.`, severity: 'warning', range: rangeOnLine(path, 1, 1, 0) };
  }

  /** `readTextFile`, for allowed paths only. */
  readText(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): TextFile {
    const a = this.check(path);
    if (!a.ok) return { ok: false, path, problem: this.problemFor(path, a.reason) };
    const t = readTextFile(path, maxBytes);
    if (this.inputs !== undefined) this.record(['r', resolve(path), textFileDigest(t), maxBytes]);
    return t;
  }

  /** Is `path` an allowed regular file? */
  isFile(path: string): boolean {
    let answer = false;
    if (this.check(path).ok) {
      try {
        answer = statSync(path).isFile();
      } catch {
        answer = false;
      }
    }
    if (this.inputs !== undefined) this.record(['f', resolve(path), answer ? '1' : '0']);
    return answer;
  }

  /** `existsSync` (no access check: a loader's question about a path's existence), recorded. */
  exists(path: string): boolean {
    const answer = existsSync(path);
    if (this.inputs !== undefined) this.record(['e', resolve(path), answer ? '1' : '0']);
    return answer;
  }

  /** A path's kind as `statSync` gives it (no access check: what a loader asks before choosing), recorded. */
  probeKind(path: string): 'file' | 'dir' | 'other' | 'missing' {
    const answer = kindOf(path);
    if (this.inputs !== undefined) this.record(['k', resolve(path), answer]);
    return answer;
  }

  /** Names in an allowed directory, with their kind (links followed, and checked like any path). */
  listDir(dir: string): DirListing {
    const a = this.check(dir);
    if (!a.ok) return a;
    const l = listDirectory(dir, (p) => this.check(p).ok);
    if (this.inputs !== undefined) this.record(['l', resolve(dir), digestOf(l)]);
    return l;
  }
}
