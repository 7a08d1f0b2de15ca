/**
 * Issue 16, class 2: no password is printed in its edge forms — a password holding `@`, `'` or `"`,
 * quoted Npgsql values, unterminated conninfo and PgBouncer values, malformed userlist lines,
 * conninfo settings of postgresql.conf with doubled or backslash-escaped quotes, Kubernetes Secret
 * values in base64, passwords and TLS keys in code options and constants — in any output: source
 * frames (stylish with and without colour), json, sarif, github and --print-model. And redaction
 * stays linear: a 1 MB line of letters or of near-matches takes well under a second.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPasswordKey, isSecretOptionName, redactSecrets, redactSourceLine, redactSourceText } from '../../src/core/redact.js';
import { redactedSources } from '../../src/report/secret-ranges.js';
import { toModelJson } from '../../src/report/model-json/pools.js';
import { lintPaths, testConfig } from '../support/lint-helpers.js';
import pgconn from '../../eslint-plugin/src/index.js';
import { FLAVOURS } from '../eslint-plugin/support.js';

const BIN = resolve(__dirname, '../../dist/src/cli/bin.js');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Every planted secret carries this marker; its base64 forms are checked too. */
const MARK = 'S3CRETMARK';
function leaks(out: string, planted: readonly string[] = []): string[] {
  const found = new Set(out.match(/S3CRETMARK\w*/g) ?? []);
  for (const p of planted) if (out.includes(b64(p))) found.add(`base64(${p})`);
  return [...found];
}

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-redaction-'));
  mkdirSync(join(dir, '.git'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const RUNS: Record<string, string[]> = {
  'stylish --no-color': ['--format', 'stylish', '--no-color'],
  'stylish --color': ['--format', 'stylish', '--color'],
  json: ['--format', 'json'],
  sarif: ['--format', 'sarif'],
  github: ['--format', 'github'],
  '--print-model': ['--print-model'],
};

/** Runs the built CLI in every format; returns the stylish output (to check which lines were framed). */
function expectNoLeakInAnyFormat(files: Record<string, string>, planted: readonly string[] = []): string {
  const dir = repo(files);
  let stylish = '';
  for (const [name, args] of Object.entries(RUNS)) {
    // A wide terminal: the frames show whole source lines, so the test sees every masked value on them.
    const r = spawnSync(process.execPath, [BIN, ...args, '--rule', 'plaintext-credentials:warn', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, COLUMNS: '300' } });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.stderr, `${name}: no internal error`).not.toContain('internal error');
    expect(leaks(out, planted), `${name} leaks`).toEqual([]);
    if (name === 'stylish --no-color') stylish = r.stdout;
  }
  return stylish;
}

/** The source lines shown in frames (`12 | text`). */
const framed = (stylish: string): string[] => stylish.split('\n').filter((l) => /^\s*\d+ \| /.test(l));

