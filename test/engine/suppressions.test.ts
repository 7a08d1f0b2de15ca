import { describe, expect, it } from 'vitest';
import { isSuppressed, parseSuppressions } from '../../src/engine/suppressions.js';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';
import { join } from 'node:path';

describe('suppression comments', () => {
  it('parses next-line and block directives with reasons', () => {
    const ds = parseSuppressions(
      "# pgconn-lint-disable-next-line unknown-setting, duplicate-setting -- legacy\nfoo = 1\n# pgconn-lint-disable\nx = 'a # pgconn-lint-disable-next-line'\n# pgconn-lint-enable\n",
      'postgresql-conf',
    );
    expect(ds.map((d) => [d.kind, d.ruleIds, d.line])).toEqual([
      ['disable-next-line', ['unknown-setting', 'duplicate-setting'], 1],
      ['disable', null, 3],
      ['enable', null, 5],
    ]);
    expect(isSuppressed(ds, 'unknown-setting', 2)).toBe(true);
    expect(isSuppressed(ds, 'connection-memory', 2)).toBe(false);
    expect(isSuppressed(ds, 'connection-memory', 4)).toBe(true);
    expect(isSuppressed(ds, 'connection-memory', 6)).toBe(false);
  });

  it('only whole-line comments count in pgbouncer.ini (it has no inline comments)', () => {
    const ds = parseSuppressions('auth_type = md5 ; pgconn-lint-disable-next-line pgbouncer-auth\n; pgconn-lint-disable-next-line pgbouncer-auth\nauth_type = md5\n', 'pgbouncer-ini');
    expect(ds.map((d) => d.line)).toEqual([2]);
  });

  it('suppresses findings end to end and reports unused directives', () => {
    const dir = tempProject({
      'pgbouncer.ini': [
        '[pgbouncer]',
        '; pgconn-lint-disable-next-line unknown-setting -- copied from the guide, removed next sprint',
        'server_pool_size = 20',
        '; pgconn-lint-disable-next-line unknown-setting',
        'default_pool_size = 20',
        'auth_type = scram-sha-256',
        '',
      ].join('\n'),
    });
    const ds = allDiagnostics(lintPaths(dir, [join(dir, 'pgbouncer.ini')], testConfig()));
    expect(ds.filter((d) => d.ruleId === 'unknown-setting')).toEqual([]);
    const unused = ds.filter((d) => d.ruleId === null && /Unused/.test(d.message));
    expect(unused).toHaveLength(1);
    expect(unused[0]!.range.line).toBe(4);
    expect(unused[0]!.severity).toBe('warning');
  });
});

describe('suppression comments in JS/TS', () => {
  it('reads // and /* */ directives and ESLint directives naming pgconn/ rules', () => {
    const ds = parseSuppressions(
      [
        '// pgconn-lint-disable-next-line release-in-finally -- handed to the worker',
        'const client = await pool.connect();',
        '/* pgconn-lint-disable pool-in-handler */',
        '// eslint-disable-next-line pgconn/release-in-finally, no-console',
        '// eslint-disable-next-line no-console',
        'const s = "pgconn-lint-disable-next-line x";',
        '// eslint-disable-next-line',
      ].join('\n'),
      'js',
    );
    expect(ds.map((d) => [d.kind, d.ruleIds, d.line, Boolean(d.foreign)])).toEqual([
      ['disable-next-line', ['release-in-finally'], 1, false],
      ['disable', ['pool-in-handler'], 3, false],
      ['disable-next-line', ['release-in-finally'], 4, true],
      ['disable-next-line', null, 7, true],
    ]);
  });
});
