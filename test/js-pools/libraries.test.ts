import { describe, expect, test } from 'vitest';
import { modelOf, onlyPool, vp } from './helpers.js';

const PG_PKG = { 'package.json': '{"dependencies":{"pg":"^8.13.0"}}' };

describe('node-postgres', () => {
  test('literal, constant, env with fallback, default and unknown values', () => {
    const p = onlyPool({
      'db.ts': `import { Pool } from 'pg';
const IDLE = 30_000;
export function make(opts: { timeout: number }) { return opts; }
const cfg = make({ timeout: 1 });
export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
  idleTimeoutMillis: IDLE,
  connectionTimeoutMillis: cfg.timeout,
});
`,
    });
    expect(p).toMatchObject({ library: 'pg', kind: 'pool', construct: 'new Pool', binding: 'pool', exportedAs: ['pool'], scope: { kind: 'module' } });
    expect(vp(p.max)).toEqual([10, 'env']);
    expect(p.max.provenance).toEqual({ kind: 'env', envVar: 'DB_POOL_MAX', fallback: 10 });
    expect(vp(p.idleTimeoutMs)).toEqual([30000, 'constant']);
    expect(p.idleTimeoutMs?.provenance).toMatchObject({ kind: 'constant', name: 'IDLE', definedAt: { file: 'db.ts', line: 2 } });
    expect(vp(p.acquireTimeoutMs)).toEqual([null, 'unknown']);
    expect(vp(p.min)).toEqual([0, 'default']);
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
    expect(p.options.map((o) => o.name)).toEqual(['connectionString', 'max', 'idleTimeoutMillis', 'connectionTimeoutMillis']);
    expect(p.range).toEqual({ line: 5, column: 21, endLine: 10, endColumn: 3 });
    expect(p.id).toBe('db.ts:5:21');
  });

  test('defaults: max 10, idle 10000, connectionTimeoutMillis 0 (wait forever)', () => {
    const p = onlyPool({ 'db.js': `const { Pool } = require('pg');\nmodule.exports = new Pool();\n` });
    expect(vp(p.max)).toEqual([10, 'default']);
    expect(vp(p.idleTimeoutMs)).toEqual([10000, 'default']);
    expect(vp(p.acquireTimeoutMs)).toEqual([0, 'default']);
    expect(p.exportedAs).toEqual(['default']);
  });

  test('max: 0 becomes 10; the poolSize alias is read', () => {
    expect(vp(onlyPool({ 'a.ts': `import pg from 'pg';\nexport const pool = new pg.Pool({ max: 0 });` }).max)).toEqual([10, 'default']);
    expect(vp(onlyPool({ 'a.ts': `import * as pg from 'pg';\nexport const pool = new pg.Pool({ poolSize: 7 });` }).max)).toEqual([7, 'literal']);
  });

  test('parseInt(process.env.X || "10", 10), +process.env.X, Number(process.env.X) || 10, env after destructuring', () => {
    const p = onlyPool({
      'a.ts': `import { Pool } from 'pg';
import { env } from 'node:process';
const { DB_MIN } = process.env;
export const pool = new Pool({
  max: parseInt(process.env.POOL_MAX || '10', 10),
  min: +DB_MIN!,
  idleTimeoutMillis: Number(env.IDLE) || 5000,
  connectionTimeoutMillis: process.env['CONN_TIMEOUT'] ? Number(process.env['CONN_TIMEOUT']) : 2000,
});`,
    });
    expect(p.max).toMatchObject({ value: 10, provenance: { kind: 'env', envVar: 'POOL_MAX', fallback: '10' } });
    expect(p.min).toMatchObject({ value: null, provenance: { kind: 'env', envVar: 'DB_MIN' } });
    expect(p.idleTimeoutMs).toMatchObject({ value: 5000, provenance: { kind: 'env', envVar: 'IDLE', fallback: 5000 } });
    expect(p.acquireTimeoutMs).toMatchObject({ value: 2000, provenance: { kind: 'env', envVar: 'CONN_TIMEOUT', fallback: 2000 } });
  });

  test('startup parameters: statement_timeout, lock_timeout, idle_in_transaction_session_timeout, options, application_name, and URL query parameters', () => {
    const p = onlyPool({
      'a.ts': `import { Pool } from 'pg';
export const pool = new Pool({
  connectionString: 'postgres://app:s3cret@db:5432/app?application_name=api&sslmode=require',
  statement_timeout: 5000, lock_timeout: 1000, idle_in_transaction_session_timeout: 10000, options: '-c search_path=app',
});`,
    });
    expect(p.startupParameters.map((s) => [s.name, s.value.value])).toEqual([
      ['statement_timeout', 5000],
      ['lock_timeout', 1000],
      ['idle_in_transaction_session_timeout', 10000],
      ['options', '-c search_path=app'],
      ['application_name', 'api'],
    ]);
    expect(p.connectionString?.value).toBe('postgres://app:***@db:5432/app?application_name=api&sslmode=require');
  });

  test('new Client: one connection; new (require("pg").Client)(url)', () => {
    const p = onlyPool({ 'a.js': `const client = new (require('pg').Client)('postgres://localhost/app');\nclient.connect();` });
    expect(p).toMatchObject({ kind: 'client', construct: "new (require('pg').Client)" });
    expect(vp(p.max)).toEqual([1, 'default']);
    expect(p.connectionString?.value).toBe('postgres://localhost/app');
  });

  test('object spread of a local constant; a spread that cannot be read makes the rest unknown', () => {
    const p = onlyPool({
      'a.ts': `import { Pool } from 'pg';\nconst base = { max: 25, idleTimeoutMillis: 1000 };\nexport const pool = new Pool({ ...base, idleTimeoutMillis: 2000 });`,
    });
    expect(vp(p.max)).toEqual([25, 'literal']);
    expect(vp(p.idleTimeoutMs)).toEqual([2000, 'literal']);
    const q = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport function make(extra: object) { return new Pool({ ...extra, min: 1 }); }` });
    expect(vp(q.max)).toEqual([null, 'unknown']);
    expect(vp(q.min)).toEqual([1, 'literal']);
    expect(q.scope).toMatchObject({ kind: 'function', name: 'make', lazySingleton: false });
  });

  test('named queries mark prepared statements; plain queries leave them undefined', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const q = () => pool.query({ name: 'get-user', text: 'select 1' });` });
    expect(vp(p.preparedStatements)).toEqual([true, 'literal']);
    expect(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const q = () => pool.query('select 1');` }).preparedStatements).toBeUndefined();
  });

  test('neon serverless Pool has node-postgres defaults; pg-pool default export', () => {
    expect(onlyPool({ 'a.ts': `import { Pool } from '@neondatabase/serverless';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });` })).toMatchObject({
      library: 'neon-serverless',
      max: { value: 10, provenance: { kind: 'default' } },
    });
    expect(onlyPool({ 'a.js': `const Pool = require('pg-pool');\nmodule.exports = new Pool({ max: 3 });` }).max.value).toBe(3);
  });
});

describe('lazy singletons and scopes', () => {
  test('if (!pool) pool = new Pool() with a module-level let', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nlet pool: Pool | undefined;\nexport function getPool() {\n  if (!pool) pool = new Pool({ max: 5 });\n  return pool;\n}` });
    expect(p.scope).toMatchObject({ kind: 'function', name: 'getPool', lazySingleton: true });
    expect(p.binding).toBe('pool');
  });
  test('pool ||= new Pool() and globalThis.prisma ??= new PrismaClient()', () => {
    expect(onlyPool({ 'a.ts': `import { Pool } from 'pg';\nlet pool;\nexport const get = () => (pool ||= new Pool());` }).scope).toMatchObject({ lazySingleton: true });
    expect(onlyPool({ 'a.ts': `import { PrismaClient } from '@prisma/client';\nexport function db() { return (globalThis.prisma ??= new PrismaClient()); }` }).scope).toMatchObject({ lazySingleton: true });
  });
  test('a pool created per request is not a singleton', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport const handler = async () => { const pool = new Pool(); await pool.query('select 1'); };` });
    expect(p.scope).toMatchObject({ kind: 'function', name: 'handler', lazySingleton: false });
  });
  test('the Next.js Prisma singleton at module scope', () => {
    const p = onlyPool({
      'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';
const globalForPrisma = globalThis as unknown as { prisma: PrismaClient };
export const prisma = globalForPrisma.prisma || new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;`,
    });
    expect(p).toMatchObject({ library: 'prisma', kind: 'prisma-client', scope: { kind: 'module' }, exportedAs: ['prisma'] });
  });
  test('class field: per instance', () => {
    const p = onlyPool({ 'a.ts': `import { Pool } from 'pg';\nexport class Repo { private pool = new Pool(); }` });
    expect(p).toMatchObject({ binding: 'this.pool', scope: { kind: 'function', name: 'Repo constructor' } });
  });
});

