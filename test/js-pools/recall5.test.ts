import { describe, expect, test } from 'vitest';
import { runProject } from '../deployment/support.js';
import { tempProject } from '../support/lint-helpers.js';
import { modelOf, onlyPool, vp } from './helpers.js';

// Pools sized by their callers across modules (issue 15, src/sources/js/callers.ts). Each shape is
// written for these tests after a pattern of a real repository (never its code).

/** postgres-meta's shape: routes build a config from shared defaults and construct a class whose constructor calls the module that opens the pool. */
const perRequestMeta = (routeConfig: string) => ({
  'src/lib/pool.ts': `import pg from 'pg';\nimport * as Sentry from '@sentry/node';\nexport const open = (config: pg.PoolConfig) => {\n  return Sentry.startSpan({ name: 'db.open' }, () => {\n    const pool = new pg.Pool(config);\n    return { pool };\n  });\n};\n`,
  'src/lib/Meta.ts': `import { open } from './pool.js';\nexport class Meta {\n  pool: unknown;\n  constructor(config: object) {\n    const { pool } = open(config);\n    this.pool = pool;\n  }\n}\n`,
  'src/server/defaults.ts': `export const POOL_DEFAULTS = { max: 1, connectionTimeoutMillis: 5000 };\n`,
  'src/server/config.ts': `import { POOL_DEFAULTS } from './defaults.js';\nexport function configFor(req: { headers: Record<string, string> }, timeoutSecs?: number) {\n  const t = timeoutSecs !== undefined ? Number(timeoutSecs) : undefined;\n  ${routeConfig}\n  return config;\n}\n`,
  'src/server/routes/a.ts': `import { Meta } from '../../lib/Meta.js';\nimport { configFor } from '../config.js';\nexport function routeA(app: any) {\n  app.get('/a', async (req: any) => {\n    const meta = new Meta(configFor(req));\n    return meta;\n  });\n}\n`,
  'src/server/routes/b.ts': `import { Meta } from '../../lib/Meta.js';\nimport { configFor } from '../config.js';\nexport function routeB(app: any) {\n  app.get('/b', async (req: any) => {\n    const config = configFor(req, req.query.timeout);\n    return new Meta(config);\n  });\n}\n`,
  'src/server/types.ts': `import { Meta } from '../lib/Meta.js';\nimport { POOL_DEFAULTS } from './defaults.js';\nexport const forTypes = () => new Meta({ ...POOL_DEFAULTS, connectionString: process.env.DB_URL });\n`,
});

describe('a pool sized by its callers in other modules', () => {
  test('every chain of calls (route → class constructor → exported factory) gives max 1: the pool is 1', () => {
    const p = onlyPool(perRequestMeta("const config = { ...POOL_DEFAULTS, connectionString: req.headers.db, ...(t !== undefined && { query_timeout: t * 1000 }) };"));
    expect(p.id).toBe('src/lib/pool.ts:5:18');
    expect(p.max).toEqual({ value: 1, provenance: { kind: 'literal' }, range: { file: 'src/server/defaults.ts', line: 1, column: 37, endLine: 1, endColumn: 38 } });
    expect(p.calledFrom).toBeUndefined();
    // what the callers pass differently stays unknown: the connection string
    expect(p.connectionString?.provenance.kind).toBe('unknown');
  });

  test('a conditional spread that may write max: unknown for the routes, 1 for the caller that spreads only the defaults', () => {
    const m = modelOf(perRequestMeta("const config = { ...POOL_DEFAULTS, connectionString: req.headers.db, ...(t !== undefined && { max: t }) };"));
    expect(m.pools.map((p) => [p.max.value, p.max.provenance.kind === 'unknown' ? p.max.provenance.reason : p.max.provenance.kind, p.calledFrom?.map((c) => `${c.file}:${c.line}`)])).toEqual([
      [null, 'max is written only when t !== undefined', ['src/server/routes/a.ts:5', 'src/lib/Meta.ts:5']],
      [null, 'max is written only when t !== undefined', ['src/server/routes/b.ts:6', 'src/lib/Meta.ts:5']],
      [1, 'literal', ['src/server/types.ts:3', 'src/lib/Meta.ts:5']],
    ]);
  });

  test('a spread of something unknown after max hides it (no caller is guessed)', () => {
    const m = modelOf(perRequestMeta('const config = { ...POOL_DEFAULTS, ...req.body };'));
    expect(m.pools.map((p) => [p.max.value, p.max.provenance.kind === 'unknown' ? p.max.provenance.reason : p.max.provenance.kind])).toEqual([
      [null, 'spread of req.body is not statically known, and written after max it may override it'],
      [null, 'spread of req.body is not statically known, and written after max it may override it'],
      [1, 'literal'],
    ]);
  });
});

/** trigger.dev's shape: an exported builder with a defaulted size, called by the module itself and by a test with another size. */
const builder = `import { Pool } from 'pg';\nexport function buildWriter({ url, limit = Number(process.env.DB_LIMIT ?? 10) }: { url: string; limit?: number }) {\n  return new Pool({ connectionString: url, max: limit, connectionTimeoutMillis: 5000 });\n}\n`;

