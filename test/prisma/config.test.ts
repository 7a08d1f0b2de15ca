import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPrismaConfig, parsePrismaConfig } from '../../src/sources/prisma/config.js';
import type { PrismaValue } from '../../src/sources/prisma/types.js';
import { REPO_ROOT } from '../support/paths.js';

const DIR = join(REPO_ROOT, 'fixtures/prisma/config');
const load = (name: string) => {
  const file = join(DIR, name);
  return { text: readFileSync(file, 'utf8'), facts: loadPrismaConfig(file) };
};
const bare = (v: PrismaValue | undefined): unknown => {
  if (!v) return undefined;
  if (v.kind === 'literal') return { literal: v.value };
  if (v.kind === 'env') return v.fallback ? { env: v.envVar, fallback: bare(v.fallback) } : { env: v.envVar };
  return { other: v.text };
};
const covered = (text: string, r: { line: number; column: number; endColumn: number }) => text.split('\n')[r.line - 1]?.slice(r.column - 1, r.endColumn - 1);

describe('parsePrismaConfig (read statically, never run)', () => {
  test("defineConfig with env() and import 'dotenv/config'", () => {
    const { text, facts } = load('define-config-env.ts');
    expect(facts.problems).toEqual([]);
    expect(facts.schemaPath).toBe('prisma/schema.prisma');
    expect(facts.migrationsPath).toBe('prisma/migrations');
    expect(facts.dotenvImport?.module).toBe('dotenv/config');
    expect(bare(facts.datasource?.url)).toEqual({ env: 'DATABASE_URL' });
    expect(bare(facts.datasource?.shadowDatabaseUrl)).toEqual({ env: 'SHADOW_DATABASE_URL' });
    expect(covered(text, facts.datasource!.url!.range)).toBe("env('DATABASE_URL')");
  });

  test('satisfies PrismaConfig with process.env and ?? fallbacks', () => {
    const { facts } = load('satisfies-process-env.ts');
    expect(facts.problems).toEqual([]);
    expect(facts.schemaPath).toBe('prisma/schema');
    expect(facts.dotenvImport?.module).toBe('dotenv');
    expect(bare(facts.datasource?.url)).toEqual({ env: 'DIRECT_URL', fallback: { env: 'DATABASE_URL', fallback: { literal: '' } } });
  });

  test('const indirection, template literal, non-null assertion', () => {
    const { facts } = load('const-indirection.ts');
    expect(facts.schemaPath).toBe('./db/schema.prisma');
    expect(bare(facts.datasource?.url)).toEqual({ env: 'MIGRATION_DATABASE_URL' });
    expect(facts.dotenvImport).toBeUndefined();
  });

  test('a literal URL keeps its range inside the quotes', () => {
    const { text, facts } = load('literal-url.ts');
    const url = facts.datasource?.url;
    expect(url?.kind).toBe('literal');
    expect(covered(text, url!.range)).toBe((url as { value: string }).value);
  });

  test('Prisma 7 rejects datasource.directUrl', () => {
    const { facts } = load('direct-url-rejected.ts');
    expect(bare(facts.datasource?.directUrl)).toEqual({ env: 'DIRECT_URL' });
    expect(facts.problems.map((p) => [p.severity ?? 'error', p.range.line, p.message])).toEqual([
      ['error', 7, expect.stringContaining('`directUrl` is an unknown key')],
    ]);
  });

  test("Prisma 6's engine: 'classic' accepts directUrl; a computed schema path is kept as 'other'", () => {
    const { facts } = load('engine-classic.ts');
    expect(facts.engine).toBe('classic');
    expect(facts.problems).toEqual([]);
    expect(bare(facts.datasource?.directUrl)).toEqual({ env: 'DIRECT_URL' });
    expect(facts.schemaPath).toBeUndefined();
    expect(bare(facts.schemaValue)).toEqual({ other: "path.join('prisma', 'schema.prisma')" });
  });

  test('what cannot be read statically is a warning', () => {
    expect(load('no-default-export.ts').facts.problems.map((p) => [p.severity, p.message])).toEqual([
      ['warning', expect.stringContaining('No default export')],
    ]);
    const computed = load('computed.ts').facts;
    expect(computed.schemaPath).toBe('prisma/schema.prisma');
    expect(computed.datasource).toBeUndefined();
    expect(computed.problems.map((p) => p.message)).toEqual([expect.stringContaining('`datasource` is not an object literal')]);
  });

  test('CommonJS module.exports and || fallbacks', () => {
    const facts = parsePrismaConfig(
      "const { defineConfig } = require('prisma/config');\nmodule.exports = defineConfig({ datasource: { url: process.env.DATABASE_URL || 'postgres://localhost/dev' } });\n",
      'prisma.config.js',
    );
    expect(bare(facts.datasource?.url)).toEqual({ env: 'DATABASE_URL', fallback: { literal: 'postgres://localhost/dev' } });
  });

  test('an unreadable file is a problem', () => {
    expect(loadPrismaConfig(join(DIR, 'missing.ts')).problems).toHaveLength(1);
  });
});
