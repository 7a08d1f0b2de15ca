/**
 * Property-based tests: a model of settings is printed in every way
 * guc-file.l allows (quoting styles, escapes, units, whitespace, comments,
 * with or without =, CRLF, no final newline) and must come back from the
 * parser unchanged; arbitrary text never throws; and a sample of generated
 * files goes through the real PostgreSQL 15 server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parsePostgresqlConf } from '../../src/sources/postgresql-conf/parse.js';
import { PG15_BIN, requireBinary, serverPrograms, startRealPostgres, type RealPostgres } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import type { ConfCase } from './cases.js';
import { compareWithServer, pgLineNumbers } from './pg-view.js';

interface ModelSetting {
  name: string;
  value: string;
}

const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_é');
const letterOrDigit = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789é');
const id = fc.tuple(letter, fc.array(letterOrDigit, { maxLength: 8 })).map(([a, b]) => a + b.join(''));
const isDirectiveName = (n: string): boolean => /^(include|include_if_exists|include_dir)$/i.test(n);
// Mostly extension-style names (never "unrecognized"), sometimes plain ones.
const name = fc.oneof({ weight: 3, arbitrary: fc.tuple(id, id).map(([a, b]) => `${a}.${b}`) }, { weight: 1, arbitrary: id }).filter((n) => !isDirectiveName(n));

const digits = fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 6 }).map((d) => d.join(''));
const sign = fc.constantFrom('', '-', '+');
const unitLetters = fc.array(fc.constantFrom(...'kMGTBmsinhdx'), { maxLength: 3 }).map((u) => u.join(''));
const integer = fc.oneof(
  fc.tuple(sign, digits, unitLetters).map(([s, d, u]) => s + d + u),
  fc.tuple(sign, fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 1, maxLength: 6 }), unitLetters).map(([s, h, u]) => `${s}0x${h.join('')}${u}`),
);
const optDigits = fc.oneof(fc.constant(''), digits);
const real = fc
  .tuple(sign, optDigits, optDigits, fc.option(fc.tuple(fc.constantFrom('e', 'E'), sign, digits), { nil: undefined }))
  .map(([s, a, b, e]) => `${s}${a}.${b}${e ? e.join('') : ''}`);
const unquotedRest = fc.array(fc.constantFrom(...'abcXYZ_09é-.:/'), { maxLength: 10 }).map((r) => r.join(''));
const QUALIFIED_ID = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*\.[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/;
// An unquoted word that is ID or UNQUOTED_STRING (a bare a.b is a QUALIFIED_ID, which is no value).
const word = fc.tuple(letter, unquotedRest).map(([a, r]) => a + r).filter((w) => !QUALIFIED_ID.test(w));
const unquotedValue = fc.oneof(integer, real, word);

// Quoted values: any text without NUL (a NUL ends the C string).
const valueChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("'", '\\', '\n', '\t', '\r', '\b', '\f', '#', ' ', '=', '"', ';', 'é', '🐘', '0', '7', 'n', 't') },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0') },
);
const quotedText = fc.array(valueChar, { maxLength: 12 }).map((a) => a.join(''));

/** Prints `text` as a STRING token, choosing among the spellings guc-file.l accepts for each character. */
function quote(text: string, choices: number[]): string {
  let out = "'";
  let k = 0;
  const pick = (n: number): number => (choices[k++ % Math.max(choices.length, 1)] ?? 0) % n;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case "'":
        out += pick(2) === 0 ? "''" : "\\'";
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += ['\\t', '\t', '\\011'][pick(3)];
        break;
      case '\r':
        out += ['\\r', '\r'][pick(2)];
        break;
      case '\b':
        out += ['\\b', '\b'][pick(2)];
        break;
      case '\f':
        out += ['\\f', '\f'][pick(2)];
        break;
      default: {
        const p = pick(4);
        if (p === 1 && code < 0x80) out += `\\${code.toString(8).padStart(3, '0')}`;
        else if (p === 2 && !/[bfnrt0-7]/.test(ch)) out += `\\${ch}`;
        else out += ch;
      }
    }
  }
  return `${out}'`;
}

