import { describe, expect, it } from 'vitest';
import { describeLeaks, leaksIn, PG } from './helpers.js';

interface Case {
  name: string;
  code: string;
  file?: string;
}

/** Correct code: no leak may be reported. */
const silent: Case[] = [
  {
    name: 'release in finally (the "too many clients" guide, correct)',
    code: `${PG}
export async function getUser(id: number) {
  const client = await pool.connect();
  try {
    const res = await client.query('SELECT * FROM users WHERE id = $1', [id]);
    return res.rows[0];
  } finally {
    client.release();
  }
}`,
  },
  {
    name: 'pool.query (the guide, correct)',
    code: `${PG}
export async function getUser(id: number) {
  const res = await pool.query('SELECT * FROM users WHERE id = $1', [id]);
  return res.rows[0];
}`,
  },
  {
    name: 'node-postgres transactions doc example',
    code: `${PG}
export async function createUser(name: string) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const res = await client.query('INSERT INTO users(name) VALUES($1) RETURNING id', [name]);
    await client.query('INSERT INTO photos(user_id, photo_url) VALUES ($1, $2)', [res.rows[0].id, 's3.bucket.foo']);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    client.release();
  }
}`,
  },
  {
    name: 'release on every path: success and a catch that releases and rethrows',
    code: `${PG}
export async function count() {
  const client = await pool.connect();
  try {
    const r = await client.query('SELECT count(*) FROM t');
    client.release();
    return r.rows[0].count;
  } catch (err) {
    client.release(err);
    throw err;
  }
}`,
  },
  {
    name: 'catch that releases and returns',
    code: `${PG}
export async function maybe() {
  const client = await pool.connect();
  try {
    const r = await client.query('SELECT 1');
    client.release();
    return r.rows;
  } catch (err) {
    client.release(true);
    return [];
  }
}`,
  },
  {
    name: 'catch swallows, release after the try',
    code: `${PG}
export async function best() {
  const client = await pool.connect();
  try {
    await client.query('UPDATE t SET x = 1');
  } catch (e) {
    console.error(e);
  }
  client.release();
}`,
  },
  {
    name: 'let declared outside, guarded release in finally',
    code: `${PG}
export async function guarded() {
  let client;
  try {
    client = await pool.connect();
    await client.query('SELECT 1');
  } finally {
    if (client) client.release();
  }
}`,
  },
  {
    name: 'optional-chaining release in finally',
    code: `${PG}
export async function guarded() {
  let client: import('pg').PoolClient | undefined;
  try {
    client = await pool.connect();
    await client.query('SELECT 1');
  } finally {
    client?.release();
  }
}`,
  },
  {
    name: 'client returned to the caller (ownership escapes)',
    code: `${PG}
export async function getClient() {
  const client = await pool.connect();
  await client.query("SET search_path TO app");
  return client;
}`,
  },
  {
    name: 'node-postgres getClient wrapper that patches release',
    code: `${PG}
export const getClient = async () => {
  const client = await pool.connect();
  const release = client.release;
  const timeout = setTimeout(() => console.error('checked out too long'), 5000);
  client.release = () => { clearTimeout(timeout); client.release = release; return release.apply(client); };
  return client;
};`,
  },
  {
    name: 'client stored on an object',
    code: `${PG}
class Session { client?: unknown; async open() { const client = await pool.connect(); await client.query('SELECT 1'); this.client = client; } }`,
  },
  {
    name: 'client passed to another function',
    code: `${PG}
async function insertUser(c: unknown, name: string) {}
export async function handler(name: string) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await insertUser(client, name);
  client.release();
}`,
  },
  {
    name: 'client pushed into an array',
    code: `${PG}
const clients: unknown[] = [];
export async function hold() { const client = await pool.connect(); await client.query('LISTEN jobs'); clients.push(client); }`,
  },
  {
    name: 'callback style calling done on all paths',
    code: `${PG}
pool.connect((err, client, done) => {
  if (err) throw err;
  client.query('SELECT NOW()', (err2, res) => {
    done();
    if (err2) console.log(err2.stack);
    else console.log(res.rows[0]);
  });
});`,
  },
  {
    name: 'callback style, async callback releasing in finally',
    code: `${PG}
pool.connect(async (err, client, release) => {
  if (err) return console.error('connect failed', err);
  try { await client.query('SELECT 1'); } finally { release(); }
});`,
  },
  {
    name: 'await using',
    code: `${PG}
async function lease() { const c = await pool.connect(); return { client: c, async [Symbol.asyncDispose]() { c.release(); } }; }
export async function run() {
  await using lease1 = await lease();
  await lease1.client.query('SELECT 1');
}`,
  },
  {
    name: 'await using directly on the acquire',
    code: `${PG}
export async function run() {
  await using client = await pool.connect();
  await client.query('SELECT 1');
}`,
  },
  {
    name: 'withClient helper releasing in its own finally, and its caller',
    code: `${PG}
export async function withClient<T>(fn: (c: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try { return await fn(client); } finally { client.release(); }
}
export async function listUsers() {
  return withClient(async (client) => (await client.query('SELECT * FROM users')).rows);
}`,
  },
  {
    name: '.finally(() => client.release()) promise chain',
    code: `${PG}
export function count() {
  return pool.connect().then((client) => client.query('SELECT count(*) FROM t').finally(() => client.release()));
}`,
  },
  {
    name: 'then callback releasing in finally',
    code: `${PG}
pool.connect().then(async (client) => {
  try { await client.query('SELECT 1'); } finally { client.release(); }
});`,
  },
  {
    name: 'release inside an event callback (ownership handed over)',
    code: `${PG}
export async function stream(res: { on(e: string, f: () => void): void }) {
  const client = await pool.connect();
  res.on('close', () => client.release());
  await client.query('SELECT 1');
}`,
  },
  {
    name: 'module-scope client checked out once (LISTEN)',
    code: `${PG}
const listener = await pool.connect();
await listener.query('LISTEN jobs');`,
  },
  {
    name: 'release guarded by a flag',
    code: `${PG}
export async function flagged() {
  const client = await pool.connect();
  let released = false;
  try {
    await client.query('SELECT 1');
    client.release();
    released = true;
    await notify();
  } finally {
    if (!released) client.release();
  }
}
async function notify() {}`,
  },
  {
    name: 'process.exit in the catch',
    code: `${PG}
export async function main() {
  const client = await pool.connect();
  try { await client.query('SELECT 1'); } catch (e) { console.error(e); process.exit(1); }
  client.release();
}`,
  },
  {
    name: 'loop with release in finally per iteration (worker queue)',
    code: `${PG}
export async function work(jobs: string[]) {
  for (const job of jobs) {
    const client = await pool.connect();
    try {
      await client.query('SELECT process_job($1)', [job]);
    } finally {
      client.release();
    }
  }
}`,
  },
  {
    name: 'while(true) worker with break and finally',
    code: `${PG}
export async function loop() {
  while (true) {
    const client = await pool.connect();
    try {
      const r = await client.query('DELETE FROM q RETURNING *');
      if (r.rowCount === 0) break;
    } finally {
      client.release();
    }
  }
}`,
  },
  {
    name: 'switch with release in every case',
    code: `${PG}
export async function route(kind: string) {
  const client = await pool.connect();
  switch (kind) {
    case 'a':
      client.release();
      return 1;
    default:
      client.release();
      return 2;
  }
}`,
  },
  {
    name: 'nested try/finally',
    code: `${PG}
export async function nested() {
  const client = await pool.connect();
  try {
    try { await client.query('SELECT 1'); } catch (e) { await client.query('ROLLBACK'); throw e; }
  } finally {
    client.release();
  }
}`,
  },
  {
    name: 'no await between acquire and release',
    code: `${PG}
export async function sync() {
  const client = await pool.connect();
  const pid = client.processID;
  client.release();
  return pid;
}`,
  },
  {
    name: 'new Client ended in finally',
    code: `import { Client } from 'pg';
export async function main() {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try { await client.query('SELECT 1'); } finally { await client.end(); }
}`,
  },
  {
    name: 'new Client created but connected elsewhere',
    code: `import pg from 'pg';
export function make() { const client = new pg.Client(); return client; }`,
  },
  {
    // The TypeORM docs write startTransaction() before the try; that is the leak window (reported below).
    name: 'TypeORM QueryRunner with startTransaction inside the try',
    code: `import { DataSource } from 'typeorm';
const dataSource = new DataSource({ type: 'postgres' });
export async function transfer() {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.startTransaction();
    await queryRunner.manager.save({});
    await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction();
  } finally {
    await queryRunner.release();
  }
}`,
  },
  {
    name: 'TypeORM query runner released only if not released yet',
    code: `import { DataSource } from 'typeorm';
const dataSource = new DataSource({ type: 'postgres' });
export async function run() {
  const qr = dataSource.createQueryRunner();
  try { await qr.query('SELECT 1'); }
  finally { if (!qr.isReleased) await qr.release(); }
}`,
  },
  {
    name: 'knex unmanaged transaction with rollback in catch',
    code: `import knex from 'knex';
const db = knex({ client: 'pg' });
export async function add() {
  const trx = await db.transaction();
  try {
    await trx('users').insert({ name: 'a' });
    await db('audit').transacting(trx).insert({ what: 'add' });
    await trx.commit();
  } catch (e) {
    await trx.rollback();
    throw e;
  }
}`,
  },
  {
    name: 'knex docs: trx.commit / trx.rollback passed to then/catch',
    code: `import knex from 'knex';
const db = knex({ client: 'pg' });
export async function books() {
  const trx = await db.transaction();
  trx('catalogues').insert({ name: 'Old Books' }, 'id').then(trx.commit).catch(trx.rollback);
}`,
  },
  {
    name: 'knex managed transaction (callback)',
    code: `import knex from 'knex';
const db = knex({ client: 'pg' });
export async function add() {
  await db.transaction(async (trx) => { await trx('users').insert({ name: 'a' }); });
}`,
  },
  {
    name: 'Sequelize unmanaged transaction (docs example)',
    code: `import { Sequelize } from 'sequelize';
const sequelize = new Sequelize(process.env.DATABASE_URL!);
const User = { create: async (_v: unknown, _o: unknown) => ({}) };
export async function create() {
  const t = await sequelize.transaction();
  try {
    await User.create({ firstName: 'Bart' }, { transaction: t });
    await t.commit();
  } catch (error) {
    await t.rollback();
  }
}`,
  },
  {
    name: 'Sequelize rollback if not finished',
    code: `import { Sequelize } from 'sequelize';
const sequelize = new Sequelize('postgres://x');
export async function create(User: any) {
  const transaction = await sequelize.transaction();
  try {
    await User.create({}, { transaction });
    await transaction.commit();
  } finally {
    if (!(transaction as any).finished) await transaction.rollback();
  }
}`,
  },
  {
    name: 'postgres.js reserve released in finally',
    code: `import postgres from 'postgres';
const sql = postgres(process.env.DATABASE_URL!);
export async function run() {
  const reserved = await sql.reserve();
  try { await reserved\`select 1\`; } finally { reserved.release(); }
}`,
  },
  {
    name: 'postgres.js sql.begin',
    code: `import postgres from 'postgres';
const sql = postgres();
export const run = () => sql.begin(async (sql) => { await sql\`insert into t values (1)\`; });`,
  },
  {
    name: 'unknown receiver with connect() and no release (not a pool we know)',
    code: `import { Pool } from 'pg';
export async function f(thing: { connect(): Promise<{ query(q: string): Promise<void> }> }) {
  const c = await thing.connect();
  await c.query('x');
}`,
  },
  {
    name: 'shadowed name in a nested callback does not count',
    code: `${PG}
export async function f(items: string[]) {
  const client = await pool.connect();
  try {
    await Promise.all(items.map(async (client) => client));
    await client.query('SELECT 1');
  } finally { client.release(); }
}`,
  },
  {
    name: 'query calls inside a map callback are uses, finally releases',
    code: `${PG}
export async function many(ids: number[]) {
  const client = await pool.connect();
  try {
    return await Promise.all(ids.map((id) => client.query('SELECT $1::int', [id])));
  } finally {
    client.release();
  }
}`,
  },
  {
    name: 'NestJS service with injected pool releasing in finally',
    code: `import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
@Injectable()
export class UsersService {
  constructor(private readonly pool: Pool) {}
  async find(id: number) {
    const client = await this.pool.connect();
    try { return (await client.query('SELECT 1 WHERE $1 > 0', [id])).rows; } finally { client.release(); }
  }
}`,
  },
  {
    name: 'async generator streaming rows, release in finally',
    code: `${PG}
export async function* rows(sqlText: string) {
  const client = await pool.connect();
  try {
    const res = await client.query(sqlText);
    yield* res.rows;
  } finally {
    client.release();
  }
}`,
  },
  {
    name: 'a second acquire into the same variable',
    code: `${PG}
export async function retry() {
  let client = await pool.connect();
  client.release();
  client = await pool.connect();
  try { await client.query('SELECT 1'); } finally { client.release(); }
}`,
  },
  {
    name: 'acquire result used without a variable (not followed)',
    code: `${PG}
export async function oneShot() {
  return (await pool.connect()).query('SELECT 1');
}`,
  },
  {
    name: 'labeled loop with continue and finally',
    code: `${PG}
export async function scan(rows: number[][]) {
  outer: for (const row of rows) {
    for (const id of row) {
      const client = await pool.connect();
      try {
        if (id < 0) continue outer;
        await client.query('SELECT $1', [id]);
      } finally {
        client.release();
      }
    }
  }
}`,
  },
];

