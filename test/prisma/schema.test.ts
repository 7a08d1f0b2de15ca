import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPrismaSchema, parsePrismaSchema, prismaSchemaFiles } from '../../src/sources/prisma/schema.js';
import type { PrismaValue } from '../../src/sources/prisma/types.js';
import { REPO_ROOT } from '../support/paths.js';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';

const DIR = join(REPO_ROOT, 'fixtures/prisma');
const read = (name: string) => {
  const file = join(DIR, name);
  return { file, text: readFileSync(file, 'utf8') };
};
/** A value without its range, for compact expectations. */
const bare = (v: PrismaValue | undefined) => {
  if (!v) return undefined;
  if (v.kind === 'literal') return { literal: v.value };
  if (v.kind === 'env') return { env: v.envVar };
  return { other: v.text };
};
const covered = (text: string, r: { line: number; column: number; endColumn: number }) => text.split(/\r?\n/)[r.line - 1]?.slice(r.column - 1, r.endColumn - 1);

describe('parsePrismaSchema', () => {
  test('Prisma 5 style: url and directUrl from env()', () => {
    const { file, text } = read('prisma5-pooler.prisma');
    const s = parsePrismaSchema(text, file);
    expect(s.problems).toEqual([]);
    expect(s.datasources).toHaveLength(1);
    const ds = s.datasources[0]!;
    expect([ds.name, ds.provider, bare(ds.url), bare(ds.directUrl), ds.shadowDatabaseUrl]).toEqual([
      'db',
      'postgresql',
      { env: 'DATABASE_URL' },
      { env: 'DIRECT_URL' },
      undefined,
    ]);
    expect(covered(text, ds.url!.range)).toBe('env("DATABASE_URL")');
    expect([ds.range.line, ds.range.endLine]).toEqual([6, 10]);
    expect(s.generators.map((g) => [g.name, g.provider])).toEqual([['client', 'prisma-client-js']]);
  });

  test('Prisma 6 style: literal URL, other keys, braces in strings and comments, blocks after models', () => {
    const { file, text } = read('prisma6-literal.prisma');
    const s = parsePrismaSchema(text, file);
    expect(s.problems).toEqual([]);
    const ds = s.datasources[0]!;
    expect(bare(ds.url)).toEqual({ literal: 'postgresql://app:s3cr3t-P4ss@db.example.com:5432/app?connection_limit=5&pool_timeout=10' });
    expect(covered(text, ds.url!.range)).toBe((ds.url as { value: string }).value); // inside the quotes
    expect(bare(ds.shadowDatabaseUrl)).toEqual({ literal: 'postgres://shadow@localhost/shadow' });
    expect(ds.other.map((p) => [p.key, bare(p.value)])).toEqual([
      ['relationMode', { literal: 'prisma' }],
      ['schemas', { other: '["public", "audit"]' }],
      ['extensions', { other: '[pgcrypto, postgis(version: "3.4")]' }],
    ]);
    const gen = s.generators[0]!;
    expect(gen.previewFeatures).toEqual(['multiSchema', 'driverAdapters', 'relationJoins']);
    expect(bare(gen.output)).toEqual({ literal: '../generated/client' });
    expect(gen.other.map((p) => p.key)).toEqual(['binaryTargets']);
  });

  test('Prisma 7 style: a datasource without url', () => {
    const { file, text } = read('prisma7-no-url.prisma');
    const s = parsePrismaSchema(text, file);
    expect(s.problems).toEqual([]);
    expect(s.datasources.map((d) => [d.provider, d.url, d.directUrl])).toEqual([['postgresql', undefined, undefined]]);
    expect(s.generators.map((g) => [g.provider, bare(g.output)])).toEqual([['prisma-client', { literal: '../src/generated/prisma' }]]);
  });

  test('CRLF line ends', () => {
    const { file, text } = read('crlf.prisma');
    const s = parsePrismaSchema(text, file);
    expect(s.problems).toEqual([]);
    expect(s.datasources[0]?.url).toMatchObject({ kind: 'env', envVar: 'DATABASE_URL', range: { line: 3, column: 14, endColumn: 33 } });
    expect(parsePrismaSchema(`\uFEFF${text}`, file).datasources).toHaveLength(1);
  });

  test('string escapes are decoded as JSON strings', () => {
    const s = parsePrismaSchema('datasource db {\n  provider = "postgresql"\n  url = "postgres://u:p\\"q\\u0041@h/d"\n}\n', 'x.prisma');
    expect(bare(s.datasources[0]?.url)).toEqual({ literal: 'postgres://u:p"qA@h/d' });
  });

  test('errors Prisma would reject are located problems, and what can be read is kept', () => {
    const { file, text } = read('invalid-blocks.prisma');
    const s = parsePrismaSchema(text, file);
    expect(s.problems.map((p) => [p.range.line, p.message])).toEqual([
      [4, 'Key "url" is already defined in datasource "db"; Prisma rejects the schema.'],
      [5, 'Prisma cannot read this line of datasource "db": it expects "key = value".'],
      [6, 'Missing ")" in the value of "directUrl" in datasource "db"; Prisma rejects the schema.'],
      [9, 'A second datasource ("second"): Prisma allows one datasource per schema and rejects the schema.'],
      [14, 'generator "client" has no closing "}"; Prisma rejects the schema.'],
    ]);
    expect(bare(s.datasources[0]?.url)).toEqual({ env: 'DATABASE_URL' });
    expect(s.generators.map((g) => g.provider)).toEqual(['prisma-client-js']);
  });

  test('a secret in a broken line never appears in a message', () => {
    const s = parsePrismaSchema('datasource db {\n  url = "postgres://u:hunter2@h/d" extra\n  x = "postgres://u:hunter3@h\n}\n', 'x.prisma');
    expect(s.problems).toHaveLength(2);
    for (const p of s.problems) expect(p.message).not.toMatch(/hunter/);
  });
});

