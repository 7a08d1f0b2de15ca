/**
 * The report cache (src/facts/report-cache.ts): a warm run takes the whole repository's findings
 * from the cache when nothing they were built from has changed. Each step below changes one thing
 * a finding can depend on — a config file git ignores, a config file it tracks, a code file with a
 * pool, a plain code file, a new file, the linter's config, a connection string in a plain file —
 * and checks that the warm run prints what a cold run prints, byte for byte, in every format and as
 * the pre-commit hook runs it, and that the cache was reused exactly when it could be.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { age, cli, expectWarmSameAsCold, gitWith, reuseStats, settle } from '../support/git-repo.js';
import { readCacheFile } from '../support/cache-file.js';

const ROOT = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-report-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = gitWith(scratch);



/**
 * Every format, the whole repository and as the pre-commit hook names `named`: warm output equals
 * cold. Says first whether a warm run reuses the report now (asked before the warm runs, which
 * then store this state's report).
 */
function expectSameAsCold(dir: string, cacheFile: string, named: string, label: string): boolean {
  const reused = reuseStats(dir, cacheFile).reportReused;
  expectWarmSameAsCold(dir, cacheFile, named, label);
  return reused;
}


describe('the report cache', () => {
  it('reuses the findings exactly when nothing they depend on changed, and prints what a cold run prints', () => {
    const dir = join(scratch, 'shop');
    cpSync(join(ROOT, 'fixtures/projects/compose-replicas-over-budget'), dir, { recursive: true });
    // The worker's env_file is kept out of git: only the recorded read can tell that it changed.
    writeFileSync(join(dir, '.gitignore'), 'worker.env\n');
    writeFileSync(join(dir, 'api/src/plain.ts'), 'export const greeting = "hello";\n');
    // The worker's pool size comes from its env_file.
    const queue = join(dir, 'worker/src/queue.js');
    writeFileSync(queue, readFileSync(queue, 'utf8').replace('connectionTimeoutMillis: 5000 }', 'connectionTimeoutMillis: 5000, max: Number(process.env.PG_POOL_MAX || 10) }'));
    appendFileSync(join(dir, 'worker/worker.env'), 'PG_POOL_MAX=4\n');
    age(dir);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'shop');
    settle();
    const cacheFile = join(scratch, 'shop.cache');
    const plain = join(dir, 'api/src/plain.ts');
    const db = join(dir, 'api/src/db.ts');

    expect(expectSameAsCold(dir, cacheFile, plain, 'first run'), 'nothing stored yet').toBe(false);
    expect(readCacheFile(cacheFile).report, 'the report is stored').not.toBeNull();
    expect(expectSameAsCold(dir, cacheFile, plain, 'unchanged')).toBe(true);
    expect(expectSameAsCold(dir, cacheFile, db, 'unchanged, the file with the pool named')).toBe(true);

    // A comment in a code file with no database code: the same verdict, no connection string.
    appendFileSync(plain, '// a comment\n');
    expect(expectSameAsCold(dir, cacheFile, plain, 'plain file edited')).toBe(true);
    git(dir, 'add', 'api/src/plain.ts');
    expect(expectSameAsCold(dir, cacheFile, plain, 'plain file staged')).toBe(true);
    git(dir, 'commit', '-q', '-m', 'comment');
    expect(expectSameAsCold(dir, cacheFile, plain, 'plain file committed')).toBe(true);

    // The env_file git ignores: the worker's pool grows, which changes the findings.
    const env = join(dir, 'worker/worker.env');
    const before = cli(dir, ['--format', 'json', '.']).stdout;
    writeFileSync(env, readFileSync(env, 'utf8').replace('PG_POOL_MAX=4', 'PG_POOL_MAX=5'));
    expect(cli(dir, ['--format', 'json', '.']).stdout, 'the edit changes the findings').not.toBe(before);
    expect(expectSameAsCold(dir, cacheFile, plain, 'ignored env_file edited')).toBe(false);
    expect(expectSameAsCold(dir, cacheFile, plain, 'then unchanged')).toBe(true);

    // A tracked config file: six replicas become four.
    const compose = join(dir, 'docker-compose.yml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replace('replicas: 6', 'replicas: 4'));
    expect(expectSameAsCold(dir, cacheFile, db, 'compose edited')).toBe(false);
    expect(expectSameAsCold(dir, cacheFile, db, 'then unchanged')).toBe(true);

    // A comment in the file with the pool: positions may move, the analysis runs again.
    writeFileSync(db, `// moved down a line\n${readFileSync(db, 'utf8')}`);
    expect(expectSameAsCold(dir, cacheFile, db, 'file with the pool edited')).toBe(false);
    expect(expectSameAsCold(dir, cacheFile, db, 'then unchanged')).toBe(true);

    // A connection string with a password in the plain file.
    appendFileSync(plain, 'export const legacy = "postgres://app:hunter2-report@db:5432/shop";\n');
    expect(expectSameAsCold(dir, cacheFile, plain, 'connection string added')).toBe(false);
    expect(readFileSync(cacheFile, 'utf8')).not.toContain('hunter2-report');
    writeFileSync(plain, 'export const greeting = "hello";\n// a comment\n');
    expect(expectSameAsCold(dir, cacheFile, plain, 'connection string removed')).toBe(false);

    // The linter's config: a rule turned off.
    writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ rules: { 'plaintext-credentials': 'off' } }));
    expect(expectSameAsCold(dir, cacheFile, db, 'config written')).toBe(false);
    // (A new file in the root: the walk is kept once the directory is 2 s old.)
    settle();
    expectSameAsCold(dir, cacheFile, db, 'settled');
    expect(expectSameAsCold(dir, cacheFile, db, 'then unchanged')).toBe(true);
    writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ rules: { 'plaintext-credentials': 'error' } }));
    expect(expectSameAsCold(dir, cacheFile, db, 'config edited')).toBe(false);

    // A new file in a directory the walk listed.
    settle();
    writeFileSync(join(dir, 'api/src/pool2.ts'), `import { Pool } from 'pg';\nexport const second = new Pool({ max: 30 });\n`);
    expect(expectSameAsCold(dir, cacheFile, db, 'new file with a pool')).toBe(false);

    // The baseline written from a reused report is the one a cold run writes.
    settle();
    expectSameAsCold(dir, cacheFile, db, 'settled');
    expect(reuseStats(dir, cacheFile).reportReused).toBe(true);
    const baselineCold = cli(dir, ['--suppress-all', '--suppressions-location', join(scratch, 'cold.json'), '.']);
    const baselineWarm = cli(dir, ['--suppress-all', '--suppressions-location', join(scratch, 'warm.json'), '--cache', '--cache-location', cacheFile, '.']);
    expect(baselineWarm.code).toBe(baselineCold.code);
    expect(readFileSync(join(scratch, 'warm.json'), 'utf8')).toBe(readFileSync(join(scratch, 'cold.json'), 'utf8'));
  });
});