describe('postgres.js', () => {
  test('postgres(url, { max, prepare, idle_timeout, connect_timeout, connection })', () => {
    const p = onlyPool({
      'db.ts': `import postgres from 'postgres';
export const sql = postgres(process.env.DATABASE_URL!, { max: 5, prepare: false, idle_timeout: 20, connect_timeout: 10, connection: { application_name: 'api', statement_timeout: 3000 } });`,
    });
    expect(p).toMatchObject({ library: 'postgres', construct: 'postgres()' });
    expect(vp(p.max)).toEqual([5, 'literal']);
    expect(vp(p.preparedStatements)).toEqual([false, 'literal']);
    expect(vp(p.idleTimeoutMs)).toEqual([20000, 'literal']);
    expect(vp(p.connectTimeoutMs)).toEqual([10000, 'literal']);
    expect(p.startupParameters.map((s) => s.name)).toEqual(['application_name', 'statement_timeout']);
    expect(p.acquireTimeoutMs).toBeUndefined();
  });
  test('defaults: max 10, prepare true, connect_timeout 30 s, idle never', () => {
    const p = onlyPool({ 'db.js': `const postgres = require('postgres');\nconst sql = postgres();\nmodule.exports = { sql };` });
    expect(vp(p.max)).toEqual([10, 'default']);
    expect(vp(p.preparedStatements)).toEqual([true, 'default']);
    expect(vp(p.connectTimeoutMs)).toEqual([30000, 'default']);
    expect(vp(p.idleTimeoutMs)).toEqual([null, 'default']);
    expect(p.exportedAs).toEqual(['sql']);
  });
  test('sql.listen() adds a dedicated connection', () => {
    const p = onlyPool({ 'db.ts': `import postgres from 'postgres';\nconst sql = postgres({ max: 4 });\nawait sql.listen('jobs', () => {});` });
    expect(p.connectionsPerProcess).toEqual({ value: 5, explanation: expect.stringContaining('sql.listen()') });
  });
  test('max in the URL is read by postgres.js', () => {
    expect(vp(onlyPool({ 'db.ts': `import postgres from 'postgres';\nexport default postgres('postgres://h/db?max=3');` }).max)).toEqual([3, 'literal']);
  });
});