/** Leaking code: exactly one leak with this reason, and these words in the detail. */
const reported: Array<Case & { reason: string; detail: string; acquireLine?: number }> = [
  {
    name: 'release without finally (the "too many clients" guide, leak)',
    code: `${PG}
export async function getUser(id: number) {
  const client = await pool.connect();
  const res = await client.query('SELECT * FROM users WHERE id = $1', [id]);
  client.release();
  return res.rows[0];
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 6 throws, client is never released',
    acquireLine: 5,
  },
  {
    name: 'never released',
    code: `${PG}
export async function touch() {
  const client = await pool.connect();
  await client.query('SELECT 1');
}`,
    reason: 'never-released',
    detail: 'client is never released',
  },
  {
    name: 'early return before release',
    code: `${PG}
export async function find(id: number) {
  const client = await pool.connect();
  try {
    const r = await client.query('SELECT * FROM t WHERE id = $1', [id]);
    if (r.rowCount === 0) return null;
    client.release();
    return r.rows[0];
  } catch (e) {
    client.release();
    throw e;
  }
}`,
    reason: 'early-return',
    detail: 'the return at line 8 leaves client checked out',
  },
  {
    name: 'catch rethrows without release',
    code: `${PG}
export async function tx() {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('COMMIT');
    client.release();
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}`,
    reason: 'catch-without-release',
    detail: 'if the query at line 7 throws, the catch at line 10 rethrows without releasing client',
  },
  {
    name: 'catch swallows and function ends',
    code: `${PG}
export async function tx() {
  const client = await pool.connect();
  try {
    await client.query('UPDATE t SET x = 1');
    client.release();
  } catch (e) {
    console.error(e);
  }
}`,
    reason: 'catch-without-release',
    detail: 'the catch at line 9 ends without releasing client',
  },
  {
    name: 'discarded pool.connect() result',
    code: `${PG}
export async function healthCheck() {
  await pool.connect();
  return 'ok';
}`,
    reason: 'never-released',
    detail: 'is discarded',
  },
  {
    name: 'throw statement before release',
    code: `${PG}
export async function check(id: number) {
  const client = await pool.connect();
  if (id < 0) throw new Error('bad id');
  client.release();
}`,
    reason: 'throw-before-release',
    detail: 'the throw at line 6 leaves client checked out',
  },
  {
    name: 'then-style without release on error',
    code: `${PG}
pool.connect().then(async (client) => {
  const r = await client.query('SELECT 1');
  client.release();
  return r;
});`,
    reason: 'throw-before-release',
    detail: 'if the query at line 5 throws',
    acquireLine: 4,
  },
  {
    name: 'callback style: error path of the query forgets done',
    code: `${PG}
pool.connect(async (err, client, done) => {
  if (err) return;
  const r = await client.query('SELECT 1');
  done();
  console.log(r.rows);
});`,
    reason: 'throw-before-release',
    detail: 'if the query at line 6 throws',
  },
  {
    name: 'new Client never ended when the query throws',
    code: `import { Client } from 'pg';
export async function main() {
  const client = new Client();
  await client.connect();
  const r = await client.query('SELECT 1');
  await client.end();
  return r.rows;
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 5 throws, client is never ended',
    acquireLine: 3,
  },
  {
    name: 'TypeORM query runner without finally',
    code: `import { DataSource } from 'typeorm';
const ds = new DataSource({ type: 'postgres' });
export async function run() {
  const qr = ds.createQueryRunner();
  await qr.connect();
  const rows = await qr.query('SELECT 1');
  await qr.release();
  return rows;
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 6 throws, qr is never released',
  },
  {
    name: 'knex unmanaged transaction without rollback',
    code: `import knex from 'knex';
const db = knex({ client: 'pg' });
export async function add() {
  const trx = await db.transaction();
  await trx('users').insert({ name: 'a' });
  await trx.commit();
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 5 throws, trx is never committed or rolled back',
  },
  {
    name: 'Sequelize transaction, catch rethrows without rollback',
    code: `import { Sequelize } from 'sequelize';
const sequelize = new Sequelize('postgres://localhost/db');
export async function create(User: any) {
  const t = await sequelize.transaction();
  try {
    await User.create({}, { transaction: t });
    await t.commit();
  } catch (e) {
    console.error(e);
    throw e;
  }
}`,
    reason: 'catch-without-release',
    detail: 'the catch at line 8 rethrows without rolling back t',
  },
  {
    name: 'postgres.js reserve without finally',
    code: `import postgres from 'postgres';
const sql = postgres();
export async function run() {
  const reserved = await sql.reserve();
  await reserved\`select 1\`;
  reserved.release();
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 5 throws, reserved is never released',
  },
  {
    name: 'a non-query await between acquire and release',
    code: `${PG}
export async function notify(mailer: { send(x: unknown): Promise<void> }) {
  const client = await pool.connect();
  client.query('SELECT 1');
  await mailer.send({});
  client.release();
}`,
    reason: 'throw-before-release',
    detail: 'if the call to mailer.send at line 7 throws, client is never released',
  },
  {
    name: 'leak inside a loop body',
    code: `${PG}
export async function all(ids: number[]) {
  for (const id of ids) {
    const client = await pool.connect();
    await client.query('SELECT $1', [id]);
    client.release();
  }
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 7 throws',
  },
  {
    name: 'async arrow function in an Express handler',
    code: `import express from 'express';
import { Pool } from 'pg';
const pool = new Pool();
const app = express();
app.get('/users/:id', async (req, res) => {
  const client = await pool.connect();
  const { rows } = await client.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  client.release();
  res.json(rows[0]);
});`,
    reason: 'throw-before-release',
    detail: 'if the query at line 7 throws',
  },
  {
    name: 'class method with this.pool field initialiser',
    code: `import { Pool } from 'pg';
export class Repo {
  private pool = new Pool({ max: 5 });
  async find(id: number) {
    const client = await this.pool.connect();
    const r = await client.query('SELECT $1', [id]);
    client.release();
    return r.rows;
  }
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 6 throws',
  },
  {
    name: 'NestJS service with injected DataSource',
    code: `import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
@Injectable()
export class OrdersService {
  constructor(private dataSource: DataSource) {}
  async place(order: object) {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    await queryRunner.startTransaction();
    try {
      await queryRunner.manager.save(order);
      await queryRunner.commitTransaction();
    } catch (err) {
      await queryRunner.rollbackTransaction();
      throw err;
    }
    await queryRunner.release();
  }
}`,
    reason: 'catch-without-release',
    detail: 'the catch at line 13 rethrows without releasing queryRunner',
  },
  {
    name: 'NestJS service with a pg Pool injected by token',
    code: `import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
@Injectable()
export class UsersService {
  constructor(@Inject('PG_POOL') private readonly pool: Pool) {}
  async find(id: number) {
    const client = await this.pool.connect();
    const { rows } = await client.query('SELECT * FROM users WHERE id = $1', [id]);
    client.release();
    return rows[0];
  }
}`,
    reason: 'throw-before-release',
    detail: 'if the query at line 8 throws, client is never released',
  },
  {
    name: 'the return value of an expression-bodied then callback',
    code: `${PG}
export const count = () => pool.connect().then((client) => client.query('SELECT count(*) FROM t'));`,
    reason: 'never-released',
    detail: 'client is never released',
  },
];

describe('findConnectionLeaks: silent on correct code', () => {
  for (const c of silent) {
    it(c.name, () => {
      expect(describeLeaks(c.code, c.file)).toEqual([]);
    });
  }
});

describe('findConnectionLeaks: reports leaks', () => {
  for (const c of reported) {
    it(c.name, () => {
      const leaks = leaksIn(c.code, c.file);
      expect(leaks.map((l) => l.detail)).toHaveLength(1);
      const l = leaks[0]!;
      expect(l.reason).toBe(c.reason);
      expect(l.detail).toContain(c.detail);
      if (c.acquireLine !== undefined) expect(l.acquire.line).toBe(c.acquireLine);
    });
  }
});

describe('findConnectionLeaks: the leak window before the try (issue 15)', () => {
  it('reports startTransaction() between connect() and the try whose finally releases (TypeORM docs pattern)', () => {
    const [l, ...rest] = leaksIn(`import { DataSource } from 'typeorm';
const dataSource = new DataSource({ type: 'postgres' });
export async function transfer() {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    await queryRunner.manager.save({});
    await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction();
  } finally {
    await queryRunner.release();
  }
}`);
    expect(rest).toEqual([]);
    expect(l).toMatchObject({ reason: 'before-try', leakAt: { line: 6, column: 3 }, detail: 'if the call to queryRunner.startTransaction at line 6 throws, queryRunner is never released' });
  });

  it('reports a synchronous call between pool.connect() and the try', () => {
    const [l] = leaksIn(`${PG}
export async function truncate(table: string) {
  const client = await pool.connect();
  const name = client.escapeIdentifier(table);
  try { await client.query('TRUNCATE ' + name); } finally { client.release(); }
}`);
    expect(l).toMatchObject({ reason: 'before-try', leakAt: { line: 6 }, detail: 'if the call to client.escapeIdentifier at line 6 throws, client is never released' });
  });

  it('is silent on logging and on connect() before the try, and when the try comes right after', () => {
    expect(
      leaksIn(`${PG}
export async function a() {
  const client = await pool.connect();
  console.log('got a client', Date.now());
  try { await client.query('SELECT 1'); } finally { client.release(); }
}
export async function b() {
  const client = await pool.connect();
  try { await client.query('SELECT 1'); } finally { client.release(); }
}`),
    ).toEqual([]);
  });

  it('keeps reporting the real leak, not the window, when both exist', () => {
    const [l] = leaksIn(`${PG}
export async function f(x: string) {
  const client = await pool.connect();
  JSON.parse(x);
  try { await client.query('SELECT 1'); } catch (e) { throw e; }
  client.release();
}`);
    expect(l?.reason).not.toBe('before-try');
  });
});

describe('findConnectionLeaks: what a leak carries', () => {
  it('reports at the acquire call, names the resource, the release and the leaking line', () => {
    const [l] = leaksIn(`${PG}
export async function getUser(id: number) {
  const client = await pool.connect();
  const res = await client.query('SELECT 1');
  client.release();
  return res;
}`);
    expect(l).toMatchObject({
      file: '/project/src/db.ts',
      acquire: { line: 5, column: 24, endLine: 5, endColumn: 38 },
      resource: { name: 'client', kind: 'pool-client', library: 'pg' },
      release: 'client.release()',
      leakAt: { line: 6 },
      reason: 'throw-before-release',
    });
  });

  it('uses the done parameter as the release of the callback style', () => {
    const [l] = leaksIn(`${PG}
pool.connect(async (err, client, done) => { if (err) return; await client.query('x'); done(); });`);
    expect(l?.release).toBe('done()');
    expect(l?.acquire).toMatchObject({ line: 4, column: 1, endColumn: 13 });
  });

  it('reports `new Client` without its options for clients', () => {
    const [l] = leaksIn(`import { Client } from 'pg';
async function f() {
  const c = new Client({
    host: 'db',
  });
  await c.connect();
  await c.query('x');
}`);
    expect(l).toMatchObject({ acquire: { line: 3, column: 13, endLine: 3, endColumn: 23 }, release: 'c.end()', resource: { kind: 'client' } });
  });

  it('reports one leak per acquire site', () => {
    const leaks = leaksIn(`${PG}
export async function a() { const c1 = await pool.connect(); await c1.query('x'); c1.release(); }
export async function b() { const c2 = await pool.connect(); await c2.query('x'); c2.release(); }`);
    expect(leaks.map((l) => l.resource.name)).toEqual(['c1', 'c2']);
  });

  it('keeps block-scoped variables of the same name apart', () => {
    const leaks = leaksIn(`${PG}
export async function f(a: boolean) {
  if (a) {
    const client = await pool.connect();
    try { await client.query('x'); } finally { client.release(); }
  } else {
    const client = await pool.connect();
    await client.query('y');
    client.release();
  }
}`);
    expect(leaks.map((l) => l.acquire.line)).toEqual([9]);
  });
});

describe('findConnectionLeaks: robustness', () => {
  it('handles code with syntax errors', () => {
    expect(() => leaksIn(`${PG}
export async function broken( {
  const client = await pool.connect();
  await client.query('x'
  client.release();
`)).not.toThrow();
    expect(leaksIn(`${PG}\nexport async function f() { const c = await pool.connect(); await c.query('x'); c.release() }\nconst = ;`)).toHaveLength(1);
  });

  it('handles a file with only a comment, and an empty file', () => {
    expect(leaksIn('// nothing here\n')).toEqual([]);
    expect(leaksIn('')).toEqual([]);
  });

  it('handles a 5,000-line file in well under a second', () => {
    const parts = [PG];
    for (let i = 0; i < 750; i++) {
      parts.push(`export async function f${i}(id: number) {
  const client = await pool.connect();
  try { return (await client.query('SELECT $1', [id])).rows; }
  finally { client.release(); }
}
export async function g${i}() { return (await pool.query('SELECT ${i}')).rows; }
// filler ${i}
`);
    }
    parts.push(`export async function leaky() { const c = await pool.connect(); await c.query('x'); c.release(); }`);
    const code = parts.join('');
    expect(code.split('\n').length).toBeGreaterThan(5000);
    const t0 = performance.now();
    const leaks = leaksIn(code);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(leaks.map((l) => l.resource.name)).toEqual(['c']);
  });

  it('handles deeply nested code without a stack overflow', () => {
    const depth = 400;
    const open = 'if (x) { '.repeat(depth);
    const close = '}'.repeat(depth);
    const code = `${PG}export async function deep(x: boolean) { const c = await pool.connect(); ${open} await c.query('x'); ${close} c.release(); }`;
    expect(describeLeaks(code)).toHaveLength(1);
    const expr = `${'('.repeat(1000)}1${')'.repeat(1000)}`;
    expect(() => leaksIn(`${PG}export async function e() { const c = await pool.connect(); const v = ${expr}; try { await c.query('x'); } finally { c.release(); } }`)).not.toThrow();
    const chain = Array.from({ length: 3000 }, (_, i) => `v${i}`).join(' + ');
    expect(describeLeaks(`${PG}export async function e() { const c = await pool.connect(); const v = ${chain}; await c.query('x'); c.release(); }`)).toHaveLength(1);
  });

  it('analyses plain JavaScript (CommonJS)', () => {
    const code = `const { Pool } = require('pg');
const pool = new Pool();
module.exports.find = async function find(id) {
  const client = await pool.connect();
  const r = await client.query('SELECT $1', [id]);
  client.release();
  return r.rows;
};`;
    expect(describeLeaks(code, '/p/db.cjs')).toHaveLength(1);
  });

  it('analyses TSX files', () => {
    const code = `import { Pool } from 'pg';
const pool = new Pool();
export default async function Page() {
  const client = await pool.connect();
  const r = await client.query('SELECT 1');
  client.release();
  return <div>{r.rowCount}</div>;
}`;
    expect(describeLeaks(code, '/p/app/page.tsx')).toHaveLength(1);
  });
});
