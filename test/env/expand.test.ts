import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expandDotenv } from '../../src/sources/env/expand.js';
import { parseDotenv } from '../../src/sources/env/parse.js';
import { REPO_ROOT } from '../support/paths.js';

const FIXTURE = join(REPO_ROOT, 'fixtures/env/dotenv-expand.env');
const parsed = parseDotenv(readFileSync(FIXTURE, 'utf8'), FIXTURE);
const ENV = { MACHINE_HOST: 'from-env', DB_HOST: 'override.example' };

const valuesOf = (r: ReturnType<typeof expandDotenv>): Record<string, string> => Object.fromEntries([...r.values].map(([k, v]) => [k, v.value]));

/**
 * What dotenv-expand 12.0.3 gives for fixtures/env/dotenv-expand.env with ENV as the environment
 * (run against its lib/main.js). `expand(dotenv.config())`: dotenv first copies the raw values into
 * the environment, so FORWARD sees LATER.
 */
const AFTER_CONFIG: Record<string, string> = {
  DB_USER: 'app',
  DB_PASSWORD: 's3cr3t-P4ss',
  DB_HOST: 'override.example',
  DATABASE_URL: 'postgres://app:s3cr3t-P4ss@override.example:5432/app',
  DIRECT_URL: 'postgres://app:s3cr3t-P4ss@override.example:5432/app',
  POOLED_URL: 'postgres://app:s3cr3t-P4ss@override.example:5432/app?pgbouncer=true',
  FROM_MACHINE: 'from-env',
  EMPTY: '',
  DASH_DEFAULT: 'fallback', // `-` falls back on empty too in 12.x (1000.0.0 changed this)
  COLON_DEFAULT: 'fallback',
  ALT: 'has-user',
  ALT_UNSET: '',
  ESCAPED: '$DB_USER',
  SINGLE_QUOTED: 'app', // single quotes do not stop expansion
  SELF: '',
  FORWARD: 'later-value',
  LATER: 'later-value',
  NULLISH: 'able', // expression.split(null) splits at the text "null"
  DOLLARS: 'a', // 'a$$b' → replace() pattern $$ → 'a$b' → $b expands to ''
  PRICE: 'a$',
};

describe('expandDotenv: values as dotenv-expand 12.0.3 computes them', () => {
  test('expand(dotenv.config())', () => {
    const r = expandDotenv(parsed.entries, ENV);
    expect(valuesOf(r)).toEqual(AFTER_CONFIG);
    expect(r.problems).toEqual([]);
  });

  test('expand({ parsed }) on an untouched environment: no forward references', () => {
    const r = expandDotenv(parsed.entries, ENV, { populateFirst: false });
    expect(valuesOf(r)).toEqual({ ...AFTER_CONFIG, FORWARD: '', DOLLARS: '' });
  });

  test('keys are visited in JS object order: integer-like keys first', () => {
    const r = expandDotenv(parseDotenv('B=1\n10=x\nA=2\n2=y\nB=3', 'x.env').entries);
    expect([...r.values.keys()]).toEqual(['2', '10', 'B', 'A']);
    expect(r.values.get('B')?.value).toBe('3');
  });

  test('a self-reference reached from another key makes dotenv-expand loop forever: reported', () => {
    const r = expandDotenv(parseDotenv('C="${C}"\nA="x${C}"\n', 'x.env').entries);
    expect(r.values.get('C')?.value).toBe('');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toContain('never finishes expanding A');
    expect(r.problems[0]?.range.line).toBe(2);
  });
});

describe('expandDotenv: provenance', () => {
  const r = expandDotenv(parsed.entries, ENV);

  test('each reference says where its value came from', () => {
    const url = r.values.get('DATABASE_URL')!;
    expect(url.entry.keyRange.line).toBe(5);
    expect(url.references.map((x) => [x.name, x.source, x.entry?.keyRange.line ?? null, x.usedDefault])).toEqual([
      ['DB_USER', 'file', 2, false],
      ['DB_PASSWORD', 'file', 3, false],
      ['DB_HOST', 'env', null, false],
      ['DB_PORT', 'unset', null, true],
    ]);
  });

  test('a value the environment already holds is kept, not expanded', () => {
    const host = r.values.get('DB_HOST')!;
    expect(host.fromEnvironment).toBe(true);
    expect(host.references).toEqual([]);
    expect(r.values.get('DB_USER')?.fromEnvironment).toBe(false);
  });

  test('nested references are followed through the file', () => {
    const pooled = r.values.get('POOLED_URL')!;
    expect(pooled.references[0]).toMatchObject({ name: 'DATABASE_URL', source: 'file' });
    expect(pooled.references.map((x) => x.name)).toContain('DB_PASSWORD');
  });
});
