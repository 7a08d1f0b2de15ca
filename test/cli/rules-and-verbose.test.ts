/**
 * Issue 12: users can see what it read and ask about rules. The built binary, run as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');

function run(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', COLUMNS: '', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-cli-'));
  mkdirSync(join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('--list-rules', () => {
  it('lists every rule with its default severity, preset and fixable, one per line (when that fits)', () => {
    const r = run(['--list-rules'], ROOT, { COLUMNS: '300' });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^rule\s+default\s+preset\s+fix\s+description$/);
    for (const rule of ALL_RULES) expect(r.stdout).toMatch(new RegExp(`^${rule.meta.id}\\s+${rule.meta.defaultSeverity}\\s`, 'm'));
  });
  it('in 80 columns (not a terminal): each description under its rule, wrapped', () => {
    const r = run(['--list-rules']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'rule                                  default preset      fix',
      'close-in-handler                      error   recommended',
      '    Report a shared pool or client closed inside a function that runs per',
      '    request.',
      'connection-memory                     warning recommended',
      '    Report a max_connections whose memory, at work_mem each, does not fit the',
      '    host, or that is too high to run without a pooler.',
    ]);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    for (const rule of ALL_RULES) expect(r.stdout).toMatch(new RegExp(`^${rule.meta.id}\\s+${rule.meta.defaultSeverity}\\s+recommended${rule.meta.fixable ? ' fixable' : ''}$`, 'm'));
  });
  it('as JSON', () => {
    const rows = JSON.parse(run(['--list-rules', '--format', 'json']).stdout) as Array<{ id: string; fixable: boolean; docs: string }>;
    expect(rows.map((x) => x.id)).toEqual(ALL_RULES.map((x) => x.meta.id));
    expect(rows[0]!.docs).toMatch(/^https:\/\/github\.com\/pgconn-lint\/pgconn-lint\/blob\/main\/rules\/.+\.md$/);
  });
});

describe('explain', () => {
  it('prints the rule doc shipped in the package, offline', () => {
    const r = run(['explain', 'release-in-finally']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# release-in-finally\n/);
    expect(r.stdout).not.toContain('<!-- header');
    expect(r.stdout).toContain('Online: https://github.com/pgconn-lint/pgconn-lint/blob/main/rules/release-in-finally.md');
  });
  it('accepts the ESLint name, and suggests a close id for a typo (exit 2)', () => {
    expect(run(['explain', 'pgconn/pool-in-handler']).stdout).toMatch(/^# pool-in-handler\n/);
    const r = run(['explain', 'relase-in-finally']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "release-in-finally"?');
  });
});

describe('usage errors', () => {
  it('unknown flags and commands get did-you-mean and exit 2', () => {
    const dir = project({});
    const a = run(['--formatt', 'json'], dir);
    expect([a.code, a.stderr.split('\n')[0]]).toEqual([2, 'pgconn-lint: unknown option --formatt (did you mean --format?)']);
    const b = run(['budjet'], dir);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('unknown command "budjet" (did you mean "budget"?)');
  });
  it('--help, budget --help and live --help fit the terminal (80 columns when not one); only a word longer than a line (a URL) passes it', () => {
    for (const args of [['--help'], ['budget', '--help'], ['live', '--help']]) {
      for (const columns of ['', '60', '100']) {
        const width = Number(columns || 80);
        const long = run(args, ROOT, { COLUMNS: columns }).stdout.split('\n').filter((l) => l.length > width);
        expect(long.filter((l) => l.trim().includes(' ')), `${args.join(' ')} at ${width}`).toEqual([]);
      }
    }
    const help = run(['--help']).stdout;
    expect(help).toContain(
      [
        '      --no-project-context   When only files are named, lint them on their own',
        '                             instead of reading their whole git repository and',
        '                             reporting about them',
      ].join('\n'),
    );
    expect(help).toContain('      --suppressions-location <file>\n                             The baseline file (default:\n');
    // Wide enough: as written.
    expect(run(['--help'], ROOT, { COLUMNS: '300' }).stdout).toContain(
      '      --no-project-context   When only files are named, lint them on their own instead of\n                             reading their whole git repository and reporting about them\n',
    );
  });
  it('budget --help is budget\'s help, and budget refuses flags it does not use', () => {
    expect(run(['budget', '--help']).stdout).toMatch(/^Usage: pgconn-lint budget/);
    const r = run(['budget', '--quiet', '--max-warnings', '3'], project({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('budget does not use --quiet, --max-warnings');
  });
  it('--rule accepts the ESLint name pgconn/<id>', () => {
    const dir = project({ 'postgresql.conf': 'max_conections = 10\n' });
    expect(run(['--rule', 'pgconn/unknown-setting:off', '.'], dir).stdout).not.toContain('unknown-setting');
  });
});

describe('what was read', () => {
  it('a stylish run ends with one summary line on stderr, also when clean', () => {
    const empty = run(['.'], project({ 'README.md': '# nothing here\n' }));
    expect(empty.code).toBe(0);
    expect(empty.stderr).toBe('checked 1 file: none of them is an input pgconn-lint reads (run with --verbose to see what was skipped)\n');
    const some = run(['.'], project({ 'postgresql.conf': "max_connections = 100\nidle_in_transaction_session_timeout = '5min'\n", 'pgbouncer.ini': '[pgbouncer]\npool_mode = session\n' }));
    expect(some.stderr).toBe('checked 2 files: 1 postgresql.conf, 1 pgbouncer.ini\n');
  });
  it('--verbose lists the config, the files read as what, what was skipped and why, and the versions assumed', () => {
    const dir = project({
      '.gitignore': '.env\n',
      '.env': 'DATABASE_URL=postgres://app@db/app\n',
      'postgresql.conf': "max_connections = 100\nidle_in_transaction_session_timeout = '5min'\n",
      'node_modules/pg/index.js': 'module.exports = {}\n',
    });
    const r = run(['--verbose', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('config: none found (defaults: recommended)');
    expect(r.stderr).toContain('  postgresql.conf  as postgresql-conf');
    expect(r.stderr).toContain('  .env  ignored by .gitignore');
    expect(r.stderr).toContain('  node_modules/  never read (dependency or build output directory)');
    expect(r.stderr).toContain('versions assumed:\n  PostgreSQL 18 for postgresql.conf (set database.version, or use an image tag)');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('checked 2 files: 1 postgresql.conf');
  });
});

describe('--verbose says why a file was taken as a local-development stack', () => {
  it('names the evidence of each compose file and script-only file (issue 15)', () => {
    const dir = project({
      'package.json': JSON.stringify({ name: 'acme', private: true, scripts: { 'dev:db': 'docker compose -f ops/stack.yml up -d' } }),
      'ops/stack.yml': 'services:\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: app\n',
      'docker/docker-compose.yml': '# Core local-dev stack: the minimum a contributor needs.\nservices:\n  database:\n    image: postgres:17\n    command: -c max_connections=500\n',
      'docker-compose.yml': 'services:\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n',
    });
    const r = run(['--verbose', '.'], dir);
    const block = r.stderr.split('\n');
    const at = block.indexOf('non-production by evidence (2; codePaths.nonProduction "!path" takes one back):');
    expect(at).toBeGreaterThan(-1);
    expect(block.slice(at + 1, at + 3)).toEqual([
      '  docker/docker-compose.yml  it is a local-development or test stack: its header says "Core local-dev stack: the minimum a contributor needs" (docker/docker-compose.yml:1)',
      '  ops/stack.yml  it is a local-development or test stack: only package.json script "dev:db" starts it',
    ]);
    // The local-dev server's -c flags do not make it a server to tune.
    expect(r.stdout).not.toContain('idle-in-transaction-timeout');
  });
});

describe('the config file of the linted path', () => {
  const conf = 'max_conections = 10\n';
  it('is found from the linted directory upward, not only from the working directory', () => {
    const dir = project({ 'app/postgresql.conf': conf, 'app/pgconn-lint.config.json': '{ "rules": { "unknown-setting": "off" } }' });
    const r = run(['app'], dir);
    expect(r.stdout).not.toContain('unknown-setting');
    expect(run(['--print-config', 'app'], dir).stdout).toContain('"configFile": ');
  });
  it('.pgconn-lint.json and the "pgconn-lint" key of package.json are read, in that order after the three names', () => {
    const dot = project({ 'postgresql.conf': conf, '.pgconn-lint.json': '{ "rules": { "unknown-setting": "off" } }' });
    expect(run(['.'], dot).stdout).not.toContain('unknown-setting');
    const pkg = project({ 'postgresql.conf': conf, 'package.json': '{ "name": "x", "pgconn-lint": { "rules": { "unknown-setting": "off" } } }' });
    expect(run(['.'], pkg).stdout).not.toContain('unknown-setting');
    const both = project({ 'postgresql.conf': conf, 'pgconn-lint.config.json': '{}', 'package.json': '{ "pgconn-lint": { "rules": { "unknown-setting": "off" } } }' });
    expect(run(['.'], both).stdout).toContain('unknown-setting');
    const wrong = project({ 'postgresql.conf': conf, 'package.json': '{ "pgconn-lint": { "rulez": {} } }' });
    const w = run(['.'], wrong);
    expect([w.code, w.stderr]).toEqual([2, expect.stringContaining('package.json:1:20: unknown key "rulez"')]);
  });
  it('ignorePatterns are relative to the config file', () => {
    const dir = project({ 'app/legacy/postgresql.conf': conf, 'app/pgconn-lint.config.json': '{ "ignorePatterns": ["/legacy/"] }' });
    expect(run(['app'], dir).stdout).not.toContain('unknown-setting');
    expect(run(['.'], join(dir, 'app')).stdout).not.toContain('unknown-setting');
  });
});

describe('config errors', () => {
  it('are all reported at once, one line each', () => {
    const dir = project({ 'pgconn-lint.config.json': '{"rulez": {}, "rules": {"relase-in-finally": "off", "unknown-setting": "of"}}' });
    const r = run(['.'], dir);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('pgconn-lint: 3 errors in the configuration:');
    expect(lines.slice(1).map((l) => l.replace(/^ {2}\S+pgconn-lint\.config\.json:/, ''))).toEqual([
      '1:2: unknown key "rulez" in the configuration (did you mean "rules"?); allowed: $schema, preset, rules, ignorePatterns, codePaths, database, pgbouncer, maxFileSize, deployment',
      '1:25: unknown rule "relase-in-finally" (did you mean "release-in-finally"?)',
      '1:72: rule "unknown-setting": severity must be "off", "warn" or "error" (or 0, 1, 2), got "of"',
    ]);
  });
  it('a version written as a number that loses digits is to be quoted', () => {
    const r = run(['.'], project({ 'pgconn-lint.config.json': '{"pgbouncer": {"version": 1.20}}' }));
    expect(r.stderr).toContain('pgbouncer.version 1.20 is read as the number 1.2: write the version as a string, "1.20"');
    expect(run(['.'], project({ 'pgconn-lint.config.json': '{"pgbouncer": {"version": 1.25}}' })).code).toBe(0);
  });
});

describe('colour', () => {
  it('FORCE_COLOR turns it on when not a TTY, --no-color and FORCE_COLOR=0 turn it off', () => {
    const dir = project({ 'postgresql.conf': 'max_conections = 10\n' });
    const go = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [BIN, ...args, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } }).stdout;
    expect(go([], { FORCE_COLOR: '1' })).toMatch(/\u001b\[/);
    expect(go([], { FORCE_COLOR: '1', NO_COLOR: '1' })).toMatch(/\u001b\[/);
    expect(go(['--no-color'], { FORCE_COLOR: '1' })).not.toMatch(/\u001b\[/);
    expect(go([], { FORCE_COLOR: '0' })).not.toMatch(/\u001b\[/);
    expect(go([], {})).not.toMatch(/\u001b\[/);
  });
});
