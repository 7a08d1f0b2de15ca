/**
 * The facts cache can never change a result (issue 11): every fixture project is linted without
 * the cache and with a warm cache, after edits, renames, deletions, added files and config
 * changes, and the reports (json and stylish) must be byte for byte the same.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCacheFile, type CacheFileData } from '../support/cache-file.js';
import { runCli } from '../../src/cli/main.js';
import { generateTree } from '../../bench/generate.mjs';

const ROOT = resolve(__dirname, '../..');
const PROJECTS = join(ROOT, 'fixtures/projects');
const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-cache-eq-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CODE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function lintOnce(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli([...args, '.'], { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  return { code, stdout, stderr };
}

/** Lints without the cache and with it (the cache as the previous step left it); the reports must match. */
function expectSameAsCold(dir: string, cacheFile: string, label: string): void {
  for (const format of ['json', 'stylish']) {
    const cold = lintOnce(dir, ['--format', format]);
    const warm = lintOnce(dir, ['--format', format, '--cache', '--cache-location', cacheFile]);
    expect(warm.stdout, `${label} (${format})`).toBe(cold.stdout);
    expect(warm.code, `${label} (${format}) exit code`).toBe(cold.code);
    expect(warm.stderr, `${label} (${format}) stderr`).toBe(cold.stderr);
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** A copy whose files are an hour old, so that the cache keeps them by size and mtime (not "racy"). */
function copyOf(src: string, name: string): string {
  const dir = join(scratch, name);
  cpSync(src, dir, { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  for (const f of files(dir)) utimesSync(f, old, old);
  return dir;
}

function cacheJson(file: string): CacheFileData {
  return readCacheFile(file);
}

const projects = readdirSync(PROJECTS).filter((n) => statSync(join(PROJECTS, n)).isDirectory());

describe('the facts cache gives the same reports as a run without it', () => {
  it('has fixture projects to check', () => {
    expect(projects.length).toBeGreaterThan(10);
  });

  for (const name of [...projects, '../cache/code-password']) {
    it(`${name}: cold, warm, and after edits, renames, deletions, added files and config changes`, () => {
      const dir = copyOf(join(PROJECTS, name), name.replace(/\W/g, '_'));
      const cacheFile = join(scratch, `${name.replace(/\W/g, '_')}.cache`);
      // First run writes the cache, the second reads it.
      expectSameAsCold(dir, cacheFile, 'first run');
      expect(existsSync(cacheFile)).toBe(true);
      expectSameAsCold(dir, cacheFile, 'unchanged');

      const code = files(dir).filter((f) => CODE.test(f));
      const withPool = code.find((f) => /new (?:pg\.)?Pool\(|postgres\(|new PrismaClient|knex\(|new Sequelize|new DataSource/.test(readFileSync(f, 'utf8')));
      // A code file edited without changing what it imports (same pre-filter verdict).
      if (code[0]) {
        writeFileSync(code[0], `${readFileSync(code[0], 'utf8')}\n// edited\n`);
        expectSameAsCold(dir, cacheFile, `edit of ${relative(dir, code[0])}`);
      }
      // A pool's size changed (its file and every finding about it change).
      if (withPool) {
        const text = readFileSync(withPool, 'utf8');
        const changed = /max:\s*\d+/.test(text) ? text.replace(/max:\s*\d+/, 'max: 77') : `${text}\nimport { Pool as CachePool } from 'pg';\nexport const cachePool = new CachePool({ max: 3 });\n`;
        writeFileSync(withPool, changed);
        expectSameAsCold(dir, cacheFile, `pool size in ${relative(dir, withPool)}`);
      }
      // A file added that creates a pool per request, importing an existing module.
      const added = join(dir, 'added-handler.ts');
      writeFileSync(added, `import { Pool } from 'pg';\nexport async function handler() {\n  const pool = new Pool({ max: 5 });\n  const c = await pool.connect();\n  await c.query('SELECT 1');\n  c.release();\n}\n`);
      expectSameAsCold(dir, cacheFile, 'added file');
      // The same file renamed, then deleted.
      const renamed = join(dir, 'renamed-handler.ts');
      renameSync(added, renamed);
      expectSameAsCold(dir, cacheFile, 'renamed file');
      unlinkSync(renamed);
      expectSameAsCold(dir, cacheFile, 'deleted file');
      // A code file deleted (what imported it now resolves to nothing).
      if (withPool) {
        unlinkSync(withPool);
        expectSameAsCold(dir, cacheFile, `deleted ${relative(dir, withPool)}`);
      }
      // A .env file and a config change.
      writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://app@db:5432/app\nDB_POOL_MAX=40\n');
      expectSameAsCold(dir, cacheFile, 'added .env');
      const configFile = join(dir, 'pgconn-lint.config.json');
      if (!existsSync(configFile) && !existsSync(join(dir, 'pgconn-lint.config.yaml'))) {
        writeFileSync(configFile, JSON.stringify({ rules: { 'release-in-finally': 'off' }, maxFileSize: 4096 }));
        expectSameAsCold(dir, cacheFile, 'config: a rule off, maxFileSize');
        writeFileSync(configFile, JSON.stringify({ ignorePatterns: ['added-*.ts', 'src/**'] }));
        expectSameAsCold(dir, cacheFile, 'config: ignorePatterns');
      }
    });
  }

  it('a generated monorepo: an unchanged tree reuses the analysis; edits of code and database files give the reports of a cold run', () => {
    const dir = join(scratch, 'generated');
    generateTree({ files: 1200, seed: 5, out: dir });
    const old = new Date(Date.now() - 3600_000);
    for (const f of files(dir)) utimesSync(f, old, old);
    const cacheFile = join(scratch, 'generated.cache');
    expectSameAsCold(dir, cacheFile, 'first run');
    const cache = cacheJson(cacheFile);
    expect(cache.js).not.toBeNull();
    expect(Object.keys(cache.files).length).toBeGreaterThan(800);
    expectSameAsCold(dir, cacheFile, 'unchanged');
    const code = files(dir).filter((f) => CODE.test(f) && !/node_modules|dist|build|\.next|coverage|generated|\.turbo/.test(relative(dir, f)));
    const db = code.filter((f) => /from ['"](?:pg|knex|postgres|typeorm)['"]/.test(readFileSync(f, 'utf8')));
    const plain = code.filter((f) => !db.includes(f) && !/pool|prisma|db/i.test(readFileSync(f, 'utf8')));
    expect(db.length).toBeGreaterThan(1);
    writeFileSync(plain[0]!, `${readFileSync(plain[0]!, 'utf8')}\nexport const cacheEdit = 1;\n`);
    expectSameAsCold(dir, cacheFile, 'plain code file edited');
    const target = db.find((f) => /max:\s*\d+/.test(readFileSync(f, 'utf8'))) ?? db[0]!;
    writeFileSync(target, readFileSync(target, 'utf8').replace(/max:\s*\d+/, 'max: 0'));
    expectSameAsCold(dir, cacheFile, 'database file edited');
    // A plain file that starts to import a database module.
    writeFileSync(plain[1]!, `import { pool } from '${relative(join(plain[1]!, '..'), target).replace(/\.tsx?$/, '').replace(/^(?!\.)/, './')}';\nexport async function q() { const c = await pool.connect(); await c.query('BEGIN'); c.release(); }\n${readFileSync(plain[1]!, 'utf8')}`);
    expectSameAsCold(dir, cacheFile, 'plain file now imports a pool');
    // A plain file the cache knows holds no connection literal (so it is not read again for one) gets one, then loses it.
    const plainText = readFileSync(plain[2]!, 'utf8');
    writeFileSync(plain[2]!, `${plainText}\nexport const legacyUrl = 'postgres://app:s3cret-literal@db:5432/app';\n`);
    expectSameAsCold(dir, cacheFile, 'plain file gains a connection literal');
    expectSameAsCold(dir, cacheFile, 'plain file with a connection literal, unchanged');
    writeFileSync(plain[2]!, plainText);
    expectSameAsCold(dir, cacheFile, 'plain file loses its connection literal');
  });

  it('the walk kept in the cache (directories older than 2 s): reused unchanged, and a walk again after files are added, renamed, ignored', () => {
    const dir = copyOf(join(PROJECTS, projects[0]!), 'walk');
    const cacheFile = join(scratch, 'walk.cache');
    // Directories changed in the last 2 s are not trusted (racy): wait until the copy's are older.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_100);
    expectSameAsCold(dir, cacheFile, 'first run');
    expect((cacheJson(cacheFile) as { walk?: unknown }).walk).toBeTruthy();
    expectSameAsCold(dir, cacheFile, 'unchanged (walk reused)');
    writeFileSync(join(dir, 'walk-added.ts'), `import { Pool } from 'pg';\nexport const p = new Pool({ max: 0 });\n`);
    expectSameAsCold(dir, cacheFile, 'file added');
    renameSync(join(dir, 'walk-added.ts'), join(dir, 'walk-renamed.ts'));
    expectSameAsCold(dir, cacheFile, 'file renamed');
    writeFileSync(join(dir, '.gitignore'), `${existsSync(join(dir, '.gitignore')) ? readFileSync(join(dir, '.gitignore'), 'utf8') : ''}\nwalk-renamed.ts\n`);
    expectSameAsCold(dir, cacheFile, '.gitignore changed');
  });
});
