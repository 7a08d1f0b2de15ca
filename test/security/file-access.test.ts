/**
 * Issue 16, class 1: a pull request cannot make pgconn-lint read (and so print) anything outside
 * the repository, in .git, or a special file. The hostile tree is built in a temporary folder beside
 * an "outside" folder full of planted markers; the built CLI runs in every output format, and the
 * ESLint plugin through ESLint's Node API, and no marker may appear (docs/security.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pgconn from '../../eslint-plugin/src/index.js';
import { FileAccess } from '../../src/core/file-access.js';
import { REPO_ROOT } from '../support/paths.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'bin.js');
const MARKERS = ['OUTSIDEMARK', 'GITHEADERMARK', 'ENVSECRETMARK', 'root:x:0:0'];
/** Secret-looking variables in the environment of every run: none may reach an output. */
const ENV = { ...process.env, PGPASSWORD: 'ENVSECRETMARK1', DATABASE_URL: 'postgres://app:ENVSECRETMARK2@db/app', NO_COLOR: '' };

let base: string;
let repo: string;
let outside: string;

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'pgconn-hostile-'));
  repo = join(base, 'repo');
  outside = join(base, 'outside');
  // Outside the repository: every file is valid input for some extractor, and carries a marker.
  write(join(outside, 'secret.conf'), "max_connections = 'OUTSIDEMARK'\nOUTSIDEMARK_setting = 1\n");
  write(join(outside, 'pgbouncer.ini'), '[pgbouncer]\nOUTSIDEMARK = 1\n[databases]\nx = host=db password=OUTSIDEMARK\n');
  write(join(outside, 'userlist.txt'), '"app" "OUTSIDEMARK"\n');
  write(join(outside, 'secret.env'), 'DATABASE_URL=postgres://app:OUTSIDEMARK@db:6432/app\nOUTSIDEMARK=1\n');
  write(join(outside, 'compose.yaml'), 'services:\n  OUTSIDEMARK:\n    image: postgres:16\n    command: postgres -c max_connections=OUTSIDEMARK\n');
  write(join(outside, 'db.ts'), "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 5, application_name: 'OUTSIDEMARK' });\nconst OUTSIDEMARK = pool.connect();\n");
  write(join(outside, 'evil.prisma'), 'datasource db {\n  provider = "postgresql"\n  url = "postgres://OUTSIDEMARK"\n  OUTSIDEMARK\n}\n');

  mkdirSync(join(repo, '.git'), { recursive: true });
  // What actions/checkout stores: never readable through an include.
  write(join(repo, '.git', 'config'), '[http]\n\textraheader = AUTHORIZATION: basic GITHEADERMARK\n');
  // Links named like every input kind, pointing outside.
  symlinkSync(join(outside, 'secret.conf'), join(repo, 'postgresql.conf'));
  symlinkSync('../outside/pgbouncer.ini', join(repo, 'pgbouncer.ini'));
  symlinkSync('../outside/compose.yaml', join(repo, 'docker-compose.yml'));
  symlinkSync('../outside/secret.env', join(repo, '.env.production'));
  symlinkSync('/etc/passwd', join(repo, 'passwd.conf'));
  symlinkSync('/', join(repo, 'rootlink'));
  symlinkSync(outside, join(repo, 'linked'));
  // Special files under names pgconn-lint reads: never opened.
  symlinkSync('/dev/zero', join(repo, '.gitignore'));
  symlinkSync('/dev/zero', join(repo, 'tsconfig.json'));
  symlinkSync('/dev/zero', join(repo, 'package.json'));
  execFileSync('mkfifo', [join(repo, '.env')]);
  execFileSync('mkfifo', [join(repo, 'k8s.yaml')]);
  // Includes of every kind that leave the repository or enter .git.
  write(
    join(repo, 'db', 'main.postgresql.conf'),
    [
      "include '/etc/passwd'",
      "include '../../outside/secret.conf'",
      `include_if_exists '${join(outside, 'secret.conf')}'`,
      `include_dir '${outside}'`,
      "include '../.git/config'",
      "include 'conf.d/link.conf'",
      'max_connections = 50',
      '',
    ].join('\n'),
  );
  symlinkSync(join(outside, 'secret.conf'), join(repo, 'db', 'conf.d-link.conf'));
  mkdirSync(join(repo, 'db', 'conf.d'));
  symlinkSync(join(outside, 'secret.conf'), join(repo, 'db', 'conf.d', 'link.conf'));
  write(
    join(repo, 'bouncer', 'pgbouncer.ini'),
    ['[pgbouncer]', 'auth_type = scram-sha-256', `auth_file = ${join(outside, 'userlist.txt')}`, `%include ${join(outside, 'pgbouncer.ini')}`, '%include ../../outside/pgbouncer.ini', '%include ../linked/pgbouncer.ini', '%include ../.git/config', ''].join('\n'),
  );
  write(join(repo, 'bouncer2', 'pgbouncer.ini'), ['[pgbouncer]', 'auth_type = scram-sha-256', 'auth_file = ../linked/userlist.txt', ''].join('\n'));
  // compose env_file and code imports that leave the repository.
  write(join(repo, 'app', 'compose.yaml'), 'services:\n  api:\n    build: .\n    env_file: ../../outside/secret.env\n  web:\n    build: .\n    env_file: ../linked/secret.env\n');
  write(join(repo, 'app', 'server.ts'), "import { pool } from '../linked/db';\nimport { pool as p2 } from '../../outside/db';\nexport async function h() { const c = await pool.connect(); await c.query('select 1'); c.release(); return p2; }\n");
  // A Prisma schema folder with a link to an outside file.
  mkdirSync(join(repo, 'prisma', 'schema'), { recursive: true });
  write(join(repo, 'prisma', 'schema', 'base.prisma'), 'generator client {\n  provider = "prisma-client-js"\n}\n');
  symlinkSync(join(outside, 'evil.prisma'), join(repo, 'prisma', 'schema', 'evil.prisma'));
  symlinkSync(outside, join(repo, 'prisma', 'schema', 'more'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: repo, env: ENV, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, ms: Date.now() - t0 };
}

