/**
 * Named files are linted against their whole repository (how pre-commit and lint-staged
 * call the CLI): facts come from every file, findings are reported about the named ones.
 */
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { tempProject } from '../support/lint-helpers.js';

interface JsonFile {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; fatal?: boolean; relatedLocations?: Array<{ filePath: string }> }>;
}

function run(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(['--format', 'json', ...args], { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  const files = stdout ? (JSON.parse(stdout) as JsonFile[]) : [];
  const findings = files.flatMap((f) => f.messages.map((m) => ({ ...m, file: f.filePath.slice(cwd.length + 1) })));
  return { code, stderr, files: files.map((f) => f.filePath.slice(cwd.length + 1)), findings };
}

/** A git repository (the .git directory is all the CLI looks for) with the given files. */
function repo(files: Record<string, string | Buffer>): string {
  const dir = realpathSync(tempProject(files));
  mkdirSync(join(dir, '.git'));
  return dir;
}

const GOOD_BOUNCER = '[databases]\napp = host=db dbname=app\n[pgbouncer]\nlisten_addr = 127.0.0.1\nauth_type = scram-sha-256\nauth_file = userlist.txt\n';
const BAD_BOUNCER = GOOD_BOUNCER + 'server_pool_size = 20\n';

/** postgresql.conf sets everything; the work_mem that overflows the host's RAM lives in an include. */
const WITH_INCLUDE = {
  'pgconn-lint.config.json': JSON.stringify({ database: { memory: '8GB' } }),
  'db/postgresql.conf': "max_connections = 2000\nshared_buffers = 2GB\nidle_in_transaction_session_timeout = '60s'\ninclude 'conf.d/memory.conf'\n",
  'db/conf.d/memory.conf': 'work_mem = 64MB\n',
};

describe('named files are judged against the whole repository', () => {
  it('reports a finding in another file when one of its related locations is in the named file', () => {
    const dir = repo(WITH_INCLUDE);
    const r = run(dir, ['db/conf.d/memory.conf']);
    // 2000 connections × 64MB: reported at max_connections in postgresql.conf, pointing at work_mem.
    const memory = r.findings.filter((f) => f.ruleId === 'connection-memory');
    expect(memory).toHaveLength(1);
    expect(memory[0]).toMatchObject({ file: 'db/postgresql.conf', line: 1 });
    expect(memory[0]!.relatedLocations!.map((l) => l.filePath)).toContain(join(dir, 'db/conf.d/memory.conf'));
    // The include is part of postgresql.conf, which sets idle_in_transaction_session_timeout.
    expect(r.findings.filter((f) => f.ruleId === 'idle-in-transaction-timeout')).toEqual([]);
    expect(r.files).toEqual(['db/conf.d/memory.conf', 'db/postgresql.conf']);
    expect(r.stderr).toBe('');
  });

  it('--no-project-context lints the named file on its own', () => {
    const dir = repo(WITH_INCLUDE);
    const r = run(dir, ['--no-project-context', 'db/conf.d/memory.conf']);
    // On its own, work_mem = 64MB × the default 100 connections fits in 8GB: nothing to report.
    expect(r.findings).toEqual([]);
    expect(r.files).toEqual(['db/conf.d/memory.conf']);
  });

  it('does not report findings of files that were not named', () => {
    const dir = repo({ 'pgbouncer.ini': GOOD_BOUNCER, 'legacy/pgbouncer.ini': BAD_BOUNCER, 'broken/pgbouncer.ini': Buffer.from([0, 1, 2]) });
    const clean = run(dir, ['pgbouncer.ini']);
    expect(clean.code).toBe(0);
    expect(clean.findings).toEqual([]);
    expect(clean.files).toEqual(['pgbouncer.ini']);
    // A directory among the paths: the usual behaviour, everything under it.
    const all = run(dir, ['.']);
    expect(all.code).toBe(1);
    expect(all.findings.map((f) => f.file)).toEqual(expect.arrayContaining(['legacy/pgbouncer.ini', 'broken/pgbouncer.ini']));
  });

  it('keeps findings and fatal problems of the named files', () => {
    const dir = repo({ 'pgbouncer.ini': BAD_BOUNCER, 'broken/pgbouncer.ini': Buffer.from([0, 1, 2]), 'other/pgbouncer.ini': BAD_BOUNCER });
    const r = run(dir, ['pgbouncer.ini', 'broken/pgbouncer.ini']);
    expect(r.code).toBe(1);
    expect(r.findings.find((f) => f.ruleId === 'unknown-setting')).toMatchObject({ file: 'pgbouncer.ini', line: 7 });
    expect(r.findings.find((f) => f.ruleId === null)).toMatchObject({ file: 'broken/pgbouncer.ini', fatal: true });
    expect(r.findings.some((f) => f.file.startsWith('other/'))).toBe(false);
  });

  it('a named config file in use re-lints the whole repository', () => {
    const dir = repo({ ...WITH_INCLUDE, 'legacy/pgbouncer.ini': BAD_BOUNCER });
    const r = run(dir, ['pgconn-lint.config.json']);
    expect(r.findings.map((f) => f.file)).toEqual(expect.arrayContaining(['legacy/pgbouncer.ini', 'db/postgresql.conf']));
  });

  it('honours .gitignore and skips files the repository run does not read, with a note', () => {
    const dir = repo({ '.gitignore': 'local/\n', 'local/pgbouncer.ini': BAD_BOUNCER, 'nginx/nginx.conf': 'worker_processes auto;\n', 'pgbouncer.ini': GOOD_BOUNCER });
    const r = run(dir, ['pgbouncer.ini', 'local/pgbouncer.ini', 'nginx/nginx.conf']);
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([]);
    expect(r.stderr).toContain('not linted: local/pgbouncer.ini, nginx/nginx.conf');
    expect(r.stderr).toContain('--no-project-context');
    // Named on their own, they are linted whatever their name or ignore rules.
    const alone = run(dir, ['--no-project-context', 'local/pgbouncer.ini', 'nginx/nginx.conf']);
    expect(alone.code).toBe(1);
    expect(alone.files).toEqual(['local/pgbouncer.ini', 'nginx/nginx.conf']);
  });

  it('works from a subdirectory and through a symbolic link to the repository', () => {
    const dir = repo(WITH_INCLUDE);
    const fromSub = run(join(dir, 'db'), ['conf.d/memory.conf']);
    expect(fromSub.findings.filter((f) => f.ruleId === 'connection-memory')).toHaveLength(1);
    // lint-staged passes real paths; the working directory may be a link.
    const link = join(realpathSync(tempProject({})), 'link');
    symlinkSync(dir, link);
    const viaLink = run(link, [join(dir, 'db/conf.d/memory.conf')]);
    expect(viaLink.findings.filter((f) => f.ruleId === 'connection-memory')).toHaveLength(1);
  });

  it('outside a git repository, named files are linted on their own', () => {
    const dir = realpathSync(tempProject(WITH_INCLUDE));
    const r = run(dir, ['db/conf.d/memory.conf']);
    expect(r.files).toEqual(['db/conf.d/memory.conf']);
    expect(r.findings.some((f) => f.ruleId === 'connection-memory')).toBe(false);
  });

  it('--no-project-context still reports what one code file shows on its own: a leak (issue 12, no false "clean")', () => {
    const dir = realpathSync(tempProject({
      'src/db.js': "import pg from 'pg';\nconst pool = new pg.Pool({ max: 5, connectionTimeoutMillis: 5000 });\nexport async function f() {\n  const c = await pool.connect();\n  await c.query('select 1');\n  c.release();\n}\n",
    }));
    const r = run(dir, ['--no-project-context', 'src/db.js']);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['release-in-finally']);
  });
});
