import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../core/code-cache.cjs';
import { findRepoRoot } from '../core/paths.js';
import { readFully } from '../core/read-text.js';

/**
 * The git commands of the facts cache's change detector (src/facts/git-changes.ts), and their
 * start before the CLI's modules load (`startGitSnapshotEarly`). A module of its own, with no
 * import but Node's, `findRepoRoot`, `cacheDir` and `readFully`: the CLI's entry point (src/cli/bin.ts) is bundled apart
 * from the CLI (scripts/bundle.mjs), and imports this alone. The entry and the CLI are then two
 * copies of this module; what the entry started is handed over through `EARLY`, a process-wide
 * symbol, not a module variable.
 */

/** A git command taking longer is killed: no snapshot, every file checked as without git. */
export const GIT_TIMEOUT_MS = 30_000;

/**
 * `GIT_NO_REPLACE_OBJECTS`: HEAD's id is what the snapshot keeps, so its tree must be that commit's
 * own. With a replace ref (`git replace HEAD other`) status would compare with the other commit's
 * tree under HEAD's id, and a file edited to match it would be vouched for (git-replace(1):
 * replace refs are used by all commands but reachability traversal; the variable has the effect of
 * `--no-replace-objects`, which disables them).
 */
export const GIT_ENV = { GIT_OPTIONAL_LOCKS: '0', GIT_LITERAL_PATHSPECS: '1', GIT_NO_REPLACE_OBJECTS: '1', GIT_ATTR_NOSYSTEM: '1', LC_ALL: 'C' };

/**
 * No hook command from the repository's config; paths as they are (the output is NUL-separated); no
 * attributes from the user's or the system's attributes file (`hidingAttributes` checks the
 * repository's own): a file they convert looks modified, and is checked without git.
 */
export const GIT_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false', '-c', 'core.attributesFile=/dev/null'];