describe('Sequelize', () => {
  test('new Sequelize(url, { dialect, pool, dialectOptions })', () => {
    const p = onlyPool({
      'models/index.js': `const { Sequelize } = require('sequelize');
const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres', pool: { max: 15, acquire: 30000 }, dialectOptions: { statement_timeout: 5000 } });
module.exports = sequelize;`,
    });
    expect(p).toMatchObject({ library: 'sequelize', kind: 'orm', exportedAs: ['default'] });
    expect(vp(p.max)).toEqual([15, 'literal']);
    expect(vp(p.min)).toEqual([0, 'default']);
    expect(vp(p.idleTimeoutMs)).toEqual([10000, 'default']);
    expect(vp(p.acquireTimeoutMs)).toEqual([30000, 'literal']);
    expect(p.startupParameters.map((s) => s.name)).toEqual(['statement_timeout']);
  });
  test('defaults max 5; replication doubles the pools', () => {
    const p = onlyPool({
      'db.ts': `import { Sequelize } from 'sequelize';
export const sequelize = new Sequelize('app', 'u', 'p', { dialect: 'postgres', replication: { read: [{ host: 'r1' }, { host: 'r2' }], write: { host: 'w' } } });`,
    });
    expect(vp(p.max)).toEqual([5, 'default']);
    expect(p.connectionsPerProcess?.value).toBe(10);
  });
  test('another dialect is not a PostgreSQL pool; a dialect from the environment needs a pg dependency', () => {
    expect(modelOf({ 'db.ts': `import { Sequelize } from 'sequelize';\nexport const s = new Sequelize({ dialect: 'mysql' });` }).pools).toEqual([]);
    const src = `import { Sequelize } from 'sequelize';\nexport const s = new Sequelize(process.env.DATABASE_URL);`;
    expect(modelOf({ 'db.ts': src }).pools).toEqual([]);
    expect(modelOf({ ...PG_PKG, 'db.ts': src }).pools).toHaveLength(1);
  });
});

