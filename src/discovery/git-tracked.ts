import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Which files git tracks (the index: committed or staged), asked once per run with
 * `git ls-files -z` from the repository root, while the facts are built: the model and the
 * rules run no processes. Outside a git repository, or when git cannot answer, `known` is false
 * and every file counts as tracked: a linter that cannot tell must not stay silent about a
 * committed secret.
 */
export interface GitTrackedFiles {
  /** false: not a git work tree (or git unavailable), everything is treated as tracked. */
  known: boolean;
  /** Tracked paths relative to the repository root, `/`-separated. */
  files: ReadonlySet<string>;
}

export const UNKNOWN_GIT: GitTrackedFiles = { known: false, files: new Set() };

export function gitTrackedFiles(root: string): GitTrackedFiles {
  if (!existsSync(join(root, '.git'))) return UNKNOWN_GIT;
  const r = spawnSync('git', ['ls-files', '-z', '--full-name'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return UNKNOWN_GIT;
  return { known: true, files: new Set(r.stdout.split('\0').filter((p) => p !== '')) };
}

/** Is the file tracked (or is tracking unknown, so it counts as tracked)? */
export function isTracked(git: GitTrackedFiles, root: string, absolutePath: string): boolean {
  return !git.known || git.files.has(relative(root, absolutePath).split(sep).join('/'));
}