describe('redactSecrets and redactSourceLine: edge forms', () => {
  it('a URL password holding @, quotes, / or spaces: masked up to the last @', () => {
    expect(redactSecrets('postgres://app:Pw@S3CRETMARK@host/db')).toBe('postgres://app:***@host/db');
    expect(redactSecrets(`postgres://app:Pw'S3CRETMARK@host/db`)).toBe('postgres://app:***@host/db');
    expect(redactSecrets('postgres://app:Pw"S3CRETMARK@host/db?sslmode=require')).toBe('postgres://app:***@host/db?sslmode=require');
    expect(redactSecrets('postgres://app:/S3CRETMARK@host/db')).toBe('postgres://app:***@host/db');
    expect(redactSecrets('postgres://app:a S3CRETMARK@host/db')).toBe('postgres://app:***@host/db');
    expect(redactSourceLine(`DB=postgres://app:Pw"S3CRETMARK@host/db`, 'env')).toBe('DB=postgres://app:***@host/db');
    // no password: nothing masked
    expect(redactSecrets('see https://example.com/a, or mail a@b.c')).toBe('see https://example.com/a, or mail a@b.c');
    expect(redactSecrets('postgres://app@db:5432/app')).toBe('postgres://app@db:5432/app');
  });

  it('Npgsql values quoted with " or \' (a ; inside)', () => {
    expect(redactSecrets('Host=db;Username=u;Password="a;S3CRETMARK";Maximum Pool Size=3')).toBe('Host=db;Username=u;Password="***";Maximum Pool Size=3');
    expect(redactSecrets("Host=db;Username=u;Password='a;S3CRETMARK';Maximum Pool Size=3")).toBe("Host=db;Username=u;Password='***';Maximum Pool Size=3");
    expect(redactSecrets('Host=db;Password="a""S3CRETMARK"')).toBe('Host=db;Password="***"');
    // unquoted with a ; inside: the segment without `=` is more password
    expect(redactSecrets('Host=db;Password=a;S3CRETMARK;Pooling=true')).toBe('Host=db;Password=***;Pooling=true');
  });

  it('unterminated conninfo and pgbouncer.ini values: masked to the end of the line', () => {
    expect(redactSecrets("host=db password='abc S3CRETMARK")).toBe("host=db password='***");
    expect(redactSourceLine("app = host=db dbname=app password='abc S3CRETMARK", 'pgbouncer-ini')).toBe("app = host=db dbname=app password='***");
    expect(redactSecrets('host=db password="abc S3CRETMARK')).toBe('host=db password="***');
  });

  it('malformed userlist lines: everything but a well-formed quoted user is masked', () => {
    expect(redactSourceLine('"app" "S3CRETMARK"', 'pgbouncer-userlist')).toBe('"app" "***"');
    expect(redactSourceLine('app S3CRETMARK', 'pgbouncer-userlist')).toBe('***');
    expect(redactSourceLine('"app" S3CRETMARK', 'pgbouncer-userlist')).toBe('"app" ***');
    expect(redactSourceLine('"app "S3CRETMARK', 'pgbouncer-userlist')).toBe('"app "***');
    expect(redactSourceLine('"app" "S3CRETMARK', 'pgbouncer-userlist')).toBe('"app" ***');
    expect(redactSourceLine('S3CRETMARK"', 'pgbouncer-userlist')).toBe('***'); // second line of a multi-line secret
    expect(redactSourceLine('"a""b" "S3CRETMARK" trailing', 'pgbouncer-userlist')).toBe('"a""b" ***');
  });

  it('conninfo settings of postgresql.conf with doubled or backslash-escaped quotes', () => {
    expect(redactSourceLine("primary_conninfo = 'host=db password=''S3CRETMARK x'' user=r'", 'postgresql-conf')).toBe("primary_conninfo = 'host=db password=''***'' user=r'");
    expect(redactSourceLine("primary_conninfo = 'host=db password=\\'S3CRETMARK x\\' user=r'", 'postgresql-conf')).toBe("primary_conninfo = 'host=db password=\\'***\\' user=r'");
    expect(redactSourceLine("primary_conninfo = 'host=db password=''S3CRETMARK x", 'postgresql-conf')).toBe("primary_conninfo = 'host=db password=***");
    // as a message quotes the value after guc-file.l's unescaping
    expect(redactSecrets("primary_conninfo = 'host=db password='S3CRETMARK x' user=r' never takes effect")).toBe("primary_conninfo = 'host=db password='***' user=r' never takes effect");
    expect(redactSourceLine('password_encryption = scram-sha-256', 'postgresql-conf')).toBe('password_encryption = scram-sha-256');
  });

  it('passwords in code: literals, expressions, fallbacks, constants named like a password', () => {
    expect(redactSourceLine("new Pool({ password: 'a' + 'S3CRETMARK', max: 1 })", 'js')).toBe('new Pool({ password: ***, max: 1 })');
    expect(redactSourceLine("new Pool({ password: process.env.PW ?? 'S3CRETMARK', max: 1 })", 'js')).toBe('new Pool({ password: ***, max: 1 })');
    expect(redactSourceLine("postgres({ pass: 'S3CRETMARK' })", 'js')).toBe("postgres({ pass: '***' })");
    expect(redactSourceLine("const DB_PASSWORD = 'S3CRETMARK';", 'js')).toBe("const DB_PASSWORD = '***';");
    expect(redactSourceLine("if (password === 'S3CRETMARK') {}", 'js')).not.toContain(MARK);
    expect(redactSourceLine('"env": [{ "name": "PGPASSWORD", "value": "S3CRETMARK" }]', 'js')).toBe('"env": [{ "name": "PGPASSWORD", "value": "***" }]');
    expect(redactSourceLine("const k = '-----BEGIN PRIVATE KEY-----\\nS3CRETMARK\\n-----END PRIVATE KEY-----';", 'js')).not.toContain(MARK);
    // references stay readable
    expect(redactSourceLine('new Pool({ password: process.env.DB_PASSWORD })', 'js')).toBe('new Pool({ password: process.env.DB_PASSWORD })');
    expect(redactSourceLine('DB_PASS=S3CRETMARK', 'env')).toBe('DB_PASS=***');
  });

  it('prose is not a key: "the password: …" in a message stays', () => {
    const help = 'Remove the password=*** item and rotate the password: PgBouncer takes it from auth_file.';
    expect(redactSecrets(help)).toBe(help);
  });

  it('redaction is idempotent', () => {
    for (const s of ["host=db password='a b''c' user=x", 'postgres://u:p@h/db', 'Host=x;Password="a;b";Pooling=true', 'DB_PASSWORD=x y']) {
      const once = redactSecrets(s);
      expect(redactSecrets(once)).toBe(once);
    }
  });
});

