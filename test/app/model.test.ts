import { buildCodePaths } from '../../src/model/code-paths.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { discover } from '../../src/discovery/discover.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import type { AppPool } from '../../src/sources/app/types.js';
import { tempProject } from '../support/lint-helpers.js';

/** A SQLAlchemy-like pool as the python extractor gives it (the model's half of the interface). */
function pool(dir: string, use: AppPool['use'], terms: Array<[string, number, 'default' | 'literal']>): AppPool {
  const file = join(dir, 'worker/app/db.py');
  const range = { file, line: 3, column: 10, endLine: 3, endColumn: 40 };
  return {
    id: 'worker/app/db.py:3:10',
    language: 'python',
    library: 'sqlalchemy',
    construct: 'create_engine',
    file,
    range,
    appDir: join(dir, 'worker'),
    scope: { kind: 'module' },
    peak: { terms: terms.map(([name, value, kind]) => ({ name, value: kind === 'default' ? { value, provenance: { kind: 'default', note: 'SQLAlchemy default' } } : { value, provenance: { kind: 'literal' }, range } })), explanation: 'pool_size + max_overflow' },
    use,
    connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' }, range },
    options: [],
  };
}

function model(files: Record<string, string>, p: (dir: string) => AppPool, cpus?: number) {
  const dir = tempProject(files);
  const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
  const facts = buildProjectFacts(discovery);
  facts.app.pools.push(p(dir));
  facts.app.roots.push({ dir: join(dir, 'worker'), language: 'python', framework: 'celery', file: join(dir, 'worker/app/db.py') });
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  if (cpus !== undefined) config.settings.deployment = { file: join(dir, 'x'), cpus: { value: cpus, range: { file: dir, line: 1, column: 1, endLine: 1, endColumn: 1 } }, services: [], servers: [], poolers: [] };
  return buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
}

const compose = (command: string, replicas = 2) => `services:
  db:
    image: postgres:16
    command: ["postgres", "-c", "max_connections=100"]
  worker:
    build: ./worker
    command: ${command}
    deploy: { replicas: ${replicas} }
    environment:
      DATABASE_URL: postgres://app@db:5432/app
`;

describe('app pools in the deployment model (issue 14)', () => {
  it('a prefork Celery child uses one connection per engine: 2 replicas × --concurrency 8 × 1 = 16', () => {
    const m = model({ 'compose.yaml': compose('celery -A app worker --concurrency 8'), 'worker/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n', 'worker/app/db.py': '' }, (d) => pool(d, 'per-thread', [['pool_size', 5, 'default'], ['max_overflow', 10, 'default']]));
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBe(8);
    expect(e.total.value).toBe(16);
    expect(e.perInstance.source).toBe('concurrency 8 × 1 task per child (one connection per thread bounds it: pool 15)');
    expect(m.serverBudgets[0]!.demand.value).toBe(16);
    expect(m.services.find((s) => s.name === 'worker')!.process).toMatchObject({ server: 'celery', concurrency: 'prefork' });
  });

  it('an asyncio worker can use its whole pool: 4 workers × (10 + 10) = 80', () => {
    const m = model({ 'compose.yaml': compose('uvicorn app.main:app --workers 4', 1), 'worker/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n', 'worker/app/db.py': '' }, (d) => pool(d, 'whole-pool', [['pool_size', 10, 'literal'], ['max_overflow', 10, 'literal']]));
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBe(80);
    expect(e.perInstance.source).toBe('workers 4 × pool_size 10 + max_overflow 10 = 20 (whole pool: async worker)');
  });

  it('gunicorn gthread: min(pool, threads) per worker; WEB_CONCURRENCY from the environment', () => {
    const files = { 'compose.yaml': compose('gunicorn app.wsgi --threads 4').replace('DATABASE_URL:', 'WEB_CONCURRENCY: "3"\n      DATABASE_URL:'), 'worker/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n', 'worker/app/db.py': '' };
    const m = model(files, (d) => pool(d, 'per-thread', [['pool_size', 5, 'default'], ['max_overflow', 10, 'default']]));
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBe(12);
    expect(e.perInstance.source).toBe('workers 3 (WEB_CONCURRENCY in environment of compose service worker) × threads 4 (one connection per thread bounds it: pool 15)');
  });

  it('Celery with the CPU-count default is unknown without deployment.cpus, known with it', () => {
    const files = { 'compose.yaml': compose('celery -A app worker'), 'worker/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n', 'worker/app/db.py': '' };
    const unknown = model(files, (d) => pool(d, 'per-thread', [['pool_size', 5, 'default'], ['max_overflow', 10, 'default']]));
    expect(unknown.edges.find((x) => x.appPool)!.perInstance.value).toBeUndefined();
    expect(unknown.serverBudgets[0]!.status).toBe('unknown');
    const known = model(files, (d) => pool(d, 'per-thread', [['pool_size', 5, 'default'], ['max_overflow', 10, 'default']]), 4);
    expect(known.edges.find((x) => x.appPool)!.total.value).toBe(8);
  });
});
