import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isPgbouncerIni, parseConnstring, parsePgbouncerIni, pgbouncerReportedLine } from '../../src/sources/pgbouncer-ini/parse.js';

const F = '/repo/pgbouncer.ini';
const parse = (t: string, o = {}) => parsePgbouncerIni(t, F, o);

describe('parsePgbouncerIni (libusual cfparser.c)', () => {
  test('key = value with exact ranges', () => {
    const r = parse('[pgbouncer]\n  pool_mode  =  transaction  \n');
    expect(r.problems).toEqual([]);
    expect(r.entries).toHaveLength(1);
    const e = r.entries[0]!;
    expect(e).toMatchObject({ section: 'pgbouncer', key: 'pool_mode', value: 'transaction' });
    expect(e.keyRange).toEqual({ file: F, line: 2, column: 3, endLine: 2, endColumn: 12 });
    expect(e.valueRange).toEqual({ file: F, line: 2, column: 17, endLine: 2, endColumn: 28 });
    expect(e.range).toEqual({ file: F, line: 2, column: 3, endLine: 2, endColumn: 28 });
  });

  test('regression: no inline comments — ";" and "#" after a value belong to it', () => {
    const r = parse('[pgbouncer]\npool_mode = transaction ; comment\nserver_reset_query = DISCARD ALL # x\n');
    expect(r.entries.map((e) => e.value)).toEqual(['transaction ; comment', 'DISCARD ALL # x']);
  });

  test('comment lines start with ; or # after whitespace', () => {
    const r = parse(' ; a\n\t# b\n[pgbouncer]\n;pool_mode = session\n#x=1\n');
    expect(r.entries).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  test('empty value, CRLF, no final newline', () => {
    const r = parse('[pgbouncer]\r\nserver_reset_query =\r\nlisten_port = 6432');
    expect(r.entries.map((e) => [e.key, e.value, e.range.line])).toEqual([
      ['server_reset_query', '', 2],
      ['listen_port', '6432', 3],
    ]);
  });

  test('section names are verbatim (strcmp in PgBouncer) and parsing goes on after "]"', () => {
    const r = parse('[ Databases ]\n[pgbouncer]x=1\n[databases] ; dbs\n');
    expect(r.sections.map((s) => s.name)).toEqual([' Databases ', 'pgbouncer', 'databases']);
    expect(r.entries[0]).toMatchObject({ section: 'pgbouncer', key: 'x', value: '1' });
    expect(r.problems).toEqual([]);
  });

  test('syntax errors: no "=", bad key character, unclosed header, BOM', () => {
    expect(parse('[pgbouncer]\nmax_client_conn 100\n').problems[0]!.range).toMatchObject({ line: 2, column: 17 });
    expect(parse('[databases]\nmy db = host=x\n').problems[0]!.message).toMatch(/Unexpected " " after "my"|Unexpected "d"/);
    expect(parse('[pgbouncer\nx=1\n').problems[0]!.range.line).toBe(1);
    const bom = parse('\ufeff[pgbouncer]\nx=1\n');
    expect(bom.problems).toHaveLength(1);
    expect(bom.problems[0]!.message).toMatch(/byte order mark/);
    expect(bom.entries[0]).toMatchObject({ section: 'pgbouncer', key: 'x' });
  });

  test('keys: [A-Za-z0-9_.*-]; quoted keys only with quotedKeys (1.25)', () => {
    expect(parse('[databases]\n*x.y-z_1 = host=a\n').entries[0]!.key).toBe('*x.y-z_1');
    const q = parse("[databases]\n'my db' = host=a\n");
    expect(q.entries[0]).toMatchObject({ key: 'my db', value: 'host=a' });
    expect(q.entries[0]!.keyRange).toMatchObject({ column: 1, endColumn: 8 });
    expect(parse("[databases]\n'my db' = host=a\n", { quotedKeys: false }).problems).toHaveLength(1);
    expect(parse("[databases]\n'' = host=a\n").problems).toHaveLength(1);
  });

  test('an empty key is not a syntax error (PgBouncer: "unknown parameter")', () => {
    expect(parse('[pgbouncer]\n= 5\n').entries[0]).toMatchObject({ key: '', value: '5' });
  });

  test('%include: lower case, blank, path to end of line; keeps the current section', () => {
    const r = parse('[pgbouncer]\n%include  conf.d/a b.ini  \n%include\n%INCLUDE x\n');
    expect(r.includes).toHaveLength(1);
    expect(r.includes[0]).toMatchObject({ target: 'conf.d/a b.ini', section: 'pgbouncer' });
    expect(r.includes[0]!.targetRange).toMatchObject({ line: 2, column: 11, endColumn: 25 });
    expect(r.problems.map((p) => p.range.line)).toEqual([3, 4]);
  });

  test('initialSection: an included fragment continues the includer\'s section', () => {
    expect(parse('pool_mode = session\n', { initialSection: 'pgbouncer' }).entries[0]!.section).toBe('pgbouncer');
    expect(parse('pool_mode = session\n').entries[0]!.section).toBeNull();
  });

  test('pgbouncerReportedLine: the line after the value\'s trailing whitespace', () => {
    const text = '[pgbouncer]\npool_mode = x ; c\n\n\nlisten_port = 1\n';
    const r = parse(text);
    expect(pgbouncerReportedLine(text, r.entries[0]!)).toBe(5);
    expect(pgbouncerReportedLine(text, r.entries[1]!)).toBe(6);
  });

  test('never throws and ranges stay inside the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '=', ';', '#', '%include ', '\n', '\r', ' ', '\t', 'a', 'Z', '_', "'", '\ufeff', 'é') }), (text) => {
        const r = parse(text);
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const e of r.entries) {
          expect(e.range.line).toBeGreaterThanOrEqual(1);
          expect(e.range.endLine).toBeLessThanOrEqual(lines);
          expect(e.value).toBe(e.value.replace(/^[ \t]+|[ \t\n\v\f\r]+$/g, ''));
        }
      }),
    );
  });

  test('renders and re-reads key/value pairs unchanged (property)', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_.*-]{0,20}$/);
    const value = fc.stringMatching(/^[^\n\r]{0,30}$/).map((v) => v.trim());
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 10 }), (pairs) => {
        const text = '[pgbouncer]\n' + pairs.map(([k, v]) => `${k} = ${v}\n`).join('');
        const r = parse(text);
        expect(r.problems).toEqual([]);
        expect(r.entries.map((e) => [e.key, e.value])).toEqual(pairs);
      }),
    );
  });
});