describe('one pool per call site when the callers size it differently', () => {
  test('the main writer (env DB_LIMIT, fallback 10) and a webhook writer (env HOOK_LIMIT, fallback 3): two pools, each with its call', () => {
    const m = modelOf({
      'src/db.ts': `${builder}export const writer = buildWriter({ url: process.env.DATABASE_URL! });\n`,
      'src/webhooks/db.ts': `import { buildWriter } from '../db.js';\nexport const hooks = buildWriter({ url: process.env.HOOK_URL!, limit: Number(process.env.HOOK_LIMIT ?? 3) });\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value, p.max.provenance, p.calledFrom?.map((c) => `${c.file}:${c.line}:${c.column}`), p.connectionString?.provenance])).toEqual([
      ['src/db.ts:3:10', 10, { kind: 'env', envVar: 'DB_LIMIT', fallback: 10 }, ['src/db.ts:5:23'], { kind: 'env', envVar: 'DATABASE_URL' }],
      ['src/db.ts:3:10@src/webhooks/db.ts:2:22', 3, { kind: 'env', envVar: 'HOOK_LIMIT', fallback: 3 }, ['src/webhooks/db.ts:2:22'], { kind: 'env', envVar: 'HOOK_URL' }],
    ]);
  });

  test('callers that agree give one pool of that size', () => {
    const p = onlyPool({
      'src/db.ts': `${builder}export const writer = buildWriter({ url: process.env.DATABASE_URL! });\n`,
      'src/jobs.ts': `import { buildWriter } from './db.js';\nexport const jobs = buildWriter({ url: process.env.DATABASE_URL! });\n`,
    });
    expect([p.max.value, p.max.provenance, p.calledFrom]).toEqual([10, { kind: 'env', envVar: 'DB_LIMIT', fallback: 10 }, undefined]);
  });

  test('callers that agree are named (sizedBy), so the model can tell tests from production', () => {
    const p = onlyPool({
      'src/db.ts': builder,
      'test/a.test.ts': `import { buildWriter } from '../src/db.js';\nexport const a = buildWriter({ url: 'x', limit: 2 });\n`,
      'test/b.test.ts': `import { buildWriter } from '../src/db.js';\nexport const b = buildWriter({ url: 'y', limit: 2 });\n`,
    });
    expect([p.max.value, p.sizedBy?.map((c) => `${c.file}:${c.line}`)]).toEqual([2, ['test/a.test.ts:2', 'test/b.test.ts:2']]);
  });

  test('a builder also passed around as a value stays unknown, with why', () => {
    const p = onlyPool({
      'src/db.ts': `${builder}export const writer = buildWriter({ url: process.env.DATABASE_URL!, limit: 4 });\n`,
      'src/registry.ts': `import { buildWriter } from './db.js';\nexport const factories = [buildWriter];\n`,
    });
    expect(p.max.provenance).toMatchObject({ kind: 'unknown' });
  });
});

/** Unleash's shape: the factory is reached through a parameter's default object of factory methods. */
describe('callers through an object of factory methods', () => {
  test('fm.createDb(config) with fm = { createDb } by default, config from the caller of that function', () => {
    const p = onlyPool({
      'src/db/pool.ts': `import knex from 'knex';\nexport function createDb({ db }: { db: { pool: { min: number; max: number } } }) {\n  return knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: db.pool });\n}\n`,
      'src/server.ts': `import { createDb } from './db/pool.js';\nexport async function createApp(config: any, fm = { createDb }) {\n  const db = fm.createDb(config);\n  return db;\n}\nexport async function start() {\n  return createApp({ db: { pool: { min: 0, max: 6 } } });\n}\n`,
    });
    expect([p.max.value, p.max.provenance.kind]).toEqual([6, 'literal']);
  });
});

describe('the deployment model and pools sized by callers', () => {
  const compose = `services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    command: node src/server.js\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n`;
  test('a pool per call site whose call is in a test is not counted; the production one is', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': compose,
        'Dockerfile': 'FROM node:22\nCOPY . .\n',
        'package.json': '{ "name": "api", "dependencies": { "pg": "8.13.0" } }\n',
        'src/db.ts': `${builder}export const writer = buildWriter({ url: process.env.DATABASE_URL!, limit: 8 });\n`,
        'src/server.ts': `import { writer } from './db.js';\nexport default writer;\n`,
        'test/db.test.ts': `import { buildWriter } from '../src/db.js';\nexport const w = buildWriter({ url: 'postgres://app@localhost/app_test', limit: 2 });\n`,
      }),
    );
    const edges = run.model.edges.map((e) => [e.poolId, e.perInstance.value ?? null]);
    expect(edges).toEqual([['src/db.ts:3:10', 8]]);
    expect(run.budget.notes.some((n) => n.includes('as called from test/db.test.ts:2'))).toBe(true);
  });

  test('a pool sized only by test callers counts with an unknown size', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': compose,
        'Dockerfile': 'FROM node:22\nCOPY . .\n',
        'package.json': '{ "name": "api", "dependencies": { "pg": "8.13.0" } }\n',
        'src/db.ts': builder,
        'src/server.ts': `export { buildWriter } from './db.js';\n`,
        'test/db.test.ts': `import { buildWriter } from '../src/db.js';\nexport const w = buildWriter({ url: 'postgres://app@localhost/app_test', limit: 2 });\n`,
      }),
    );
    expect(run.model.edges.filter((e) => e.poolId.startsWith('src/')).map((e) => [e.poolId, e.perInstance.value ?? null])).toEqual([['src/db.ts:3:10', null]]);
    expect(run.budget.notes.filter((n) => n.includes('sized only by callers'))).toEqual(['the pool at src/db.ts:3 is sized only by callers in non-production code (test/db.test.ts:2): its size in production is unknown']);
  });
});
