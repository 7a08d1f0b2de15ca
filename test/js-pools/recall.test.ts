import { describe, expect, test } from 'vitest';
import { modelOf, onlyPool } from './helpers.js';

/** Issue 15 "Find the pools that carry the load": the shapes of brocoders/nestjs-boilerplate and the like. */
describe('@nestjs/config registerAs namespaces', () => {
  const config = `import { registerAs } from '@nestjs/config';\nexport default registerAs<DatabaseConfig>('database', () => {\n  return {\n    url: process.env.DATABASE_URL,\n    maxConnections: process.env.DATABASE_MAX_CONNECTIONS\n      ? parseInt(process.env.DATABASE_MAX_CONNECTIONS, 10)\n      : 100,\n    pool: { idle: 3000 },\n  };\n});\n`;
  const service = (key: string) =>
    `import { Injectable } from '@nestjs/common';\nimport { ConfigService } from '@nestjs/config';\nimport { TypeOrmOptionsFactory, TypeOrmModuleOptions } from '@nestjs/typeorm';\n@Injectable()\nexport class TypeOrmConfigService implements TypeOrmOptionsFactory {\n  constructor(private configService: ConfigService<AllConfigType>) {}\n  createTypeOrmOptions(): TypeOrmModuleOptions {\n    return {\n      type: 'postgres',\n      url: this.configService.get('database.url', { infer: true }),\n      extra: { max: this.configService.get('${key}', { infer: true }), idleTimeoutMillis: this.configService.get('database.pool.idle') },\n    } as TypeOrmModuleOptions;\n  }\n}\n`;
  const module = `import { Module } from '@nestjs/common';\nimport { TypeOrmModule } from '@nestjs/typeorm';\nimport { DataSource, DataSourceOptions } from 'typeorm';\nimport { TypeOrmConfigService } from './typeorm-config.service';\nconst db = TypeOrmModule.forRootAsync({\n  useClass: TypeOrmConfigService,\n  dataSourceFactory: async (options: DataSourceOptions) => {\n    return new DataSource(options).initialize();\n  },\n});\n@Module({ imports: [db] })\nexport class AppModule {}\n`;

  test("configService.get('database.maxConnections') reads the registerAs('database') factory: env, default 100", () => {
    const p = onlyPool({ 'src/config/database.config.ts': config, 'src/typeorm-config.service.ts': service('database.maxConnections'), 'src/app.module.ts': module });
    expect(p.id).toBe('src/app.module.ts:5:12');
    expect(p.max).toMatchObject({ value: 100, provenance: { kind: 'env', envVar: 'DATABASE_MAX_CONNECTIONS', fallback: 100 } });
    expect(p.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
    expect(p.idleTimeoutMs).toMatchObject({ value: 3000, provenance: { kind: 'literal' } });
  });

  test('a key the factory does not return, a namespace nobody registers, one registered twice: unknown with the reason', () => {
    expect(onlyPool({ 'src/config/database.config.ts': config, 'src/typeorm-config.service.ts': service('database.poolMax'), 'src/app.module.ts': module }).max.provenance).toEqual({
      kind: 'unknown',
      reason: "configService.get('database.poolMax'): the registerAs('database') factory returns no poolMax that can be read",
    });
    expect(onlyPool({ 'src/typeorm-config.service.ts': service('database.maxConnections'), 'src/app.module.ts': module }).max.provenance).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('a configuration key'),
    });
    expect(
      onlyPool({ 'src/config/database.config.ts': config, 'src/config/other.config.ts': config, 'src/typeorm-config.service.ts': service('database.maxConnections'), 'src/app.module.ts': module }).max.provenance,
    ).toMatchObject({ kind: 'unknown' });
  });

  test('registerAs of another package is not @nestjs/config', () => {
    const other = config.replace("'@nestjs/config'", "'./my-config'");
    expect(onlyPool({ 'src/config/database.config.ts': other, 'src/typeorm-config.service.ts': service('database.maxConnections'), 'src/app.module.ts': module }).max.value).toBeNull();
  });
});

