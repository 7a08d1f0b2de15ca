import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rangeOnLine } from '../../src/core/location.js';
import type { TextFile } from '../../src/core/read-text.js';
import { CONF_FILE_MAX_DEPTH, findAutoConfFor, loadPostgresqlConfig, readConfText, type LoadPostgresqlConfigOptions, type PgConfDirListing } from '../../src/sources/postgresql-conf/load.js';

/** An in-memory file system: path → content (directories are implied by paths). */
function memFs(files: Record<string, string>): Required<Pick<LoadPostgresqlConfigOptions, 'readFile' | 'listDir'>> & { reads: string[] } {
  const reads: string[] = [];
  const readFile = (path: string): TextFile => {
    reads.push(path);
    const text = files[path];
    if (text === undefined) return { ok: false, path, problem: { message: 'File file not found.', range: rangeOnLine(path, 1, 1, 0) } };
    return { ok: true, path, text, hasBom: text.startsWith('\uFEFF'), problems: [] };
  };
  const listDir = (dir: string): PgConfDirListing => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Map<string, 'file' | 'dir'>();
    for (const p of Object.keys(files)) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? 'file' : 'dir');
    }
    if (names.size === 0) return { ok: false, reason: 'No such file or directory' };
    return { ok: true, entries: [...names].map(([name, kind]) => ({ name, kind })) };
  };
  return { readFile, listDir, reads };
}

const MAIN = '/cfg/postgresql.conf';

function load(files: Record<string, string>, opts: LoadPostgresqlConfigOptions = {}) {
  const fs = memFs(files);
  const config = loadPostgresqlConfig(MAIN, { readFile: fs.readFile, listDir: fs.listDir, ...opts });
  return { config, reads: fs.reads, settings: config.entries.map((e) => `${e.file.replace('/cfg/', '')}:${e.nameRange.line} ${e.name}=${e.value}`) };
}