describe('multi-file schemas', () => {
  test('a folder is searched recursively and read as one schema', () => {
    const folder = join(DIR, 'multi-file/prisma/schema');
    expect(prismaSchemaFiles(folder).map((f) => f.slice(folder.length + 1))).toEqual(['models/user.prisma', 'post.prisma', 'schema.prisma']);
    const s = loadPrismaSchema(folder);
    expect(s.problems).toEqual([]);
    expect(s.datasources.map((d) => [d.file.endsWith('schema.prisma'), bare(d.url), bare(d.directUrl)])).toEqual([
      [true, { env: 'POSTGRES_PRISMA_URL' }, { env: 'POSTGRES_URL_NON_POOLING' }],
    ]);
    expect(s.generators[0]?.previewFeatures).toEqual(['prismaSchemaFolder']);
  });

  test('two datasources across files are reported once', () => {
    const folder = join(DIR, 'multi-file/prisma/schema');
    const s = loadPrismaSchema(folder, (path) => {
      const text = readFileSync(path, 'utf8') + (path.endsWith('post.prisma') ? '\ndatasource other {\n  provider = "postgresql"\n}\n' : '');
      return { ok: true, path, text, hasBom: false, problems: [] };
    });
    expect(s.problems.map((p) => p.message)).toEqual([expect.stringContaining('A second datasource ("db")')]);
  });

  test('a missing path is a warning, not a crash', () => {
    const s = loadPrismaSchema(join(DIR, 'does-not-exist'));
    expect(s.problems.map((p) => p.severity)).toEqual(['warning']);
  });
});

describe('which .prisma files form one schema (a project run)', () => {
  const ds = (name: string, env: string) => `datasource ${name} {\n  provider = "postgresql"\n  url      = env("${env}")\n}\n`;
  const schemasOf = (files: Record<string, string>) => {
    const dir = tempProject(files);
    const r = lintPaths(dir, [dir], testConfig());
    return {
      paths: r.facts.prismaSchemas.map((s) => relative(dir, s.path) || '.').sort(),
      errors: allDiagnostics(r).filter((d) => d.ruleId === null).map((d) => d.message),
    };
  };

  test('siblings that each declare a datasource are separate schemas (no "second datasource")', () => {
    const r = schemasOf({ 'prisma/schema.prisma': ds('db', 'DATABASE_URL'), 'prisma/schema.sqlite.prisma': ds('db', 'SQLITE_URL').replace('postgresql', 'sqlite') });
    expect(r.paths).toEqual(['prisma/schema.prisma', 'prisma/schema.sqlite.prisma']);
    expect(r.errors).toEqual([]);
  });

  test('a datasource file beside model-only files is one schema', () => {
    const r = schemasOf({ 'prisma/schema.prisma': ds('db', 'DATABASE_URL'), 'prisma/user.prisma': 'model User {\n  id Int @id\n}\n' });
    expect(r.paths).toEqual(['prisma']);
  });

  test('prisma/schema/ is one schema, its subfolders included (prismaSchemaFolder)', () => {
    const r = schemasOf({ 'prisma/schema/schema.prisma': ds('db', 'DATABASE_URL'), 'prisma/schema/models/user.prisma': 'model User {\n  id Int @id\n}\n' });
    expect(r.paths).toEqual(['prisma/schema']);
  });
});
