import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const POSIX = sep === '/';

/**
 * Whether `file` is `dir` or lies under it (both absolute or both relative to the same base): the
 * path from `dir` to `file` is empty or does not start with `..`. For two normal absolute POSIX
 * paths, answered on the strings themselves (nothing allocated; `relative` built a new string at
 * each of the file access checks).
 */
export function inside(file: string, dir: string): boolean {
  if (POSIX && isNormalPosixAbsolute(file) && isNormalPosixAbsolute(dir)) {
    if (file === dir) return true;
    const start = relativeStart(file, dir);
    return start !== -1 && !file.startsWith('..', start);
  }
  const r = relative(dir, file);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Where `file`'s path relative to `dir` starts in `file`, when `file` lies under `dir` (both normal, absolute, different); else -1. */
function relativeStart(file: string, dir: string): number {
  if (dir.length === 1) return 1;
  return file.length > dir.length && file.charCodeAt(dir.length) === 47 && file.startsWith(dir) ? dir.length + 1 : -1;
}

/** Is one of the segments of `file`'s path relative to `base` named `name`? */
export function hasSegmentUnder(file: string, base: string, name: string): boolean {
  if (POSIX && isNormalPosixAbsolute(file) && isNormalPosixAbsolute(base)) {
    if (file === base) return false;
    const start = relativeStart(file, base);
    if (start !== -1) {
      for (let i = start; i <= file.length; ) {
        let j = file.indexOf('/', i);
        if (j === -1) j = file.length;
        if (j - i === name.length && file.startsWith(name, i)) return true;
        i = j + 1;
      }
      return false;
    }
  }
  return relative(base, file).split(sep).includes(name);
}

/** Finds the repository root: the nearest ancestor with .git, else cwd. */
export function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(start);
    dir = up;
  }
}

/**
 * Is `p` an absolute POSIX path that `path.resolve` would return unchanged: a `/` first, no empty,
 * `.` or `..` segment, no trailing `/` (`/` itself is one)? Two searches (`//`, then each `/.`,
 * rare outside dotfiles), nothing allocated.
 */
function isNormalPosixAbsolute(p: string): boolean {
  const n = p.length;
  if (n === 0 || p.charCodeAt(0) !== 47) return false;
  if (n === 1) return true;
  if (p.charCodeAt(n - 1) === 47 || p.includes('//')) return false;
  for (let i = p.indexOf('/.'); i !== -1; i = p.indexOf('/.', i + 2)) {
    if (i + 2 === n || p.charCodeAt(i + 2) === 47) return false; // a `.` segment
    if (p.charCodeAt(i + 2) === 46 && (i + 3 === n || p.charCodeAt(i + 3) === 47)) return false; // a `..` segment
  }
  return true;
}

/**
 * `path.resolve(p)`, returning `p` itself when it already is the answer. The paths handed around
 * by discovery and the analyses are absolute and normal, and `resolve` builds a new string for
 * each anyway (with its `normalizeString`: ~60 MB of garbage on the 10,000-file bench tree).
 */
export function resolved(p: string): string {
  return POSIX && isNormalPosixAbsolute(p) ? p : resolve(p);
}

/**
 * `path.resolve(dir, spec)` for an import specifier, with one string built: `dir` absolute and
 * normal, `spec` relative (`./db`, `../lib/pool.js`, `.`); anything else goes to `resolve`.
 */
export function resolvedFrom(dir: string, spec: string): string {
  if (!POSIX || spec.charCodeAt(0) === 47 || !isNormalPosixAbsolute(dir)) return resolve(dir, spec);
  let end = dir.length; // dir.slice(0, end) is the base kept so far
  const added: string[] = [];
  let i = 0;
  while (i <= spec.length) {
    let j = spec.indexOf('/', i);
    if (j === -1) j = spec.length;
    const len = j - i;
    if (len === 0 || (len === 1 && spec.charCodeAt(i) === 46)) {
      // empty or `.`
    } else if (len === 2 && spec.charCodeAt(i) === 46 && spec.charCodeAt(i + 1) === 46) {
      if (added.length > 0) added.pop();
      else if (end > 1) end = Math.max(dir.lastIndexOf('/', end - 1), 1);
    } else added.push(spec.slice(i, j));
    i = j + 1;
  }
  const base = end === 1 ? '/' : dir.slice(0, end);
  if (added.length === 0) return base;
  return (base === '/' ? '/' : `${base}/`) + added.join('/');
}

/**
 * `path.join(dir, name)` for a directory entry's name (no `/`, not `.` or `..`) under a normal
 * absolute directory, as one concatenation; anything else goes to `join`.
 */
export function childPath(dir: string, name: string): string {
  if (!POSIX || name === '' || name === '.' || name === '..' || name.includes('/')) return join(dir, name);
  // A directory's entries come one after another: its check is kept for the next one.
  if (dir !== lastNormalDir) {
    if (!isNormalPosixAbsolute(dir)) return join(dir, name);
    lastNormalDir = dir;
  }
  return dir.length === 1 ? `/${name}` : `${dir}/${name}`;
}
let lastNormalDir: string | undefined;