describe('redactSourceText: what needs more than one line', () => {
  it("masks every value of a Kubernetes Secret's data and stringData, base64 or not", () => {
    const text = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: db }',
      `data: { pw: ${b64('S3CRETMARK1')} }`,
      'stringData:',
      '  password: S3CRETMARK2',
      '  cert: |',
      '    S3CRETMARK3',
      'type: Opaque',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'data:',
      '  mode: visible',
      '',
    ].join('\n');
    const out = redactSourceText(text, 'yaml');
    expect(leaks(out, ['S3CRETMARK1'])).toEqual([]);
    expect(redactSourceText('kind: Secret\ndata: {\n  pw: S3CRETMARK,\n}\n', 'yaml')).not.toContain(MARK);
    expect(out).toContain('  mode: visible');
    expect(out.split('\n').length).toBe(text.split('\n').length);
  });

  it('masks a password value that goes on below its key (block scalars, next-line values, open quotes, expressions)', () => {
    expect(redactSourceText('db:\n  password: |\n    S3CRETMARK1\n\n    S3CRETMARK2\n  user: app\n', 'yaml')).toBe('db:\n  password: ***\n    ***\n\n    ***\n  user: app\n');
    expect(redactSourceText('db:\n  password:\n    S3CRETMARK\n  user: app\n', 'yaml')).toBe('db:\n  password:\n    ***\n  user: app\n');
    expect(redactSourceText('db:\n  password: abc\n    S3CRETMARK\n', 'yaml')).toBe('db:\n  password: ***\n    ***\n');
    expect(redactSourceText('env:\n  - name: PGPASSWORD\n    value: >-\n      S3CRETMARK\n  - name: X\n', 'yaml')).toBe('env:\n  - name: PGPASSWORD\n    value: ***\n      ***\n  - name: X\n');
    expect(redactSourceText("const pool = new Pool({\n  password: 'a' +\n    'S3CRETMARK',\n  max: 5,\n});\n", 'js')).not.toContain(MARK);
    expect(redactSourceText('PASSWORD="abc\nS3CRETMARK"\nMODE=x\n', 'env')).toBe('PASSWORD="***\n***"\nMODE=x\n');
    expect(redactSourceText('const key = `-----\nS3CRETMARK`;\nconst password = `abc\nS3CRETMARK`;\n', 'js')).toBe('const key = `-----\nS3CRETMARK`;\nconst password = `***\n***`;\n'.replace('`-----\n***', '`-----\nS3CRETMARK'));
    // a value that cannot span lines leaves the next line alone
    expect(redactSourceText("app = host=db password='S3CRETMARK\n[pgbouncer]\n", 'pgbouncer-ini')).toBe("app = host=db password='***\n[pgbouncer]\n");
  });

  it('masks `[\'password\']:` keys and JSON-escaped URLs', () => {
    expect(redactSourceLine("const o = { ['password']: 'S3CRETMARK' };", 'js')).toBe("const o = { ['password']: '***' };");
    expect(redactSecrets('{"url":"postgres:\\/\\/u:S3CRETMARK@db\\/app"}')).toBe('{"url":"postgres:\\/\\/u:***@db\\/app"}');
  });

  it('masks the value: line under a `- name: DB_PASSWORD`, and PEM blocks', () => {
    const env = redactSourceText('env:\n  - name: DB_PASSWORD\n    value: S3CRETMARK\n  - name: MODE\n    value: shown\n', 'yaml');
    expect(env).toBe('env:\n  - name: DB_PASSWORD\n    value: ***\n  - name: MODE\n    value: shown\n');
    const pem = redactSourceText('const key = `-----BEGIN PRIVATE KEY-----\nS3CRETMARK\n-----END PRIVATE KEY-----`;\n', 'js');
    expect(pem).not.toContain(MARK);
    expect(pem.split('\n').length).toBe(4);
  });

  it("masks the parsers' ranges whatever the line's syntax (a constant holding a password, a TLS key)", () => {
    const dir = repo({
      'src/db.ts': [
        "import { Pool } from 'pg';",
        "const SECRET = 'S3CRETMARK1';",
        "export const pool = new Pool({ host: 'db', password: SECRET, ssl: { key: 'S3CRETMARK2', cert: 'S3CRETMARK3' }, max: 5 });",
        '',
      ].join('\n'),
    });
    const result = lintPaths(dir, [dir], testConfig([]));
    const show = redactedSources(result.model)(join(dir, 'src/db.ts'));
    expect(show?.text).toContain("const SECRET = '***';");
    expect(show?.text).toContain("ssl: { key: '***', cert: '***' }");
    expect(leaks(show?.text ?? '')).toEqual([]);
  });
});