describe('the report cache without JS or TS code', () => {
  for (const project of ['python-mixed-stack', 'rails-puma-sidekiq', 'spring-k8s-pgbouncer']) {
    it(`${project}: reused when unchanged, not after an edit, and the same as a cold run`, () => {
      const dir = join(scratch, project);
      cpSync(join(ROOT, 'fixtures/projects', project), dir, { recursive: true });
      age(dir);
      git(dir, 'init', '-q');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', project);
      settle();
      const cacheFile = join(scratch, `${project}.cache`);
      const json = (extra: string[]) => cli(dir, ['--format', 'json', ...extra, '.']);
      const cold = json([]);
      expect(json(['--cache', '--cache-location', cacheFile]).stdout).toBe(cold.stdout);
      expect(reuseStats(dir, cacheFile).reportReused).toBe(true);
      expect(json(['--cache', '--cache-location', cacheFile]).stdout).toBe(cold.stdout);
      // An edit of an input (the first file the facts read that git tracks): the report is built again.
      const files = git(dir, 'ls-files').split('\n').filter((f) => /\.(py|rb|ya?ml|properties|ini)$/.test(f));
      expect(files.length).toBeGreaterThan(0);
      appendFileSync(join(dir, files[0]!), '\n# edited\n');
      expect(reuseStats(dir, cacheFile).reportReused).toBe(false);
      expect(json(['--cache', '--cache-location', cacheFile]).stdout).toBe(json([]).stdout);
    });
  }
});

describe('what the facts are built from goes through the file guard', () => {
  // A stored report is reused while every answer recorded by FileAccess holds: an extractor that
  // reads or probes a path with node:fs directly would make a change to that path go unseen.
  const allowed = new Map([
    ['src/sources/js/project.ts', 'readSourceBytes and nothingAt: code files and the analysis\'s probes, whose reads the facts cache keeps (their verdicts and the analysis\'s reads)'],
    ['src/sources/pgbouncer-ini/load.ts', 'a default for callers without readFile; build.ts passes its reader'],
    ['src/sources/postgresql-conf/load.ts', 'findAutoConfFor\'s default; not used by build.ts'],
    ['src/sources/prisma/schema.ts', 'prismaSchemaFiles stats the schema path; build.ts records the same answer (probeKind)'],
  ]);
  it('no extractor imports node:fs but those listed, with why', () => {
    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
        const rel = `${d}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && /from 'node:fs'/.test(readFileSync(join(ROOT, rel), 'utf8'))) found.push(rel);
      }
    };
    for (const d of ['src/sources', 'src/model']) walk(d);
    for (const f of ['src/facts/build.ts', 'src/facts/app.ts']) if (/from 'node:fs'/.test(readFileSync(join(ROOT, f), 'utf8'))) found.push(f);
    expect(found.sort()).toEqual([...allowed.keys()].sort());
  });
});