function expectNoMarker(out: string): void {
  for (const m of MARKERS) expect(out, `marker ${m} leaked`).not.toContain(m);
}

describe('a hostile tree: nothing outside the repository, in .git or special is read', () => {
  const variants: Array<[string, string[]]> = [
    ['stylish', ['--no-color']],
    ['stylish with colour', ['--color']],
    ['json', ['-f', 'json']],
    ['sarif', ['-f', 'sarif']],
    ['github', ['-f', 'github']],
    ['--print-model', ['--print-model']],
    ['--print-config', ['--print-config']],
    ['budget text', ['budget']],
    ['budget json', ['budget', '-f', 'json']],
    ['budget mermaid', ['budget', '-f', 'mermaid']],
  ];
  for (const [name, args] of variants) {
    it(`${name}: no marker, exit 0 or 1, in bounded time`, () => {
      const r = run([...args, '.']);
      expect(r.status === 0 || r.status === 1, r.out.slice(0, 2000)).toBe(true);
      expectNoMarker(r.out);
      expect(r.ms).toBeLessThan(30_000);
    });
  }

  it('says what it did not read, and why', () => {
    // Stylish wraps messages at 80 columns when not on a terminal: read them unwrapped.
    const out = run(['--no-color', '.']).out.replace(/\n +(?=\S)/g, ' ');
    expect(out).toMatch(/postgresql\.conf points outside the repository: not read/);
    expect(out).toMatch(/Directory rootlink points outside the repository: not read/);
    expect(out).toMatch(/\.gitignore is a system path \(\/proc, \/sys, \/dev\): not read; its patterns are not applied/);
    expect(out).toMatch(/\.env is not a regular file \(a FIFO, socket or device\): not read/);
    expect(out).toMatch(/could not open configuration file "\/etc\/passwd": is outside the repository: not read/);
    expect(out).toMatch(/\.git\/config": is inside a \.git directory: not read/);
  });

  it('the files named on the command line are read, even outside the repository; a link inside it named there is not', () => {
    const named = run(['--no-color', '--rule', 'unknown-setting:error', join(outside, 'secret.conf')]);
    expect(named.out).toContain('OUTSIDEMARK_setting');
    const link = run(['--no-color', 'postgresql.conf']);
    expectNoMarker(link.out);
    expect(link.out).toMatch(/points outside the repository: not read/);
  });

  for (const flavour of ['ESLint Node API'] as const) {
    it(`${flavour}: the plugin reads nothing outside the repository either`, async () => {
      const { ESLint } = await import('eslint');
      const tsParser = (await import('@typescript-eslint/parser')).default;
      const eslint = new ESLint({
        cwd: repo,
        overrideConfigFile: true,
        overrideConfig: [pgconn.configs.recommended, { files: ['**/*.ts'], languageOptions: { parser: tsParser as never } }],
      });
      const results = await eslint.lintFiles(['app/server.ts']);
      expectNoMarker(JSON.stringify(results));
    });
  }
});

describe('the config file', () => {
  it('outside the repository (found upward or --config) is read, but its content is never echoed', () => {
    const cfg = join(outside, 'pgconn-lint.config.yaml');
    write(cfg, 'OUTSIDEMARK_key: 1\nrules:\n  OUTSIDEMARK_rule: error\n');
    const r = run(['--config', cfg, '.']);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/invalid configuration \(the file is outside the repository, so its content is not shown here\)/);
    expectNoMarker(r.out);
  });

  it('inside the repository: a link that leaves it, or a FIFO, is not read', () => {
    const dir = join(base, 'cfgrepo');
    mkdirSync(join(dir, '.git'), { recursive: true });
    symlinkSync(join(outside, 'secret.conf'), join(dir, 'pgconn-lint.config.yaml'));
    const r = spawnSync(process.execPath, [BIN, '.'], { cwd: dir, env: ENV, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pgconn-lint\.config\.yaml points outside the repository: not read/);
    expectNoMarker(`${r.stdout}${r.stderr}`);
    const fifo = join(base, 'fiforepo');
    mkdirSync(join(fifo, '.git'), { recursive: true });
    execFileSync('mkfifo', [join(fifo, 'pgconn-lint.config.json')]);
    const f = spawnSync(process.execPath, [BIN, '.'], { cwd: fifo, env: ENV, encoding: 'utf8', timeout: 30_000 });
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/is not a regular file/);
  });
});