describe('TypeOrmModule.forRootAsync with a dataSourceFactory', () => {
  test('new DataSource(options) of the factory is the forRootAsync pool, not a second one', () => {
    const m = modelOf({
      'src/app.module.ts': `import { TypeOrmModule } from '@nestjs/typeorm';\nimport { DataSource } from 'typeorm';\nexport const db = TypeOrmModule.forRootAsync({\n  useFactory: () => ({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 12 } }),\n  dataSourceFactory: async (options) => new DataSource(options).initialize(),\n});\n`,
    });
    expect(m.pools.map((p) => [p.id, p.construct, p.max.value])).toEqual([['src/app.module.ts:3:19', 'TypeOrmModule.forRootAsync()', 12]]);
  });

  test('a factory that builds its own options is its own pool', () => {
    const m = modelOf({
      'src/app.module.ts': `import { TypeOrmModule } from '@nestjs/typeorm';\nimport { DataSource } from 'typeorm';\nexport const db = TypeOrmModule.forRootAsync({\n  useFactory: () => ({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 12 } }),\n  dataSourceFactory: async (options) => new DataSource({ ...options, type: 'postgres', extra: { max: 3 } }).initialize(),\n});\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value])).toEqual([
      ['src/app.module.ts:3:19', 12],
      ['src/app.module.ts:5:41', 3],
    ]);
  });
});

describe('nestjs-prisma PrismaModule', () => {
  test('forRoot() provides the app PrismaClient; prismaOptions are its options', () => {
    const m = modelOf({
      'src/app.module.ts': `import { Module } from '@nestjs/common';\nimport { PrismaModule, loggingMiddleware } from 'nestjs-prisma';\n@Module({\n  imports: [\n    PrismaModule.forRoot({ isGlobal: true, prismaServiceOptions: { middlewares: [loggingMiddleware()] } }),\n  ],\n})\nexport class AppModule {}\n`,
      'src/other.module.ts': `import { PrismaModule } from 'nestjs-prisma';\nexport const m = PrismaModule.forRoot({ prismaServiceOptions: { prismaOptions: { datasources: { db: { url: 'postgresql://u@db/app?connection_limit=7' } } } } });\n`,
    });
    expect(m.pools.map((p) => [p.id, p.library, p.kind, p.construct, p.max.value, p.max.provenance.kind])).toEqual([
      ['src/app.module.ts:5:5', 'prisma', 'prisma-client', 'PrismaModule.forRoot()', null, 'default'],
      ['src/other.module.ts:2:18', 'prisma', 'prisma-client', 'PrismaModule.forRoot()', 7, 'literal'],
    ]);
  });

  test('forRootAsync({ useFactory }) reads the returned prismaOptions; useClass is unknown', () => {
    const m = modelOf({
      'src/app.module.ts': `import { PrismaModule } from 'nestjs-prisma';\nexport const a = PrismaModule.forRootAsync({ useFactory: () => ({ prismaOptions: { datasourceUrl: 'postgresql://u@db/app?connection_limit=4' } }) });\nexport const b = PrismaModule.forRootAsync({ useClass: PrismaConfigService });\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value])).toEqual([
      ['src/app.module.ts:2:18', 4],
      ['src/app.module.ts:3:18', null],
    ]);
  });

  test('other exports of nestjs-prisma create no pool', () => {
    expect(modelOf({ 'a.ts': `import { PrismaService, CustomPrismaModule } from 'nestjs-prisma';\nexport const s = new PrismaService();\nexport const c = CustomPrismaModule.forRoot({ name: 'x' });\n` }).pools).toEqual([]);
  });
});