describe('--print-model JSON never holds a password from code', () => {
  it('masks password-like options, TLS material, fallbacks and positional Sequelize passwords', () => {
    const dir = repo({
      'package.json': '{"dependencies":{"pg":"8","sequelize":"6","postgres":"3","knex":"3","typeorm":"0.3"}}',
      'src/db.ts': [
        "import { Pool } from 'pg';",
        "import postgres from 'postgres';",
        "import knex from 'knex';",
        "import { DataSource } from 'typeorm';",
        "import { Sequelize } from 'sequelize';",
        "const PW = 'S3CRETMARK1';",
        "export const a = new Pool({ password: PW, ssl: { key: 'S3CRETMARK2', cert: 'S3CRETMARK3', ca: 'S3CRETMARK4', passphrase: 'S3CRETMARK5' } });",
        "export const b = postgres({ pass: 'S3CRETMARK6', password: process.env.PW ?? 'S3CRETMARK7' });",
        "export const c = knex({ client: 'pg', connection: { password: 'S3CRETMARK8' } });",
        "export const d = new DataSource({ type: 'postgres', password: 'S3CRETMARK9' });",
        "export const e = new Sequelize('db', 'user', 'S3CRETMARK10', { dialect: 'postgres' });",
        "export const f = new Pool({ connectionString: 'postgres://u:S3CRETMARK11@S3CRETMARK12@db/app' });",
        '',
      ].join('\n'),
    });
    const result = lintPaths(dir, [dir], testConfig([]));
    const pools = result.facts.js.flatMap((f) => f.pools);
    expect(pools.length).toBe(6);
    const json = JSON.stringify(toModelJson(pools, dir));
    expect(leaks(json)).toEqual([]);
    expect(json).toContain('"name":"ssl.key"');
    expect(json).toContain('"kind":"constant","name":"PW"');
    expect(isSecretOptionName('ssl.key') && isSecretOptionName('connection.password') && isSecretOptionName('pass')).toBe(true);
    expect(isSecretOptionName('max') || isSecretOptionName('ssl.rejectUnauthorized') || isPasswordKey('password_encryption')).toBe(false);
  });
});

