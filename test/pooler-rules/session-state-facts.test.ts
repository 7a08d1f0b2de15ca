/** The code facts behind session-state-transaction-mode: which SQL relies on session state, and through which pool. */
import { describe, expect, it } from 'vitest';
import { findSessionStateStatements, sessionStateOf } from '../../src/sources/js/session-state/index.js';
import { contextFor } from '../js-lifecycle/helpers.js';

const kinds = (sql: string) => sessionStateOf(sql).map((s) => `${s.kind}${s.parameter ? `:${s.parameter}` : ''}`);

describe('sessionStateOf (SQL text)', () => {
  it.each([
    ['SET search_path TO tenant_1', ['set:search_path']],
    ['set session statement_timeout = 5000', ['set:statement_timeout']],
    ['SET "TimeZone" = \'UTC\'', ['set:TimeZone']],
    ['SET TIME ZONE \'UTC\'', ['set:timezone']],
    ['SET app.tenant_id = 42', ['set:app.tenant_id']],
    ['SET ROLE readonly', ['set:role']],
    ['SET SESSION AUTHORIZATION bob', ['set:session_authorization']],
    ["SELECT set_config('app.user_id', $1, false)", ['set-config:app.user_id']],
    ["select set_config('search_path', 'x', 'off')", ['set-config:search_path']],
    ['SELECT pg_advisory_lock(42)', ['advisory-lock']],
    ['SELECT pg_try_advisory_lock_shared(1, 2)', ['advisory-lock']],
    ['LISTEN jobs', ['listen']],
    ['CREATE TEMP TABLE t (id int)', ['temp-table']],
    ['CREATE TEMPORARY TABLE t (id int) ON COMMIT DELETE ROWS', ['temp-table']],
    ['SELECT * INTO TEMP t FROM x', ['temp-table']],
    ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', ['cursor-with-hold']],
    ['PREPARE q (int) AS SELECT $1', ['prepare']],
    ["LOAD 'auto_explain'", ['load']],
    ['SET search_path TO a; SELECT 1', ['set:search_path']],
  ])('%s', (sql, expected) => {
    expect(kinds(sql)).toEqual(expected);
  });

  it.each([
    'SET LOCAL search_path TO a',
    'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
    'SET CONSTRAINTS ALL DEFERRED',
    "SELECT set_config('app.user_id', $1, true)",
    "SELECT set_config('app.user_id', $1, $2)",
    'SELECT pg_advisory_xact_lock(42)',
    'SELECT pg_advisory_unlock(42)',
    "SELECT 'SET search_path TO x'",
    "SELECT 'pg_advisory_lock(1)'",
    'CREATE TEMP TABLE t (id int) ON COMMIT DROP',
    'DECLARE c CURSOR FOR SELECT 1',
    'PREPARE TRANSACTION \'tx1\'',
    'NOTIFY jobs',
    'UNLISTEN *',
    'UPDATE settings SET value = 1',
    '-- SET search_path TO x\nSELECT 1',
    'DO $$ BEGIN PERFORM pg_advisory_lock(1); END $$',
    'SET $1 = 2',
  ])('silent on %s', (sql) => {
    expect(kinds(sql)).toEqual([]);
  });
});

function found(code: string, file?: string): string[] {
  const ctx = contextFor(code, file);
  return (ctx ? findSessionStateStatements(ctx) : []).map((s) => `${s.range.line}:${s.range.column} ${s.kind} ${s.statement} via ${s.via} ${s.library}${s.poolId ? ' pool' : ''}`);
}

describe('findSessionStateStatements (code)', () => {
  it('node-postgres pool.query with a literal, a template and a query config', () => {
    const code = [
      "import { Pool } from 'pg';",
      'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
      'export async function f(tenant: string) {',
      "  await pool.query('SET search_path TO app');",
      '  await pool.query(`SET app.tenant = ${tenant}`);',
      "  await pool.query({ text: 'SELECT pg_advisory_lock(1)' });",
      "  await pool.query('SELECT 1');",
      '}',
    ].join('\n');
    expect(found(code)).toEqual([
      '4:20 set SET search_path via pool.query pg pool',
      '5:20 set SET app.tenant via pool.query pg pool',
      '6:20 advisory-lock pg_advisory_lock via pool.query pg pool',
    ]);
  });

  it('a client checked out of the pool and a LISTEN on it', () => {
    const code = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export async function listen() {',
      '  const client = await pool.connect();',
      "  await client.query('LISTEN jobs');",
      '}',
    ].join('\n');
    expect(found(code)).toEqual(['5:22 listen LISTEN via client.query pg pool']);
  });

  it('postgres.js tagged templates, sql.unsafe, sql.begin callbacks and sql.listen()', () => {
    const code = [
      "import postgres from 'postgres';",
      'const sql = postgres(process.env.DATABASE_URL!);',
      'export async function f() {',
      '  await sql`set search_path to app`;',
      "  await sql.unsafe('CREATE TEMP TABLE x (id int)');",
      '  await sql.begin(async (tx) => { await tx`select pg_advisory_lock(7)`; });',
      "  await sql.listen('jobs', () => {});",
      '  await sql`select 1`;',
      '}',
    ].join('\n');
    expect(found(code)).toEqual([
      '4:9 set SET search_path via sql postgres pool',
      '5:20 temp-table CREATE TEMP TABLE via sql.unsafe postgres pool',
      '6:41 advisory-lock pg_advisory_lock via tx postgres pool',
      '7:9 listen sql.listen() via sql.listen postgres pool',
    ]);
  });

  it('Prisma $executeRaw (tagged and Unsafe) and knex.raw', () => {
    const code = [
      "import { PrismaClient } from '@prisma/client';",
      "import knex from 'knex';",
      'const prisma = new PrismaClient();',
      "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });",
      'export async function f() {',
      '  await prisma.$executeRaw`SET search_path TO app`;',
      "  await prisma.$executeRawUnsafe('LISTEN x');",
      "  await db.raw('select set_config(?, ?, false)', ['a', 'b']);",
      "  await db.raw(\"select set_config('app.user', ?, false)\", ['b']);",
      '}',
    ].join('\n');
    expect(found(code)).toEqual([
      '6:9 set SET search_path via prisma.$executeRaw prisma pool',
      '7:34 listen LISTEN via prisma.$executeRawUnsafe prisma pool',
      '8:16 set-config set_config(…, false) via db.raw knex pool',
      "9:16 set-config set_config('app.user', …, false) via db.raw knex pool",
    ]);
  });

  it('stays silent on strings that are not sent, and on unknown receivers', () => {
    const code = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      "const doc = 'SET search_path TO app';",
      'export async function f(other: { query(s: string): Promise<void> }) {',
      "  await other.query('SET search_path TO app');",
      "  await pool.query('SET LOCAL search_path TO app');",
      "  console.log('LISTEN to me');",
      '}',
    ].join('\n');
    expect(found(code)).toEqual([]);
  });
});