const ws = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 3 }).map((a) => a.join(''));
const ws1 = fc.array(fc.constantFrom(' ', '\t'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const comment = fc.option(fc.string({ maxLength: 10 }).map((s) => `#${s.replace(/[\n\0]/g, ' ')}`), { nil: '' });

interface PrintedLine {
  text: string;
  setting?: ModelSetting;
}

const settingLine: fc.Arbitrary<PrintedLine> = fc
  .tuple(
    name,
    fc.oneof(quotedText.map((v) => ({ v, quoted: true })), unquotedValue.map((v) => ({ v, quoted: false }))),
    fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    fc.boolean(),
    ws,
    ws,
    ws1,
    ws,
    comment,
  )
  .map(([n, { v, quoted }, choices, equals, lead, beforeEq, sep, trail, c]) => {
    const value = quoted ? quote(v, choices) : v;
    const between = equals ? `${beforeEq}=${lead}` : sep;
    return { text: `${lead}${n}${between}${value}${trail}${c}`, setting: { name: n, value: v } };
  });
const otherLine: fc.Arbitrary<PrintedLine> = fc.oneof(ws.map((t) => ({ text: t })), fc.tuple(ws, comment).map(([a, b]) => ({ text: a + b })));

const confFile = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: settingLine }, { weight: 1, arbitrary: otherLine }), { maxLength: 15 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, finalEol]) => ({
    text: lines.map((l) => l.text).join(eol) + (finalEol && lines.length > 0 ? eol : ''),
    settings: lines.flatMap((l, i) => (l.setting ? [{ ...l.setting, line: i + 1 }] : [])),
  }));

describe('round trip: model → printer → parser', () => {
  test('every printed setting comes back with its name, value and line', () => {
    fc.assert(
      fc.property(confFile, ({ text, settings }) => {
        const r = parsePostgresqlConf(text, '/p/postgresql.conf');
        expect(r.problems).toEqual([]);
        // Lines counted as PostgreSQL does (a raw \r inside a quoted value is no line end for it, but is for LineIndex).
        const pgLine = pgLineNumbers(text);
        const got = r.items.map((i) => (i.type === 'setting' ? { name: i.entry.name, value: i.entry.value, line: pgLine[i.entry.nameRange.line - 1] } : null));
        expect(got).toEqual(settings);
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary text never throws, and every range lies inside the text', () => {
    const junk = fc.string({ unit: fc.oneof(fc.constantFrom(..."'\\#=\n\r\t .-+0x1eE_aé;\"/"), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 80 });
    fc.assert(
      fc.property(junk, fc.boolean(), (text, first) => {
        const r = parsePostgresqlConf(text, '/p/x.conf', { firstErrorOnly: first });
        const lines = text.split(/\r\n|\r|\n/);
        for (const range of [...r.problems.map((p) => p.range), ...r.items.map((i) => (i.type === 'setting' ? i.entry.range : i.directive.range))]) {
          expect(range.line).toBeGreaterThanOrEqual(1);
          expect(range.endLine).toBeLessThanOrEqual(lines.length);
          expect(range.column).toBeGreaterThanOrEqual(1);
          expect(range.endColumn).toBeLessThanOrEqual((lines[range.endLine - 1] ?? '').length + 1);
        }
        if (first) expect(r.problems.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });
});

// Lines that make PostgreSQL report a syntax error, mixed into the server sample.
const badLine = fc.constantFrom('work_mem = 5 MB', "x.y = 'open", 'a.b.c = 1', '= 1', 'x.y = a.b', 'x.y = 1e5', 'x.y =', "x.y = 'a''");
const serverFile = fc
  .tuple(fc.array(fc.oneof({ weight: 6, arbitrary: settingLine }, { weight: 2, arbitrary: otherLine }, { weight: 1, arbitrary: badLine.map((t) => ({ text: t })) }), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, finalEol]) => lines.map((l) => l.text).join(eol) + (finalEol ? eol : ''));

const PG15_PROGRAMS = serverPrograms(PG15_BIN);

describe.skipIf(!PG15_PROGRAMS.every(requireBinary))('generated files through PostgreSQL 15', missingProgramsNote(PG15_PROGRAMS), () => {
  let pg: RealPostgres;
  beforeAll(async () => {
    pg = await startRealPostgres(PG15_BIN);
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  }, 60_000);

  test('30 generated files: pg_file_settings equals our loader', async () => {
    await fc.assert(
      fc.asyncProperty(serverFile, async (text) => {
        const c: ConfCase = { name: 'generated', files: new Map([['postgresql.conf', Buffer.from(text, 'utf8')]]) };
        const { pg: theirs, ours } = await compareWithServer(pg, c);
        expect(ours.settings).toEqual(theirs.settings);
        expect(ours.errors).toEqual(theirs.errors);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
