/**
 * The facts cache inside a git repository (src/facts/git-changes.ts): git's `status` stands in for
 * a `stat` of every file, so these tests take a repository through what a developer and a
 * pre-commit hook do to it — edits, staging, commits, a branch switch, an amend, a revert to
 * HEAD's content, untracked and ignored files, a changed .gitignore, a cache whose commit is gone —
 * and check after each step that a warm run gives the cold run's report, byte for byte, while git
 * vouched for the files it could.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/engine/config.js';
import { lint } from '../../src/engine/lint.js';
import type { CacheStats } from '../../src/facts/cache.js';
import { ALL_RULES } from '../../rules/index.js';
import { generateTree } from '../../bench/generate.mjs';
import { readCacheFile, writeCacheFile } from '../support/cache-file.js';
import { gitWith } from '../support/git-repo.js';

const ROOT = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-cache-git-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = gitWith(scratch);

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function cliJson(dir: string, extra: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(['--format', 'json', ...extra, '.'], { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  return { code, stdout, stderr };
}

function warmStats(dir: string, cacheFile: string): CacheStats {
  let stats: CacheStats | undefined;
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  lint({ cwd: dir, paths: ['.'], ignorePatterns: [], config, rules: ALL_RULES, cache: { file: cacheFile, strategy: 'metadata' }, cacheStats: (s) => (stats = s) });
  return stats!;
}

/** Cold and warm reports must match; returns what the warm run's cache did (a second warm run, for its stats). */
function expectSameAsCold(dir: string, cacheFile: string, label: string): CacheStats {
  const cold = cliJson(dir, []);
  const warm = cliJson(dir, ['--cache', '--cache-location', cacheFile]);
  expect(warm.stdout, label).toBe(cold.stdout);
  expect(warm.code, `${label}: exit code`).toBe(cold.code);
  expect(warm.stderr, `${label}: stderr`).toBe(cold.stderr);
  return warmStats(dir, cacheFile);
}

/** Every file an hour old, so that size and mtime alone would also keep them (git must not be needed for correctness). */
function age(dir: string): void {
  for (const f of files(dir)) backdate(f);
}

/**
 * A file's times an hour back (`ahead`: an hour ahead). A run finds a file racy when it changed less
 * than 2 s before the run started (or later): then its verdict is read again and kept as pending,
 * not stored. An edited file is racy for the next 2 s only, so a check that follows an edit would
 * depend on how fast this machine runs the runs between (a loaded CI once found one no longer
 * racy): an edited file is dated out of that window (never racy) or ahead of it (always racy).
 */
function backdate(file: string, ahead = false): void {
  const at = new Date(Date.now() + (ahead ? 3600_000 : -3600_000));
  utimesSync(file, at, at);
}

/**
 * Makes `dir` a repository with everything committed, its files an hour old; `settle`: then waits
 * until its directories are older than 2 s, so that the walk is kept (the racy rule).
 */
function repository(dir: string, message: string, settle: boolean): void {
  age(dir);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  if (settle) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_100);
}

