import { describe, expect, test } from 'vitest';
import { analyzeMem, modelOf, onlyPool, vp } from './helpers.js';

/** Issue 15: options the caller supplies are unknown, options read apart from the URL, values a reader can tell. */
describe('user-supplied options are unknown, not the fallback', () => {
  test('this.poolOptions ?? { … } in library code', () => {
    const p = onlyPool({
      'a.ts': `import pg from 'pg';\nexport class Store {\n  constructor(private poolOptions?: pg.PoolConfig) {}\n  pool = new pg.Pool(this.poolOptions ?? { connectionString: 'postgres://db/app', max: 3 });\n}\n`,
    });
    expect(vp(p.max)).toEqual([null, 'unknown']);
    expect(p.max.provenance).toMatchObject({ reason: expect.stringContaining('this.poolOptions is supplied by the caller') });
    expect(vp(p.connectionString)).toEqual([null, 'unknown']);
  });

  test('a parameter with || and a const holding the choice', () => {
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function make(opts) { return new Pool(opts || { max: 4 }); }\n` }).max)).toEqual([null, 'unknown']);
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function make(opts) { const cfg = opts ?? { max: 4 }; return new Pool(cfg); }\n` }).max)).toEqual([null, 'unknown']);
  });

  test('a known left side or undefined still resolves', () => {
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nconst base = { max: 6 };\nexport const p = new Pool(base ?? { max: 4 });\n` }).max)).toEqual([6, 'literal']);
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport const p = new Pool(undefined ?? { max: 4 });\n` }).max)).toEqual([4, 'literal']);
  });

  test('a spread written after an option may override it; before it, the option wins', () => {
    const after = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function make(opts) { return new Pool({ max: 2, ...opts }); }\n` });
    expect(vp(after.max)).toEqual([null, 'unknown']);
    expect(after.max.provenance).toMatchObject({ reason: expect.stringContaining('written after max') });
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function make(opts) { return new Pool({ ...opts, max: 2 }); }\n` }).max)).toEqual([2, 'literal']);
  });

  test('options.max ?? 5 with options from the caller says the fallback', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function mk(options) { return new Pool({ max: options.max ?? 5 }); }\n` });
    expect(vp(p.max)).toEqual([null, 'unknown']);
    expect(p.max.provenance).toMatchObject({ reason: expect.stringMatching(/supplied by the caller.*5 only when it is not given/) });
  });
});

describe('options are read apart from an unknown URL', () => {
  test('postgres(normalize(url), { max, prepare })', () => {
    const p = onlyPool({ 'a.ts': `import postgres from 'postgres';\nimport { normalize } from './n';\nexport const sql = postgres(normalize(process.env.DATABASE_URL), { max: 5, prepare: false });\n` });
    expect(vp(p.max)).toEqual([5, 'literal']);
    expect(vp(p.preparedStatements)).toEqual([false, 'literal']);
    expect(vp(p.connectionString)).toEqual([null, 'unknown']);
  });

  test('new Sequelize(url, options) with options from a parameter is unknown, not the default', () => {
    const p = onlyPool({ 'a.ts': `import { Sequelize } from 'sequelize';\nexport function mk(opts) { return new Sequelize('postgres://db/app', opts); }\n` });
    expect(vp(p.max)).toEqual([null, 'unknown']);
  });
});

describe('values a reader can tell', () => {
  test('cond ? 20 : 5 is the larger, with both', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nconst prod = process.env.NODE_ENV === 'production';\nexport const p = new Pool({ max: prod ? 20 : 5 });\n` });
    expect(p.max).toMatchObject({ value: 20, provenance: { kind: 'literal' }, alternatives: [20, 5] });
  });

  test('zod env schema with a default', () => {
    const p = onlyPool({
      'env.ts': `import { z } from 'zod';\nconst schema = z.object({\n  DB_POOL_MAX: z.coerce.number().int().default(10),\n  T: z.string().transform(Number),\n});\nexport const env = schema.parse(process.env);\n`,
      'a.ts': `import { Pool } from 'pg';\nimport { env } from './env';\nexport const p = new Pool({ max: env.DB_POOL_MAX });\n`,
    });
    expect(p.max.provenance).toEqual({ kind: 'env', envVar: 'DB_POOL_MAX', fallback: 10, fallbackAt: { file: 'env.ts', line: 3, column: 48, endLine: 3, endColumn: 50 } });
    expect(p.max.value).toBe(10);
    const t = onlyPool({
      'env.ts': `import { z } from 'zod';\nexport const env = z.object({ T: z.string().transform(Number) }).parse(process.env);\n`,
      'a.ts': `import { Pool } from 'pg';\nimport { env } from './env';\nexport const p = new Pool({ max: env.T });\n`,
    });
    expect(t.max.provenance).toEqual({ kind: 'unknown', reason: 'T is transformed by the env schema' });
  });

  test('envalid num({ default }) and t3-env createEnv with runtimeEnv', () => {
    const e = onlyPool({
      'env.ts': `import { cleanEnv, num } from 'envalid';\nexport const cfg = cleanEnv(process.env, { PG_MAX: num({ default: 7 }) });\n`,
      'a.ts': `import { Pool } from 'pg';\nimport { cfg } from './env';\nexport const p = new Pool({ max: cfg.PG_MAX });\n`,
    });
    expect(e.max).toMatchObject({ value: 7, provenance: { kind: 'env', envVar: 'PG_MAX', fallback: 7 } });
    const t = onlyPool({
      'env.ts': `import { createEnv } from '@t3-oss/env-nextjs';\nimport { z } from 'zod';\nexport const env = createEnv({ server: { POOL: z.coerce.number().default(15) }, runtimeEnv: { POOL: process.env.PG_POOL } });\n`,
      'a.ts': `import { Pool } from 'pg';\nimport { env } from './env';\nexport const p = new Pool({ max: env.POOL });\n`,
    });
    expect(t.max).toMatchObject({ value: 15, provenance: { kind: 'env', envVar: 'PG_POOL', fallback: 15 } });
  });

  test('NestJS configService.get with a default, ?? and a configuration key', () => {
    const m = modelOf({
      'svc.ts': `import { ConfigService } from '@nestjs/config';\nimport { Pool } from 'pg';\nexport class Db {\n  pool: Pool;\n  constructor(private readonly configService: ConfigService) {\n    this.pool = new Pool({ connectionString: this.configService.get('DATABASE_URL'), max: this.configService.get('DB_MAX', 10), min: configService.get<number>('DB_MIN') ?? 2, idleTimeoutMillis: configService.get('db.idle') });\n  }\n}\n`,
    });
    const p = m.pools[0]!;
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
    expect(p.max).toMatchObject({ value: 10, provenance: { kind: 'env', envVar: 'DB_MAX', fallback: 10 } });
    expect(p.min).toMatchObject({ value: 2, provenance: { kind: 'env', envVar: 'DB_MIN', fallback: 2 } });
    expect(p.idleTimeoutMs?.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('a configuration key') });
  });

  test('a get() on something that is not ConfigService stays unknown', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nimport { store } from './store';\nexport const p = new Pool({ max: store.get('DB_MAX', 10) });\n` });
    expect(vp(p.max)).toEqual([null, 'unknown']);
  });
});

describe('injected constructors', () => {
  test('destructured, required inline, this.pg from a field, the constructor or a parameter default', () => {
    const m = modelOf({
      'a.ts': `import pg from 'pg';\nconst { Pool } = pg;\nexport const p1 = new Pool({ max: 1 });\nexport const p2 = new (require('pg').Pool)({ max: 2 });\nexport class A {\n  pg = pg;\n  pool = new this.pg.Pool({ max: 3 });\n}\nexport class B {\n  private pg: typeof pg;\n  pool: pg.Pool;\n  constructor() {\n    this.pg = pg;\n    this.pool = new this.pg.Pool({ max: 4 });\n  }\n}\n`,
      'c.ts': `import * as pgNs from 'pg';\nexport class D {\n  constructor(private readonly driver = pgNs) {}\n  pool = new this.driver.Pool({ max: 7 });\n}\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value])).toEqual([
      ['a.ts:3:19', 1],
      ['a.ts:4:19', 2],
      ['a.ts:7:10', 3],
      ['a.ts:14:17', 4],
      ['c.ts:4:10', 7],
    ]);
  });
});

