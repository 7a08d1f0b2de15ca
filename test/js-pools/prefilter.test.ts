import { describe, expect, test } from 'vitest';
import { collectImportSpecifiers, importsAnyOf, importsUnlessDatabase, mayMatterForDatabase, specifierBasename } from '../../src/sources/js/prefilter.js';

describe('mayMatterForDatabase', () => {
  test.each([
    `import { Pool } from 'pg';`,
    `import pg from "pg"`,
    `const { Pool } = require('pg')`,
    `const { Pool } = require ( "pg" )`,
    `const pg = await import('pg')`,
    `export { Pool } from 'pg-pool'`,
    `import postgres from 'postgres'`,
    `import { Sequelize } from 'sequelize-typescript'`,
    `import { DataSource } from 'typeorm'`,
    `import { TypeOrmModule } from '@nestjs/typeorm'`,
    `const knex = require('knex')({ client: 'pg' })`,
    `import { Kysely } from 'kysely'`,
    `import { drizzle } from 'drizzle-orm/node-postgres'`,
    `import { MikroORM } from '@mikro-orm/postgresql'`,
    `import { PrismaPg } from '@prisma/adapter-pg'`,
    `import { PrismaClient } from './generated/prisma'`,
    `import { Pool } from '@neondatabase/serverless'`,
    `import { sql } from '@vercel/postgres'`,
    `import type { PoolClient } from 'pg'`,
  ])('true: %s', (src) => expect(mayMatterForDatabase(src)).toBe(true));

  test.each([
    `import express from 'express';`,
    `const pg = 'pg';`,
    `// talks to postgres\nexport const dialect = 'postgres';`,
    `import { pgTable } from './schema'`,
    `import x from 'pgx'`,
    `import { fromage } from 'cheese'`,
    ``,
    `const required = 'pg'`,
  ])('false: %s', (src) => expect(mayMatterForDatabase(src)).toBe(false));

  test('linear on hostile input (no regex backtracking)', () => {
    const hostile = 'from '.repeat(200_000) + `'`.repeat(100_000) + 'require('.repeat(100_000);
    const t = performance.now();
    expect(mayMatterForDatabase(hostile)).toBe(false);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('second pass', () => {
  test('basenames', () => {
    expect(['./db', '../db.js', '@/lib/db', './db/index.ts', 'db', './db/'].map(specifierBasename)).toEqual(['db', 'db', 'db', 'db', 'db', 'db']);
  });
  test('importsAnyOf', () => {
    const names = new Set(['db', 'prisma']);
    expect(importsAnyOf(`import { pool } from './db'`, names)).toBe(true);
    expect(importsAnyOf(`const { prisma } = require('../lib/prisma.js')`, names)).toBe(true);
    expect(importsAnyOf(`import { x } from './dbx'`, names)).toBe(false);
    expect(importsAnyOf(`import { pool } from './db'`, new Set())).toBe(false);
  });
  test('collectImportSpecifiers', () => {
    expect(collectImportSpecifiers(`import a from './a';\nexport * from "./b";\nconst c = require('./c');\nawait import('./d');\nimport './e';`).sort()).toEqual(['./a', './b', './c', './d', './e']);
  });
});

describe('bytes and text read alike', () => {
  // The CLI's pre-filter reads UTF-8 bytes (files it rejects are never decoded); the ESLint plugin passes text.
  const samples = [
    `import a from './a';\nconst b = require("./b");`,
    `\uFEFFimport { Pool } from 'pg';`,
    `import x from './dé/ü/db';\nimport y from './日本/db.js';`,
    `é from './after-non-ascii'; ä require('./x')`,
    `const s = 'fromage'; required('./no'); importer('./no');`,
    `import z from '${'é'.repeat(300)}';`, // 300 characters, 600 bytes: a specifier
    `import z from '${'é'.repeat(600)}';`, // 600 characters: too long to be one
    `import t from \`./tpl\`; import u from \`./\${dir}/db\`;`,
    `// 🐘 from '../emoji/pool'\nimport { PrismaClient } from './generated/prisma';`,
  ];
  test.each(samples)('%s', (src) => {
    const bytes = Buffer.from(src, 'utf8');
    expect(collectImportSpecifiers(bytes)).toEqual(collectImportSpecifiers(src));
    expect(mayMatterForDatabase(bytes)).toBe(mayMatterForDatabase(src));
    expect(importsUnlessDatabase(bytes)).toEqual(importsUnlessDatabase(src));
  });
  test('what they find', () => {
    expect(collectImportSpecifiers(samples[2]!)).toEqual(['./dé/ü/db', './日本/db.js']);
    expect(collectImportSpecifiers(samples[3]!)).toEqual(['./after-non-ascii', './x']);
    expect(collectImportSpecifiers(samples[5]!)).toHaveLength(1);
    expect(collectImportSpecifiers(samples[6]!)).toEqual([]);
    expect(mayMatterForDatabase(samples[1]!)).toBe(true);
    expect(importsUnlessDatabase(samples[8]!)).toBeUndefined();
  });
});