export function git(root: string, args: string[]): string | undefined;
export function git(root: string, args: string[], encoding: 'buffer'): Buffer | undefined;
export function git(root: string, args: string[], encoding: 'utf8' | 'buffer' = 'utf8'): string | Buffer | undefined {
  try {
    const r = spawnSync('git', [...GIT_CONFIG, ...args], {
      cwd: root,
      encoding,
      maxBuffer: 64 * 1024 * 1024,
      // A git that hangs (a network file system, a lock) is not waited for past this: no snapshot.
      timeout: GIT_TIMEOUT_MS,
      env: { ...process.env, ...GIT_ENV },
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    });
    return r.status === 0 && (typeof r.stdout === 'string' || Buffer.isBuffer(r.stdout)) ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `--branch` for HEAD's commit (`# branch.oid`), and nothing else of it: `--no-ahead-behind` (git
 * 2.17) spares the walk of the history between the branch and its upstream that the counts on
 * `# branch.ab` take (10 ms more for a branch 2,900 commits behind, growing with the distance:
 * git added the option for large repositories).
 */
export const STATUS_ARGS = ['status', '--porcelain=v2', '-z', '--branch', '--no-ahead-behind', '--untracked-files=no', '--ignore-submodules=none', '--no-renames'];
/**
 * The status the entry point starts (`startGitSnapshotEarly`). With two processors or fewer, git
 * is asked not to preload the index (`core.preloadIndex`, on by default): its refresh then
 * `lstat`s the index's paths on one thread instead of up to 20 (preload-index.c: one per 500
 * entries, at most 20, whatever the machine has), which took both processors from the CLI's load
 * and the first step of its run, which needs no git (main.ts `prepareRun`: the cache file read and
 * ~6,150 directories `stat`ted at 50,000 files). Measured there (D55): the pre-commit run 0.90x
 * the wall time on an idle machine, 1.00x beside two busy processes. With more processors, git's
 * threads end sooner and preloading is left on (not measured: the bench machine has two). Only how
 * git works, never its answer, depends on it.
 */
export function earlyStatusArgs(processors = availableParallelism()): string[] {
  return processors <= 2 ? ['-c', 'core.preloadIndex=false', ...STATUS_ARGS] : STATUS_ARGS;
}

/**
 * The index's paths, and the entries git's status does not look at: marked assume-unchanged (`git
 * update-index --assume-unchanged`, a lowercase tag) or skip-worktree (sparse checkouts, `S`). Their
 * changes never show in status, so they are never vouched for (~0.04 s at 50,000 files, beside status).
 * `--full-name`: relative to git's top level, as status and diff-tree name them (and as
 * src/discovery/git-tracked.ts asks). Without it they are relative to the root, and when the root is
 * not git's top level (a `.git` there that is not a repository, so git takes the one above) a path
 * status names as `inner/x` would be vouched for as the root's `x`; with it, no path of the root
 * matches, and git vouches for nothing.
 */
export const FLAGS_ARGS = ['ls-files', '-v', '-z', '--full-name'];

/** The commands the entry point started, for the root it was started in, and when: one per process. */
interface Early {
  root: string;
  at: number;
  /** The outputs of `git status` and `git ls-files` (each undefined when git failed), once they ended. */
  take: () => [string | undefined, Buffer | undefined];
  /** The output of `git ls-files` (undefined when it failed), or null while it still runs. */
  listing: () => Buffer | undefined | null;
}

/**
 * What `startGitSnapshotEarly` returns: settled when both commands ended; `listed` when `git
 * ls-files` did (it ends well before status: the run can take the index's part of its work while
 * status still runs, main.ts `runCliAsync`).
 */
export type EarlyGit = Promise<void> & { listed?: Promise<void> };
const EARLY = Symbol.for('pgconn-lint.early-git-snapshot');
const slot = globalThis as { [EARLY]?: Early | undefined };

/**
 * Starts `git status` and `git ls-files` for the repository around `cwd` (`findRepoRoot`, as the
 * facts cache finds its root) before the CLI's modules load (bin.ts, with --cache), as child
 * processes of this thread: they run while the modules load and the CLI takes the first step of
 * its run that needs no git (main.ts `prepareRun`; `earlyStatusArgs` on two processors), their outputs go
 * to files (`runEarly`) read once they exited, and the promise is awaited before the rest of the run,
 * so the facts cache finds the snapshot taken. Not a worker thread, as `startGitSnapshot` uses: a worker's start costs ~0.15 s
 * of CPU, on a machine whose other core runs git. The facts cache takes the snapshot when it opens
 * the same root; else it is never used.
 */
export function startGitSnapshotEarly(cwd: string): EarlyGit {
  const root = findRepoRoot(cwd);
  slot[EARLY] = undefined;
  if (!existsSync(join(root, '.git'))) return Promise.resolve();
  const at = Date.now();
  const env = { ...process.env, ...GIT_ENV };
  const dir = outputDir();
  let outs: [string | undefined, Buffer | undefined] | undefined;
  let listing: { out: Buffer | undefined } | undefined;
  const listed = runEarly(root, FLAGS_ARGS, 'buffer', env, dir).then((out) => {
    listing = { out };
    return out;
  });
  const ready = Promise.all([runEarly(root, earlyStatusArgs(), 'utf8', env, dir), listed]).then((o) => {
    outs = o;
  });
  // Taken before the commands ended (a caller that did not wait): git is asked again, synchronously.
  const take = (): [string | undefined, Buffer | undefined] => outs ?? [git(root, STATUS_ARGS), git(root, FLAGS_ARGS, 'buffer')];
  slot[EARLY] = { root, take, at, listing: () => (listing === undefined ? null : listing.out) };
  return Object.assign(ready, { listed: listed.then(() => undefined) });
}

/** The most an early command's output may hold (as `git`'s `maxBuffer`). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Where an early command writes its output: the user's own code cache directory (made 0700,
 * src/core/code-cache.cjs), or undefined (a pipe then) when there is none or on Windows, where an
 * open file cannot be unlinked.
 */
function outputDir(): string | undefined {
  if (process.platform === 'win32' || process.env['PGCONN_LINT_NO_CACHE']) return undefined;
  try {
    return cacheDir();
  } catch {
    return undefined;
  }
}

let outputs = 0;

/**
 * One early git command; its stdout, or undefined when it failed. With `dir`, git writes to a file
 * there, not to a pipe: the CLI's modules load synchronously meanwhile, and a pipe (64 KiB) is read
 * only between two of their loads, so `git ls-files` (2.5 MB at 50,000 files) waited on it until
 * the load ended; a file is read once, when git has exited. The file is opened new (`wx`, 0600) and
 * unlinked at once: the open descriptor is all that is left of it, and nothing stays behind.
 */
function runEarly<E extends 'utf8' | 'buffer'>(root: string, args: string[], encoding: E, env: NodeJS.ProcessEnv, dir: string | undefined): Promise<(E extends 'utf8' ? string : Buffer) | undefined> {
  type Out = (E extends 'utf8' ? string : Buffer) | undefined;
  return new Promise<Out>((done) => {
    const viaPipe = () => {
      try {
        execFile('git', [...GIT_CONFIG, ...args], { cwd: root, encoding, maxBuffer: MAX_OUTPUT, timeout: GIT_TIMEOUT_MS, env, windowsHide: true }, (err, stdout) => {
          done(err || (typeof stdout !== 'string' && !Buffer.isBuffer(stdout)) ? undefined : (stdout as Out));
        });
      } catch {
        done(undefined);
      }
    };
    if (dir === undefined) return viaPipe();
    let fd: number;
    try {
      const file = join(dir, `git-${process.pid}-${++outputs}.out`);
      fd = openSync(file, 'wx+', 0o600);
      try {
        unlinkSync(file);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    } catch {
      // (A file of that name left by an earlier process with this pid, a full disk.)
      return viaPipe();
    }
    // Once: a child that failed to start emits 'error', then 'close'; a second close could
    // close a descriptor the number was given to since.
    let finished = false;
    const finish = (out: Out) => {
      if (finished) return;
      finished = true;
      try {
        closeSync(fd);
      } catch {
        // nothing left to release
      }
      done(out);
    };
    try {
      const child = spawn('git', [...GIT_CONFIG, ...args], { cwd: root, stdio: ['ignore', fd, 'ignore'], timeout: GIT_TIMEOUT_MS, env, windowsHide: true });
      child.on('error', () => finish(undefined));
      child.on('close', (code) => {
        if (code !== 0) return finish(undefined);
        const out = readAll(fd);
        finish(out === undefined ? undefined : ((encoding === 'utf8' ? out.toString('utf8') : out) as Out));
      });
    } catch {
      finish(undefined);
    }
  });
}

/** The whole of a file written through `fd` (from its start), or undefined past `MAX_OUTPUT`. */
function readAll(fd: number): Buffer | undefined {
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_OUTPUT) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    return readFully(fd, bytes) === size ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** When the snapshot `startGitSnapshot` hands out for `root` was started, if the entry point started it. */
export function earlySnapshotTime(root: string): number | undefined {
  const early = slot[EARLY];
  return early !== undefined && early.root === root ? early.at : undefined;
}

/**
 * The outputs of the commands the entry point started for `root`, handed out once (the facts cache
 * that opens the same root takes them; a later one starts its own); undefined when none was started
 * for it.
 */
export function takeEarlyGitOutputs(root: string): Pick<Early, 'take' | 'listing'> | undefined {
  const early = slot[EARLY];
  if (early === undefined || early.root !== root) return undefined;
  slot[EARLY] = undefined;
  return early;
}
