import { describe, expect, it } from 'vitest';
import { classifyStatement, splitStatements, transactionControlOf } from '../../src/sources/js/lifecycle/index.js';
import { PG, poolTransactionsIn } from './helpers.js';

const found = (code: string, file?: string) => poolTransactionsIn(code, file).map((t) => `${t.range.line} ${t.statement} via ${t.via} (${t.library})`);

describe('transactionControlOf', () => {
  it.each([
    ['BEGIN', 'BEGIN'],
    ['begin;', 'BEGIN'],
    ['  BEGIN ISOLATION LEVEL SERIALIZABLE  ', 'BEGIN'],
    ['begin transaction read only', 'BEGIN'],
    ['START TRANSACTION', 'START TRANSACTION'],
    ['COMMIT', 'COMMIT'],
    ['commit and chain', 'COMMIT'],
    ['END', 'END'],
    ['ABORT', 'ABORT'],
    ['ROLLBACK', 'ROLLBACK'],
    ['ROLLBACK TO SAVEPOINT a', 'ROLLBACK TO SAVEPOINT'],
    ['rollback work to a', 'ROLLBACK TO SAVEPOINT'],
    ['SAVEPOINT before_insert', 'SAVEPOINT'],
    ['RELEASE SAVEPOINT a', 'RELEASE SAVEPOINT'],
    ['release a', 'RELEASE SAVEPOINT'],
    ["SET LOCAL statement_timeout = '5s'", 'SET LOCAL'],
    ['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', 'SET TRANSACTION'],
    ['-- start\nBEGIN', 'BEGIN'],
    ['/* a /* nested */ comment */ COMMIT', 'COMMIT'],
    ['BEGIN; SET LOCAL lock_timeout = 1000;', 'BEGIN'],
  ])('%j is %s', (sql, statement) => {
    expect(transactionControlOf(sql)?.statement).toBe(statement);
  });

  it.each([
    'SELECT 1',
    'BEGIN; INSERT INTO t VALUES (1); COMMIT',
    "SET LOCAL search_path = app; SELECT * FROM t",
    "COMMIT PREPARED 'tx1'",
    "ROLLBACK PREPARED 'tx1'",
    'SET statement_timeout = 1000',
    'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE',
    "DO $$ BEGIN PERFORM 1; END $$",
    "SELECT 'BEGIN'",
    '-- BEGIN\nSELECT 1',
    '/* COMMIT */ SELECT 1',
    '',
    '   ;  ',
    "INSERT INTO log(msg) VALUES ('x; BEGIN')",
    'CREATE FUNCTION f() RETURNS void AS $body$ BEGIN END $body$ LANGUAGE plpgsql',
  ])('%j is not only transaction control', (sql) => {
    expect(transactionControlOf(sql)).toBeUndefined();
  });

  it('splits statements outside quotes, identifiers and dollar quotes', () => {
    expect(splitStatements(`SELECT ';'; SELECT "a;b"; SELECT $x$ ; $x$; -- c;\nEND`)).toEqual([`SELECT ';'`, `SELECT "a;b"`, 'SELECT $x$ ; $x$', 'END']);
    expect(classifyStatement('START')).toBeUndefined();
  });
});

describe('findPoolTransactions: reports', () => {
  it('node-postgres pool.query(BEGIN/COMMIT/ROLLBACK)', () => {
    expect(
      found(`${PG}
export async function transfer() {
  await pool.query('BEGIN');
  try {
    await pool.query('UPDATE accounts SET balance = balance - 10 WHERE id = 1');
    await pool.query("COMMIT");
  } catch (e) {
    await pool.query(\`ROLLBACK\`);
    throw e;
  }
}`),
    ).toEqual(['5 BEGIN via pool.query (pg)', '8 COMMIT via pool.query (pg)', '10 ROLLBACK via pool.query (pg)']);
  });

  it('query config objects and constants', () => {
    expect(
      found(`${PG}
const BEGIN = 'BEGIN';
export const a = () => pool.query({ text: 'SET LOCAL statement_timeout = 1000' });
export const b = () => pool.query(BEGIN);`),
    ).toEqual(['5 SET LOCAL via pool.query (pg)', '6 BEGIN via pool.query (pg)']);
  });

  it('savepoints and this.pool in a class', () => {
    expect(
      found(`import { Pool } from 'pg';
export class Repo {
  private pool = new Pool();
  async step() { await this.pool.query('SAVEPOINT s1'); await this.pool.query('RELEASE SAVEPOINT s1'); }
}`),
    ).toEqual(['4 SAVEPOINT via this.pool.query (pg)', '4 RELEASE SAVEPOINT via this.pool.query (pg)']);
  });

  it('neon serverless Pool', () => {
    expect(found(`import { Pool } from '@neondatabase/serverless';\nconst pool = new Pool();\nexport default async () => { await pool.query('BEGIN'); };`)).toEqual(['3 BEGIN via pool.query (neon-serverless)']);
  });

  it('@vercel/postgres sql tag, sql.query and db.query', () => {
    expect(
      found(`import { sql, db } from '@vercel/postgres';
export async function POST() {
  await sql\`BEGIN\`;
  await sql\`INSERT INTO t VALUES (\${1})\`;
  await db.query('COMMIT');
  await sql.query('ROLLBACK');
}`),
    ).toEqual(['3 BEGIN via sql (vercel-postgres)', '5 COMMIT via db.query (vercel-postgres)', '6 ROLLBACK via sql.query (vercel-postgres)']);
  });

  it('knex.raw on the knex instance', () => {
    expect(found(`import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport const f = async () => { await db.raw('BEGIN'); };`)).toEqual(['3 BEGIN via db.raw (knex)']);
  });

  it('knex.raw inside a transaction callback still goes through the pool', () => {
    expect(found(`import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport const f = () => db.transaction(async (trx) => { await db.raw('SET LOCAL lock_timeout = 100'); });`)).toEqual(['3 SET LOCAL via db.raw (knex)']);
  });

  it('sequelize.query', () => {
    expect(found(`const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('postgres://x');\nasync function f() { await sequelize.query('START TRANSACTION'); }`, '/p/db.cjs')).toEqual([
      '3 START TRANSACTION via sequelize.query (sequelize)',
    ]);
  });

  it('postgres.js tagged template and sql.unsafe outside sql.begin', () => {
    expect(
      found(`import postgres from 'postgres';
const sql = postgres(process.env.DATABASE_URL);
export async function f() {
  await sql\`begin\`;
  await sql\`update t set x = 1\`;
  await sql.unsafe('commit');
}`),
    ).toEqual(['4 BEGIN via sql (postgres)', '6 COMMIT via sql.unsafe (postgres)']);
  });

  it('TypeORM dataSource.query', () => {
    expect(found(`import { DataSource } from 'typeorm';\nconst ds = new DataSource({ type: 'postgres' });\nexport const f = () => ds.query('BEGIN');`)).toEqual(['3 BEGIN via ds.query (typeorm)']);
  });
});

