import { describe, expect, it } from 'vitest';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';
import { describeLeaks } from './helpers.js';

/** Issue 15: a pool object created in a function and closed outside finally; a swallowed ROLLBACK failure. */
describe('a pool object a function opens and closes', () => {
  it.each([
    ['pg Pool.end()', `import { Pool } from 'pg';\nexport async function f(cfg) {\n  const pool = new Pool(cfg);\n  const r = await pool.query('SELECT 1');\n  await pool.end();\n  return r;\n}`, 'throw-before-release 3:16 leakAt 4 | if the query at line 4 throws, pool is never closed'],
    ['postgres.js sql.end()', `import postgres from 'postgres';\nexport async function f(url) {\n  const sql = postgres(url);\n  await sql\`SELECT 1\`;\n  await sql.end();\n}`, 'throw-before-release 3:15 leakAt 4 | if the query at line 4 throws, sql is never closed'],
    ['knex destroy()', `import knex from 'knex';\nexport async function f() {\n  const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n  await db('users').del();\n  await db.destroy();\n}`, 'throw-before-release 3:14 leakAt 4 | if the query at line 4 throws, db is never closed'],
    ['Sequelize close()', `import { Sequelize } from 'sequelize';\nexport async function f() {\n  const s = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });\n  await s.authenticate();\n  await s.close();\n}`, 'throw-before-release 3:13 leakAt 4 | if the query at line 4 throws, s is never closed'],
    ['TypeORM dataSource.destroy()', `import { DataSource } from 'typeorm';\nexport async function f() {\n  const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });\n  await ds.initialize();\n  await ds.query('SELECT 1');\n  await ds.destroy();\n}`, 'throw-before-release 3:14 leakAt 5 | if the query at line 5 throws, ds is never closed'],
    ['prisma.$disconnect()', `import { PrismaClient } from '@prisma/client';\nexport async function f() {\n  const prisma = new PrismaClient();\n  await prisma.user.count();\n  await prisma.$disconnect();\n}`, 'throw-before-release 3:18 leakAt 4 | if the query at line 4 throws, prisma is never closed'],
  ])('%s outside finally', (_name, code, expected) => {
    expect(describeLeaks(code)).toEqual([expected]);
  });

  it.each([
    ['closed in finally', `import { Pool } from 'pg';\nexport async function f(cfg) {\n  const pool = new Pool(cfg);\n  try {\n    return await pool.query('SELECT 1');\n  } finally {\n    await pool.end();\n  }\n}`],
    ['never closed here (pool-in-handler decides)', `import { Pool } from 'pg';\nexport async function f(cfg) {\n  const pool = new Pool(cfg);\n  return pool.query('SELECT 1');\n}`],
    ['returned to the caller', `import { Pool } from 'pg';\nexport function f(cfg) {\n  const pool = new Pool(cfg);\n  pool.on('error', () => pool.end());\n  return pool;\n}`],
    ['handed to another object', `import { Pool } from 'pg';\nimport { Kysely, PostgresDialect } from 'kysely';\nexport async function f(cfg) {\n  const pool = new Pool(cfg);\n  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });\n  await db.selectFrom('users').execute();\n  await pool.end();\n}`],
    ['module scope', `import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function f() {\n  await pool.query('SELECT 1');\n  await pool.end();\n}`],
  ])('silent: %s', (_name, code) => {
    expect(describeLeaks(code)).toEqual([]);
  });
});

describe('a rollback whose failure is swallowed cannot throw', () => {
  const tx = (handler: string, extra = '') => `import { Pool } from 'pg';\nconst pool = new Pool();\n${extra}export async function f(q) {\n  const client = await pool.connect();\n  try {\n    await client.query(q);\n  } catch (e) {\n    await client.query('ROLLBACK').catch(${handler});\n    client.release();\n    throw e;\n  }\n  client.release();\n}`;
  it.each([
    ['() => undefined', tx('() => undefined')],
    ['() => {}', tx('() => {}')],
    ['(e) => console.error(e)', tx('(e) => console.error(e)')],
    ['a local noop', tx('noop', 'const noop = () => {};\n')],
    ['an imported noop', tx('noop', "import { noop } from 'lodash';\n")],
  ])('.catch(%s)', (_name, code) => {
    expect(describeLeaks(code)).toEqual([]);
  });

  it.each([
    ['a handler that rethrows', tx('(e) => { throw e; }')],
    ['a handler that calls something', tx('(e) => report(e)')],
    ['a parameter', tx('onError').replace('f(q)', 'f(q, onError)')],
  ])('still reported: %s', (_name, code) => {
    expect(describeLeaks(code)).toHaveLength(1);
  });
});

// Which files are tests is the codePaths classifier's question (src/model/code-paths.ts), not the
// analysis's: the leak is found in every file, and release-in-finally leaves it out in test code.
// (Before issue 15's last step the analysis kept its own test-file pattern and found nothing there.)
describe('pool objects in tests', () => {
  const code = `import { Pool } from 'pg';\nexport async function f(cfg) {\n  const pool = new Pool(cfg);\n  await pool.query('SELECT 1');\n  if (cfg.once) return;\n  await pool.end();\n}\n`;
  it.each(['src/db.test.ts', 'test/db.ts', 'src/__tests__/db.ts', 'src/db.spec.js'])('%s: found by the analysis, left out by the rule (the runner exits)', (file) => {
    expect(describeLeaks(code, `/project/${file}`)).toHaveLength(1);
    const dir = tempProject({ [file]: code });
    expect(allDiagnostics(lintPaths(dir, ['.'], testConfig(['release-in-finally'])))).toEqual([]);
  });
  it('the same code in production is reported', () => {
    const dir = tempProject({ 'src/db.ts': code });
    expect(allDiagnostics(lintPaths(dir, ['.'], testConfig(['release-in-finally']))).map((d) => [d.ruleId, d.range.line])).toEqual([
      ['release-in-finally', 3],
    ]);
  });
});
