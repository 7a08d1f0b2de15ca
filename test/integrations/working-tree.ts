/** A copy of this repository's working tree, as a clone of it would hold it once committed. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Tracked and untracked, not ignored files (git's view when there is a repository, else a walk). */
function workingTreeFiles(git: string): string[] {
  if (existsSync(join(REPO_ROOT, '.git'))) {
    const ls = spawnSync(git, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (ls.status === 0) return ls.stdout.split('\0').filter((f) => f !== '');
  }
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.git', 'coverage', '.cache'].includes(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(REPO_ROOT, p));
    }
  };
  walk(REPO_ROOT);
  return out;
}

/** Copies the working tree (no node_modules, no dist) to `dest`. */
export function copyWorkingTree(dest: string, git: string): void {
  for (const f of workingTreeFiles(git)) {
    const from = join(REPO_ROOT, f);
    if (!existsSync(from) || !lstatSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(from, join(dest, f));
  }
}