describe('findPoolTransactions: silent', () => {
  it.each([
    ['a checked-out client', `${PG}\nexport async function f() { const client = await pool.connect(); try { await client.query('BEGIN'); await client.query('COMMIT'); } finally { client.release(); } }`],
    ['a Client', `import { Client } from 'pg';\nconst client = new Client();\nexport const f = () => client.query('BEGIN');`],
    ['a postgres.js reserved connection', `import postgres from 'postgres';\nconst sql = postgres();\nexport async function f() { const r = await sql.reserve(); await r\`BEGIN\`; r.release(); }`],
    ['inside sql.begin', `import postgres from 'postgres';\nconst sql = postgres();\nexport const f = () => sql.begin(async (sql) => { await sql\`SET LOCAL statement_timeout = 100\`; await sql\`savepoint a\`; });`],
    ['a pool with max: 1', `import postgres from 'postgres';\nconst sql = postgres({ max: 1 });\nexport const f = () => sql\`BEGIN\`;`],
    ['SQL in comments and unrelated strings', `${PG}\n// pool.query('BEGIN')\nconst msg = 'BEGIN';\nconsole.log('COMMIT', msg);\nexport const f = () => pool.query("SELECT 'BEGIN'");`],
    ['a whole transaction in one query string', `${PG}\nexport const f = () => pool.query('BEGIN; UPDATE t SET x = 1; COMMIT;');`],
    ['dynamic SQL', `${PG}\nexport const f = (q: string) => pool.query(q);`],
    ['knex.raw(...).transacting(trx)', `import knex from 'knex';\nconst db = knex({});\nexport const f = (trx: any) => db.raw('SET LOCAL x = 1').transacting(trx);`],
    ['knex trx.raw', `import knex from 'knex';\nconst db = knex({});\nexport const f = () => db.transaction(async (trx) => { await trx.raw('SET LOCAL x = 1'); });`],
    ['sequelize.query with { transaction }', `import { Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('x');\nexport const f = (t: any) => sequelize.query('SET LOCAL x = 1', { transaction: t });`],
    ['sequelize.query with an options variable', `import { Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('x');\nexport const f = (opts: any) => sequelize.query('SET LOCAL x = 1', opts);`],
    ['sequelize.query inside a managed transaction (CLS)', `import { Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('x');\nexport const f = () => sequelize.transaction(async () => { await sequelize.query("SET LOCAL x = 1"); });`],
    ['TypeORM query with a query runner', `import { DataSource } from 'typeorm';\nconst ds = new DataSource({ type: 'postgres' });\nexport const f = (qr: any) => ds.query('BEGIN', [], qr);`],
    ['an unknown object', `export const f = (db: any) => db.query('BEGIN');`],
    ['a parameter named like the pool', `${PG}\nexport async function f(pool: any) { await pool.query('BEGIN'); }`],
    ['a vercel client from sql.connect()', `import { sql } from '@vercel/postgres';\nexport async function f() { const client = await sql.connect(); try { await client.sql\`BEGIN\`; } finally { client.release(); } }`],
  ])('%s', (_name, code) => {
    expect(found(code)).toEqual([]);
  });

  it('survives syntax errors, comments-only files and big files', () => {
    expect(() => found(`${PG}\npool.query('BEGIN'\nexport async function (`)).not.toThrow();
    expect(found(`${PG}\npool.query('BEGIN'\nexport async function (`)).toEqual(['4 BEGIN via pool.query (pg)']);
    expect(found('/* only a comment */')).toEqual([]);
    const big = PG + Array.from({ length: 5000 }, (_, i) => `export const q${i} = () => pool.query('SELECT ${i}');`).join('\n');
    expect(found(big)).toEqual([]);
  });
});
