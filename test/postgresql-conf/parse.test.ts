import { describe, expect, test } from 'vitest';
import { absoluteConfigLocation, deescapeQuotedString, parsePostgresqlConf, pgConfKey } from '../../src/sources/postgresql-conf/parse.js';
import type { PgConfEntry, PgConfFileParse } from '../../src/sources/postgresql-conf/types.js';

const FILE = '/etc/postgresql/postgresql.conf';

function parse(text: string, firstErrorOnly = false): PgConfFileParse {
  return parsePostgresqlConf(text, FILE, { firstErrorOnly });
}
function settings(text: string): PgConfEntry[] {
  const r = parse(text);
  expect(r.problems).toEqual([]);
  return r.items.flatMap((i) => (i.type === 'setting' ? [i.entry] : []));
}
function values(text: string): Array<[string, string]> {
  return settings(text).map((e) => [e.name, e.value]);
}
function errors(text: string): string[] {
  return parse(text).problems.map((p) => p.message.replace(`"${FILE}" `, ''));
}

describe('values as guc-file.l reads them', () => {
  test('quoted: quotes removed, doubled quote, backslash escapes', () => {
    expect(values("a = 'it''s'\nb = 'x\\ty\\nz'\nc = '\\101\\1011\\q\\\\'\nd = ''\ne = 'keep # this' # not this\n")).toEqual([
      ['a', "it's"],
      ['b', 'x\ty\nz'],
      ['c', 'AA1q\\'],
      ['d', ''],
      ['e', 'keep # this'],
    ]);
  });
  test('DeescapeQuotedString: \\b \\f \\r, octal of up to 3 digits, NUL ends the C string', () => {
    expect(deescapeQuotedString("'\\b\\f\\r'")).toBe('\b\f\r');
    expect(deescapeQuotedString("'\\0601'")).toBe('01');
    expect(deescapeQuotedString("'ab\\0cd'")).toBe('ab');
    expect(deescapeQuotedString("'\\400'")).toBe(''); // (char) 0400 == 0
    expect(deescapeQuotedString("'\\é'")).toBe('é');
  });
  test('"name value" without =, and tabs', () => {
    expect(values('max_connections 50\n\tshared_buffers\t=\t128MB\t\nwal_level=replica\n')).toEqual([
      ['max_connections', '50'],
      ['shared_buffers', '128MB'],
      ['wal_level', 'replica'],
    ]);
  });
  test('numbers keep their text: units, signs, hex, reals, a lone dot', () => {
    const v = values('a = 128MB\nb = -1\nc = +7\nd = 0x1F\ne = 1.5e3\nf = .\ng = -.\nh = 250ms\ni = 0x\n').map(([, x]) => x);
    expect(v).toEqual(['128MB', '-1', '+7', '0x1F', '1.5e3', '.', '-.', '250ms', '0x']);
  });
  test('dotted names; unquoted values with - . _ : /', () => {
    expect(values('auto_explain.log_min_duration = 5ms\ntimezone = Europe/Paris\nx.y = db-1.example.com:5432\nx.z = a.b.c\n')).toEqual([
      ['auto_explain.log_min_duration', '5ms'],
      ['timezone', 'Europe/Paris'],
      ['x.y', 'db-1.example.com:5432'],
      ['x.z', 'a.b.c'],
    ]);
  });
  test('names keep their case; the key folds ASCII only', () => {
    const [e] = settings('Work_Mem = 4MB\n');
    expect(e?.name).toBe('Work_Mem');
    expect(e?.key).toBe('work_mem');
    expect(pgConfKey('ÉCOLE.X')).toBe('École.x');
  });
  test('CRLF line ends and a lone \\r (whitespace, not a line end)', () => {
    expect(values('a = 1\r\nb = 2\r\n')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(errors('a.x = 1\rb.y = 2\n')).toEqual(['syntax error in file line 1, near token "b.y"']);
  });
  test('a UTF-8 BOM is part of the first name (high-bit bytes are LETTERs)', () => {
    const [e] = settings('\uFEFFwork_mem = 1MB\n');
    expect(e?.name).toBe('\uFEFFwork_mem');
    expect(e?.nameRange).toMatchObject({ line: 1, column: 1, endColumn: 10 });
  });
  test('no final newline', () => {
    expect(values('a = 1\nb = 2')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });
});

describe('ranges', () => {
  test('name, value and statement ranges in UTF-16 columns', () => {
    const [, e] = settings("x = 1\n🐘a = '🐘 x'  # c\n");
    expect(e?.name).toBe('🐘a');
    expect(e?.nameRange).toEqual({ file: FILE, line: 2, column: 1, endLine: 2, endColumn: 4 });
    expect(e?.valueRange).toEqual({ file: FILE, line: 2, column: 7, endLine: 2, endColumn: 13 });
    expect(e?.range).toEqual({ file: FILE, line: 2, column: 1, endLine: 2, endColumn: 13 });
    expect(e?.rawValue).toBe("'🐘 x'");
    expect(e?.quoted).toBe(true);
  });
});

describe('syntax errors, worded as PostgreSQL logs them', () => {
  test('unterminated quote', () => {
    const r = parse("a = 'abc\nb = 1\n");
    expect(r.problems.map((p) => [p.message, p.range.line, p.range.column])).toEqual([[`syntax error in file "${FILE}" line 1, near token "'"`, 1, 5]]);
    expect(r.problems[0]?.help).toMatch(/Close the quoted value/);
    // The line after the error is still read (the postmaster goes on to the next line).
    expect(r.items).toHaveLength(1);
  });
  test("a string ends at the last quote that can close it: 'abc'' is 'abc' then a stray quote", () => {
    expect(errors("a = 'abc''\n")).toEqual([`syntax error in file line 1, near token "'"`]);
  });
  test('missing value: near end of line, highlighting the statement', () => {
    const r = parse('port = 5432\nmax_connections =   # oops\n');
    expect(r.problems[0]?.message).toBe(`syntax error in file "${FILE}" line 2, near end of line`);
    expect(r.problems[0]?.range).toMatchObject({ line: 2, column: 1, endColumn: 18 });
  });
  test('at EOF without a newline PostgreSQL names the line before (ConfigFileLineno - 1); the range is the real one', () => {
    const r = parse('a = 1\nwork_mem =');
    expect(r.problems[0]?.message).toBe(`syntax error in file "${FILE}" line 1, near end of line`);
    expect(r.problems[0]?.range.line).toBe(2);
  });
  test('extra tokens, quoted names, dotted values, 1e5, a.b.c names, ==', () => {
    expect(errors('work_mem = 5 MB\n')).toEqual(['syntax error in file line 1, near token "MB"']);
    expect(errors("'port' = 1\n")).toEqual([`syntax error in file line 1, near token "'port'"`]);
    expect(errors('x = pg_catalog.english\n')).toEqual(['syntax error in file line 1, near token "pg_catalog.english"']);
    expect(errors('x.y = 1e5\n')).toEqual(['syntax error in file line 1, near token "5"']);
    expect(errors('a.b.c = 1\n')).toEqual(['syntax error in file line 1, near token "a.b.c"']);
    expect(errors('port == 1\n')).toEqual(['syntax error in file line 1, near token "="']);
    expect(errors('x = /abs/path\n')).toEqual(['syntax error in file line 1, near token "/"']);
  });
  test('help suggests quoting the whole value', () => {
    expect(parse('work_mem = 5 MB # c\n').problems[0]?.help).toMatch(/^Quote the whole value: '5 MB'\. Until it is fixed PostgreSQL will not start/);
  });
  test('every error is reported (postmaster), or only the first (pg_file_settings)', () => {
    const text = 'a b c\nx.a = 1\n= 2\nx.b = 3\n';
    expect(errors(text)).toEqual(['syntax error in file line 1, near token "c"', 'syntax error in file line 3, near token "="']);
    expect(parse(text).items).toHaveLength(2);
    expect(parse(text, true).problems).toHaveLength(1);
    expect(parse(text, true).items).toHaveLength(0);
  });
  test('after 100 errors the file is abandoned', () => {
    const r = parse('= 1\n'.repeat(150) + 'a = 1\n');
    expect(r.problems.filter((p) => (p.severity ?? 'error') === 'error')).toHaveLength(100);
    expect(r.problems.at(-1)?.message).toBe(`too many syntax errors found, abandoning file "${FILE}"`);
    expect(r.items).toHaveLength(0);
  });
});

describe('include directives', () => {
  test('include, include_if_exists, include_dir — case-insensitive, unquoted or quoted, resolved against the file', () => {
    const r = parse("INCLUDE = 'a.conf'\nInclude_If_Exists b.conf-x\ninclude_dir '/abs/conf.d'\ninclude.x = 1\n");
    expect(r.problems).toEqual([]);
    const d = r.items.flatMap((i) => (i.type === 'include' ? [[i.directive.kind, i.directive.target, i.directive.resolved]] : []));
    expect(d).toEqual([
      ['include', 'a.conf', '/etc/postgresql/a.conf'],
      ['include_if_exists', 'b.conf-x', '/etc/postgresql/b.conf-x'],
      ['include_dir', '/abs/conf.d', '/abs/conf.d'],
    ]);
    expect(r.items[3]).toMatchObject({ type: 'setting', entry: { name: 'include.x' } });
  });
  test('AbsoluteConfigLocation: relative paths canonicalized, absolute ones kept as written', () => {
    expect(absoluteConfigLocation('./x/../y.conf', '/etc/pg/main.conf')).toBe('/etc/pg/y.conf');
    expect(absoluteConfigLocation('sub/', '/etc/pg/main.conf')).toBe('/etc/pg/sub');
    expect(absoluteConfigLocation('/etc//x/../y.conf', '/etc/pg/main.conf')).toBe('/etc//x/../y.conf');
  });
});
