import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

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
  /** When git was asked about these files only (`/`-separated, relative to the root): any other file counts as tracked. */
  asked?: ReadonlySet<string>;
}

/** Past this many files, git lists every tracked file instead. */
const MAX_ASKED = 300;
/** Pathspecs per `git ls-files` call, in bytes (Linux allows 2 MB of arguments, Windows 32 K characters). */
const MAX_ARG_BYTES = 24 * 1024;

export const UNKNOWN_GIT: GitTrackedFiles = { known: false, files: new Set() };

export function gitTrackedFiles(root: string, only?: Iterable<string>): GitTrackedFiles {
  if (!existsSync(join(root, '.git'))) return UNKNOWN_GIT;
  if (only === undefined) {
    const r = spawnSync('git', ['ls-files', '-z', '--full-name'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0 || typeof r.stdout !== 'string') return UNKNOWN_GIT;
    return { known: true, files: new Set(r.stdout.split('\0').filter((p) => p !== '')) };
  }
  // Only the files a finding can be about (issue 11: listing 50,000 tracked files cost ~0.1–0.3 s of
  // a warm run), as pathspecs after `--`, matched literally (GIT_LITERAL_PATHSPECS: a `*` in a name
  // is a `*`), in batches that keep the command line short. Many files: the whole list is cheaper.
  const asked = new Set<string>();
  for (const p of only) {
    const rel = relative(root, p);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    asked.add(rel.split(sep).join('/'));
  }
  if (asked.size > MAX_ASKED) return gitTrackedFiles(root);
  const files = new Set<string>();
  const batch: string[] = [];
  let bytes = 0;
  const run = (): boolean => {
    if (batch.length === 0) return true;
    const r = spawnSync('git', ['ls-files', '-z', '--full-name', '--', ...batch], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' } });
    if (r.status !== 0 || typeof r.stdout !== 'string') return false;
    for (const f of r.stdout.split('\0')) if (f !== '') files.add(f);
    batch.length = 0;
    bytes = 0;
    return true;
  };
  for (const rel of asked) {
    batch.push(rel);
    bytes += Buffer.byteLength(rel) + 1;
    if (bytes > MAX_ARG_BYTES && !run()) return UNKNOWN_GIT;
  }
  if (!run()) return UNKNOWN_GIT;
  return { known: true, files, asked };
}

/** Is the file tracked (or is tracking unknown, so it counts as tracked)? */
export function isTracked(git: GitTrackedFiles, root: string, absolutePath: string): boolean {
  if (!git.known) return true;
  const rel = relative(root, absolutePath).split(sep).join('/');
  // A file git was not asked about: unknown, so it counts as tracked.
  if (git.asked !== undefined && !git.asked.has(rel)) return true;
  return git.files.has(rel);
}
