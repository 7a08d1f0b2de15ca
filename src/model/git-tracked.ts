import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Which files git tracks (the index: committed or staged), asked once with `git ls-files -z`
 * from the repository root. Outside a git repository, or when git cannot answer, every file
 * counts as tracked: a linter that cannot tell must not stay silent about a committed secret.
 */
export interface TrackedFiles {
  /** false: not a git work tree (or git unavailable), everything is treated as tracked. */
  known: boolean;
  isTracked(absolutePath: string): boolean;
}

export function gitTrackedFiles(root: string): TrackedFiles {
  const all: TrackedFiles = { known: false, isTracked: () => true };
  if (!existsSync(join(root, '.git'))) return all;
  const r = spawnSync('git', ['ls-files', '-z', '--full-name'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return all;
  const tracked = new Set(r.stdout.split('\0').filter((p) => p !== ''));
  return {
    known: true,
    isTracked: (p) => tracked.has(relative(root, p).split(sep).join('/')),
  };
}