describe('every output format, one hostile tree per edge form', () => {
  it('a URL password holding @, \' or "', () => {
    const out = expectNoLeakInAnyFormat({
      '.env': [
        'DATABASE_URL=postgres://app:S3CRETMARKa1@S3CRETMARKa2@db.example.com:5432/app?connection_limit=abc',
        "DB2_URL=postgres://app:S3CRETMARKb1'S3CRETMARKb2@db/app",
        'DB3_URL=postgres://app:S3CRETMARKc1"S3CRETMARKc2@db/app',
        '',
      ].join('\n'),
      'src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: 'postgres://app:S3CRETMARKd1@S3CRETMARKd2@db:5432/app', max: 0 });\n",
    });
    expect(framed(out).join('\n')).toContain('DB2_URL=postgres://app:***@db/app');
    expect(framed(out).join('\n')).toContain("connectionString: 'postgres://app:***@db:5432/app'");
  });

  it('an Npgsql password quoted with " or \'', () => {
    const out = expectNoLeakInAnyFormat({
      '.env': [
        'ConnectionStrings__Db=Host=db;Username=u;Password="S3CRETMARKa1;S3CRETMARKa2";Maximum Pool Size=200',
        "ConnectionStrings__Rep=Host=db;Username=u;Password='S3CRETMARKb1;S3CRETMARKb2';Maximum Pool Size=200",
        '',
      ].join('\n'),
    });
    expect(framed(out).length).toBeGreaterThan(0);
  });

  it('an unterminated conninfo or pgbouncer.ini value', () => {
    const out = expectNoLeakInAnyFormat({
      '.env': "DATABASE_URL=host=db password='S3CRETMARKa1 S3CRETMARKa2\n",
      'pgbouncer.ini': "[databases]\napp = host=db dbname=app password='S3CRETMARKb1 S3CRETMARKb2\n[pgbouncer]\nlisten_port = 6432\npool_mode = transaction\n",
    });
    expect(framed(out).join('\n')).toContain('app = host=db dbname=app');
  });

  it('a malformed userlist (auth_file)', () => {
    const out = expectNoLeakInAnyFormat({
      'pgbouncer.ini': '[pgbouncer]\nlisten_port = 6432\nauth_type = md5\nauth_file = userlist.txt\n',
      'userlist.txt': '"app" "S3CRETMARKa"\napp S3CRETMARKb\n"x" S3CRETMARKc\n"y "S3CRETMARKd\n"z" "S3CRETMARKe\n',
    });
    expect(framed(out).length).toBeGreaterThan(0);
  });

  it('primary_conninfo in postgresql.conf with doubled and backslash-escaped quotes', () => {
    const out = expectNoLeakInAnyFormat({
      'postgresql.conf': [
        "primary_conninfo = 'host=db password=''S3CRETMARKa1 S3CRETMARKa2'' user=r'",
        "primary_conninfo = 'host=db password=\\'S3CRETMARKb1 S3CRETMARKb2\\' user=r'",
        "primary_conninfo = 'host=db user=r pass\\word=S3CRETMARKc'",
        '',
      ].join('\n'),
    });
    expect(framed(out).join('\n')).toContain("primary_conninfo = 'host=db");
  });

  it('a Kubernetes Secret value, base64-encoded, in a frame', () => {
    const planted = ['S3CRETMARKa', 'S3CRETMARKb', 'S3CRETMARKc'];
    const out = expectNoLeakInAnyFormat(
      {
        // a duplicate key: the YAML does not parse, the frame is drawn from the text alone
        'k8s/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata: { name: db }\ndata: { pw: ${b64(planted[0]!)}, pw: ${b64(planted[0]!)} }\n`,
        'k8s/secret2.yaml': `apiVersion: v1\nkind: Secret\nmetadata: { name: db2 }\ndata:\n  pw: ${b64(planted[1]!)}\n  pw: ${b64(planted[1]!)}\n  url: ${b64(`postgres://u:${planted[2]}@db/app`)}\n`,
      },
      planted,
    );
    expect(framed(out).join('\n')).toContain('pw: ***');
  });

  it('passwords in code options and constants (pg, postgres.js, knex, TypeORM, Sequelize)', () => {
    const out = expectNoLeakInAnyFormat({
      'package.json': '{"dependencies":{"pg":"8","sequelize":"6","postgres":"3","knex":"3","typeorm":"0.3"}}',
      'src/db.ts': [
        "import { Pool } from 'pg';",
        "const PW = 'S3CRETMARKa'; export const a = new Pool({ host: 'db', password: PW, max: 0 });",
        "export const b = new Pool({ host: 'db', password: 'S3CRETMARKb1' + 'S3CRETMARKb2', ssl: { key: 'S3CRETMARKb3', cert: 'S3CRETMARKb4' }, max: 0 });",
        "export const c = new Pool({ host: 'db', password: process.env.PW ?? 'S3CRETMARKc', max: 0 });",
        '',
      ].join('\n'),
      'src/handler.ts': [
        "import { Sequelize } from 'sequelize';",
        "import postgres from 'postgres';",
        "import knex from 'knex';",
        "import { DataSource } from 'typeorm';",
        'export async function handler(event: unknown) {',
        "  const f = new Sequelize('db', 'user', 'S3CRETMARKd', { dialect: 'postgres' });",
        "  const c = postgres({ host: 'db', pass: 'S3CRETMARKe', max: 3 });",
        "  const d = knex({ client: 'pg', connection: { host: 'db', password: 'S3CRETMARKf' } });",
        "  const e = new DataSource({ type: 'postgres', host: 'db', password: 'S3CRETMARKg' });",
        '  return [f, c, d, e, event];',
        '}',
        '',
      ].join('\n'),
    });
    const lines = framed(out).join('\n');
    expect(lines).toContain("const PW = '***';");
    expect(lines).toContain("new Sequelize('db', 'user', '***'");
    expect(lines).toContain("pass: '***'");
  });
});

