import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { TextFile } from '../../src/core/read-text.js';
import { loadPgbouncerConfig } from '../../src/sources/pgbouncer-ini/load.js';
import { parseUserlist } from '../../src/sources/pgbouncer-ini/userlist.js';
import { pgbouncerStartupErrors } from '../../src/sources/pgbouncer-ini/validate.js';
import { corpusPath, itCorpus } from '../support/corpus.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fx = join(root, 'fixtures', 'pgbouncer-ini');
const corpus = corpusPath('pgbouncer');

/** An in-memory repository. */
function memRepo(files: Record<string, string>): (p: string) => TextFile {
  return (p) =>
    p in files
      ? { ok: true, path: p, text: files[p]!, hasBom: false, problems: [] }
      : { ok: false, path: p, problem: { message: 'File not found.', range: { file: p, line: 1, column: 1, endLine: 1, endColumn: 1 } } };
}

describe('loadPgbouncerConfig', () => {
  test('include tree: sections continue across files; relative paths resolved and recorded', () => {
    const cfg = loadPgbouncerConfig(join(fx, 'include-tree', 'pgbouncer.ini'), { repoRoot: join(fx, 'include-tree') });
    expect(cfg.problems).toEqual([]);
    expect(cfg.includes.map((i) => [i.target, i.resolvedBy])).toEqual([
      ['conf.d/settings.ini', 'including-file-dir'],
      ['conf.d/more.ini', 'repository-root'],
    ]);
    expect([...cfg.effective.keys()]).toEqual(['listen_port', 'auth_type', 'auth_file', 'pool_mode', 'default_pool_size', 'max_client_conn']);
    // max_client_conn follows the %include in the main file, which opened [pgbouncer]
    expect(cfg.effective.get('max_client_conn')).toMatchObject({ section: 'pgbouncer', value: '77' });
    expect(cfg.databases.map((d) => d.name)).toEqual(['app']);
  });

  test('include cycle is an error at the directive that closes it', () => {
    const cfg = loadPgbouncerConfig(join(fx, 'include-cycle', 'pgbouncer.ini'), { repoRoot: join(fx, 'include-cycle') });
    const errs = cfg.problems.filter((p) => (p.severity ?? 'error') === 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toMatch(/cycle .*b\.ini → a\.ini/);
    expect(errs[0]!.range).toMatchObject({ file: join(fx, 'include-cycle', 'b.ini'), line: 2 });
  });

  test('include depth is bounded like cfparser.c MAX_INCLUDE (10)', () => {
    const files: Record<string, string> = { '/r/0.ini': '[pgbouncer]\n%include /r/1.ini\n' };
    for (let i = 1; i <= 11; i++) files[`/r/${i}.ini`] = `x${i} = 1\n%include /r/${i + 1}.ini\n`;
    files['/r/12.ini'] = '';
    const cfg = loadPgbouncerConfig('/r/0.ini', { repoRoot: '/r', readFile: memRepo(files) });
    const deep = cfg.problems.filter((p) => /too deep/.test(p.message));
    expect(deep).toHaveLength(1);
    expect(deep[0]!.range.file).toBe('/r/10.ini');
    expect(cfg.settings.map((s) => s.key)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10']);
  });

  itCorpus('JelteF corpus: %include relative to the working directory resolves from the repository root', () => {
    const files = {
      '/repo/configs/pgbouncer/1.ini': readFileSync(join(corpus, 'JelteF__pooler-bench__configs__pgbouncer__1.ini'), 'utf8'),
      '/repo/configs/pgbouncer-shared.ini': readFileSync(join(corpus, 'JelteF__pooler-bench__configs__pgbouncer-shared.ini'), 'utf8'),
    };
    const cfg = loadPgbouncerConfig('/repo/configs/pgbouncer/1.ini', { repoRoot: '/repo', readFile: memRepo(files) });
    expect(cfg.includes[0]).toMatchObject({ resolved: '/repo/configs/pgbouncer-shared.ini', resolvedBy: 'repository-root' });
    expect(cfg.effective.get('unix_socket_dir')).toMatchObject({ value: 'sockets/1', file: '/repo/configs/pgbouncer/1.ini' });
    expect(cfg.effective.get('pool_mode')?.value).toBe('transaction');
    expect(pgbouncerStartupErrors(cfg, '1.25')).toEqual([]);
    expect(pgbouncerStartupErrors(cfg, '1.18').map((e) => e.entry.key)).toEqual(['max_prepared_statements', 'track_extra_parameters']);
  });

  test('a repeated [pgbouncer] header resets settings with defaults (cfparser.c fill_defaults)', () => {
    const cfg = loadPgbouncerConfig(join(fx, 'valid-reopened-section.ini'), { repoRoot: fx });
    expect([...cfg.effective.keys()].sort()).toEqual(['auth_file', 'auth_user', 'max_client_conn']);
    const w = cfg.problems.find((p) => p.severity === 'warning');
    expect(w?.message).toMatch(/pool_mode \(line 5\).*default_pool_size \(line 6\)/);
    expect(w?.range.line).toBe(12);
  });

  test('sections: case and unknown names are errors; [peers] needs 1.19', () => {
    const m = (t: string, version?: string) =>
      loadPgbouncerConfig('/r/p.ini', { repoRoot: '/r', readFile: memRepo({ '/r/p.ini': t }), ...(version ? { version } : {}) }).problems.map((p) => p.message);
    expect(m('[pgbouncer]\n[Databases]\n')).toEqual([expect.stringMatching(/Unknown section \[Databases\]/)]);
    expect(m('[pgbouncer]\n[peers]\n1 = host=a\n', '1.18')).toHaveLength(1);
    expect(m('[pgbouncer]\n[peers]\n1 = host=a\n', '1.19')).toEqual([]);
    expect(m('x = 1\n[pgbouncer]\n')).toEqual([expect.stringMatching(/before any \[section\]/)]);
    expect(m('[databases]\n')).toEqual([expect.stringMatching(/No \[pgbouncer\] section/)]);
  });

  test('"*" connstring problems are warnings (parsed only when used: loader.c set_autodb)', () => {
    const cfg = loadPgbouncerConfig('/r/p.ini', { repoRoot: '/r', readFile: memRepo({ '/r/p.ini': '[pgbouncer]\n[databases]\n* = host=\n' }) });
    expect(cfg.problems.map((p) => p.severity)).toEqual(['warning']);
  });

  test('auth_file inside the repository is read, the secrets are not kept', () => {
    const cfg = loadPgbouncerConfig(join(fx, 'valid-basic.ini'), { repoRoot: fx });
    expect(cfg.authFile?.path).toBe(join(fx, 'userlist.txt'));
    expect(cfg.authFile?.users.map((u) => [u.name, u.secretKind])).toEqual([
      ['app', 'md5'],
      ['reporter', 'scram'],
      ['plain"quoted', 'plain'],
      ['nopass', 'empty'],
    ]);
    const json = JSON.stringify({ ...cfg, effective: [...cfg.effective], databases: cfg.databases.map((d) => ({ ...d, params: [...d.params] })) });
    const secrets = readFileSync(join(fx, 'userlist.txt'), 'utf8').matchAll(/^\s*"(?:[^"]|"")*"\s+"((?:[^"]|"")+)"/gm);
    let n = 0;
    for (const s of secrets) {
      n++;
      expect(json).not.toContain(s[1]!.replace(/""/g, '"'));
      expect(json).not.toContain(s[1]!.slice(3, 20));
    }
    expect(n).toBe(3);
  });

  itCorpus('every corpus file loads without throwing', () => {
    for (const f of readdirSync(corpus)) {
      const cfg = loadPgbouncerConfig(join(corpus, f), { repoRoot: corpus });
      expect(cfg.files[0]).toBe(join(corpus, f));
    }
  });

  test('an unreadable main file is a problem, not an exception', () => {
    const cfg = loadPgbouncerConfig('/r/missing.ini', { repoRoot: '/r', readFile: memRepo({}) });
    expect(cfg.files).toEqual([]);
    expect(cfg.problems).toHaveLength(1);
  });
});

describe('parseUserlist (src/loader.c load_auth_file)', () => {
  test('"#" is not a comment: PgBouncer stops reading there', () => {
    const f = join(fx, 'userlists', 'hash-comment.txt');
    const r = parseUserlist(readFileSync(f, 'utf8'), f);
    expect(r.users.map((u) => u.name)).toEqual(['alice']);
    expect(r.problems[0]!.range.line).toBe(2);
    expect(JSON.stringify(r)).not.toContain('alice-secret');
  });

  test('unterminated secret', () => {
    const f = join(fx, 'userlists', 'unterminated.txt');
    const r = parseUserlist(readFileSync(f, 'utf8'), f);
    expect(r.users).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(JSON.stringify(r)).not.toContain('unterminated-secret');
  });

  test('user names: "" escapes, range covers the quotes; separator may be anything', () => {
    const r = parseUserlist('"a""b"   ,  "md5d41d8cd98f00b204e9800998ecf8427e" trailing junk\n', '/u');
    expect(r.users).toEqual([{ name: 'a"b', range: { file: '/u', line: 1, column: 1, endLine: 1, endColumn: 7 }, secretKind: 'md5' }]);
  });

  test('too-long names stop reading', () => {
    const r = parseUserlist(`"${'u'.repeat(128)}" "x"\n"ok" "y"\n`, '/u');
    expect(r.users).toEqual([]);
    expect(r.problems[0]!.message).toMatch(/128 bytes/);
  });
});
