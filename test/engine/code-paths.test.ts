/**
 * The one non-production classifier (src/model/code-paths.ts, issue 15): the defaults, the config
 * file's additions and `!` negations, and the files only package.json test scripts run.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { ConfigError, loadConfig } from '../../src/engine/config.js';
import { tempProject } from '../support/lint-helpers.js';
import { lint } from '../../src/engine/lint.js';
import { extractCompose } from '../../src/sources/yaml/compose.js';

const ROOT = '/repo';
const at = (nonProduction?: string[], packages: Parameters<typeof buildCodePaths>[0]['packages'] = []) =>
  buildCodePaths({ root: ROOT, packages }, nonProduction ? { codePaths: { nonProduction, base: ROOT } } : {});
const why = (c: ReturnType<typeof at>, rel: string) => c.nonProduction(join(ROOT, rel))?.describe;

describe('codePaths.nonProduction', () => {
  it('defaults: test, fixture, perf, seed, script and migration code, at any depth, in every workspace layout', () => {
    const c = at();
    const nonProd = [
      'test/db.ts',
      'apps/api/test/app.e2e-spec.ts',
      'packages/db/src/__tests__/pool.ts',
      'src/users.service.spec.ts',
      'src/lib/db.test.mjs',
      'apps/web-e2e/e2e/login.ts',
      'cypress/support/db.ts',
      'perf/load.ts',
      'performance/run.js',
      'benchmarks/pool.ts',
      'scripts/backfill.ts',
      'prisma/seed/index.ts',
      'packages/db/seeds/users.ts',
      'fixtures/app/db.ts',
      'src/mocks/db.ts',
      '.env.test',
      'apps/web/.env.test.local',
      'e2e/docker-compose.yml',
      'vitest.config.ts',
      'migrations/001.js',
    ];
    for (const p of nonProd) expect(why(c, p), p).toMatch(/^it matches `.+`, a codePaths.nonProduction default$/);
    const prod = ['src/db.ts', 'apps/api/src/main.ts', 'packages/testing-library-adapter/src/x.ts', 'src/latest.ts', 'src/contest/db.ts', '.env', '.env.production', 'docker-compose.yml', 'src/protest.ts'];
    for (const p of prod) expect(why(c, p), p).toBeUndefined();
    expect(why(c, 'apps/api/test/app.e2e-spec.ts')).toBe('it matches `test/`, a codePaths.nonProduction default');
  });

  it('the config adds patterns, takes paths back with !pattern, and drops every default with !**', () => {
    const added = at(['qa/', '!scripts/', 'scripts/dev/']);
    expect(why(added, 'qa/smoke.ts')).toBe('it matches `qa/`, in codePaths.nonProduction');
    expect(why(added, 'scripts/worker.ts')).toBeUndefined();
    expect(why(added, 'scripts/dev/reset.ts')).toBe('it matches `scripts/dev/`, in codePaths.nonProduction');
    expect(why(added, 'test/db.ts')).toBe('it matches `test/`, a codePaths.nonProduction default');
    const replaced = at(['!**', '*.test.ts']);
    expect(why(replaced, 'test/db.ts')).toBeUndefined();
    expect(why(replaced, 'scripts/x.ts')).toBeUndefined();
    expect(why(replaced, 'src/a.test.ts')).toBe('it matches `*.test.ts`, in codePaths.nonProduction');
    expect(why(at(['!**']), 'fixtures/x/test/a.ts')).toBeUndefined();
  });

  it('a file only package.json test scripts run is non-production; one a start script also runs is not', () => {
    const c = at(undefined, [
      {
        dir: ROOT,
        scripts: [
          { name: 'test:db', command: 'tsx tools/check-db.ts && vitest run' },
          { name: 'pretest', command: 'node tools/wait-for-db.js' },
          { name: 'start', command: 'node dist/server.js' },
          { name: 'test:server', command: 'node dist/server.js --port 0' },
        ],
        dependencies: [],
      },
    ]);
    expect(why(c, 'tools/check-db.ts')).toBe('only package.json script "test:db" runs it');
    expect(why(c, 'tools/wait-for-db.js')).toBe('only package.json script "pretest" runs it');
    expect(why(c, 'src/server.ts')).toBeUndefined();
    expect(why(c, 'dist/server.js')).toBeUndefined();
  });

  it('new defaults: folders named for tests, .env.development, examples', () => {
    const c = at();
    expect(why(c, 'test-migrations/docker-compose.yml')).toBe('it matches `test-*/`, a codePaths.nonProduction default');
    expect(why(c, 'packages/api-tests/src/db.ts')).toBe('it matches `*-tests/`, a codePaths.nonProduction default');
    expect(why(c, 'apps/web-e2e/src/db.ts')).toBe('it matches `*-e2e/`, a codePaths.nonProduction default');
    expect(why(c, '.env.development')).toBe('it matches `.env.development`, a codePaths.nonProduction default');
    expect(why(c, 'apps/web/.env.development.local')).toBe('it matches `.env.development.*`, a codePaths.nonProduction default');
    expect(why(c, 'examples/readme.mjs')).toBe('it matches `examples/`, a codePaths.nonProduction default');
    expect(why(c, 'src/test-setup.ts')).toBe('it matches `test-setup.*`, a codePaths.nonProduction default'); // Unleash's vitest globalSetup
    expect(why(c, 'src/setupTests.js')).toBe('it matches `setupTests.*`, a codePaths.nonProduction default');
    expect(why(c, 'e2e-support/global-setup.ts')).toBe('it matches `global-setup.*`, a codePaths.nonProduction default');
    for (const p of ['src/latest-tests.ts', 'src/contest-db/x.ts', '.env.production', '.env.local', 'src/example.ts', 'src/testimonials/db.ts', 'src/setup.ts', 'src/db-setup.ts']) expect(why(c, p), p).toBeUndefined();
  });

  it('a published package\'s tooling: a file outside its `files`, run only by a script that does not start it (graphile-worker towerDefence/)', () => {
    const pkg = (extra: Record<string, unknown>, scripts: Array<{ name: string; command: string }>) => ({ dir: ROOT, scripts, dependencies: [], ...extra });
    const scripts = [
      { name: 'towerDefence', command: 'cd towerDefence && node ./run.mjs' },
      { name: 'dev', command: 'tsx watch src/cli.ts' },
      { name: 'worker', command: 'node dist/worker.js' },
    ];
    const c = at(undefined, [pkg({ published: ['dist', 'sql', 'dist/index.js', 'dist/cli.js'] }, scripts)]);
    expect(why(c, 'towerDefence/run.mjs')).toBe('only package.json script "towerDefence", outside the package\'s published files, runs it');
    expect(why(c, 'src/cli.ts')).toBeUndefined(); // a dev script runs the package's own code
    expect(why(c, 'src/worker.ts')).toBeUndefined(); // built into dist/, which ships
    // A private app, or a package without `files`: every file may be what runs in production.
    expect(why(at(undefined, [pkg({}, scripts)]), 'towerDefence/run.mjs')).toBeUndefined();
  });

  it('a workspace package named for test tooling that every user lists only in devDependencies (trigger.dev @internal/testcontainers)', () => {
    const pkg = (dir: string, name: string, dependencies: string[], devOnly?: string[]) => ({ dir: join(ROOT, dir), name, scripts: [], dependencies, ...(devOnly ? { devOnly } : {}) });
    const c = at(undefined, [
      pkg('internal-packages/testcontainers', '@internal/testcontainers', []),
      pkg('apps/webapp', 'webapp', ['@internal/testcontainers', '@internal/db', '@internal/testkit'], ['@internal/testcontainers', '@internal/db']),
      pkg('packages/core', '@trigger.dev/core', ['@internal/testcontainers', '@internal/testkit'], ['@internal/testcontainers']),
      pkg('internal-packages/db', '@internal/db', []),
      pkg('internal-packages/testkit', '@internal/testkit', []),
    ]);
    expect(why(c, 'internal-packages/testcontainers/src/index.ts')).toBe('it is in workspace package @internal/testcontainers, which the 2 packages that use it list only in devDependencies');
    // A bundled app may list runtime code in devDependencies: a name that does not say test tooling is not enough.
    expect(why(c, 'internal-packages/db/src/index.ts')).toBeUndefined();
    // Named for tests, but one user needs it at run time.
    expect(why(c, 'internal-packages/testkit/src/index.ts')).toBeUndefined();
  });

  it('compose files that say they are a local-development or test stack, with the evidence', () => {
    const compose = (rel: string, text: string) => extractCompose(text, join(ROOT, rel));
    const DB = 'services:\n  db:\n    image: postgres:17\n';
    const files = [
      compose('docker/docker-compose.yml', '# Core local-dev stack: the minimum a contributor needs to boot the webapp.\n# More in docker-compose.extras.yml.\nname: acme-docker\n' + DB),
      compose('docker-compose.yaml', '# Default single-node Postgres for the standard test suite.\n# Usage: docker compose up -d\n' + DB),
      compose('docker/dev-compose.yml', DB),
      compose('docker-compose.local.yml', DB),
      compose('docker/services-compose.yml', 'services:\n  db:\n    container_name: devdb\n    image: postgres:14\n'),
      compose('ops/stack.yml', DB),
      compose('ops/prod.yml', DB),
      compose('docker-compose.self-host.yml', '# To make it easier to self-host, this file runs Postgres too.\n# For local development see docker-compose.dev.yml.\n' + DB),
      compose('deploy/docker-compose.yml', '# Not meant for production: a demo with default passwords.\n# Self-hosting guide: docs/self-hosting.md\n' + DB),
      compose('docker-compose.override.yml', '# Production overrides.\n' + DB),
    ];
    const packages = [
      {
        dir: ROOT,
        scripts: [
          { name: 'dev:db', command: 'docker compose -f ops/stack.yml up -d' },
          { name: 'test:e2e', command: 'docker compose --file=ops/stack.yml up -d && playwright test' },
          { name: 'dev:prod-like', command: 'docker compose -f ops/prod.yml up' },
          { name: 'start', command: 'docker compose -f ops/prod.yml up -d' },
        ],
        dependencies: [],
      },
    ];
    const c = buildCodePaths({ root: ROOT, packages, compose: files }, {});
    expect(files.map((f) => [f.file.slice(ROOT.length + 1), c.nonProduction(f.file)?.describe])).toEqual([
      ['docker/docker-compose.yml', 'it is a local-development or test stack: its header says "Core local-dev stack: the minimum a contributor needs to boot the webapp" (docker/docker-compose.yml:1)'],
      ['docker-compose.yaml', 'it is a local-development or test stack: its header says "Default single-node Postgres for the standard test suite" (docker-compose.yaml:1)'],
      ['docker/dev-compose.yml', 'it is a local-development or test stack: its file name dev-compose.yml says "dev"'],
      ['docker-compose.local.yml', 'it is a local-development or test stack: its file name docker-compose.local.yml says "local"'],
      ['docker/services-compose.yml', 'it is a local-development or test stack: its container_name devdb is named for development (docker/services-compose.yml:3)'],
      ['ops/stack.yml', 'it is a local-development or test stack: only package.json script "dev:db", package.json script "test:e2e" start it'],
      ['ops/prod.yml', undefined], // a start script runs it too
      ['docker-compose.self-host.yml', undefined], // the header speaks of self-hosting
      ['deploy/docker-compose.yml', 'it is a local-development or test stack: its header says "Not meant for production: a demo with default passwords" (deploy/docker-compose.yml:1)'],
      ['docker-compose.override.yml', undefined],
    ]);
    expect(c.nonProduction(files[0]!.file)?.source).toBe('local-stack');
    // The config file has the last word: `!docker/` takes the folder back.
    const back = buildCodePaths({ root: ROOT, packages, compose: files }, { codePaths: { nonProduction: ['!docker/'], base: ROOT } });
    expect(back.nonProduction(files[0]!.file)).toBeUndefined();
  });

  it('is read from the config file, relative to its directory; mistakes are located errors', () => {
    const dir = tempProject({ 'pgconn-lint.config.json': JSON.stringify({ codePaths: { nonProduction: ['qa/', '!scripts/'] } }) });
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    expect(config.settings.codePaths).toEqual({ nonProduction: ['qa/', '!scripts/'], base: dir });
    writeFileSync(join(dir, 'pgconn-lint.config.json'), '{ "codePaths": { "nonProduction": "test/" } }');
    expect(() => loadConfig({ cwd: dir, rules: ALL_RULES })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: dir, rules: ALL_RULES })).toThrow(/pgconn-lint.config.json:1:18: "codePaths.nonProduction" must be a list of gitignore-style patterns/);
    writeFileSync(join(dir, 'pgconn-lint.config.json'), '{ "codePaths": { "nonProdution": [] } }');
    expect(() => loadConfig({ cwd: dir, rules: ALL_RULES })).toThrow(/unknown key "nonProdution" in "codePaths" \(did you mean "nonProduction"\?\)/);
  });
});

describe('the deployment model and the rules read the one classifier', () => {
  const WORKER = "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });\n";
  const project = () =>
    tempProject({
      'package.json': JSON.stringify({ name: 'shop', scripts: { start: 'node src/main.js' }, dependencies: { pg: '^8.13.0' } }),
      'src/main.js': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, connectionTimeoutMillis: 5000 });\n",
      'scripts/worker.ts': WORKER,
      'test/db.ts': WORKER,
      'docker-compose.yml': 'services:\n  app:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n  db:\n    image: postgres:16\n',
      'e2e/docker-compose.yml': 'services:\n  app-e2e:\n    build: ..\n    deploy:\n      replicas: 4\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n  db:\n    image: postgres:16\n',
    });
  const run = (dir: string) => {
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    return lint({ cwd: dir, paths: [dir], ignorePatterns: [], config, rules: ALL_RULES });
  };

  it('pools in test and script code are not counted; a compose file under e2e/ is a test setup, listed, not counted', () => {
    const dir = project();
    const r = run(dir);
    const services = r.model.deployment.services.map((s) => [s.name, s.notCounted ?? 'counted']);
    expect(services).toEqual([
      ['app', 'counted'],
      ['app-e2e', 'defined in non-production code (it matches `e2e/`, a codePaths.nonProduction default): a test or CI setup. Not counted in the long-running budget'],
    ]);
    const notes = r.model.deployment.notes.map((n) => n.message).filter((m) => m.includes('non-production'));
    expect(notes).toContain('the pool at scripts/worker.ts:2 is in non-production code (it matches `scripts/`, a codePaths.nonProduction default): not counted as a pool of a long-running service');
    expect(notes).toContain('the pool at test/db.ts:2 is in non-production code (it matches `test/`, a codePaths.nonProduction default): not counted as a pool of a long-running service');
    const timeouts = r.files.flatMap((f) => f.diagnostics).filter((d) => d.ruleId === 'missing-connection-timeout');
    expect(timeouts).toEqual([]);
  });

  it('"!scripts/" in the config takes scripts/ back: its pool is reported and counted', () => {
    const dir = project();
    writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ codePaths: { nonProduction: ['!scripts/'] } }));
    const r = run(dir);
    const timeouts = r.files.flatMap((f) => f.diagnostics).filter((d) => d.ruleId === 'missing-connection-timeout');
    expect(timeouts.map((d) => `${d.range.file.slice(dir.length + 1)}:${d.range.line}`)).toEqual(['scripts/worker.ts:2']);
    expect(r.model.deployment.notes.some((n) => n.message.startsWith('the pool at scripts/worker.ts:2'))).toBe(false);
  });
});

describe('a Python script named for a one-off run (issue 14: sarzz2/fastapi-asyncpg-template migrate.py)', () => {
  const POOL = 'import asyncpg\nfrom app.config import DATABASE_URL\n\n\nasync def main():\n    pool = await asyncpg.create_pool(DATABASE_URL)\n    await pool.fetch("select 1")\n';
  const GUARD = '\n\nif __name__ == "__main__":\n    import asyncio\n\n    asyncio.run(main())\n';
  const run = (dir: string) => {
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    return lint({ cwd: dir, paths: [dir], ignorePatterns: [], config, rules: ALL_RULES });
  };

  it('names: migrations, seeds and database set-up; never manage.py', async () => {
    const { isOneShotPythonFileName } = await import('../../src/sources/command/launch.js');
    for (const n of ['migrate.py', 'tools/run_migrations.py', 'seed.py', 'seeds.py', 'seed_db.py', 'seed-data.py', 'init_db.py', 'create_db.py', 'reset-db.py', 'bench.py']) expect(isOneShotPythonFileName(n), n).toBe(true);
    for (const n of ['manage.py', 'main.py', 'seeder.py', 'migrate.ts', 'app/db.py', 'seedling.py', 'wsgi.py']) expect(isOneShotPythonFileName(n), n).toBe(false);
  });

  it('is one-off when run as a program (if __name__ == "__main__"); the same name imported by the app is production code', () => {
    const dir = tempProject({
      'pyproject.toml': '[project]\nname = "app"\n',
      'migrate.py': POOL + GUARD,
      'seed_db.py': POOL.replace('asyncpg.create_pool(DATABASE_URL)', 'asyncpg.create_pool(DATABASE_URL, max_size=2)') + "\n\nif '__main__' == __name__:\n    main()\n",
      'app/__init__.py': '',
      'app/config.py': 'import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n',
      'app/migrate.py': POOL,
    });
    const r = run(dir);
    const c = r.model.codePaths;
    expect(c.nonProduction(join(dir, 'migrate.py'))).toEqual({
      pattern: 'migrate.py is named for a migration, seed or set-up run and runs as a program (if __name__ == "__main__" at line 10)',
      source: 'python-script',
      oneOff: true,
      describe: 'it is a one-off script: migrate.py is named for a migration, seed or set-up run and runs as a program (if __name__ == "__main__" at line 10)',
    });
    expect(c.nonProduction(join(dir, 'seed_db.py'))?.source).toBe('python-script');
    expect(c.nonProduction(join(dir, 'app/migrate.py'))).toBeUndefined();
    const timeouts = r.files.flatMap((f) => f.diagnostics).filter((d) => d.ruleId === 'missing-connection-timeout');
    expect(timeouts.map((d) => `${d.range.file.slice(dir.length + 1)}:${d.range.line}`)).toEqual(['app/migrate.py:6']);
  });

  it('"!migrate.py" in the config takes the script back', () => {
    const dir = tempProject({ 'migrate.py': POOL.replace('from app.config import DATABASE_URL\n', 'DATABASE_URL = "postgresql://app@db/app"\n') + GUARD });
    writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ codePaths: { nonProduction: ['!migrate.py'] } }));
    const r = run(dir);
    expect(r.model.codePaths.nonProduction(join(dir, 'migrate.py'))).toBeUndefined();
  });
});
