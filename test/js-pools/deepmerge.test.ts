import { describe, expect, test } from 'vitest';
import { onlyPool } from './helpers.js';

// deepmerge (issue 15, Unleash's shape, written for these tests): a config built by
// `merge.all([defaults, parse(url), user].filter((i) => i))` in a local wrapper, a knex factory
// reading `pool: db.pool` from the config its caller passes.
const config = (userArg: string) =>
  `import merge from 'deepmerge';\nimport pgs from 'pg-connection-string';\nconst { parse } = pgs;\nfunction mergeAll<T>(objects: Partial<T>[]): T {\n  return merge.all<T>(objects.filter((i) => i));\n}\nconst defaults = {\n  database: process.env.DATABASE_NAME || 'app',\n  pool: { min: 0, max: Number(process.env.DATABASE_POOL_MAX) || 4, idleTimeoutMillis: 30000 },\n};\nexport function createConfig(options: any) {\n  const fromUrl = process.env.DATABASE_URL ? parse(process.env.DATABASE_URL) : {};\n  const db = mergeAll([defaults, fromUrl, ${userArg}]);\n  return { db };\n}\n`;
const project = (userArg: string, options = '{}') => ({
  'src/db-pool.ts': `import knex from 'knex';\nexport function createDb({ db }: { db: any }) {\n  return knex({ client: 'pg', connection: { ...db }, pool: db.pool });\n}\n`,
  'src/config.ts': config(userArg),
  'src/server.ts': `import { createDb } from './db-pool.js';\nimport { createConfig } from './config.js';\nexport const db = createDb(createConfig(${options}));\n`,
});
/** The same merge read where the config is made (no callers in between, so the reason is the merge's own). */
const local = (userArg: string) => ({
  'src/config.ts': config(userArg),
  'src/db.ts': `import knex from 'knex';\nimport { createConfig } from './config.js';\nconst { db } = createConfig(JSON.parse(process.env.APP_OPTIONS ?? '{}'));\nexport const k = knex({ client: 'pg', pool: db.pool });\n`,
});

describe('deepmerge: later arguments win, nested objects merge key by key', () => {
  test('the defaults, a parsed DATABASE_URL (no nested objects) and options without db: env DATABASE_POOL_MAX, default 4', () => {
    const p = onlyPool(project('options.db || {}'));
    expect([p.max.value, p.max.provenance, p.max.range?.file, p.max.range?.line]).toEqual([4, { kind: 'env', envVar: 'DATABASE_POOL_MAX', fallback: 4 }, 'src/config.ts', 9]);
  });

  test('a later argument with pool: { max: 10 } wins over the defaults', () => {
    const p = onlyPool(project('options.db || {}', '{ db: { pool: { max: 10 } } }'));
    expect([p.max.value, p.max.provenance.kind, p.max.range?.file]).toEqual([10, 'literal', 'src/server.ts']);
  });

  test('a later argument writing only pool.min keeps the defaults max (key by key, not the whole pool)', () => {
    const p = onlyPool(project('{ pool: { min: 2 } }'));
    expect([p.max.value, p.max.provenance.kind]).toEqual([4, 'env']);
  });

  test('a later argument that is unknown makes max unknown, with the reason', () => {
    const p = onlyPool(local('options.db || {}'));
    expect([p.max.value, p.max.provenance]).toEqual([null, { kind: 'unknown', reason: 'the deepmerge argument options.db || {} may write pool, and written after pool.max it may override it' }]);
  });

  test('the same through the factory caller: unknown', () => {
    const p = onlyPool(project('options.db || {}', 'JSON.parse(process.env.APP_OPTIONS)'));
    expect([p.max.value, p.max.provenance.kind]).toEqual([null, 'unknown']);
  });

  test('merge.all(list.filter(Boolean)) required with require(): a parsed URL merged last leaves the pool as it was', () => {
    const p = onlyPool({ 'src/db.js': `const knex = require('knex');\nconst merge = require('deepmerge');\nconst { parse } = require('pg-connection-string');\nconst list = [{ pool: { max: 6 } }, parse(process.env.DATABASE_URL)];\nconst db = merge.all(list.filter(Boolean));\nmodule.exports = knex({ client: 'pg', pool: db.pool });\n` });
    expect([p.max.value, p.max.provenance.kind, p.max.range?.line]).toEqual([6, 'literal', 4]);
  });

  test('a call of another function merged last hides the pool', () => {
    const p = onlyPool({ 'src/db.ts': `import knex from 'knex';\nimport merge from 'deepmerge';\nimport { load } from './load.js';\nconst db = merge.all([{ pool: { max: 6 } }, load()]);\nexport const k = knex({ client: 'pg', pool: db.pool });\n`, 'src/load.ts': `export const load = (): any => JSON.parse(process.env.CFG ?? '{}');\n` });
    expect([p.max.value, p.max.provenance.kind]).toEqual([null, 'unknown']);
  });

  test('deepmerge options (customMerge …) make the merged pool unknown', () => {
    const p = onlyPool({ 'src/db.ts': `import knex from 'knex';\nimport deepmerge from 'deepmerge';\nconst db = deepmerge({ pool: { max: 3 } }, {}, { customMerge: () => undefined });\nexport const k = knex({ client: 'pg', pool: db.pool });\n` });
    expect([p.max.value, p.max.provenance.kind]).toEqual([null, 'unknown']);
  });

  test('deepmerge(a, b) with the default import', () => {
    const p = onlyPool({ 'src/db.ts': `import knex from 'knex';\nimport deepmerge from 'deepmerge';\nconst db = deepmerge({ pool: { max: 3, min: 0 } }, { pool: { max: 7 } });\nexport const k = knex({ client: 'pg', pool: db.pool });\n` });
    expect([p.max.value, p.max.provenance.kind, p.max.range?.line]).toEqual([7, 'literal', 3]);
  });
});
