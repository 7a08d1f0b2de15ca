/**
 * Issue 12: `--fix` and `--fix-dry-run`, ESLint's semantics: only the safe, mechanical edits of
 * fixable rules; the file's own line ends are kept; nothing outside the repository is written.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
  it('keeps a BOM: postgresql.conf (read with it, as PostgreSQL does), pgbouncer.ini, and code (whose analysis reads it as a space)', () => {
    const BOM = '\uFEFF';
    const dir = repo({
      'postgresql.conf': `${BOM}# main\r\nmax_connections = 100\r\nmax_connections = 200\r\n`,
      'pgbouncer.ini': `${BOM}[databases]\napp = host=db dbname=app\n[pgbouncer]\npool_mode = transaction ; main pool\n`,
      'package.json': '{ "name": "app", "dependencies": { "pg": "8.23.1" } }\n',
      'db.js': `${BOM}import { Pool } from 'pg';\nexport const pool = new Pool({ max: 0 });\n`,
    });
    const r = run(['--fix', '.'], dir);
    expect(r.stderr).toContain('pgconn-lint: fixed 5 findings in 3 files.');
    expect(readFileSync(join(dir, 'postgresql.conf'), 'utf8')).toBe(
      `${BOM}# main\r\n# max_connections = 100\r\nmax_connections = 200\r\n# End sessions left idle inside a transaction (pgconn-lint: idle-in-transaction-timeout).\r\nidle_in_transaction_session_timeout = '5min'\r\n`,
    );
    expect(readFileSync(join(dir, 'pgbouncer.ini'), 'utf8')).toBe(`${BOM}[databases]\napp = host=db dbname=app\n[pgbouncer]\n; main pool\npool_mode = transaction\n`);
    expect(readFileSync(join(dir, 'db.js'), 'utf8')).toBe(`${BOM}import { Pool } from 'pg';\nexport const pool = new Pool({ connectionTimeoutMillis: 5000 });\n`);
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

describe('--fix in pgbouncer.ini', () => {
  it('moves what PgBouncer would read as part of a value to a comment line of its own, with the entry\'s indentation and line ends', () => {
    const dir = repo({ 'pgbouncer.ini': '[databases]\r\napp = host=db dbname=app\r\n[pgbouncer]\r\n  pool_mode = transaction ; main pool\r\nmax_client_conn = 500\r\n' });
    run(['--fix', '--rule', 'invalid-setting-value:error', '.'], dir);
    expect(readFileSync(join(dir, 'pgbouncer.ini'), 'utf8')).toBe('[databases]\r\napp = host=db dbname=app\r\n[pgbouncer]\r\n  ; main pool\r\n  pool_mode = transaction\r\nmax_client_conn = 500\r\n');
  });
  it('leaves a value that is invalid without the comment too', () => {
    const text = '[pgbouncer]\npool_mode = transactions ; typo\n';
    const dir = repo({ 'pgbouncer.ini': text });
    run(['--fix', '.'], dir);
    expect(readFileSync(join(dir, 'pgbouncer.ini'), 'utf8')).toBe(text);
  });
});

describe('--fix: prepare: false for postgres.js behind a transaction-mode PgBouncer that does not track prepared statements', () => {
  it('adds the options argument, or turns a written prepare: true into false', () => {
    const files = (db: string) => ({
      'package.json': JSON.stringify({ name: 'api', dependencies: { postgres: '3.4.9' } }),
      'docker-compose.yml': 'services:\n  pgbouncer:\n    image: edoburu/pgbouncer:1.20.1\n    environment:\n      DATABASE_URL: postgres://app:pw@db:5432/app\n      POOL_MODE: transaction\n  db:\n    image: postgres:16\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:pw@pgbouncer:5432/app\n',
      'db.ts': db,
    });
    const dir = repo(files("import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!);\n"));
    run(['--fix', '.'], dir);
    expect(readFileSync(join(dir, 'db.ts'), 'utf8')).toBe("import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!, { prepare: false });\n");
    const dir2 = repo(files("import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!, { max: 5, prepare: true });\n"));
    run(['--fix', '.'], dir2);
    expect(readFileSync(join(dir2, 'db.ts'), 'utf8')).toBe("import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!, { max: 5, prepare: false });\n");
  });
});

describe('--fix in code', () => {
  const pkg = JSON.stringify({ name: 'api', dependencies: { pg: '8.23.1' } });
  const fixed = (src: string, rule = 'missing-connection-timeout') => {
    const dir = repo({ 'package.json': pkg, 'db.ts': src });
    run(['--fix', '--rule', `${rule === 'missing-connection-timeout' ? 'ineffective-pool-option' : 'missing-connection-timeout'}:off`, '.'], dir);
    return readFileSync(join(dir, 'db.ts'), 'utf8');
  };

  it('adds connectionTimeoutMillis to inline options in their layout: one line, one per line, trailing comma, CRLF', () => {
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10 });\n")).toBe("import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10, connectionTimeoutMillis: 5000 });\n");
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({\n    max: 10,\n    idleTimeoutMillis: 30000,\n});\n")).toBe(
      "import { Pool } from 'pg';\nexport const pool = new Pool({\n    max: 10,\n    idleTimeoutMillis: 30000,\n    connectionTimeoutMillis: 5000,\n});\n",
    );
    expect(fixed("import { Pool } from 'pg';\r\nexport const pool = new Pool({\r\n\tmax: 10\r\n});\r\n")).toBe("import { Pool } from 'pg';\r\nexport const pool = new Pool({\r\n\tmax: 10,\r\n\tconnectionTimeoutMillis: 5000\r\n});\r\n");
    expect(fixed("import pg from 'pg';\nexport const pool = new pg.Pool();\n")).toBe("import pg from 'pg';\nexport const pool = new pg.Pool({ connectionTimeoutMillis: 5000 });\n");
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10, connectionTimeoutMillis: 0 });\n")).toBe("import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10, connectionTimeoutMillis: 5000 });\n");
  });

  it('leaves options it cannot edit in place (a shared object, a spread) as findings', () => {
    const shared = "import { Pool } from 'pg';\nconst options = { max: 10 };\nexport const pool = new Pool(options);\n";
    expect(fixed(shared)).toBe(shared);
    const spread = "import { Pool } from 'pg';\nimport { base } from './base';\nexport const pool = new Pool({ ...base, max: 10 });\n";
    expect(fixed(spread)).toBe(spread);
  });

  it('both rules on one pool: the passes end with the timeout and no `max: 0`, as ESLint\'s --fix does', () => {
    const dir = repo({ 'package.json': pkg, 'db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 0 });\n" });
    run(['--fix', '.'], dir);
    expect(readFileSync(join(dir, 'db.ts'), 'utf8')).toBe("import { Pool } from 'pg';\nexport const pool = new Pool({ connectionTimeoutMillis: 5000 });\n");
  });

  it('drops `max: 0`, which pg-pool reads as unset (the pool keeps its 10)', () => {
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({ max: 0, connectionTimeoutMillis: 5000 });\n", 'ineffective-pool-option')).toBe(
      "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionTimeoutMillis: 5000 });\n",
    );
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionTimeoutMillis: 5000,\n  max: 0,\n});\n", 'ineffective-pool-option')).toBe(
      "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionTimeoutMillis: 5000,\n});\n",
    );
    expect(fixed("import { Pool } from 'pg';\nexport const pool = new Pool({ connectionTimeoutMillis: 5000, max: 0 });\n", 'ineffective-pool-option')).toBe(
      "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionTimeoutMillis: 5000 });\n",
    );
  });
});

describe('--fix for Prisma behind a transaction-mode PgBouncer that does not track prepared statements (1.18)', () => {
  const FIXTURE = join(resolve(__dirname, '../..'), 'fixtures/prepared-statements-transaction-mode/invalid-prisma6-pgbouncer-1-18');
  const PASSWORD = 'Hunter2-do-not-print';
  /** The fixture with `env` as its .env (a password no output may show). */
  const project = (env: string, extra: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-fix-prisma-'));
    cpSync(FIXTURE, dir, { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.env'), env);
    for (const [n, t] of Object.entries(extra)) writeFileSync(join(dir, n), t);
    return dir;
  };
  const ENV = `DATABASE_URL="postgres://app:${PASSWORD}@pgbouncer:6432/app"\r\nDIRECT_URL="postgres://app:${PASSWORD}@postgres:5432/app"\r\n`;

  it('adds pgbouncer=true to the pooled URL in .env, after its last character: the password is neither rewritten nor printed', () => {
    const dir = project(ENV);
    for (const format of ['stylish', 'json', 'sarif', 'github']) {
      const r = run(['--fix-dry-run', '--format', format, '.'], dir);
      expect(r.stderr).toContain('--fix would fix 1 finding in .env (nothing written).');
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(ENV);
    const r = run(['--fix', '.'], dir);
    expect(r.stderr).toContain('pgconn-lint: fixed 1 finding in 1 file.');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stdout).not.toContain('prepared-statements-transaction-mode');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`DATABASE_URL="postgres://app:${PASSWORD}@pgbouncer:6432/app?pgbouncer=true"\r\nDIRECT_URL="postgres://app:${PASSWORD}@postgres:5432/app"\r\n`);
  });
  it('appends to a query the URL already has; leaves a URL with an expansion as a finding', () => {
    const dir = project(`DATABASE_URL=postgresql://app:${PASSWORD}@pgbouncer:6432/app?connection_limit=5\nDIRECT_URL=postgres://app@postgres:5432/app\n`);
    run(['--fix', '.'], dir);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`DATABASE_URL=postgresql://app:${PASSWORD}@pgbouncer:6432/app?connection_limit=5&pgbouncer=true\nDIRECT_URL=postgres://app@postgres:5432/app\n`);
    const expanded = `DB_HOST=pgbouncer\nDATABASE_URL=postgres://app:${PASSWORD}@\${DB_HOST}:6432/app\nDIRECT_URL=postgres://app@postgres:5432/app\n`;
    const dir2 = project(expanded);
    const r = run(['--fix', '--format', 'json', '.'], dir2);
    expect(readFileSync(join(dir2, '.env'), 'utf8')).toBe(expanded);
    const messages = (JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string }> }>).flatMap((f) => f.messages.map((m) => m.ruleId));
    expect(messages).toContain('prepared-statements-transaction-mode');
  });
  it('is only a suggestion when another client reads the same URL (postgres.js would send pgbouncer as a startup parameter)', () => {
    const dir = project(ENV, {
      'package.json': '{ "name": "api", "private": true, "type": "module", "dependencies": { "@prisma/client": "6.16.2", "prisma": "6.16.2", "postgres": "3.4.7" } }\n',
    });
    writeFileSync(join(dir, 'src/sql.ts'), "import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!, { prepare: false });\n");
    const r = run(['--fix', '--format', 'json', '.'], dir);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(ENV);
    const found = (JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number }> }>).flatMap((f) => f.messages.filter((m) => m.ruleId === 'prepared-statements-transaction-mode').map((m) => `${f.filePath.slice(dir.length + 1)}:${m.line}`));
    expect(found).toEqual(['.env:1']);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
