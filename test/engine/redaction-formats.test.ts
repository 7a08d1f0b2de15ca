/**
 * Redaction across every output: a project full of distinctive passwords (URL, conninfo,
 * PGPASSWORD, userlist, k8s Secret stringData and base64 data, compose env, .env, code) is linted
 * in every format, printed with --print-model and --print-config, and run into error paths; no
 * password (nor its base64 form) may appear anywhere.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/lint-helpers.js';

const PW = {
  envUrl: 'RdxEnvUrlPw01',
  envProd: 'RdxEnvProdPw02',
  pgpassword: 'RdxPgpasswordPw03',
  envPlain: 'RdxEnvPlainPw04',
  conninfo: 'RdxConninfoPw05',
  conninfoQuoted: 'RdxQuoted Pw06',
  bouncer: 'RdxBouncerPw07',
  userlist: 'RdxUserlistPw08',
  k8sString: 'RdxK8sStringPw09',
  k8sData: 'RdxK8sDataPw10',
  k8sEnv: 'RdxK8sEnvPw11',
  composeUrl: 'RdxComposeUrlPw12',
  composePlain: 'RdxComposePlainPw13',
  code: 'RdxCodePw14',
  prisma: 'RdxPrismaPw15',
  npgsql: 'RdxNpgsqlPw16',
  yamlError: 'RdxYamlErrorPw17',
  query: 'RdxQueryPw18',
  config: 'RdxConfigPw19',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRETS = [...Object.values(PW), b64(PW.k8sData), b64(PW.k8sString), encodeURIComponent(PW.conninfoQuoted)];

function project(): string {
  return tempProject({
    '.env': [
      `DATABASE_URL=postgresql://app:${PW.envUrl}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=abc`,
      `PGPASSWORD=${PW.pgpassword}`,
      `DB_PASSWORD=${PW.envPlain}`,
      `REPORTING_DSN="host=db user=rep password=${PW.conninfo} dbname=warehouse"`,
      `QUOTED_DSN=host=db user=rep password='${PW.conninfoQuoted}' dbname=warehouse`,
      `QUERY_URL=postgres://db/app?user=q&password=${PW.query}&sslmode=require`,
      `ConnectionStrings__Db=Host=db;Username=u;Password=${PW.npgsql};Maximum Pool Size=200`,
      `BROKEN="postgres://app:${PW.envUrl}@db/app`,
      '',
    ].join('\n'),
    '.env.production': `DATABASE_URL=postgres://app:${PW.envProd}@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/app?schema=public\n`,
    'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n  shadowDatabaseUrl = "postgres://shadow:${PW.prisma}@localhost:5432/shadow"\n}\n`,
    'pgbouncer.ini': [
      '[databases]',
      `app = host=db dbname=app user=app password=${PW.bouncer} bogus_param=1`,
      `rep = host=db dbname=app password='${PW.bouncer}' pool_mode=sesion`,
      '[pgbouncer]',
      'listen_port = 6432',
      'pool_mode = transaction',
      'auth_type = md5',
      'auth_file = userlist.txt',
      '',
    ].join('\n'),
    'userlist.txt': `"app" "${PW.userlist}"\n"broken "x\n`,
    'k8s/secret.yaml': [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: db }',
      'stringData:',
      `  password: ${PW.k8sString}`,
      `  DATABASE_URL: postgres://app:${PW.k8sString}@db:5432/app?connection_limit=5`,
      'data:',
      `  pw: ${b64(PW.k8sData)}`,
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: api }',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          image: api:1',
      '          env:',
      `            - { name: PGPASSWORD, value: "${PW.k8sEnv}" }`,
      '            - name: DB_PASSWORD',
      `              value: ${PW.k8sEnv}`,
      '',
    ].join('\n'),
    'docker-compose.yml': [
      'services:',
      '  api:',
      '    image: node:20',
      '    environment:',
      `      DATABASE_URL: postgres://api:${PW.composeUrl}@db:5432/api?schema=app`,
      `      POSTGRES_PASSWORD: ${PW.composePlain}`,
      '  db:',
      '    image: postgres:16',
      '    command: postgres -c max_connections=abc',
      '    environment:',
      `      - POSTGRES_PASSWORD=${PW.composePlain}`,
      '',
    ].join('\n'),
    'broken.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata:\n  password: ${PW.yamlError}\n   bad: [\n`,
    'src/db.ts': [
      "import { Pool } from 'pg';",
      "import postgres from 'postgres';",
      `export const pool = new Pool({ connectionString: 'postgres://app:${PW.code}@db:5432/app?connection_limit=3', max: 0 });`,
      `export const sql = postgres('postgres://app:${PW.code}@db:5432/app?schema=public');`,
      'export const report = new Pool({ connectionString: process.env.REPORTING_DSN });',
      '',
    ].join('\n'),
  });
}

const BIN = resolve(__dirname, '../../dist/src/cli/bin.js');
function run(args: string[], cwd: string): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
  return `${r.stdout}\n${r.stderr}`;
}

function expectClean(out: string): void {
  for (const s of SECRETS) expect(out, `leaked ${s}`).not.toContain(s);
}

describe('no password in any output', () => {
  const dir = project();

  for (const format of ['stylish', 'json', 'sarif', 'github']) {
    it(`--format ${format}`, () => {
      const out = run(['--format', format, '--rule', 'plaintext-credentials:warn', dir], dir);
      expect(out).toContain('plaintext-credentials');
      expectClean(out);
    });
  }

  it('--print-model', () => {
    const out = run(['--print-model', dir], dir);
    expect(out).toContain('"connections"');
    expect(out).toContain('RdxEnvUrl'.slice(0, 0) + 'pooler.supabase.com');
    expectClean(out);
  });

  it('--print-config', () => {
    expectClean(run(['--print-config', dir], dir));
  });

  it('error text: a broken config file that holds a URL', () => {
    writeFileSync(join(dir, 'pgconn-lint.config.yaml'), `database:\n  url: postgres://u:${PW.config}@db/app\nrules:\n  plaintext-credentials: [warn, { allow: postgres://u:${PW.config}@db/app }\n`);
    const out = run([dir], dir);
    expect(out).toMatch(/pgconn-lint/);
    expectClean(out);
  });
});

describe('redactSourceLine: keyed passwords in .env, YAML and code frames', () => {
  it('redacts values of *PASSWORD keys, keeps references and other keys', async () => {
    const { redactSourceLine } = await import('../../src/core/redact.js');
    expect(redactSourceLine('DB_PASSWORD=hunter2', 'env')).toBe('DB_PASSWORD=***');
    expect(redactSourceLine('      POSTGRES_PASSWORD: "hunter2"', 'yaml')).toBe('      POSTGRES_PASSWORD: "***"');
    expect(redactSourceLine('            - { name: PGPASSWORD, value: "hunter2" }', 'yaml')).toBe('            - { name: PGPASSWORD, value: "***" }');
    expect(redactSourceLine("new Pool({ host: 'db', password: 'hunter2', max: 5 })", 'js')).toBe("new Pool({ host: 'db', password: '***', max: 5 })");
    expect(redactSourceLine('new Pool({ password: process.env.DB_PASSWORD })', 'js')).toBe('new Pool({ password: process.env.DB_PASSWORD })');
    expect(redactSourceLine('DATABASE_URL=postgres://u:${DB_PASSWORD}@h/db', 'env')).toBe('DATABASE_URL=postgres://u:***@h/db');
    expect(redactSourceLine('password_encryption = scram-sha-256', 'postgresql-conf')).toBe('password_encryption = scram-sha-256');
    expect(redactSourceLine('      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}', 'yaml')).toBe('      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}');
  });
});