describe('an ORM that re-exports its driver', () => {
  test("knex imported from '@mikro-orm/postgresql' or '@mikro-orm/knex' is knex", () => {
    const m = modelOf({
      'create-pg-connection.ts': `import { knex } from '@mikro-orm/postgresql';\nexport function createPgConnection(options) {\n  const { pool, schema = 'public', clientUrl } = options;\n  return knex({ client: 'pg', searchPath: schema, connection: { connectionString: clientUrl }, pool: { ...pool, min: pool?.min ?? 2 } });\n}\n`,
      'b.ts': `import { knex } from '@mikro-orm/knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { max: 8 } });\n`,
      'c.ts': `import { MikroORM } from '@mikro-orm/postgresql';\nimport { defineConfig } from '@mikro-orm/core';\nexport const cfg = defineConfig({});\n`,
    });
    expect(m.pools.map((p) => [p.id, p.library, p.max.value, p.max.provenance.kind])).toEqual([
      ['b.ts:2:19', 'knex', 8, 'literal'],
      ['create-pg-connection.ts:4:10', 'knex', null, 'unknown'],
    ]);
  });
});

describe('a workspace package that re-exports the Prisma client', () => {
  const files = (index: string) => ({
    'package.json': JSON.stringify({ name: 'app', private: true, workspaces: ['apps/*', 'internal-packages/*'] }),
    'internal-packages/database/package.json': JSON.stringify({ name: '@acme/database', main: './dist/index.js', types: './dist/index.d.ts' }),
    'internal-packages/database/src/index.ts': index,
    'internal-packages/database/src/transaction.ts': `export const x = 1;\n`,
    'apps/webapp/app/db.server.ts': `import { PrismaClient, Prisma } from '@acme/database';\nexport const prisma = new PrismaClient({ datasources: { db: { url: process.env.DATABASE_URL } } });\n`,
  });

  test("export * from '../generated/prisma' (output not in the repository): PrismaClient is Prisma's", () => {
    const m = modelOf(files(`export * from '../generated/prisma';\nexport * from './transaction';\n`));
    expect(m.pools.map((p) => [p.id, p.library, p.construct])).toEqual([['apps/webapp/app/db.server.ts:2:23', 'prisma', 'new PrismaClient']]);
    expect(m.pools[0]!.connectionString?.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL' });
  });

  test("export { PrismaClient } from '@prisma/client' and a star through a local module", () => {
    expect(modelOf(files(`export { PrismaClient } from '@prisma/client';\n`)).pools.map((p) => p.library)).toEqual(['prisma']);
    expect(modelOf({ ...files(`export * from './client';\n`), 'internal-packages/database/src/client.ts': `export * from '@prisma/client';\n` }).pools.map((p) => p.library)).toEqual(['prisma']);
  });

  test('a URL the code builds: its connection_limit decides, so the size is unknown, not the CPU default', () => {
    const built = modelOf({
      'a.ts': `import { PrismaClient } from '@prisma/client';\nimport { buildUrl } from './url';\nconst databaseUrl = buildUrl(process.env.DATABASE_URL, 10);\nexport const prisma = new PrismaClient({ datasources: { db: { url: databaseUrl.href } } });\n`,
    });
    expect(built.pools[0]!.max.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/^the connection URL is not statically known \(.+\), and its connection_limit sets the pool size$/) });
  });

  test('a package with its own PrismaClient class that is not Prisma stays out', () => {
    expect(modelOf(files(`export class PrismaClient { constructor(o: unknown) {} }\n`)).pools).toEqual([]);
    expect(modelOf(files(`export * from './transaction';\n`)).pools).toEqual([]);
  });
});