describe('TypeORM', () => {
  test('new DataSource: extra.max beats poolSize; replication pools', () => {
    const p = onlyPool({
      'data-source.ts': `import { DataSource } from 'typeorm';
export const AppDataSource = new DataSource({
  type: 'postgres', url: process.env.DATABASE_URL, poolSize: 20, connectTimeoutMS: 5000,
  extra: { max: 30, statement_timeout: 10000 },
  replication: { master: { url: 'postgres://m/db' }, slaves: [{ url: 'postgres://s1/db' }, { url: 'postgres://s2/db' }] },
});`,
    });
    expect(vp(p.max)).toEqual([30, 'literal']);
    expect(vp(p.acquireTimeoutMs)).toEqual([5000, 'literal']);
    expect(p.connectionsPerProcess?.value).toBe(90);
    expect(p.startupParameters.map((s) => s.name)).toEqual(['statement_timeout']);
  });
  test('NestJS TypeOrmModule.forRoot and forRootAsync({ useFactory })', () => {
    const m = modelOf({
      'app.module.ts': `import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigService } from '@nestjs/config';
export const a = TypeOrmModule.forRoot({ type: 'postgres', poolSize: 8 });
export const b = TypeOrmModule.forRootAsync({
  inject: [ConfigService],
  useFactory: (config: ConfigService) => ({ type: 'postgres', url: config.get('DATABASE_URL'), extra: { max: 4 } }),
});`,
    });
    expect(m.pools.map((p) => [p.construct, p.max.value])).toEqual([
      ['TypeOrmModule.forRoot()', 8],
      ['TypeOrmModule.forRootAsync()', 4],
    ]);
  });
  test('default poolSize: pg-pool 10; type mysql is skipped', () => {
    expect(vp(onlyPool({ 'a.ts': `import { createConnection } from 'typeorm';\ncreateConnection({ type: 'postgres' });` }).max)).toEqual([10, 'default']);
    expect(modelOf({ 'a.ts': `import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'mysql' });` }).pools).toEqual([]);
  });
});

