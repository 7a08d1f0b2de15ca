/**
 * An adversarial review of the report cache (src/facts/report-cache.ts) and of git as the facts
 * cache's change detector (src/facts/git-changes.ts): each test takes a repository through
 * something a developer does (or an attacker arranges) that the earlier tests do not, and checks
 * that a warm run prints what a cold run prints, byte for byte, in every format, for the whole
 * repository and as the pre-commit hook runs. Helpers as in test/cache/report.test.ts.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { age, cli, commitAll, expectWarmSameAsCold, gitWith, reuseStats, settle, shop as shopIn } from '../support/git-repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-report-adversarial-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = gitWith(scratch);




const expectSameAsCold = expectWarmSameAsCold;

const repository = (dir: string) => commitAll(git, dir);

const shop = (name: string) => shopIn(scratch, name);

describe('git vouches for a path, not for what a symbolic link there leads to', () => {
  it('an env_file that is a tracked link (in a directory the walk does not list) to a file git ignores', () => {
    // build/ is never walked (a default-ignored directory), so the walk is kept; the compose file
    // reads build/worker.env, a link git tracks (its text does not change) to local/worker.env.
    const dir = shop('linked-env');
    mkdirSync(join(dir, 'build'));
    mkdirSync(join(dir, 'local'));
    renameSync(join(dir, 'worker/worker.env'), join(dir, 'local/worker.env'));
    symlinkSync('../local/worker.env', join(dir, 'build/worker.env'));
    const compose = join(dir, 'docker-compose.yml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replace('./worker/worker.env', './build/worker.env'));
    writeFileSync(join(dir, '.gitignore'), 'local/\n');
    repository(dir);
    const cacheFile = join(scratch, 'linked-env.cache');
    const plain = join(dir, 'api/src/plain.ts');

    expectSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    expect(reuseStats(dir, cacheFile).reportReused, 'the report is reused').toBe(true);
    // The link's target grows the worker's pool: git status says nothing (the link is unchanged).
    const env = join(dir, 'local/worker.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace('PG_POOL_MAX=4', 'PG_POOL_MAX=50'));
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expectSameAsCold(dir, cacheFile, plain, 'target edited');
    // And again after a run that rebuilt the report (what marks the link must be kept).
    writeFileSync(env, readFileSync(env, 'utf8').replace('PG_POOL_MAX=50', 'PG_POOL_MAX=4'));
    expectSameAsCold(dir, cacheFile, plain, 'target edited back');
  });

  it('a tsconfig.json that is a tracked link: the code analysis reads its target', () => {
    const dir = join(scratch, 'linked-tsconfig');
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    mkdirSync(join(dir, 'src/fake'), { recursive: true });
    mkdirSync(join(dir, 'src/app'), { recursive: true });
    writeFileSync(join(dir, 'tsconfig.base.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "@db/*": ["src/lib/*"] } } }\n');
    symlinkSync('tsconfig.base.json', join(dir, 'tsconfig.json'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "x", "dependencies": { "pg": "8.11.0" } }\n');
    writeFileSync(join(dir, 'src/lib/pool.ts'), "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10, idleTimeoutMillis: 1000, connectionTimeoutMillis: 2000 });\n");
    writeFileSync(join(dir, 'src/fake/pool.ts'), 'export const pool = { connect: async () => ({ query: async (_s: string) => ({ rows: [] }) }) };\n');
    // The handler leaks a client of the pool @db/pool names (release-in-finally), or of a fake.
    writeFileSync(join(dir, 'src/app/handler.ts'), "import { pool } from '@db/pool';\nexport async function handler() {\n  const client = await pool.connect();\n  const r = await client.query('select 1');\n  return r.rows;\n}\n");
    repository(dir);
    const cacheFile = join(scratch, 'linked-tsconfig.cache');
    const handler = join(dir, 'src/app/handler.ts');
    expectSameAsCold(dir, cacheFile, handler, 'first run', ['json']);
    const base = join(dir, 'tsconfig.base.json');
    const before = cli(dir, ['--format', 'json', '.']).stdout;
    writeFileSync(base, readFileSync(base, 'utf8').replace('src/lib/*', 'src/fake/*'));
    expect(cli(dir, ['--format', 'json', '.']).stdout, 'the edit changes the findings').not.toBe(before);
    expectSameAsCold(dir, cacheFile, handler, 'the link target edited', ['json']);
    git(dir, 'commit', '-q', '-am', 'fake');
    writeFileSync(base, readFileSync(base, 'utf8').replace('src/fake/*', 'src/lib/*'));
    expectSameAsCold(dir, cacheFile, handler, 'edited back', ['json']);
  });
});

describe('the cache file where --cache puts it by default', () => {
  // `--cache` without --cache-location (the pre-commit hook's `entry: pgconn-lint --cache`) writes
  // .pgconn-lintcache in the working directory, the repository root: the temporary file and the
  // rename that write it change the root directory's mtime and ctime. The walk record keeps, for the
  // cache file's own directory, a digest of its entries instead (src/discovery/walk-cache.ts), so
  // the walk and the report are reused there too.
  it('reuses the report when the cache file is .pgconn-lintcache at the repository root', () => {
    const dir = shop('default-location');
    writeFileSync(join(dir, '.gitignore'), 'worker.env\n.pgconn-lintcache\n');
    repository(dir);
    const cacheFile = join(dir, '.pgconn-lintcache');
    const plain = join(dir, 'api/src/plain.ts');
    // Two runs as the hook makes them, each storing what it found; then a third would reuse it.
    expect(cli(dir, ['--format', 'json', '--cache', '.']).stdout).toContain('pool-oversubscription');
    settle();
    expect(cli(dir, ['--format', 'json', '--cache', plain]).code).toBe(0);
    settle();
    expect(reuseStats(dir, cacheFile).reportReused).toBe(true);
  });
});

describe('a root that is not git\'s top level', () => {
  it('a `.git` that is no repository (git takes the one above): git vouches for nothing, and says what a cold run says', () => {
    // findRepoRoot stops at inner/ (it has a .git); git, finding no repository there, answers for
    // outer/, whose status names inner/docker-compose.yml where the cache looks for docker-compose.yml.
    const outer = join(scratch, 'outer');
    const dir = shop(join('outer', 'inner'));
    mkdirSync(join(dir, '.git'));
    git(outer, 'init', '-q');
    repository(outer);
    const cacheFile = join(scratch, 'outer.cache');
    const plain = join(dir, 'api/src/plain.ts');
    expectSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    expectSameAsCold(dir, cacheFile, plain, 'unchanged', ['json']);
    // Six replicas become one, written in place (the directory does not change: the walk is kept).
    const compose = join(dir, 'docker-compose.yml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replace('replicas: 6', 'replicas: 1'));
    expect(git(dir, 'status', '--porcelain')).toContain('inner/docker-compose.yml');
    expectSameAsCold(dir, cacheFile, plain, 'compose edited in place');
  });

  it('prints what a cold run prints when the cache file at the root is not ignored (a file the walk counts)', () => {
    const dir = shop('default-location-counted');
    repository(dir);
    const cacheFile = join(dir, '.pgconn-lintcache');
    const plain = join(dir, 'api/src/plain.ts');
    const same = (label: string) => {
      for (const target of ['.', plain]) {
        // Cold first: a warm run may create the cache file, which a later walk sees.
        const cold = cli(dir, [target]);
        const warm = cli(dir, ['--cache', target]);
        expect(warm.stdout, `${label}: ${target}`).toBe(cold.stdout);
        expect(warm.stderr, `${label}: ${target}: stderr (the summary counts the cache file)`).toBe(cold.stderr);
        expect(warm.code, `${label}: ${target}: exit code`).toBe(cold.code);
      }
    };
    same('first run (no cache file yet)');
    settle();
    same('the cache file is there');
    settle();
    same('again');
    expect(reuseStats(dir, cacheFile).reportReused).toBe(true);
    expect(cli(dir, ['.']).stderr).toMatch(/^checked \d+ files/m);
  });
});

describe('the code files git may not vouch for, found without the walk’s candidates (cache format 5)', () => {
  // The report keeps the code files git's index did not hold when it was stored; a later run checks
  // those and the code files git names now. Each step edits a file in place (its directory keeps
  // its times, so the walk is reused) so that a cold run prints a new finding.
  const literal = "export const url = 'postgres://app:Wq8vZr2KpL@db:5432/app';\n";

  it('a file git’s index drops (git rm --cached), then edited', () => {
    const dir = shop('index-drops');
    repository(dir);
    const cacheFile = join(scratch, 'index-drops.cache');
    const plain = join(dir, 'api/src/plain.ts');
    expectSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    expect(reuseStats(dir, cacheFile).reportReused, 'the report is reused').toBe(true);
    git(dir, 'rm', '-q', '--cached', 'api/src/plain.ts');
    settle();
    expectSameAsCold(dir, cacheFile, plain, 'dropped from the index', ['json']);
    appendFileSync(plain, literal);
    expectSameAsCold(dir, cacheFile, plain, 'then edited');
  });

  /** The shop, committed but for one code file left untracked (`rel`); its cache file and plain file. */
  function shopWithUntracked(name: string, rel: string): { dir: string; cacheFile: string; plain: string } {
    const dir = shop(name);
    writeFileSync(join(dir, rel), 'export const local = 1;\n');
    age(dir);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'reset', '-q', rel);
    git(dir, 'commit', '-q', '-m', 'init');
    settle();
    return { dir, cacheFile: join(scratch, `${name}.cache`), plain: join(dir, 'api/src/plain.ts') };
  }

  it('a file git never tracked, edited after the report was stored', () => {
    const { dir, cacheFile, plain } = shopWithUntracked('never-tracked', 'api/src/local.ts');
    expectSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    expect(reuseStats(dir, cacheFile).reportReused, 'the report is reused').toBe(true);
    appendFileSync(join(dir, 'api/src/local.ts'), literal);
    expectSameAsCold(dir, cacheFile, plain, 'the untracked file edited');
  });

  it('a file added to the index and committed after the report was stored, then edited', () => {
    const { dir, cacheFile, plain } = shopWithUntracked('added-later', 'api/src/later.ts');
    expectSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    git(dir, 'add', 'api/src/later.ts');
    git(dir, 'commit', '-q', '-m', 'later');
    settle();
    expectSameAsCold(dir, cacheFile, plain, 'committed', ['json']);
    expect(reuseStats(dir, cacheFile).reportReused, 'the report is reused').toBe(true);
    appendFileSync(join(dir, 'api/src/later.ts'), literal);
    expectSameAsCold(dir, cacheFile, plain, 'then edited');
    git(dir, 'commit', '-q', '-am', 'edited');
    settle();
    expectSameAsCold(dir, cacheFile, plain, 'and committed', ['json']);
  });
});
