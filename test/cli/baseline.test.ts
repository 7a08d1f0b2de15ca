/**
 * Issue 12: adopting pgconn-lint in a repository that already has findings — a baseline with the
 * semantics of ESLint's bulk suppressions. The built binary, run as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(resolve(__dirname, '../..'), 'dist/src/cli/bin.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repo(conf: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-baseline-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, 'postgresql.conf'), conf);
  return dir;
}

const OLD = "max_conections = 10\nshared_bufers = 1GB\nidle_in_transaction_session_timeout = '5min'\n";

describe('--suppress-all, then only new findings', () => {
  it('records counts per file and rule, without messages, and the run passes', () => {
    const dir = repo(OLD);
    expect(run(['.'], dir).code).toBe(1);
    const r = run(['--suppress-all', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2 findings recorded in pgconn-lint-suppressions.json');
    expect(JSON.parse(readFileSync(join(dir, 'pgconn-lint-suppressions.json'), 'utf8'))).toEqual({ 'postgresql.conf': { 'unknown-setting': { count: 2 } } });
    expect(run(['.'], dir).code).toBe(0);
  });
  it('is stable when lines move, and reports all of a rule\'s findings in a file when there are more than recorded', () => {
    const dir = repo(OLD);
    run(['--suppress-all', '.'], dir);
    writeFileSync(join(dir, 'postgresql.conf'), "# moved\n\nshared_bufers = 1GB\nmax_conections = 10\nidle_in_transaction_session_timeout = '5min'\n");
    expect(run(['.'], dir).code).toBe(0);
    writeFileSync(join(dir, 'postgresql.conf'), OLD + 'work_mm = 4MB\n');
    const r = run(['--format', 'json', '.'], dir);
    expect(r.code).toBe(1);
    const msgs = (JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string }> }>).flatMap((f) => f.messages);
    expect(msgs.filter((m) => m.ruleId === 'unknown-setting')).toHaveLength(3);
  });
  it('says when entries are no longer needed, and --prune-suppressions lowers them', () => {
    const dir = repo(OLD);
    run(['--suppress-all', '.'], dir);
    writeFileSync(join(dir, 'postgresql.conf'), "max_conections = 10\nidle_in_transaction_session_timeout = '5min'\n");
    const r = run(['.'], dir);
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('1 entry of pgconn-lint-suppressions.json holds more findings than remain (fixed since): run with --prune-suppressions')]);
    expect(run(['--prune-suppressions', '.'], dir).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'pgconn-lint-suppressions.json'), 'utf8'))).toEqual({ 'postgresql.conf': { 'unknown-setting': { count: 1 } } });
  });
  it('--suppressions-location names another file', () => {
    const dir = repo(OLD);
    run(['--suppress-all', '--suppressions-location', 'ci/baseline.json', '.'], dir);
    expect(existsSync(join(dir, 'pgconn-lint-suppressions.json'))).toBe(false);
    expect(run(['--suppressions-location', 'ci/baseline.json', '.'], dir).code).toBe(0);
  });
});

/** A repository with two servers' configs, each with a finding the baseline records. */
function twoServers(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-baseline-'));
  mkdirSync(join(dir, '.git'));
  for (const d of ['a', 'b']) {
    mkdirSync(join(dir, d));
    writeFileSync(join(dir, d, 'postgresql.conf'), "max_conections = 10\nidle_in_transaction_session_timeout = '5min'\n");
  }
  return dir;
}
const BOTH = { 'a/postgresql.conf': { 'unknown-setting': { count: 1 } }, 'b/postgresql.conf': { 'unknown-setting': { count: 1 } } };
const baselineOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'pgconn-lint-suppressions.json'), 'utf8')) as unknown;

describe('only files named (pre-commit, lint-staged): the baseline is judged on the whole repository', () => {
  it('the entries of files not named are neither said to be fixed nor dropped by --prune-suppressions or --suppress-all', () => {
    const dir = twoServers();
    run(['--suppress-all', '.'], dir);
    expect(baselineOf(dir)).toEqual(BOTH);
    const r = run(['a/postgresql.conf'], dir);
    expect([r.code, r.stderr]).toEqual([0, 'checked 3 files: 2 postgresql.conf\n']);
    expect(run(['--prune-suppressions', 'a/postgresql.conf'], dir).code).toBe(0);
    expect(baselineOf(dir)).toEqual(BOTH);
    expect(run(['--suppress-all', 'a/postgresql.conf'], dir).stderr).toContain('2 findings recorded in pgconn-lint-suppressions.json');
    expect(baselineOf(dir)).toEqual(BOTH);
  });
  it('fails only on what the named file adds', () => {
    const dir = twoServers();
    run(['--suppress-all', '.'], dir);
    writeFileSync(join(dir, 'a/postgresql.conf'), "max_conections = 10\nshared_bufers = 1GB\nidle_in_transaction_session_timeout = '5min'\n");
    const r = run(['--format', 'json', 'a/postgresql.conf'], dir);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number }> }>;
    expect(files.map((f) => [f.filePath, f.messages.map((m) => `${m.ruleId}:${m.line}`)])).toEqual([[join(dir, 'a/postgresql.conf'), ['unknown-setting:1', 'unknown-setting:2']]]);
    expect(run(['b/postgresql.conf'], dir).code).toBe(0);
  });
  it('a staged baseline is judged against every file, and is not "not linted"', () => {
    const dir = twoServers();
    run(['--suppress-all', '.'], dir);
    writeFileSync(join(dir, 'pgconn-lint-suppressions.json'), JSON.stringify({ 'a/postgresql.conf': BOTH['a/postgresql.conf'] }));
    const r = run(['--format', 'json', 'pgconn-lint-suppressions.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('not linted');
    const files = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string }> }>;
    expect(files.filter((f) => f.messages.length > 0).map((f) => f.filePath)).toEqual([join(dir, 'b/postgresql.conf')]);
  });
});

describe('a hostile baseline', () => {
  it('a link to a file outside the repository is neither read nor written (exit 2)', () => {
    const dir = repo(OLD);
    const outside = join(mkdtempSync(join(tmpdir(), 'pgconn-lint-outside-')), 'victim.json');
    writeFileSync(outside, '{}');
    symlinkSync(outside, join(dir, 'pgconn-lint-suppressions.json'));
    const r = run(['--suppress-all', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pgconn-lint-suppressions.json points outside the repository');
    expect(readFileSync(outside, 'utf8')).toBe('{}');
  });
  it('malformed content is a usage error that does not echo it', () => {
    const dir = repo(OLD);
    writeFileSync(join(dir, 'pgconn-lint-suppressions.json'), '{"postgresql.conf": {"unknown-setting": {"count": "SECRET-TOKEN"}}}');
    const r = run(['.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('re-create it with --suppress-all');
    expect(r.stderr).not.toContain('SECRET-TOKEN');
    writeFileSync(join(dir, 'pgconn-lint-suppressions.json'), 'password=hunter2 {');
    expect(run(['.'], dir).stderr).not.toContain('hunter2');
  });
});