describe('workspace specifiers resolved once per specifier (the same answer from every importing directory)', () => {
  test('@acme/config and @acme/config/replica from three directories: each specifier its own entry', () => {
    const m = modelOf({
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'packages/*'] }),
      'packages/config/package.json': JSON.stringify({ name: '@acme/config', main: './dist/index.js' }),
      'packages/config/src/index.ts': `export const MAX = 10;\n`,
      'packages/config/src/replica.ts': `export const MAX = 4;\n`,
      'apps/api/db.ts': `import { Pool } from 'pg';\nimport { MAX } from '@acme/config';\nexport const pool = new Pool({ max: MAX });\n`,
      'apps/worker/jobs/db.ts': `import { Pool } from 'pg';\nimport { MAX } from '@acme/config/replica';\nexport const pool = new Pool({ max: MAX });\n`,
      'apps/worker/db.ts': `import { Pool } from 'pg';\nimport { MAX } from '@acme/config';\nexport const pool = new Pool({ max: MAX });\n`,
      'apps/web/db.ts': `import { Pool } from 'pg';\nimport { MAX } from '@acme/configx';\nexport const pool = new Pool({ max: MAX });\n`,
    });
    expect(m.pools.map((p) => [p.id, p.max.value])).toEqual([
      ['apps/api/db.ts:3:21', 10],
      ['apps/web/db.ts:3:21', null],
      ['apps/worker/db.ts:3:21', 10],
      ['apps/worker/jobs/db.ts:3:21', 4],
    ]);
  });
});

describe('values a reader can tell (outline: an Environment class, a helper method, a read-only peak)', () => {
  const env = `import { IsOptional, IsNumber } from 'class-validator';\nconst environment = process.env;\nexport class Environment {\n  @IsNumber()\n  @IsOptional()\n  public DATABASE_CONNECTION_POOL_MAX = this.toOptionalNumber(environment.DATABASE_CONNECTION_POOL_MAX);\n  public OTHER = this.toOptionalNumber(environment.OTHER);\n  constructor() {\n    this.OTHER = 3;\n  }\n  protected toOptionalNumber(value: string | undefined) {\n    return value ? parseInt(value, 10) : undefined;\n  }\n}\nexport default new Environment();\n`;

  test('env.X ?? 5 with X a field of new Environment(): env X, default 5; cond ? poolMax * 2 : poolMax: peak 10, with both', () => {
    const m = modelOf({
      'package.json': JSON.stringify({ name: 'outline', dependencies: { pg: '^8.13.0', sequelize: '^6.37.0' } }),
      'server/env.ts': env,
      'server/storage/database.ts': `import { Sequelize } from 'sequelize';\nimport env from '../env';\nconst poolMax = env.DATABASE_CONNECTION_POOL_MAX ?? 5;\nexport function createDatabaseInstance(url: string, options?: { readOnly?: boolean }) {\n  const isReadOnly = options?.readOnly ?? false;\n  return new Sequelize(url, { pool: { max: isReadOnly ? poolMax * 2 : poolMax } });\n}\nexport const writer = new Sequelize('postgres://db/app', { pool: { max: poolMax } });\n`,
    });
    expect(m.pools.map((p) => p.max)).toEqual([
      { value: 10, provenance: { kind: 'env', envVar: 'DATABASE_CONNECTION_POOL_MAX', fallback: 5 }, range: { line: 6, column: 44, endLine: 6, endColumn: 78 }, alternatives: [10, 5] },
      { value: 5, provenance: { kind: 'env', envVar: 'DATABASE_CONNECTION_POOL_MAX', fallback: 5 }, range: { line: 8, column: 73, endLine: 8, endColumn: 80 } },
    ]);
  });

  test('a field the class assigns again, or a helper that clamps, stays unknown', () => {
    const m = modelOf({
      'server/env.ts': env.replace('return value ? parseInt(value, 10) : undefined;', 'return value ? Math.min(parseInt(value, 10), 50) : undefined;'),
      'db.ts': `import { Sequelize } from 'sequelize';\nimport env from './server/env';\nexport const a = new Sequelize('postgres://db/app', { pool: { max: env.OTHER ?? 4 } });\nexport const b = new Sequelize('postgres://db/app', { pool: { max: env.DATABASE_CONNECTION_POOL_MAX ?? 4 } });\n`,
    });
    expect(m.pools.map((p) => [p.max.value, p.max.provenance.kind])).toEqual([
      [null, 'unknown'],
      [null, 'unknown'],
    ]);
  });
});
