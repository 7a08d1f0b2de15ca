import { expect, test } from 'vitest';
import { expandDotenv } from '../../src/sources/env/expand.js';
import { loadEnvFiles } from '../../src/sources/env/files.js';
import { dotenvValues } from '../../src/sources/env/parse.js';
import { corpusFiles, corpusPath, describeCorpus } from '../support/corpus.js';

describeCorpus('every .env file of the corpus', () => {
  const files = corpusFiles('env').map((f) => corpusPath('env', f));

  test.each(files)('%s is read and expanded without a crash', (file) => {
    const [loaded] = loadEnvFiles([file]);
    expect(loaded?.entries.length).toBeGreaterThan(0);
    expect(loaded?.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
    const expanded = expandDotenv(loaded!.entries);
    expect(expanded.values.size).toBe(dotenvValues(loaded!.entries).size);
  });

  const byName = (suffix: string) => {
    const f = files.find((x) => x.endsWith(suffix));
    if (!f) throw new Error(`corpus file ${suffix} missing`);
    return dotenvValues(loadEnvFiles([f])[0]!.entries);
  };

  test('langfuse .env.prod.example: DIRECT_URL is commented out (SOURCES.md)', () => {
    const v = byName('langfuse__langfuse__.env.prod.example');
    expect(v.has('DATABASE_URL')).toBe(true);
    expect(v.has('DIRECT_URL')).toBe(false);
    expect(v.has('SHADOW_DATABASE_URL')).toBe(false);
  });

  test('trigger.dev .env.example: DATABASE_URL and DIRECT_URL carry ?schema=public', () => {
    const v = byName('triggerdotdev__trigger.dev__.env.example');
    expect(v.get('DATABASE_URL')?.value).toMatch(/^postgresql:\/\/.*\?schema=public$/);
    expect(v.get('DIRECT_URL')?.value).toBe(v.get('DATABASE_URL')?.value);
  });

  test('getsentry .env: POSTGRES_MAX_CONNECTIONS=100', () => {
    expect(byName('getsentry__self-hosted__7691addc__.env').get('POSTGRES_MAX_CONNECTIONS')?.value).toBe('100');
  });

  test('documenso .env.example: the two database URLs are identical', () => {
    const v = byName('documenso__documenso__.env.example');
    expect(v.get('NEXT_PRIVATE_DATABASE_URL')?.value).toMatch(/^postgres(ql)?:\/\/.*:54320\//);
    expect(v.get('NEXT_PRIVATE_DIRECT_DATABASE_URL')?.value).toBe(v.get('NEXT_PRIVATE_DATABASE_URL')?.value);
  });
});