describe('loadPostgresqlConfig', () => {
  test('last entry wins, compared case-insensitively', () => {
    const { config } = load({ [MAIN]: 'Work_Mem = 1MB\nmax_connections = 10\nWORK_MEM = 2MB\n' });
    expect(config.effective.get('work_mem')?.value).toBe('2MB');
    expect(config.effective.get('work_mem')?.name).toBe('WORK_MEM');
    expect([...config.effective.keys()]).toEqual(['max_connections', 'work_mem']);
  });

  test('includes are expanded in place, relative to the including file', () => {
    const { settings, config } = load({
      [MAIN]: "a.x = 1\ninclude 'sub/one.conf'\na.x = 4\n",
      '/cfg/sub/one.conf': "a.x = 2\ninclude '../two.conf'\n",
      '/cfg/two.conf': 'a.x = 3\n',
    });
    expect(settings).toEqual(['postgresql.conf:1 a.x=1', 'sub/one.conf:1 a.x=2', 'two.conf:1 a.x=3', 'postgresql.conf:3 a.x=4']);
    expect(config.files).toEqual([MAIN, '/cfg/sub/one.conf', '/cfg/two.conf']);
    expect(config.includes.map((d) => d.resolved)).toEqual(['/cfg/sub/one.conf', '/cfg/two.conf']);
    expect(config.problems).toEqual([]);
  });

  test('a missing include is an error at the directive; include_if_exists is a note', () => {
    const { config, settings } = load({ [MAIN]: "include_if_exists 'opt.conf'\ninclude 'req.conf'\nport = 1\n" });
    expect(settings).toEqual(['postgresql.conf:3 port=1']);
    expect(config.problems.map((p) => [p.severity ?? 'error', p.message, p.range.line, p.range.column])).toEqual([
      ['warning', 'skipping missing configuration file "/cfg/opt.conf"', 1, 19],
      ['error', 'could not open configuration file "/cfg/req.conf": file not found', 2, 9],
    ]);
  });

  test('include_dir: *.conf not starting with ".", in strcmp order, subdirectories skipped', () => {
    const { settings } = load({
      [MAIN]: "include_dir 'conf.d'\n",
      '/cfg/conf.d/b.conf': 'x.b = 1\n',
      '/cfg/conf.d/a.conf': 'x.a = 1\n',
      '/cfg/conf.d/Z.conf': 'x.z = 1\n',
      '/cfg/conf.d/10.conf': 'x.ten = 1\n',
      '/cfg/conf.d/.h.conf': 'x.h = 1\n',
      '/cfg/conf.d/n.txt': 'x.n = 1\n',
      '/cfg/conf.d/d.conf/inner.conf': 'x.d = 1\n',
    });
    expect(settings).toEqual(['conf.d/10.conf:1 x.ten=1', 'conf.d/Z.conf:1 x.z=1', 'conf.d/a.conf:1 x.a=1', 'conf.d/b.conf:1 x.b=1']);
  });

  test('include_dir stops at the first file with an error; the including file goes on', () => {
    const { settings, config } = load({
      [MAIN]: "include_dir 'd'\nport = 1\n",
      '/cfg/d/a.conf': 'x.a = 1\n',
      '/cfg/d/b.conf': 'x.b = 1\n= oops\n',
      '/cfg/d/c.conf': 'x.c = 1\n',
    });
    expect(settings).toEqual(['d/a.conf:1 x.a=1', 'd/b.conf:1 x.b=1', 'postgresql.conf:2 port=1']);
    expect(config.problems.map((p) => p.range.file)).toEqual(['/cfg/d/b.conf']);
  });

  test('a missing include_dir is an error at the directive', () => {
    const { config } = load({ [MAIN]: "include_dir 'nope'\n" });
    expect(config.problems.map((p) => p.message)).toEqual(['could not open configuration directory "/cfg/nope": No such file or directory']);
  });

  test('a file including itself: "configuration file recursion"', () => {
    const { config, settings } = load({ [MAIN]: "a.x = 1\ninclude 'postgresql.conf'\na.y = 2\n" });
    expect(settings).toEqual(['postgresql.conf:1 a.x=1', 'postgresql.conf:3 a.y=2']);
    expect(config.problems.map((p) => [p.message, p.range.line])).toEqual([[`configuration file recursion in "${MAIN}"`, 2]]);
  });

  test(`a cycle through two files ends at depth ${CONF_FILE_MAX_DEPTH}, as in PostgreSQL`, () => {
    const { config, settings } = load({ [MAIN]: "include 'b.conf'\n", '/cfg/b.conf': "x.b = 1\ninclude 'postgresql.conf'\n" });
    // main(0) → b(1) → main(2) → … → main(10) → b(11): too deep.
    expect(settings).toHaveLength(5);
    expect(config.problems.map((p) => [p.message, p.range.file, p.range.line])).toEqual([
      ['could not open configuration file "b.conf": maximum nesting depth exceeded', MAIN, 1],
    ]);
  });

  test('a chain deeper than 10 includes', () => {
    const files: Record<string, string> = { [MAIN]: "include 'd1.conf'\n" };
    for (let i = 1; i <= 12; i++) files[`/cfg/d${i}.conf`] = `x.d${i} = 1\ninclude 'd${i + 1}.conf'\n`;
    const { config, settings } = load(files);
    expect(settings).toHaveLength(10);
    expect(config.problems.map((p) => [p.message, p.range.file])).toEqual([
      ['could not open configuration file "d11.conf": maximum nesting depth exceeded', '/cfg/d10.conf'],
    ]);
  });

  test('include blow-up is bounded: PostgreSQL would read 2^10 files here, 10^10 with ten includes per file', () => {
    const many = "include 'b.conf'\n".repeat(10);
    const { config, reads } = load({ [MAIN]: many, '/cfg/b.conf': "x.b = 1\ninclude 'postgresql.conf'\n".repeat(10) }, { workLimit: 5000 });
    expect(config.problems.some((p) => /Stopped expanding includes after 5000/.test(p.message))).toBe(true);
    expect(config.files.length).toBeLessThan(5000);
    expect(reads.length).toBe(2); // each file is read and parsed once
  });

  test('empty include names', () => {
    const { config } = load({ [MAIN]: "include ''\ninclude_dir ' '\n" });
    expect(config.problems.map((p) => p.message)).toEqual(['empty configuration file name: ""', 'empty configuration directory name: " "']);
  });

  test('postgresql.auto.conf is read last from the same directory (or dataDir), after the includes', () => {
    const files = { [MAIN]: 'work_mem = 1MB\n', '/cfg/postgresql.auto.conf': "work_mem = '2MB'\n", '/data/postgresql.auto.conf': "work_mem = '3MB'\n" };
    expect(load(files).config.effective.get('work_mem')?.value).toBe('2MB');
    expect(load(files, { dataDir: '/data' }).config.effective.get('work_mem')?.value).toBe('3MB');
    expect(load(files, { autoConf: false }).config.effective.get('work_mem')?.value).toBe('1MB');
    expect(load({ [MAIN]: 'work_mem = 1MB\n' }).config.problems).toEqual([]); // no auto.conf: nothing to say
  });

  test('postgresql.auto.conf is not read when the main file has an error (ProcessConfigFileInternal bails out)', () => {
    const { config } = load({ [MAIN]: 'work_mem = 1 MB\n', '/cfg/postgresql.auto.conf': "work_mem = '2MB'\n" });
    expect(config.files).toEqual([MAIN]);
  });

  test('an unreadable main file is a problem, not an exception', () => {
    const { config } = load({});
    expect(config.entries).toEqual([]);
    expect(config.problems.map((p) => [p.message, p.range.file, p.range.line])).toEqual([['File file not found.', MAIN, 1]]);
  });

  test('a syntax error in an included file is reported in that file; the includer goes on', () => {
    const { config, settings } = load({ [MAIN]: "include 'c.conf'\nport = 1\n", '/cfg/c.conf': 'work_mem = 4 MB\nx.y = 2\n' });
    expect(settings).toEqual(['c.conf:2 x.y=2', 'postgresql.conf:2 port=1']);
    expect(config.problems.map((p) => [p.message, p.range.line, p.range.column])).toEqual([['syntax error in file "/cfg/c.conf" line 1, near token "MB"', 1, 14]]);
  });
});

describe('on disk', () => {
  test('readConfText keeps the BOM; findAutoConfFor looks beside the main file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-conf-'));
    try {
      writeFileSync(join(dir, 'postgresql.conf'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('work_mem = 1MB\n')]));
      const r = readConfText(join(dir, 'postgresql.conf'));
      expect(r.ok && r.text.startsWith('\uFEFFwork_mem')).toBe(true);
      expect(loadPostgresqlConfig(join(dir, 'postgresql.conf')).entries[0]?.name).toBe('\uFEFFwork_mem');
      expect(findAutoConfFor(join(dir, 'postgresql.conf'))).toBeUndefined();
      writeFileSync(join(dir, 'postgresql.auto.conf'), "work_mem = '2MB'\n");
      expect(findAutoConfFor(join(dir, 'postgresql.conf'))).toBe(join(dir, 'postgresql.auto.conf'));
      expect(loadPostgresqlConfig(join(dir, 'postgresql.conf')).effective.get('work_mem')?.value).toBe('2MB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