describe('the ESLint plugin (Node API) prints no password either', () => {
  it('messages and help of code rules are redacted', () => {
    const dir = repo({ 'package.json': '{"dependencies":{"pg":"8"}}' });
    const code = [
      "import { Pool } from 'pg';",
      "export const a = new Pool({ connectionString: 'postgres://app:S3CRETMARKa@S3CRETMARKb@db:5432/app', max: 0 });",
      "export const b = new Pool({ connectionString: \"postgres://app:S3CRETMARKc'S3CRETMARKd@db/app\", max: 0 });",
      "export const c = new Pool({ connectionString: 'host=db password=\\'S3CRETMARKe S3CRETMARKf', max: 0 });",
      '',
    ].join('\n');
    for (const flavour of FLAVOURS) {
      const linter = new flavour.Linter({ configType: 'flat', cwd: dir });
      const rules = Object.fromEntries(Object.keys(pgconn.rules).map((id) => [`pgconn/${id}`, 'warn' as const]));
      const messages = linter.verify(code, [{ ...pgconn.configs.recommended, rules }], join(dir, 'db.mjs'));
      expect(messages.length, flavour.name).toBeGreaterThan(0);
      expect(leaks(messages.map((m) => m.message).join('\n')), flavour.name).toEqual([]);
    }
  });
});

describe('redaction is linear', () => {
  const MB = 1_000_000;
  const line = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  const inputs: Record<string, string> = {
    letters: line('a'),
    'password=': line('password='),
    "password='": line("password='"),
    'password=\\\'': line("password=\\'"),
    "password=''": line("password=''"),
    'Password=;': line('Password=a;'),
    'a:': line('a:'),
    '://': line('://'),
    'x://a:': line('x://a:'),
    '@': line('a@'),
    "'": line("'"),
    'name: PGPASSWORD, value:': line('name: PGPASSWORD, value: '),
    'password: (': line('password: ('),
    '-----BEGIN': line('-----BEGIN'),
    '${': line('password=${'),
    'lines of password=': 'password=x\n'.repeat(MB / 11),
    'lines of password: "': 'password: "\n'.repeat(MB / 12),
    'lines of password: |': ' password: |\n'.repeat(MB / 13),
  };
  for (const [name, text] of Object.entries(inputs)) {
    it(`1 MB of ${JSON.stringify(name)}`, () => {
      const times: string[] = [];
      for (const [label, fn] of [
        ['redactSecrets', () => redactSecrets(text)],
        ['line/js', () => redactSourceLine(text, 'js')],
        ['line/env', () => redactSourceLine(text, 'env')],
        ['line/userlist', () => redactSourceLine(text, 'pgbouncer-userlist')],
        ['text/yaml', () => redactSourceText(text, 'yaml')],
      ] as const) {
        const t = performance.now();
        fn();
        const ms = performance.now() - t;
        times.push(`${label} ${ms.toFixed(0)} ms`);
        // Speed is measured in bench/; this bound only catches a return of quadratic behaviour (minutes).
        expect(ms, label).toBeLessThan(3000);
      }
      console.log(`redaction, 1 MB of ${JSON.stringify(name)}: ${times.join(', ')}`);
    });
  }
});