describe('values one call deep', () => {
  test('a local toInt(process.env.X, 20) helper that returns the conversion or the fallback', () => {
    const m = modelOf({
      'a.ts': `import { Pool } from 'pg';\nconst toInt = (value: string | undefined, fallback: number): number => {\n  const parsed = Number(value);\n  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;\n};\nfunction num(v, d) { if (!v) return d; return parseInt(v, 10); }\nfunction clamp(v, d) { return Math.min(Number(v), 100) || d; }\nexport const p1 = new Pool({ max: toInt(process.env.PGPOOL_MAX, 20) });\nexport const p2 = new Pool({ max: num(process.env.M2, 7) });\nexport const p3 = new Pool({ max: clamp(process.env.M3, 7) });\n`,
    });
    expect(m.pools.map((p) => [p.max.value, p.max.provenance])).toEqual([
      [20, { kind: 'env', envVar: 'PGPOOL_MAX', fallback: 20, fallbackAt: { file: 'a.ts', line: 8, column: 65, endLine: 8, endColumn: 67 } }],
      [7, { kind: 'env', envVar: 'M2', fallback: 7, fallbackAt: { file: 'a.ts', line: 9, column: 55, endLine: 9, endColumn: 56 } }],
      [null, { kind: 'unknown', reason: 'result of clamp()' }],
    ]);
  });

  test('buildPool({ max }) → function buildPool(opts) { new Pool({ max: opts.max }) }, called only in its module', () => {
    const p = onlyPool({
      'a.ts': `import { Pool } from 'pg';\nfunction buildPool(opts) { return new Pool({ max: opts.max, connectionString: opts.url }); }\nexport const a = buildPool({ max: 20, url: process.env.A_URL });\nexport const b = buildPool({ max: 5, url: process.env.A_URL });\n`,
    });
    expect(p.max).toMatchObject({ value: 20, provenance: { kind: 'literal' }, alternatives: [20, 5] });
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'A_URL' });
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nconst mk = (max: number) => new Pool({ max });\nexport const a = mk(Number(process.env.M ?? 4));\n` }).max)).toEqual([4, 'env']);
  });

  // Issue 15 (callers.ts): an exported function is sized by its callers in the analysed files; with none, or
  // passed around as a value, it stays unknown. (Before, an exported function was unknown even when called here.)
  test('an exported function is sized by its callers here; with none, or one passed around, it stays unknown', () => {
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function buildPool(opts) { return new Pool({ max: opts.max }); }\nexport const a = buildPool({ max: 20 });\n` }).max)).toEqual([20, 'constant']);
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function buildPool(opts) { return new Pool({ max: opts.max }); }\n` }).max)).toEqual([null, 'unknown']);
    expect(vp(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nfunction buildPool(opts) { return new Pool({ max: opts.max }); }\nexport const a = buildPool({ max: 20 });\nexport const f = buildPool;\n` }).max)).toEqual([null, 'unknown']);
  });
});

