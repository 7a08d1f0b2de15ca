/**
 * The walk cache (issue 11, src/discovery/walk-cache.ts): discovery's result is reused only when no
 * directory walked and no .gitignore changed, and then equals a fresh walk; a change of any of them,
 * of the options, a symbolic link in the tree or a forged record means a full walk.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover, type DiscoveryOptions, type DiscoveryResult } from '../../src/discovery/discover.js';
import type { WalkCache, WalkRecord } from '../../src/discovery/walk-cache.js';
import { tempProject } from '../support/lint-helpers.js';

/** A walk cache in memory; racyMs 0: the test's own changes, a few ms old, are trusted (it waits a clock tick after each). */
function memoryCache(): WalkCache & { record: WalkRecord | undefined; reuses: number } {
  const c = {
    record: undefined as WalkRecord | undefined,
    reuses: 0,
    racyMs: 0,
    get: () => c.record,
    put: (r: WalkRecord) => void (c.record = r),
    reused: () => void c.reuses++,
  };
  return c;
}

const tick = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);

const shape = (r: DiscoveryResult) => ({ root: r.root, candidates: r.candidates, packageJsons: r.packageJsons, filesSeen: r.filesSeen, skipped: r.skipped, notes: r.notes, listed: [...(r.listed ?? [])].sort() });

function project(): { dir: string; options: DiscoveryOptions } {
  const dir = tempProject({
    '.gitignore': 'coverage/\n*.log\n',
    'package.json': '{"name":"root"}',
    '.env': 'DATABASE_URL=postgres://db/app\n',
    'apps/api/package.json': '{"name":"api"}',
    'apps/api/tsconfig.json': '{}',
    'apps/web/Package.json': '{}',
    'apps/api/src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
    'apps/api/src/util/a.ts': 'export const a = 1;\n',
    'apps/api/docker-compose.yml': 'services: {}\n',
    'apps/web/.gitignore': 'generated/\n',
    'apps/web/generated/client.ts': 'export {};\n',
    'apps/web/page.tsx': 'export default 1;\n',
    'node_modules/pg/index.js': 'module.exports = {};\n',
    'coverage/x.ts': 'export {};\n',
    'x.log': 'log\n',
  });
  mkdirSync(join(dir, '.git'));
  tick();
  return { dir, options: { cwd: dir, paths: [], ignorePatterns: [] } };
}

/** Discovery with the cache after `change`: must equal a fresh walk, and be a reuse only when `reuse`. */
function expectAfter(change: (dir: string) => void, reuse = false): void {
  const { dir, options } = project();
  const cache = memoryCache();
  const first = discover(options, cache);
  expect(cache.record).toBeDefined();
  const second = discover(options, cache);
  expect(cache.reuses).toBe(1);
  expect(shape(second)).toEqual(shape(first));
  change(dir);
  tick();
  const warm = discover(options, cache);
  expect(shape(warm)).toEqual(shape(discover(options)));
  expect(cache.reuses).toBe(reuse ? 2 : 1);
  rmSync(dir, { recursive: true, force: true });
}

describe('the walk cache', () => {
  it('reuses an unchanged walk, whose result equals a fresh one (and trusts its candidates as the walk did)', () => {
    expectAfter(() => {}, true);
  });

  it('reuses the walk when only a file’s content changed (the facts cache checks content)', () => {
    expectAfter((dir) => appendFileSync(join(dir, 'apps/api/src/util/a.ts'), '// edited\n'), true);
  });

  it('walks again when a file is added, deleted or renamed, or a directory added', () => {
    expectAfter((dir) => writeFileSync(join(dir, 'apps/api/src/util/b.ts'), 'export {};\n'));
    expectAfter((dir) => unlinkSync(join(dir, 'apps/api/src/util/a.ts')));
    expectAfter((dir) => renameSync(join(dir, 'apps/api/src/util/a.ts'), join(dir, 'apps/api/src/util/c.ts')));
    expectAfter((dir) => mkdirSync(join(dir, 'apps/api/src/util/deeper')));
    expectAfter((dir) => writeFileSync(join(dir, 'apps/web/pgbouncer.ini'), '[pgbouncer]\n'));
  });

  it('walks again when a .gitignore is added, edited or removed', () => {
    expectAfter((dir) => writeFileSync(join(dir, 'apps/api/.gitignore'), 'src/util/\n'));
    expectAfter((dir) => appendFileSync(join(dir, '.gitignore'), 'apps/api/src/\n'));
    expectAfter((dir) => unlinkSync(join(dir, 'apps/web/.gitignore')));
  });

  it('keeps which probed names each listing held, as a fresh walk finds them', () => {
    const { dir, options } = project();
    const cache = memoryCache();
    discover(options, cache);
    const warm = discover(options, cache);
    expect(cache.reuses).toBe(1);
    expect(warm.listed?.get(join(dir, 'apps/api'))).toBe(0b11); // package.json, tsconfig.json
    expect(warm.listed?.get(join(dir, 'apps/api/src'))).toBe(0);
    expect(warm.listed?.get(join(dir, 'apps/web'))).toBe(1 << 7); // Package.json: another case
    // A record without them (an older pgconn-lint's) is reused; the analysis then asks the file system.
    cache.record = { ...cache.record!, probed: undefined };
    expect(discover(options, cache).listed).toBeUndefined();
    expect(cache.reuses).toBe(2);
  });

  it('is not reused with other options', () => {
    const { dir, options } = project();
    const cache = memoryCache();
    discover(options, cache);
    const other = { ...options, ignorePatterns: ['apps/web/**'] };
    expect(shape(discover(other, cache))).toEqual(shape(discover(other)));
    expect(cache.reuses).toBe(0);
    const noGit = { ...options, noGitignore: true };
    expect(shape(discover(noGit, cache))).toEqual(shape(discover(noGit)));
    expect(cache.reuses).toBe(0);
  });

  it('is not kept when the walk met a symbolic link', () => {
    const { dir, options } = project();
    symlinkSync(join(dir, 'apps/api/src'), join(dir, 'apps/web/linked'));
    tick();
    const cache = memoryCache();
    discover(options, cache);
    expect(cache.record).toBeUndefined();
  });

  it('ignores a forged record: a path outside the root, in .git, a name of another kind', () => {
    const { dir, options } = project();
    const cache = memoryCache();
    discover(options, cache);
    const good = cache.record!;
    for (const forged of [
      { ...good, candidates: [...good.candidates, ['../outside.env', 'env']] },
      { ...good, candidates: [...good.candidates, ['.git/config.env', 'env']] },
      { ...good, candidates: [...good.candidates, ['apps/api/src/secret.txt', 'env']] },
      { ...good, candidates: [...good.candidates, ['nowhere/.env', 'env']] },
      { ...good, dirs: [...good.dirs, ['..', 0, 0, 0]] },
      { ...good, packageJsons: [...good.packageJsons, '../package.json'] },
      { ...good, dirs: 'x' },
      { ...good, probed: 'x' },
      { ...good, probed: [...(good.probed ?? []), ['nowhere', 1]] },
      { ...good, probed: [...(good.probed ?? []), ['..', 1]] },
      { ...good, probed: [...(good.probed ?? []), ['apps', 256]] },
      { ...good, probed: [...(good.probed ?? []), ['apps', 1.5]] },
    ]) {
      cache.record = forged as WalkRecord;
      const before = cache.reuses;
      expect(shape(discover(options, cache))).toEqual(shape(discover(options)));
      expect(cache.reuses).toBe(before);
    }
  });
});
