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