describe('options chosen by a condition', () => {
  test('new Pool(isDev ? base : prod): alike options kept, differing numbers at their peak, one-sided ones unknown', () => {
    const m = modelOf({
      'a.ts': `import { Pool } from 'pg';\nconst base = { connectionString: process.env.DATABASE_URL, max: Number(process.env.MAX_POOL ?? 10), connectionTimeoutMillis: 5_000 };\nconst prod = { ...base, min: 2 };\nconst isDev = process.env.NODE_ENV === 'development';\nexport const p = new Pool(isDev ? base : prod);\nexport const q = new Pool(isDev ? { max: 2 } : { max: 20, idleTimeoutMillis: 1000 });\n`,
    });
    const [p, q] = m.pools;
    expect(p!.max).toMatchObject({ value: 10, provenance: { kind: 'env', envVar: 'MAX_POOL', fallback: 10 } });
    expect(p!.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
    expect(p!.acquireTimeoutMs).toMatchObject({ value: 5000, provenance: { kind: 'literal' } });
    expect(p!.min?.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('set in only one branch') });
    expect(q!.max).toMatchObject({ value: 20, alternatives: [2, 20] });
    expect(vp(q!.idleTimeoutMs)).toEqual([null, 'unknown']);
  });
});

describe('a pool per element (issue 15: one pool per read replica)', () => {
  test('readReplicas.map(r => new Pool(r)) over a literal array: count × max', () => {
    const m = modelOf({
      'db.ts': `import { Pool } from 'pg';\nexport const primary = new Pool({ max: 5 });\nconst readReplicas = [{ host: 'r1' }, { host: 'r2' }];\nexport const replicas = readReplicas.map((r) => new Pool({ ...r, max: 4 }));\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value, p.connectionsPerProcess?.value ?? null])).toEqual([
      ['db.ts:2:24', 5, null],
      ['db.ts:4:49', 4, 8],
    ]);
    expect(m.pools[1]!.connectionsPerProcess?.explanation).toBe('one per element of readReplicas: 2 × max 4');
  });

  test('a count the code does not show is unknown (at least one), Array.from and a block body', () => {
    const m = modelOf({
      'db.ts': `import { Pool } from 'pg';\nimport postgres from 'postgres';\nexport const a = (process.env.REPLICAS ?? '').split(',').map((url) => { return new Pool({ connectionString: url, max: 3 }); });\nexport const b = Array.from([process.env.R1, process.env.R2, process.env.R3], (u) => postgres(u, { max: 2 }));\n`,
    });
    expect(m.pools.map((p) => [p.id, p.connectionsPerProcess?.value ?? null])).toEqual([
      ['db.ts:3:80', null],
      ['db.ts:4:86', 6],
    ]);
    expect(m.pools[0]!.connectionsPerProcess?.explanation).toMatch(/not known from the code: at least 1\) × max 3$/);
  });

  test('the same pool re-exported and imported by several modules is one pool', () => {
    const m = modelOf({
      'db/pool.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 9 });\n`,
      'db/index.ts': `export { pool } from './pool';\nexport * from './pool';\n`,
      'a.ts': `import { pool } from './db';\nexport const q = () => pool.query('select 1');\n`,
      'b.ts': `import { pool as p } from './db/index';\nexport const r = () => p.query('select 2');\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value])).toEqual([['db/pool.ts:2:21', 9]]);
  });
});

describe('workspace packages (issue 15: re-exports across packages)', () => {
  const files = {
    'package.json': JSON.stringify({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', main: './dist/index.js', types: './dist/index.d.ts' }),
    'packages/db/src/pool.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 15 });\n`,
    'packages/db/src/index.ts': `export { pool } from './pool';\n`,
    'apps/api/src/users.ts': `import { pool } from '@acme/db';\nexport async function get() {\n  const c = await pool.connect();\n  const r = await c.query('select 1');\n  c.release();\n  return r;\n}\n`,
    'apps/web/src/page.ts': `import { pool } from 'some-npm-package';\nexport const x = pool;\n`,
  };

  test('an import of a workspace package resolves to its source (main in dist/ → src/), and the pool is one', () => {
    const a = analyzeMem(files);
    expect(a.pools.map((p) => p.id)).toEqual(['packages/db/src/pool.ts:2:21']);
    const api = a.modules.find((m) => m.file.endsWith('apps/api/src/users.ts'));
    expect(api).toBeDefined();
    expect(a.modules.some((m) => m.file.endsWith('apps/web/src/page.ts'))).toBe(false);
  });

  test('without declared workspaces a bare specifier stays a package', () => {
    const a = analyzeMem({ ...files, 'package.json': JSON.stringify({ name: 'acme' }) });
    expect(a.modules.some((m) => m.file.endsWith('apps/api/src/users.ts'))).toBe(false);
  });
});
