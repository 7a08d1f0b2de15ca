import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parsePrismaSchema } from '../../src/sources/prisma/schema.js';
import type { PrismaValue } from '../../src/sources/prisma/types.js';
import { corpusPath, describeCorpus } from '../support/corpus.js';

const DIR = corpusPath('prisma');
const envName = (v: PrismaValue | undefined) => (v?.kind === 'env' ? v.envVar : v);

/** Datasource env names per corpus file, as SOURCES.md and the files themselves say. */
const EXPECTED: Record<string, { url: string; directUrl: string; shadow?: string; generators: number }> = {
  'documenso__documenso__packages__prisma__schema.prisma': { url: 'NEXT_PRIVATE_DATABASE_URL', directUrl: 'NEXT_PRIVATE_DIRECT_DATABASE_URL', generators: 4 },
  'langfuse__langfuse__packages__shared__prisma__schema.prisma': { url: 'DATABASE_URL', directUrl: 'DIRECT_URL', shadow: 'SHADOW_DATABASE_URL', generators: 1 },
  'mfts__papermark__prisma__schema__schema.prisma': {
    url: 'POSTGRES_PRISMA_URL',
    directUrl: 'POSTGRES_PRISMA_URL_NON_POOLING',
    shadow: 'POSTGRES_PRISMA_SHADOW_URL',
    generators: 1,
  },
  'triggerdotdev__trigger.dev__internal-packages__database__prisma__schema.prisma': { url: 'DATABASE_URL', directUrl: 'DIRECT_URL', generators: 1 },
  'vercel__examples__storage__postgres-prisma__prisma__schema.prisma': { url: 'POSTGRES_PRISMA_URL', directUrl: 'POSTGRES_URL_NON_POOLING', generators: 1 },
};

describeCorpus('every Prisma schema of the corpus', () => {
  const files = readdirSync(DIR);

  test('the table covers the corpus', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(files)('%s', (name) => {
    const file = join(DIR, name);
    const text = readFileSync(file, 'utf8');
    const t0 = performance.now();
    const s = parsePrismaSchema(text, file);
    const ms = performance.now() - t0;
    expect(s.problems).toEqual([]);
    const want = EXPECTED[name]!;
    expect(s.datasources.map((d) => [d.provider, envName(d.url), envName(d.directUrl), envName(d.shadowDatabaseUrl)])).toEqual([
      ['postgresql', want.url, want.directUrl, want.shadow],
    ]);
    expect(s.generators).toHaveLength(want.generators);
    // The largest corpus schema is 100 KB; a linear scan reads it in a few ms.
    expect(ms).toBeLessThan(500);
  });
});