describe('FileAccess', () => {
  it('allows the repository and what the command line names outside it; refuses links out, .git and system paths', () => {
    const a = new FileAccess(repo);
    expect(a.check(join(repo, 'db', 'main.postgresql.conf')).ok).toBe(true);
    expect(a.check(join(repo, 'db', 'missing.conf')).ok).toBe(true);
    expect(a.check(join(repo, 'postgresql.conf'))).toEqual({ ok: false, reason: 'points outside the repository: not read' });
    expect(a.check(join(outside, 'secret.conf'))).toEqual({ ok: false, reason: 'is outside the repository: not read' });
    expect(a.check(join(repo, '.git', 'config'))).toEqual({ ok: false, reason: 'is inside a .git directory: not read' });
    expect(a.check(join(repo, '.env'))).toEqual({ ok: false, reason: 'is not a regular file (a FIFO, socket or device): not read' });
    expect(a.check(join(repo, 'tsconfig.json')).ok).toBe(false);
    const named = new FileAccess(repo, FileAccess.namedOutside(repo, repo, [join(outside, 'secret.conf'), '/proc/self/environ']));
    expect(named.check(join(outside, 'secret.conf')).ok).toBe(true);
    expect(named.check(join(outside, 'pgbouncer.ini')).ok).toBe(true);
    expect(named.check('/proc/self/environ').ok).toBe(false);
    // Named, but inside the repository: the repository's link gets no exception.
    expect(FileAccess.namedOutside(repo, repo, ['postgresql.conf'])).toEqual([]);
  });
});
