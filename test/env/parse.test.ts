import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { dotenvValues, parseDotenv } from '../../src/sources/env/parse.js';
import { REPO_ROOT } from '../support/paths.js';

const FIXTURE = join(REPO_ROOT, 'fixtures/env/dotenv-tricky.env');
const text = readFileSync(FIXTURE, 'utf8');

/** What dotenv 17.4.2 `parse()` returns for fixtures/env/dotenv-tricky.env (run against lib/main.js). */
const DOTENV_RESULT: Record<string, string> = {
  BASIC: 'basic',
  EMPTY: '',
  EMPTY_DOUBLE: '',
  SPACED_KEY: 'spaced value',
  EXPORTED: 'yes',
  COLON: 'colon value',
  SINGLE: 'single # not a comment',
  DOUBLE: 'double # not a comment',
  BACKTICK: `back "tick" 'quotes'`,
  HASH_NO_SPACE: 'pa',
  HASH_SPACE: 'value',
  QUOTED_THEN_COMMENT: 'quoted',
  QUOTED_THEN_TEXT: '"quoted" text',
  NEWLINES_DOUBLE: 'a\nb',
  NEWLINES_SINGLE: 'a\\nb',
  NEWLINES_UNQUOTED: 'a\\nb',
  ESCAPED_QUOTE: 'say \\"hi\\"',
  MULTI: 'line one\nline two',
  DATABASE_URL: 'postgres://app:s3cr3t-P4ss@db.example.com:5432/app?sslmode=require',
  DUP: 'second',
  UNTERMINATED: '"open',
  'DOT.KEY-1': 'dotted',
  LAST: 'no-final-newline',
};

const valuesOf = (t: string): Record<string, string> =>
  Object.fromEntries([...dotenvValues(parseDotenv(t, 'x.env').entries)].map(([k, e]) => [k, e.value]));

/** The text a range covers (single- or multi-line). */
function slice(t: string, r: { line: number; column: number; endLine: number; endColumn: number }): string {
  const lines = t.split(/(?<=\r\n|\n|\r(?!\n))/);
  const offset = (line: number, col: number): number => lines.slice(0, line - 1).join('').length + col - 1;
  return t.slice(offset(r.line, r.column), offset(r.endLine, r.endColumn));
}

describe('parseDotenv: values as dotenv 17.4.2 reads them', () => {
  test('the tricky fixture gives exactly dotenv’s object', () => {
    expect(valuesOf(text)).toEqual(DOTENV_RESULT);
  });

  test('CRLF and lone CR line ends give the same values', () => {
    expect(valuesOf(text.replace(/\n/g, '\r\n'))).toEqual(DOTENV_RESULT);
    expect(valuesOf(text.replace(/\n/g, '\r'))).toEqual(DOTENV_RESULT);
  });

  test('a UTF-8 BOM is skipped like whitespace', () => {
    expect(valuesOf('\uFEFFFIRST=1\nSECOND=2')).toEqual({ FIRST: '1', SECOND: '2' });
  });

  test.each([
    ['an unquoted # always starts a comment', 'P=pa#ss', 'pa'],
    ['a quoted # is kept', 'P="pa#ss"', 'pa#ss'],
    ['\\n is expanded in double quotes only', "A='x\\ny'", 'x\\ny'],
    ['\\r is expanded in double quotes', 'A="x\\ry"', 'x\ry'],
    ['an escaped backslash before n still expands (dotenv has no \\\\ escape)', 'A="x\\\\ny"', 'x\\\ny'],
    ['inner quotes are kept', 'A={"a": "b"}', '{"a": "b"}'],
    ['spaces inside quotes are kept', "A='  x  '", '  x  '],
    ['= in values', 'A=b==c', 'b==c'],
    ['KEY: value form', 'A: b', 'b'],
    ['export with extra spaces', 'export   A  =b', 'b'],
    ['an empty value followed by a quoted line takes that line (dotenv regex quirk)', 'A=\n"next"', 'next'],
  ])('%s', (_name, input, expected) => {
    expect(valuesOf(input).A ?? valuesOf(input).P).toBe(expected);
  });

  test('duplicate keys: every assignment is kept, the last one wins', () => {
    const { entries } = parseDotenv('DUP=one\nDUP=two\n', 'x.env');
    expect(entries.map((e) => e.value)).toEqual(['one', 'two']);
    expect(dotenvValues(entries).get('DUP')?.value).toBe('two');
  });

  test('export is recorded, quotes are classified', () => {
    const { entries } = parseDotenv("export A=1\nB='2'\nC=\"3\"\nD=`4`\nE=5", 'x.env');
    expect(entries.map((e) => [e.key, e.exported, e.quoted])).toEqual([
      ['A', true, 'none'],
      ['B', false, 'single'],
      ['C', false, 'double'],
      ['D', false, 'backtick'],
      ['E', false, 'none'],
    ]);
  });
});

