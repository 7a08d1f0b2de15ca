import { describe, expect, test } from 'vitest';
import { modelOf, onlyPool } from './helpers.js';

// The shape of trigger.dev's apps/webapp/app/utils/prismaConnectionUrl.ts and db.server.ts (rewritten, not copied).
const urlUtil = `export function withPoolParams(base: string | URL, params: { limit: string; timeout: string }): URL {\n  const url = new URL(base);\n  url.searchParams.set('connection_limit', params.limit);\n  url.searchParams.set('pool_timeout', params.timeout);\n  return url;\n}\n`;
const env = `import { z } from 'zod';\nconst Schema = z\n  .object({ DB_LIMIT: z.coerce.number().int().default(10), DATABASE_URL: z.string() })\n  .and(z.object({ OTHER: z.string().optional() }))\n  .superRefine((e, ctx) => {});\nexport const env = Schema.parse(process.env);\n`;
const db = (exported: string, calls: string) =>
  `import { PrismaClient } from '@prisma/client';\nimport { env } from './env';\nimport { withPoolParams } from './url';\n${exported}function buildClient({ url, limit = env.DB_LIMIT }: { url: string; limit?: number }) {\n  const databaseUrl = withPoolParams(url, { limit: limit.toString(), timeout: '20' });\n  return new PrismaClient({ datasources: { db: { url: databaseUrl.href } } });\n}\n${calls}`;
const files = (src: string) => ({ 'src/env.ts': env, 'src/url.ts': urlUtil, 'src/db.ts': src });

describe('connection_limit written into a URL the code builds (trigger.dev)', () => {
  test('every caller leaves the default: env DB_LIMIT, zod default 10', () => {
    const p = onlyPool(files(db('', 'export const prisma = buildClient({ url: env.DATABASE_URL });\n')));
    expect(p.max).toEqual({ value: 10, provenance: { kind: 'env', envVar: 'DB_LIMIT', fallback: 10, fallbackAt: { file: 'src/env.ts', line: 3, column: 55, endLine: 3, endColumn: 57 } }, range: { file: 'src/url.ts', line: 3, column: 44, endLine: 3, endColumn: 56 } });
  });

  // Issue 15 (callers.ts): one pool per call site, each with its own size (was one pool of unknown size).
  test('callers that give different values (env default vs 25): a pool per call site', () => {
    const m = modelOf(files(db('', "export const a = buildClient({ url: 'postgres://a' });\nexport const b = buildClient({ url: 'postgres://b', limit: 25 });\n")));
    expect(m.pools.map((p) => [p.id, p.max.value, p.max.provenance.kind, p.calledFrom?.map((c) => `${c.file}:${c.line}`)])).toEqual([
      ['src/db.ts:6:10', 10, 'env', ['src/db.ts:8']],
      ['src/db.ts:6:10@src/db.ts:9:18', 25, 'constant', ['src/db.ts:9']],
    ]);
  });

  test('callers that give known numbers: the larger, with each', () => {
    const p = onlyPool(files(db('', "export const a = buildClient({ url: 'postgres://a', limit: 5 });\nexport const b = buildClient({ url: 'postgres://b', limit: 25 });\n")));
    expect([p.max.value, p.max.provenance, p.max.alternatives]).toEqual([25, { kind: 'literal' }, [5, 25]]);
  });

  test('an exported builder: unknown, the default said', () => {
    const p = onlyPool(files(db('export ', '')));
    expect(p.max.provenance).toEqual({ kind: 'unknown', reason: 'limit of buildClient() is env DB_LIMIT (fallback 10) unless the caller gives it (exported: callers in other files are not followed)' });
  });

  test('a literal written into the URL in the same function', () => {
    const src = `import { PrismaClient } from '@prisma/client';\nconst url = new URL(process.env.DATABASE_URL!);\nurl.searchParams.set('connection_limit', '7');\nexport const prisma = new PrismaClient({ datasourceUrl: url.toString() });\n`;
    expect(onlyPool({ 'src/db.ts': src }).max).toEqual({ value: 7, provenance: { kind: 'literal' }, range: { line: 3, column: 42, endLine: 3, endColumn: 45 } });
  });

  test('a set under a condition is not read: unknown as before', () => {
    const src = `import { PrismaClient } from '@prisma/client';\nconst url = new URL(process.env.DATABASE_URL!);\nif (process.env.LIMIT) url.searchParams.set('connection_limit', '7');\nexport const prisma = new PrismaClient({ datasourceUrl: url.toString() });\n`;
    expect(onlyPool({ 'src/db.ts': src }).max.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('its connection_limit sets the pool size') });
  });

  test('a URL built without connection_limit: unknown as before', () => {
    const src = `import { PrismaClient } from '@prisma/client';\nconst url = new URL(process.env.DATABASE_URL!);\nurl.searchParams.set('pool_timeout', '20');\nexport const prisma = new PrismaClient({ datasourceUrl: url.href });\n`;
    expect(onlyPool({ 'src/db.ts': src }).max.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('its connection_limit sets the pool size') });
  });
});

// The shape of payload's packages/db-postgres (types.ts, connect.ts), rewritten.
const adapterTypes = `import type pg from 'pg';\nimport type { Pool, PoolConfig } from 'pg';\ntype PgDependency = typeof pg;\nexport type Adapter = {\n  pg: PgDependency;\n  pool: Pool;\n  poolOptions: PoolConfig;\n} & { name: string };\n`;
const connect = `import { drizzle } from 'drizzle-orm/node-postgres';\nimport type { Adapter } from './types.js';\nexport const connect = async function connect(this: Adapter) {\n  if (!this.pool) {\n    this.pool = new this.pg.Pool(this.poolOptions);\n  }\n};\n`;

describe('a pool built through the declared type of `this` (payload)', () => {
  test('new this.pg.Pool(...) with this: Adapter, pg: typeof pg: a pg pool, size from the caller', () => {
    const p = onlyPool({ 'src/types.ts': adapterTypes, 'src/connect.ts': connect });
    expect([p.library, p.file, p.range.line, p.range.column]).toEqual(['pg', 'src/connect.ts', 5, 17]);
    expect(p.max.provenance).toEqual({ kind: 'unknown', reason: 'options are not statically known (`this` of a function)' });
  });

  test('a property typed as something other than typeof <library> is no pool', () => {
    const other = adapterTypes.replace('type PgDependency = typeof pg;', 'type PgDependency = { Pool: new (o: unknown) => unknown };');
    expect(() => onlyPool({ 'src/types.ts': other, 'src/connect.ts': connect })).toThrow('expected one pool, got 0');
  });

  test('without a declared this type: no pool (as before)', () => {
    expect(() => onlyPool({ 'src/types.ts': adapterTypes, 'src/connect.ts': connect.replace('this: Adapter', '') })).toThrow('expected one pool, got 0');
  });
});
