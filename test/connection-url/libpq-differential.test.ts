/**
 * Proves the parser against the real libpq: for every table case, hand-picked
 * edge cases and thousands of generated strings, PQconninfoParse() (libpq 15
 * and 18) and readLibpqOptions() must agree on acceptance and on every option.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LIBPQ_KEYWORDS, SECRET_KEYWORDS } from '../../src/sources/connection-url/libpq.js';
import { readLibpqOptions } from '../../src/sources/connection-url/parse.js';
import { CASES } from './cases.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { type LibpqHarness, libpqPrograms, setUpRealLibpq } from './real-libpq.js';

let harness: LibpqHarness | null = null;
/** Why the tests skip when the harness cannot be built (the closing summary prints it). */
const MISSING = missingProgramsNote(libpqPrograms()).meta.skipNote;
beforeAll(() => {
  harness = setUpRealLibpq();
});
afterAll(() => harness?.cleanup());

const EDGE = [
  'postgresql://u:p@h1:5432,[::1]:5433/db?connection_limit=1',
  'postgres://h/d?ssl=true&requiressl=0',
  'postgres://h/d?ssl=false',
  'postgres://h/d?a',
  'postgres://h/d?a=b=c',
  'postgres://h/d?&a=b',
  'postgres://h/d?a=b&',
  'postgres://h/d?a=b&&c=d',
  'postgres://h/d?',
  'postgres://h/d?=x',
  'postgres://h/db#frag?x=y',
  'postgres://%2Fvar%2Frun/db',
  'postgresql:///db?host=/tmp&port=',
  'postgres://u@p@h/',
  'postgres://,/db',
  'postgres://a,,b/db',
  'postgres://h:/db',
  'postgres://h%2Cx/db',
  'postgres://u:@h',
  'postgres://:p@h',
  'postgres://@h',
  'postgres://h?application_name=a@b',
  'postgres://h/%00',
  'postgres://h/%4',
  'postgres://h/%4g',
  'postgres://h/d?application_name=%E2%82%AC+x',
  'postgres://[::1',
  'postgres://[]',
  'postgres://[::1]x',
  'postgres://[::1],[::2]:5/d',
  'postgres://h/d?user=x&dbname=y&password=z',
  'Postgres://h/d',
  ' postgres://h/d',
  'host=a host=b',
  'host = a   port =5432',
  "host='a b' dbname='x\\'y' user=\\'q",
  "host='unterminated",
  'host=a\\',
  "host=''",
  'host=',
  'host= port=5',
  'hostport=5',
  'host',
  '=x',
  'ssl=true',
  'requiressl=1 sslmode=disable',
  'sslmode=disable requiressl=1',
  'load_balance_hosts=random',
  'sslnegotiation=direct',
  'scram_client_key=abc',
  'host=a\tport=5\ndbname=x\r\n',
  "options='-c a=b' application_name=x",
];

describe('PQconninfoParse() differential', () => {
  test('the keyword table matches PQconndefaults() of each libpq, secrets included', (ctx) => {
    if (!harness) return ctx.skip(MISSING);
    for (const lib of harness.libs) {
      const real = lib.keywords();
      const expected = [...LIBPQ_KEYWORDS].filter(([, since]) => since <= lib.major).map(([k]) => k).sort();
      expect(real.map((k) => k.keyword).sort(), `libpq ${lib.major}`).toEqual(expected);
      for (const k of real) if (k.dispchar === '*') expect(SECRET_KEYWORDS.has(k.keyword), k.keyword).toBe(true);
    }
  });

  function compare(inputs: string[]): void {
    if (!harness) return;
    for (const lib of harness.libs) {
      const realResults = lib.parse(inputs);
      expect(realResults.length).toBe(inputs.length);
      inputs.forEach((text, i) => {
        const real = realResults[i];
        const ours = readLibpqOptions(text, lib.major);
        const label = `libpq ${lib.major}: ${JSON.stringify(text)}`;
        if ('error' in ours) {
          expect(real, label).toBeNull();
          return;
        }
        const tooNew = [...ours.options.keys()].some((k) => (LIBPQ_KEYWORDS.get(k) ?? 0) > lib.major);
        if (tooNew) {
          expect(real, label).toBeNull();
          return;
        }
        expect(real, label).not.toBeNull();
        expect(Object.fromEntries(ours.options), label).toEqual(Object.fromEntries(real ?? []));
      });
    }
  }

  test('table cases and edge cases', (ctx) => {
    if (!harness) return ctx.skip(MISSING);
    compare([...CASES.map((c) => c.text).filter((t) => !t.includes(';')), ...EDGE]);
  });

  test('generated URLs and conninfo strings (fast-check)', (ctx) => {
    if (!harness) return ctx.skip(MISSING);
    const urlChars = fc.constantFrom(...'ab1:@/?&=%[],.#+ 2fF0\'\\'.split(''), '%2F', '%40', '%3D', '%00', '%zz', '[::1]', 'host', 'port', 'dbname', 'user', 'password', 'ssl', 'true', 'options');
    const url = fc.tuple(fc.constantFrom('postgresql://', 'postgres://'), fc.array(urlChars, { maxLength: 24 })).map(([p, cs]) => p + cs.join(''));
    const word = fc.array(fc.constantFrom(...'ab1:@/=\'\\ ,\t'.split('')), { maxLength: 6 }).map((a) => a.join(''));
    const key = fc.constantFrom('host', 'port', 'dbname', 'user', 'password', 'options', 'hostaddr', 'requiressl', 'ssl', 'application_name', 'bogus', '');
    const conninfo = fc.array(fc.tuple(key, fc.constantFrom('=', ' = ', '= ', ' '), fc.oneof(word, word.map((w) => `'${w}'`))), { maxLength: 5 }).map((items) =>
      items.map(([k, eq, v]) => `${k}${eq}${v}`).join(fc.sample(fc.constantFrom(' ', '  ', '\t'), 1)[0] ?? ' '),
    );
    const samples = [...fc.sample(url, { numRuns: 3000, seed: 4242 }), ...fc.sample(conninfo, { numRuns: 2000, seed: 4343 })].filter((s) => !s.includes('\0'));
    compare(samples);
  });
});