describe('parseDotenv: ranges', () => {
  const { entries } = parseDotenv(text, FIXTURE);
  const byKey = (k: string) => entries.find((e) => e.key === k)!;

  test('key, value (inside quotes) and whole assignment', () => {
    const e = byKey('DOUBLE');
    expect(e.keyRange).toEqual({ file: FIXTURE, line: 9, column: 1, endLine: 9, endColumn: 7 });
    expect(slice(text, e.valueRange)).toBe('double # not a comment');
    expect(slice(text, e.range)).toBe('DOUBLE="double # not a comment"');
  });

  test('unquoted values are trimmed; export is part of the assignment', () => {
    expect(slice(text, byKey('SPACED_KEY').valueRange)).toBe('spaced value');
    expect(slice(text, byKey('EXPORTED').range)).toBe('export EXPORTED=yes');
    expect(slice(text, byKey('HASH_SPACE').range)).toBe('HASH_SPACE=value');
  });

  test('a multi-line value spans its lines', () => {
    const e = byKey('MULTI');
    expect([e.valueRange.line, e.valueRange.endLine]).toEqual([19, 20]);
    expect(slice(text, e.valueRange)).toBe('line one\nline two');
  });

  test('an empty value has an empty range right after the separator', () => {
    const e = byKey('EMPTY');
    expect(e.valueRange).toEqual({ file: FIXTURE, line: 3, column: 7, endLine: 3, endColumn: 7 });
  });

  test('ranges stay exact with CRLF line ends', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const got = parseDotenv(crlf, FIXTURE).entries;
    for (const e of got) {
      const lf = byKey(e.key);
      if (e.key === 'DUP') continue;
      expect(e.valueRange).toEqual(lf.valueRange);
      expect(slice(crlf, e.range)).toBe(slice(text, lf.range).replace(/\n/g, '\r\n'));
    }
  });

  test('the last line without a final newline', () => {
    expect(slice(text, byKey('LAST').valueRange)).toBe('no-final-newline');
  });
});

describe('parseDotenv: problems', () => {
  const { problems } = parseDotenv(text, FIXTURE);

  test('skipped lines, unbalanced quotes', () => {
    expect(problems.map((p) => [p.range.line, p.severity, p.message])).toEqual([
      [14, 'warning', expect.stringContaining('QUOTED_THEN_TEXT starts with a double quote')],
      [25, 'warning', expect.stringContaining('UNTERMINATED starts with a double quote')],
      [22, 'warning', 'dotenv skips this line: it is not a KEY=value assignment or a # comment.'],
    ]);
  });

  test('messages never contain values', () => {
    const secret = parseDotenv('A="s3cr3t-P4ss\' x\npassword=hunter2 hunter3 @@\nB=\n"QUOTED_SECRET"', 'x.env');
    for (const p of secret.problems) {
      expect(`${p.message} ${p.help ?? ''}`).not.toMatch(/s3cr3t|hunter|QUOTED_SECRET/);
    }
    expect(secret.problems.some((p) => p.message.includes('B has nothing after the separator'))).toBe(true);
  });

  test('a file of comments and blank lines has no entries and no problems', () => {
    expect(parseDotenv('# a\n\n   # b\n\t\n', 'x.env')).toEqual({ entries: [], problems: [] });
  });
});

describe('parseDotenv: properties', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/);
  // Values without characters that dotenv treats specially.
  const plain = fc.stringMatching(/^[A-Za-z0-9:/@?&=%._+-]{1,30}$/);

  test('plain KEY=value lines read back, and valueRange covers the value', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, plain, fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 8 }), (lines) => {
        const src = lines.map(([k, v, nl]) => `${k}=${v}${nl}`).join('');
        const { entries, problems } = parseDotenv(src, 'p.env');
        expect(problems).toEqual([]);
        expect(entries.map((e) => [e.key, e.value])).toEqual(lines.map(([k, v]) => [k, v]));
        for (const e of entries) expect(slice(src, e.valueRange)).toBe(e.value);
      }),
    );
  });

  test('double-quoted values without backslashes or quotes read back', () => {
    const quoted = fc.stringMatching(/^[^"\\\r\n]{0,30}$/);
    fc.assert(
      fc.property(key, quoted, (k, v) => {
        const { entries } = parseDotenv(`${k}="${v}"\n`, 'p.env');
        expect(entries.map((e) => e.value)).toEqual([v]);
        expect(slice(`${k}="${v}"\n`, entries[0]!.valueRange)).toBe(v);
      }),
    );
  });
});

describe('parseDotenv: robustness', () => {
  test('any text parses without throwing, with ranges inside the text', () => {
    const tok = fc.constantFrom('A', '=', ' ', '\n', '\r\n', '\r', '#', "'", '"', '`', '\\', '$', 'export ', ':', '\uFEFF', '\u2028', 'x');
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 50 }), (tokens) => {
        const t = tokens.join('');
        const lines = t.split(/\r\n|\r|\n/).length;
        const r = parseDotenv(t, 'f.env');
        for (const x of [...r.entries.flatMap((e) => [e.range, e.keyRange, e.valueRange]), ...r.problems.map((p) => p.range)]) {
          expect(x.line).toBeGreaterThanOrEqual(1);
          expect(x.endLine).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
