/**
 * Issue 12: `--fix` and `--fix-dry-run`, ESLint's semantics: only the safe, mechanical edits of
 * fixable rules; the file's own line ends are kept; nothing outside the repository is written.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(resolve(__dirname, '../..'), 'dist/src/cli/bin.js');
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-fix-'));
  mkdirSync(join(dir, '.git'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  return dir;
}

describe('--fix', () => {
  it('comments out the line that never takes effect and adds the idle timeout, in the file\'s CRLF, then reports what remains', () => {
    const dir = repo({ 'postgresql.conf': 'max_connections = 100\r\nshared_buffers = 1GB\r\nmax_connections = 200' });
    const r = run(['--fix', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('pgconn-lint: fixed 2 findings in 1 file.');
    expect(readFileSync(join(dir, 'postgresql.conf'), 'utf8')).toBe(
      "# max_connections = 100\r\nshared_buffers = 1GB\r\nmax_connections = 200\r\n# End sessions left idle inside a transaction (pgconn-lint: idle-in-transaction-timeout).\r\nidle_in_transaction_session_timeout = '5min'\r\n",
    );
    // Idempotent: nothing left to fix.
    expect(run(['--fix', '.'], dir).stderr).not.toContain('fixed');
  });
  it('turns an explicit 0 into the suggested timeout, and leaves findings without a safe edit', () => {
    const dir = repo({ 'postgresql.conf': 'max_connections = 100\nidle_in_transaction_session_timeout = 0\nmax_conections = 5\n' });
    const r = run(['--fix', '--format', 'json', '.'], dir);
    expect(readFileSync(join(dir, 'postgresql.conf'), 'utf8')).toBe("max_connections = 100\nidle_in_transaction_session_timeout = '5min'\nmax_conections = 5\n");
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string }>; fixableErrorCount: number }>;
    expect(files.flatMap((f) => f.messages.map((m) => m.ruleId))).toEqual(['unknown-setting']);
  });
  it('--fix-dry-run writes nothing and says what would be fixed; JSON counts fixable findings', () => {
    const text = 'max_connections = 100\nmax_connections = 200\nidle_in_transaction_session_timeout = 0\n';
    const dir = repo({ 'postgresql.conf': text });
    const r = run(['--fix-dry-run', '--format', 'json', '.'], dir);
    expect(readFileSync(join(dir, 'postgresql.conf'), 'utf8')).toBe(text);
    expect(r.stderr).toContain('--fix would fix 2 findings in postgresql.conf (nothing written).');
    expect((JSON.parse(r.stdout) as Array<{ fixableWarningCount: number }>)[0]!.fixableWarningCount).toBe(2);
  });
  it('never writes through a link that leaves the repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'pgconn-lint-fix-outside-'));
    const target = join(outside, 'postgresql.conf');
    writeFileSync(target, 'max_connections = 100\nmax_connections = 200\n');
    const dir = repo({});
    symlinkSync(target, join(dir, 'postgresql.conf'));
    run(['--fix', '.'], dir);
    expect(readFileSync(target, 'utf8')).toBe('max_connections = 100\nmax_connections = 200\n');
  });
});
