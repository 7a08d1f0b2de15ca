import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../core/paths.js';

/**
 * The git commands of the facts cache's change detector (src/facts/git-changes.ts), and their
 * start before the CLI's modules load (`startGitSnapshotEarly`). A module of its own, with no
 * import but Node's and `findRepoRoot`: the CLI's entry point (src/cli/bin.ts) is bundled apart
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

export const STATUS_ARGS = ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=no', '--ignore-submodules=none', '--no-renames'];
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
}
const EARLY = Symbol.for('pgconn-lint.early-git-snapshot');
const slot = globalThis as { [EARLY]?: Early | undefined };

/**
 * Starts `git status` and `git ls-files` for the repository around `cwd` (`findRepoRoot`, as the
 * facts cache finds its root) before the CLI's modules load (bin.ts, with --cache), as child
 * processes of this thread: their output is read while the modules load (Node loads them
 * asynchronously), and the promise is awaited before the CLI runs, so the facts cache finds the
 * snapshot taken. Not a worker thread, as `startGitSnapshot` uses: a worker's start costs ~0.15 s
 * of CPU, on a machine whose other core runs git. The facts cache takes the snapshot when it opens
 * the same root; else it is never used.
 */
export function startGitSnapshotEarly(cwd: string): Promise<void> {
  const root = findRepoRoot(cwd);
  slot[EARLY] = undefined;
  if (!existsSync(join(root, '.git'))) return Promise.resolve();
  const at = Date.now();
  const env = { ...process.env, ...GIT_ENV };
  const run = <E extends 'utf8' | 'buffer'>(args: string[], encoding: E) =>
    new Promise<(E extends 'utf8' ? string : Buffer) | undefined>((done) => {
      try {
        execFile('git', [...GIT_CONFIG, ...args], { cwd: root, encoding, maxBuffer: 64 * 1024 * 1024, timeout: GIT_TIMEOUT_MS, env, windowsHide: true }, (err, stdout) => {
          done(err || (typeof stdout !== 'string' && !Buffer.isBuffer(stdout)) ? undefined : (stdout as E extends 'utf8' ? string : Buffer));
        });
      } catch {
        done(undefined);
      }
    });
  let outs: [string | undefined, Buffer | undefined] | undefined;
  const ready = Promise.all([run(STATUS_ARGS, 'utf8'), run(FLAGS_ARGS, 'buffer')]).then((o) => {
    outs = o;
  });
  // Taken before the commands ended (a caller that did not wait): git is asked again, synchronously.
  const take = (): [string | undefined, Buffer | undefined] => outs ?? [git(root, STATUS_ARGS), git(root, FLAGS_ARGS, 'buffer')];
  slot[EARLY] = { root, take, at };
  return ready;
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
export function takeEarlyGitOutputs(root: string): (() => [string | undefined, Buffer | undefined]) | undefined {
  const early = slot[EARLY];
  if (early === undefined || early.root !== root) return undefined;
  slot[EARLY] = undefined;
  return early.take;
}