describe('knex', () => {
  test("knex({ client: 'pg', pool })", () => {
    const p = onlyPool({
      'db.js': `const knex = require('knex')({ client: 'pg', connection: process.env.PG_CONNECTION_STRING, pool: { min: 0, max: 7 }, acquireConnectionTimeout: 10000 });\nmodule.exports = knex;`,
    });
    expect(p).toMatchObject({ library: 'knex', binding: 'knex', exportedAs: ['default'] });
    expect(vp(p.max)).toEqual([7, 'literal']);
    expect(vp(p.min)).toEqual([0, 'literal']);
    expect(vp(p.acquireTimeoutMs)).toEqual([10000, 'literal']);
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'PG_CONNECTION_STRING' });
  });
  test('defaults: min 2, max 10, acquire 60000, idle 30000', () => {
    const p = onlyPool({ 'db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'postgresql', connection: { host: 'db', statement_timeout: 1000 } });` });
    expect([vp(p.min), vp(p.max), vp(p.acquireTimeoutMs), vp(p.idleTimeoutMs)]).toEqual([
      [2, 'default'],
      [10, 'default'],
      [60000, 'default'],
      [30000, 'default'],
    ]);
    expect(p.startupParameters.map((s) => s.name)).toEqual(['statement_timeout']);
  });
  test("client: 'mysql2' is skipped", () => {
    expect(modelOf({ 'db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'mysql2' });` }).pools).toEqual([]);
  });
});

describe('wrappers: Kysely, Drizzle, PrismaPg', () => {
  test('Kysely wraps the pg Pool of its PostgresDialect', () => {
    const m = modelOf({
      'db.ts': `import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
export const db = new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ max: 12 }) }) });`,
    });
    const [pool, kysely] = [m.pools.find((p) => p.library === 'pg')!, m.pools.find((p) => p.library === 'kysely')!];
    expect(kysely.wraps).toBe(pool.id);
    expect(kysely.max.value).toBe(12);
    expect(kysely.connectionsPerProcess?.value).toBe(0);
  });
  test('Kysely with an async pool factory', () => {
    const m = modelOf({ 'db.ts': `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely({ dialect: new PostgresDialect({ pool: async () => new Pool() }) });` });
    expect(m.pools.find((p) => p.library === 'kysely')?.wraps).toBe(m.pools.find((p) => p.library === 'pg')?.id);
  });
  test('drizzle(pool), drizzle(url), drizzle({ connection })', () => {
    const m = modelOf({
      'a.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { Pool } from 'pg';\nconst pool = new Pool({ max: 3 });\nexport const db = drizzle(pool);`,
      'b.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);`,
      'c.ts': `import { drizzle } from 'drizzle-orm/postgres-js';\nexport const db = drizzle({ connection: { url: process.env.DATABASE_URL, max: 2, prepare: false } });`,
      'd.ts': `import { drizzle } from 'drizzle-orm/neon-http';\nimport { neon } from '@neondatabase/serverless';\nexport const db = drizzle(neon(process.env.DATABASE_URL!));`,
    });
    const byFile = (f: string) => m.pools.filter((p) => p.file === f);
    expect(byFile('a.ts').map((p) => [p.library, p.max.value, p.wraps ?? null])).toEqual([
      ['pg', 3, null],
      ['drizzle', 3, 'a.ts:3:14'],
    ]);
    expect(byFile('b.ts')[0]).toMatchObject({ library: 'drizzle', max: { value: 10, provenance: { kind: 'default' } }, connectionString: { provenance: { kind: 'env', envVar: 'DATABASE_URL' } } });
    expect(byFile('c.ts')[0]).toMatchObject({ max: { value: 2 }, preparedStatements: { value: false } });
    expect(byFile('d.ts')).toEqual([]);
  });
  test('Prisma 7: PrismaClient({ adapter: new PrismaPg({ connectionString, max }) })', () => {
    const m = modelOf({
      'db.ts': `import { PrismaClient } from './generated/prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL, max: 5 });
export const prisma = new PrismaClient({ adapter });`,
    });
    const adapter = m.pools.find((p) => p.library === 'prisma-adapter-pg')!;
    const client = m.pools.find((p) => p.library === 'prisma')!;
    expect(adapter).toMatchObject({ kind: 'driver-adapter', max: { value: 5 }, acquireTimeoutMs: { value: 0, provenance: { kind: 'default' } } });
    expect(client).toMatchObject({ wraps: adapter.id, max: { value: 5 }, connectionsPerProcess: { value: 0 } });
  });
});

describe('Prisma', () => {
  test('default connection_limit is unknown with the documented formula', () => {
    const p = onlyPool({ 'db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();` });
    expect(p.max).toEqual({ value: null, provenance: { kind: 'default', note: expect.stringMatching(/^Prisma: num_physical_cpus × 2 \+ 1/) } });
    expect(vp(p.preparedStatements)).toEqual([true, 'default']);
    expect(vp(p.acquireTimeoutMs)).toEqual([10000, 'default']);
  });
  test('connection_limit, pool_timeout and pgbouncer=true in a literal datasource URL', () => {
    const p = onlyPool({
      'db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient({ datasources: { db: { url: 'postgresql://u:pw@h:6543/db?pgbouncer=true&connection_limit=1&pool_timeout=20' } } });`,
    });
    expect(vp(p.max)).toEqual([1, 'literal']);
    expect(vp(p.acquireTimeoutMs)).toEqual([20000, 'literal']);
    expect(vp(p.preparedStatements)).toEqual([false, 'literal']);
    expect(p.connectionString?.value).toBe('postgresql://u:***@h:6543/db?pgbouncer=true&connection_limit=1&pool_timeout=20');
  });
  test('NestJS PrismaService extends PrismaClient', () => {
    const p = onlyPool({
      'prisma.service.ts': `import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit {
  constructor() { super({ datasourceUrl: process.env.DATABASE_URL }); }
  async onModuleInit() { await this.$connect(); }
}`,
    });
    expect(p).toMatchObject({ construct: 'class PrismaService extends PrismaClient', binding: 'PrismaService', exportedAs: ['PrismaService'] });
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
  });
});

describe('MikroORM and @vercel/postgres', () => {
  test('MikroORM.init({ pool })', () => {
    const p = onlyPool({
      'orm.ts': `import { MikroORM } from '@mikro-orm/postgresql';\nexport const orm = await MikroORM.init({ clientUrl: process.env.DATABASE_URL, pool: { min: 1, max: 6 } });`,
    });
    expect(p).toMatchObject({ library: 'mikro-orm', max: { value: 6 }, min: { value: 1 } });
    const q = onlyPool({ 'orm.ts': `import { MikroORM } from '@mikro-orm/postgresql';\nexport const orm = await MikroORM.init({});` });
    expect(vp(q.max)).toEqual([10, 'default']);
    expect(vp(q.min)).toEqual([null, 'default']);
  });
  test('createPool() defaults to POSTGRES_URL', () => {
    const p = onlyPool({ 'db.ts': `import { createPool } from '@vercel/postgres';\nexport const pool = createPool({ max: 2 });` });
    expect(p).toMatchObject({ library: 'vercel-postgres', max: { value: 2 }, connectionString: { provenance: { kind: 'env', envVar: 'POSTGRES_URL' } } });
  });
});
