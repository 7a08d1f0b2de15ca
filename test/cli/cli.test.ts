/** End-to-end: the built binary (dist/) run as a user runs it. `npm test` builds first. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/lint-helpers.js';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const DEMO = join(ROOT, 'fixtures/projects/too-many-clients-guide');

function run(args: string[], cwd = ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pgconn-lint CLI', () => {
  it('is built', () => {
    expect(existsSync(BIN)).toBe(true);
  });

  it('prints the guide configuration findings on the demo project and exits 1', () => {
    const r = run([DEMO]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error[unknown-setting]');
    expect(r.stdout).toContain('did you mean "default_pool_size"?'.replace('did', 'Did'));
    expect(r.stdout).toContain('warning[low-shared-buffers]');
    expect(r.stdout).toContain('warning[pgbouncer-auth]');
    expect(r.stdout).toContain('warning[idle-in-transaction-timeout]');
    expect(r.stdout).toMatch(/✖ \d+ problems \(\d+ errors?, \d+ warnings?\)/);
    expect(r.stdout).not.toMatch(/\u001b\[/); // no colour when not a TTY
  });

  it('writes ESLint-compatible JSON', () => {
    const r = run(['--format', 'json', DEMO]);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(files)).toBe(true);
    for (const f of files) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['filePath', 'messages', 'errorCount', 'warningCount']));
      for (const m of f.messages as Array<Record<string, unknown>>) {
        expect(typeof m.line).toBe('number');
        expect(typeof m.column).toBe('number');
        expect(typeof m.endLine).toBe('number');
        expect(typeof m.endColumn).toBe('number');
        expect([1, 2]).toContain(m.severity);
        if (m.ruleId !== null) expect(m.docsUrl).toMatch(/rules\/[a-z-]+\.md$/);
      }
    }
    const bouncer = files.find((f) => String(f.filePath).endsWith('pgbouncer.ini'))!;
    const unknown = (bouncer.messages as Array<Record<string, unknown>>).find((m) => m.ruleId === 'unknown-setting')!;
    expect(unknown).toMatchObject({ severity: 2, line: 13, column: 1, endLine: 13, endColumn: 17 });
    expect(unknown.suggestion).toContain('default_pool_size');
  });

  it('--quiet drops warnings; --rule turns rules off; exit 0 when nothing is left', () => {
    const quiet = run(['--quiet', DEMO]);
    expect(quiet.stdout).not.toContain('warning[');
    const off = run(['--rule', 'unknown-setting:off', '--rule', 'reserved-connections:off', '--quiet', DEMO]);
    expect(off.code).toBe(0);
  });

  it('--max-warnings turns too many warnings into exit 1', () => {
    const dir = tempProject({ 'postgresql.conf': 'max_connections = 200\nshared_buffers = 128MB\nidle_in_transaction_session_timeout = 60s\n' });
    expect(run([dir]).code).toBe(0);
    expect(run(['--max-warnings', '0', dir]).code).toBe(1);
    expect(run(['--max-warnings', '5', dir]).code).toBe(0);
  });

  it('exits 2 on usage errors', () => {
    expect(run(['--format', 'nope']).code).toBe(2);
    expect(run(['--bogus-flag']).code).toBe(2);
    expect(run(['--rule', 'no-such-rule:error']).code).toBe(2);
    expect(run(['/no/such/path']).code).toBe(2);
  });

  it('--output-file writes the report', () => {
    const dir = tempProject({ 'pgbouncer.ini': '[pgbouncer]\nauth_type = trust\nlisten_addr = *\n' });
    const r = run(['--format', 'json', '--output-file', 'out/report.json', dir], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Array<{ messages: Array<{ ruleId: string }> }>;
    expect(report.flatMap((f) => f.messages.map((m) => m.ruleId))).toContain('pgbouncer-auth');
  });

  it('--version, --help and --print-config', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run(['--help']).stdout).toContain('Usage: pgconn-lint');
    const dir = tempProject({ 'pgconn-lint.config.yaml': 'database:\n  memory: 16GB\n  version: 15\nrules:\n  pgbouncer-auth: off\n' });
    const cfg = JSON.parse(run(['--print-config'], dir).stdout) as { settings: { database: { version: number; memoryBytes: number } }; rules: Record<string, { severity: string }> };
    expect(cfg.settings.database).toMatchObject({ version: 15, memoryBytes: 16 * 1024 ** 3 });
    expect(cfg.rules['pgbouncer-auth']!.severity).toBe('off');
  });

  it('reports unknown config keys with a location and exits 2', () => {
    const dir = tempProject({ 'pgconn-lint.config.json': '{\n  "rules": {},\n  "databse": { "memory": "16GB" }\n}\n' });
    const r = run(['.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pgconn-lint.config.json:3:3: unknown key "databse"');
    expect(r.stderr).toContain('did you mean "database"?');
  });

  it('colours only when asked or on a TTY, and honours NO_COLOR', () => {
    expect(run(['--color', DEMO]).stdout).toMatch(/\u001b\[/);
    expect(run(['--no-color', DEMO]).stdout).not.toMatch(/\u001b\[/);
  });
});
