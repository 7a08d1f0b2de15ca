import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import type { JsModuleContext } from '../../src/sources/js/types.js';
import { analyzeMem, modelOf, ROOT } from './helpers.js';

/** Resolves the expression `expr` (source text) at its first occurrence in the module. */
function refAt(modules: JsModuleContext[], file: string, exprText: string) {
  const m = modules.find((x) => x.file === `${ROOT}/${file}`);
  if (m === undefined) throw new Error(`${file} was not parsed`);
  // the last occurrence: uses come after declarations
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isExpression(n) && n.getText() === exprText) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(m.sourceFile);
  if (found === undefined) throw new Error(`${exprText} not found in ${file}`);
  const r = m.resolveConnectionObject(found);
  return r === undefined ? undefined : { library: r.library, kind: r.kind, definition: r.definition?.id };
}

describe('cross-file pools', () => {
  test('ESM: import { pool } from "./db.js" resolves to db.ts; pass 2 parses the importer only', () => {
    const a = analyzeMem({
      'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 4 });`,
      'src/users.ts': `import { pool } from './db.js';\nexport const all = () => pool.query('select * from users');`,
      'src/util.ts': `export const add = (a: number, b: number) => a + b;`,
      'src/math.ts': `import { add } from './util.js';\nexport const two = add(1, 1);`,
    });
    expect(a.stats).toEqual({ filesRead: 5, filesParsed: 2 });
    expect(refAt(a.modules, 'src/users.ts', 'pool')).toEqual({ library: 'pg', kind: 'pool', definition: 'src/db.ts:2:21' });
  });

  test('CommonJS: module.exports = pool, exports.pool = …, require("./db").pool, destructuring', () => {
    const a = analyzeMem({
      'lib/db.js': `const { Pool } = require('pg');\nconst pool = new Pool();\nmodule.exports = pool;`,
      'lib/db2.js': `const pg = require('pg');\nexports.pool = new pg.Pool({ max: 2 });`,
      'lib/a.js': `const pool = require('./db');\nconst { pool: p2 } = require('./db2');\nconst p3 = require('./db2').pool;\nmodule.exports = async () => { await pool.query('select 1'); await p2.query('x'); await p3.query('y'); };`,
    });
    expect(refAt(a.modules, 'lib/a.js', 'pool')?.definition).toBe('lib/db.js:2:14');
    expect(refAt(a.modules, 'lib/a.js', 'p2')?.definition).toBe('lib/db2.js:2:16');
    expect(refAt(a.modules, 'lib/a.js', 'p3')?.definition).toBe('lib/db2.js:2:16');
  });

  test('re-exports: export { pool } from, export * from, default export, index.ts, tsconfig paths', () => {
    const a = analyzeMem({
      'tsconfig.json': `{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } // comment\n}`,
      'src/db/client.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport default pool;`,
      'src/db/index.ts': `export { default as pool } from './client';\nexport * from './orm';`,
      'src/db/orm.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport pool from './client';\nexport const db = drizzle(pool);`,
      'src/routes/users.ts': `import { pool, db } from '@/db';\nexport const q = () => pool.query('select 1');\nexport const r = () => db.select();`,
    });
    expect(refAt(a.modules, 'src/routes/users.ts', 'pool')?.definition).toBe('src/db/client.ts:2:14');
    expect(refAt(a.modules, 'src/routes/users.ts', 'db')).toEqual({ library: 'drizzle', kind: 'pool', definition: 'src/db/orm.ts:3:19' });
    const client = modelOf({
      'src/db/client.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport default pool;`,
    }).pools[0]!;
    expect(client.exportedAs).toEqual(['default']);
  });

  test('acquired objects: pool-client, query-runner, reserved, transaction', () => {
    const a = analyzeMem({
      'a.ts': `import { Pool } from 'pg';
import postgres from 'postgres';
import knex from 'knex';
import { DataSource } from 'typeorm';
const pool = new Pool();
const sql = postgres();
const k = knex({ client: 'pg' });
const ds = new DataSource({ type: 'postgres' });
export async function f() {
  const client = await pool.connect();
  const qr = ds.createQueryRunner();
  const reserved = await sql.reserve();
  const trx = await k.transaction();
  await k.transaction(async (t) => t('users'));
  pool.connect((err, c, done) => done());
  return [client, qr, reserved, trx];
}`,
    });
    expect(refAt(a.modules, 'a.ts', 'client')).toEqual({ library: 'pg', kind: 'pool-client', definition: 'a.ts:5:14' });
    expect(refAt(a.modules, 'a.ts', 'qr')?.kind).toBe('query-runner');
    expect(refAt(a.modules, 'a.ts', 'reserved')?.kind).toBe('reserved');
    expect(refAt(a.modules, 'a.ts', 'trx')?.kind).toBe('transaction');
    expect(refAt(a.modules, 'a.ts', 'k.transaction(async (t) => t(\'users\'))')).toBeUndefined();
    expect(refAt(a.modules, 'a.ts', 'pool.connect((err, c, done) => done())')).toBeUndefined();
  });

  test('class fields and injected, typed parameters', () => {
    const a = analyzeMem({
      'repo.ts': `import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
export class Repo {
  private pool = new Pool();
  constructor(private readonly dataSource: DataSource) {}
  async run(client: PoolClient) {
    const qr = this.dataSource.createQueryRunner();
    await this.pool.query('select 1');
    return [qr, client];
  }
}`,
    });
    expect(refAt(a.modules, 'repo.ts', 'this.pool')).toEqual({ library: 'pg', kind: 'pool', definition: 'repo.ts:4:18' });
    expect(refAt(a.modules, 'repo.ts', 'this.dataSource')).toEqual({ library: 'typeorm', kind: 'pool', definition: undefined });
    expect(refAt(a.modules, 'repo.ts', 'qr')).toEqual({ library: 'typeorm', kind: 'query-runner', definition: undefined });
    expect(refAt(a.modules, 'repo.ts', 'client')).toEqual({ library: 'pg', kind: 'pool-client', definition: undefined });
  });

  test('a lazy getter exported from another module', () => {
    const a = analyzeMem({
      'db.ts': `import { Pool } from 'pg';\nlet pool: Pool | undefined;\nexport function getPool() { if (!pool) pool = new Pool(); return pool; }`,
      'handler.ts': `import { getPool } from './db';\nexport const handler = async () => getPool().query('select 1');`,
    });
    expect(refAt(a.modules, 'handler.ts', 'getPool()')?.definition).toBe('db.ts:2:...'.replace('2:...', '3:47'));
  });

  test('config modules are read on demand, one hop and more', () => {
    const m = modelOf({
      'config.ts': `export const config = { db: { max: 20, url: process.env.DATABASE_URL } };`,
      'db.ts': `import { Pool } from 'pg';\nimport { config } from './config';\nexport const pool = new Pool({ max: config.db.max, connectionString: config.db.url });`,
    });
    expect(m.pools[0]!.max).toMatchObject({ value: 20, provenance: { kind: 'constant', name: 'config.db.max', definedAt: { file: 'config.ts' } } });
    expect(m.pools[0]!.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
  });

  test('an import cycle does not loop', () => {
    const a = analyzeMem({
      'a.ts': `import { Pool } from 'pg';\nimport { b } from './b';\nexport const a = b;\nexport const pool = new Pool({ max: b });`,
      'b.ts': `import { a } from './a';\nexport const b = a;`,
    });
    expect(a.pools).toHaveLength(1);
    expect(a.pools[0]!.max.provenance.kind).toBe('unknown');
  });
  test('a constructor reached through an object of drivers, under any property name', () => {
    const m = modelOf({
      'src/db.ts': `import pg from 'pg';\nimport postgres from 'postgres';\nconst drivers = { P: pg.Pool, make: postgres };\nexport const pool = new drivers.P({ max: 7 });\nexport const sql = drivers.make(process.env.DATABASE_URL, { max: 3 });`,
    });
    expect(m.pools.map((p) => [p.library, p.construct, p.max.value])).toEqual([
      ['pg', 'new drivers.P', 7],
      ['postgres', 'drivers.make()', 3],
    ]);
  });
});