describe('parseConnstring (src/loader.c cstr_get_pair)', () => {
  const at = { file: F, line: 3, column: 10, endLine: 3, endColumn: 10 };
  test('pairs, spaces, quotes with doubled quote, ranges', () => {
    const r = parseConnstring("host=a  dbname='my ''db''' port=5432", at);
    expect(r.problems).toEqual([]);
    expect(r.items.map((i) => [i.key, i.value])).toEqual([
      ['host', 'a'],
      ['dbname', "my 'db'"],
      ['port', '5432'],
    ]);
    expect(r.items[1]!.keyRange).toMatchObject({ column: 18, endColumn: 24 });
    expect(r.items[1]!.valueRange).toMatchObject({ column: 25, endColumn: 36 });
  });

  test('a tab is not a separator; no backslash escapes', () => {
    expect(parseConnstring('host=x\tport=5', at).items).toMatchObject([{ key: 'host', value: 'x\tport=5' }]);
    expect(parseConnstring("dbname='a\\' b", at).items[0]!.value).toBe('a\\');
  });

  test('spaces around "=" are allowed', () => {
    expect(parseConnstring('host = a', at).items).toMatchObject([{ key: 'host', value: 'a' }]);
  });

  test('errors: empty value, unterminated quote, missing "=", empty name', () => {
    for (const bad of ['dbname=', "dbname=''", "dbname='abc", 'host', '=x']) {
      const r = parseConnstring(bad, at);
      expect(r.problems, bad).toHaveLength(1);
      expect(r.problems[0]!.severity ?? 'error').toBe('error');
    }
  });

  test('regression: the character after a closing quote is dropped (warning only)', () => {
    const r = parseConnstring("dbname='a'b pool_size=4", at);
    expect(r.items.map((i) => [i.key, i.value])).toEqual([
      ['dbname', 'a'],
      ['pool_size', '4'],
    ]);
    expect(r.problems.map((p) => p.severity)).toEqual(['warning']);
  });

  test('empty string: no items, no problems', () => {
    expect(parseConnstring('', at)).toEqual({ items: [], problems: [] });
  });
});

describe('isPgbouncerIni', () => {
  test.each([
    ['', 'etc/pgbouncer.ini', true],
    ['x=1', 'conf/PgBouncer.INI', true],
    ['; c\n  [pgbouncer]\n', 'configs/1.ini', true],
    ['[databases]\n', 'configs/1.ini', false],
    ['[pgbouncer]\n', 'pgbouncer.conf', false],
    ['x = [pgbouncer]\n', 'a.ini', false],
  ])('%j %s → %s', (text, name, want) => {
    expect(isPgbouncerIni(text, name)).toBe(want);
  });
});