describe('the facts cache inside a git repository', () => {
  it('vouches for unchanged files through commits, a branch switch, an amend, a revert, untracked and ignored files', () => {
    const dir = join(scratch, 'repo');
    generateTree({ files: 700, seed: 11, out: dir });
    rmSync(join(dir, '.git'), { recursive: true, force: true });
    cpSync(join(ROOT, 'fixtures/projects/monorepo-targets'), join(dir, 'targets'), { recursive: true });
    repository(dir, 'tree', true);
    const cacheFile = join(scratch, 'repo.cache');
    const code = files(dir).filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f) && !/node_modules|dist|build|\.next|coverage|generated|\.turbo/.test(relative(dir, f)));
    const db = code.filter((f) => /from ['"](?:pg|knex|postgres)['"]/.test(readFileSync(f, 'utf8')) && /max:\s*\d+/.test(readFileSync(f, 'utf8')));
    const plain = code.filter((f) => !/pool|prisma|postgres|knex|\bdb\b|pg/i.test(readFileSync(f, 'utf8')));
    expect(db.length).toBeGreaterThan(0);
    expect(plain.length).toBeGreaterThan(4);

    expectSameAsCold(dir, cacheFile, 'first run');
    expect(readCacheFile(cacheFile).git?.head).toMatch(/^[0-9a-f]{40}$/);
    const unchanged = expectSameAsCold(dir, cacheFile, 'unchanged');
    expect(unchanged).toMatchObject({ verdictsComputed: 0, analysisReused: true, walkReused: true, entriesParsed: false });
    expect(unchanged.gitUnchanged).toBeGreaterThan(code.length / 2);

    // An unstaged edit of a plain file: that file alone is checked (its new entry is stored by the
    // last run of expectSameAsCold; the next finds it by name, and parses no other).
    appendFileSync(plain[0]!, '\n// edit 1\n');
    backdate(plain[0]!);
    expectSameAsCold(dir, cacheFile, 'plain file edited');
    const edited = warmStats(dir, cacheFile);
    expect(edited).toMatchObject({ analysisReused: true, entriesParsed: false });
    expect(edited.verdictsComputed).toBeLessThanOrEqual(1);
    // Staged, then committed: HEAD moves, git diff-tree names it.
    git(dir, 'add', relative(dir, plain[0]!));
    expectSameAsCold(dir, cacheFile, 'plain file staged');
    git(dir, 'commit', '-q', '-m', 'edit');
    const committed = expectSameAsCold(dir, cacheFile, 'plain file committed');
    expect(committed.gitUnchanged).toBeGreaterThan(code.length / 2);

    // A database file edited and committed: the analysis runs again.
    const target = db[0]!;
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 0'));
    expectSameAsCold(dir, cacheFile, 'database file edited');
    git(dir, 'commit', '-q', '-am', 'max 0');
    expectSameAsCold(dir, cacheFile, 'database file committed');

    // A plain file and a database file edited together: the analysis runs again and the cache is
    // rewritten while the plain file is too fresh to keep by size and mtime (its verdict is kept as
    // pending); the next run compares that verdict without parsing every entry.
    // (The plain file dated ahead: racy in every run; the database file back: stored at once.)
    appendFileSync(plain[4]!, '\n// edit 3\n');
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 1'));
    backdate(plain[4]!, true);
    backdate(target);
    expectSameAsCold(dir, cacheFile, 'plain and database files edited together');
    expect(Object.keys(readCacheFile(cacheFile).pending as object)).toContain(relative(dir, plain[4]!));
    expect(expectSameAsCold(dir, cacheFile, 'then unchanged')).toMatchObject({ entriesParsed: false, analysisReused: true });
    let verbose = '';
    runCli(['--verbose', '--cache', '--cache-location', cacheFile, '.'], { cwd: dir, stdout: () => undefined, stderr: (t) => (verbose += t), isTTY: false, env: {} });
    expect(verbose).toMatch(/^cache .*: [\d,]+ code files unchanged \([\d,]+ vouched for by git\); \d+ read; walk reused; code analysis reused; entries not parsed; cache file (written|unchanged)$/m);

    // Reverted to HEAD's content after a run saw it changed (git says clean again).
    const before = readFileSync(plain[1]!, 'utf8');
    writeFileSync(plain[1]!, `import { Pool } from 'pg';\nexport const reverted = new Pool({ max: 0 });\n${before}`);
    expectSameAsCold(dir, cacheFile, 'plain file becomes a database file');
    git(dir, 'checkout', '--', relative(dir, plain[1]!));
    expectSameAsCold(dir, cacheFile, 'reverted to HEAD');

    // Untracked: a file with a pool, then a whole directory; then added, committed, removed.
    const added = join(dir, 'added-handler.ts');
    writeFileSync(added, `import { Pool } from 'pg';\nexport async function handler() {\n  const pool = new Pool({ max: 5 });\n  const c = await pool.connect();\n  await c.query('SELECT 1');\n  c.release();\n}\n`);
    expectSameAsCold(dir, cacheFile, 'untracked file');
    // Whether a password is committed is git's answer too (from the same status, not ls-files).
    const literal = join(dir, 'legacy-url.ts');
    writeFileSync(literal, `export const legacyUrl = 'postgres://app:s3cret-literal@db:5432/app';\n`);
    expectSameAsCold(dir, cacheFile, 'untracked file with a password');
    const untrackedReport = cliJson(dir, ['--cache', '--cache-location', cacheFile]).stdout;
    expect(untrackedReport).not.toContain('plaintext-credentials');
    git(dir, 'add', 'legacy-url.ts');
    expectSameAsCold(dir, cacheFile, 'staged file with a password');
    expect(cliJson(dir, ['--cache', '--cache-location', cacheFile]).stdout).toContain('plaintext-credentials');
    cpSync(join(ROOT, 'fixtures/projects/pm2-cluster'), join(dir, 'untracked-dir'), { recursive: true });
    expectSameAsCold(dir, cacheFile, 'untracked directory');
    appendFileSync(join(dir, 'untracked-dir', files(join(dir, 'untracked-dir')).map((f) => relative(join(dir, 'untracked-dir'), f)).find((f) => /\.[jt]s$/.test(f))!), '\nexport const more = 1;\n');
    expectSameAsCold(dir, cacheFile, 'a file in the untracked directory edited');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'added');
    expectSameAsCold(dir, cacheFile, 'added and committed');
    git(dir, 'rm', '-q', relative(dir, added));
    expectSameAsCold(dir, cacheFile, 'removed (staged)');
    git(dir, 'commit', '-q', '-m', 'removed');
    expectSameAsCold(dir, cacheFile, 'removed (committed)');

    // A branch with another pool size; switched to and back.
    git(dir, 'checkout', '-q', '-b', 'other');
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 77'));
    git(dir, 'commit', '-q', '-am', 'other size');
    git(dir, 'checkout', '-q', 'master');
    expectSameAsCold(dir, cacheFile, 'back on master');
    git(dir, 'checkout', '-q', 'other');
    expectSameAsCold(dir, cacheFile, 'on the branch');
    // An amend: the cache's commit is no longer HEAD's ancestor.
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 78'));
    git(dir, 'commit', '-q', '-a', '--amend', '-m', 'amended');
    expectSameAsCold(dir, cacheFile, 'amended');

    // Marked assume-unchanged: git status would not show its edit, so it is never vouched for.
    git(dir, 'update-index', '--assume-unchanged', relative(dir, target));
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 79'));
    expect(git(dir, 'status', '--porcelain')).not.toContain(relative(dir, target));
    expectSameAsCold(dir, cacheFile, 'an assume-unchanged file edited');
    // Back to the committed text, then the mark cleared (a `git status` while it was set may have
    // refreshed the entry's stat data: committing the edit now could find nothing to commit).
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 78'));
    git(dir, 'update-index', '--no-assume-unchanged', relative(dir, target));
    expectSameAsCold(dir, cacheFile, 'the assume-unchanged file restored');

    // Ignored by git alone (.git/info/exclude; pgconn-lint reads .gitignore files): git does not vouch for it.
    const excluded = join(dir, 'excluded-pool.ts');
    writeFileSync(excluded, `import { Pool } from 'pg';\nexport const p = new Pool({ max: 3 });\n`);
    appendFileSync(join(dir, '.git', 'info', 'exclude'), '\nexcluded-pool.ts\n');
    expectSameAsCold(dir, cacheFile, 'a file git ignores');
    writeFileSync(excluded, `import { Pool } from 'pg';\nexport const p = new Pool({ max: 0 });\n`);
    expectSameAsCold(dir, cacheFile, 'a file git ignores, edited');
    // .gitignore edited (committed).
    appendFileSync(join(dir, '.gitignore'), `\n${relative(dir, plain[2]!)}\n`);
    git(dir, 'commit', '-q', '-am', 'ignore one more');
    expectSameAsCold(dir, cacheFile, '.gitignore changed');

    // A cache whose commit git does not have: nothing is vouched for, every file checked.
    appendFileSync(plain[3]!, '\n// edit 2\n');
    const data = readCacheFile(cacheFile);
    data.git = { head: 'f'.repeat(40), changed: [] };
    writeCacheFile(cacheFile, data);
    expect(warmStats(dir, cacheFile).gitUnchanged).toBe(0);
    writeCacheFile(cacheFile, data);
    expectSameAsCold(dir, cacheFile, 'a commit git does not have');
    unlinkSync(excluded);
  });

  it('finds the entries of the few files git does not vouch for in the cache text, whatever their names', () => {
    const dir = join(scratch, 'names');
    cpSync(join(ROOT, 'fixtures/projects/monorepo-targets'), dir, { recursive: true });
    const odd = ['we"ird],[x.ts', 'ü-ñ 名.ts', 'a\\b.ts', 'c:[.ts'];
    for (const n of odd) writeFileSync(join(dir, n), `import { helper } from './helper-${odd.indexOf(n)}';\nexport const x = helper;\n`);
    repository(dir, 'names', true);
    const cacheFile = join(scratch, 'names.cache');
    expectSameAsCold(dir, cacheFile, 'first run');
    expectSameAsCold(dir, cacheFile, 'unchanged');
    for (const n of odd) {
      // Edited (so git names it) but old by mtime is not enough: the entry must be found by name.
      appendFileSync(join(dir, n), '// edited\n');
      backdate(join(dir, n));
      // The last of these runs stores its new entry (and parses the entries, to write them all again).
      expectSameAsCold(dir, cacheFile, `${n} edited`);
      // Git still names it: the next run finds its entry by name in the cache text, and parses no other.
      expect(warmStats(dir, cacheFile), n).toMatchObject({ entriesParsed: false, analysisReused: true });
    }
  });

  it('a cache file git tracks (a pull request can ship one) is neither used nor rewritten', () => {
    const dir = join(scratch, 'shipped');
    cpSync(join(ROOT, 'fixtures/projects/monorepo-targets'), dir, { recursive: true });
    repository(dir, 'tree', false);
    const cold = cliJson(dir, []);
    // The shipped cache: made here, then its facts forged (no pool anywhere), committed.
    const cacheFile = join(dir, '.pgconn-lintcache');
    cliJson(dir, ['--cache']);
    const data = readCacheFile(cacheFile);
    expect(data.js).not.toBeNull();
    (data.js as unknown as { facts: unknown }).facts = [];
    writeCacheFile(cacheFile, data);
    git(dir, 'add', '-f', '.pgconn-lintcache');
    git(dir, 'commit', '-q', '-m', 'ship a cache');
    const before = readFileSync(cacheFile, 'utf8');
    const warm = cliJson(dir, ['--cache']);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stderr).toMatch(/the cache file .*\.pgconn-lintcache is tracked by git .*: not used/);
    expect(readFileSync(cacheFile, 'utf8')).toBe(before);
    expect(warmStats(dir, cacheFile)).toMatchObject({ analysisReused: false, gitUnchanged: 0, written: false });
  });

  it('outside git, or with git unable to answer, every file is checked as before', () => {
    const dir = join(scratch, 'plain');
    cpSync(join(ROOT, 'fixtures/projects/monorepo-targets'), dir, { recursive: true });
    age(dir);
    const cacheFile = join(scratch, 'plain.cache');
    expectSameAsCold(dir, cacheFile, 'first run');
    expect(readCacheFile(cacheFile).git).toBeNull();
    const s = expectSameAsCold(dir, cacheFile, 'unchanged');
    expect(s.gitUnchanged).toBe(0);
    expect(s.analysisReused).toBe(true);
  });
});
