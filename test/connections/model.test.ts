/** The connection model: every connection string, resolved per environment, with its endpoint and Prisma pool. */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLikeConnectionString } from '../../src/model/connections.js';
import { classifyPassword, connectionPasswordKind } from '../../src/model/connections/credentials.js';
import { lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';
import { CORPUS_ROOT as CORPUS, itCorpus } from '../support/corpus.js';

function model(files: Record<string, string>) {
  const dir = tempProject(files);
  const result = lintPaths(dir, [dir], testConfig([]));
  return { dir, m: result.model.connections };
}

describe('connection model', () => {
  it('keeps .env environments apart and resolves env("X") once per environment', () => {
    const { dir, m } = model({
      '.env': 'DATABASE_URL=postgres://app:devpw@localhost:5432/app\n',
      '.env.production': 'DATABASE_URL="postgres://app.ref:${DB_PASSWORD}@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?pgbouncer=true"\n',
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    });
    const urls = m.strings.filter((c) => c.origin.kind === 'prisma-schema');
    expect(urls.map((c) => [c.environment, c.envFile?.slice(dir.length + 1), c.endpoint.role, c.endpoint.pooler?.mode])).toEqual([
      ['default', '.env', 'unknown', undefined],
      ['production', '.env.production', 'pooler', 'transaction'],
    ]);
    expect(urls.map((c) => c.password)).toEqual(['literal', 'reference']);
    const ds = m.prisma.find((p) => p.schema);
    expect(ds?.generation).toBe('query-engine');
    expect(ds?.pools.map((p) => [p.environment, p.connectionLimit.source, p.pgbouncer])).toEqual([
      ['default', 'default', false],
      ['production', 'default', true],
    ]);
    expect(ds?.pools[0]?.connectionLimit.text).toContain('num_physical_cpus × 2 + 1');
    // never the password
    expect(JSON.stringify(m.strings.map((c) => c.parsed.redacted))).not.toContain('devpw');
  });

  it('falls back to the base .env for an environment that does not set the variable', () => {
    const { m } = model({
      '.env': 'DATABASE_URL=postgres://app@db:5432/app\n',
      '.env.production': 'OTHER=1\n',
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    });
    const urls = m.strings.filter((c) => c.origin.kind === 'prisma-schema');
    expect(urls).toHaveLength(1);
    expect(urls[0]?.environments).toEqual(['default', 'production']);
  });

  it('marks templates and lists unreferenced values once', () => {
    const { m } = model({ '.env.example': 'DATABASE_URL=postgres://user:password@localhost:5432/db\nPORT=3000\n' });
    expect(m.strings).toHaveLength(1);
    expect(m.strings[0]).toMatchObject({ template: true, origin: { kind: 'env-file' }, envVar: 'DATABASE_URL', password: 'literal' });
  });

  it('resolves process.env.X in code per environment and links pools', () => {
    const { m } = model({
      '.env.development': 'DATABASE_URL=postgres://app@localhost:5432/app\n',
      '.env.production': 'DATABASE_URL=postgres://app@ep-cool-name-123456-pooler.us-east-2.aws.neon.tech/app?sslmode=require\n',
      'src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });\n",
    });
    const code = m.strings.filter((c) => c.origin.kind === 'code');
    expect(code.map((c) => [c.environment, c.endpoint.pooler?.product])).toEqual([
      ['development', undefined],
      ['production', 'neon'],
    ]);
    expect(code[0]?.usedBy[0]).toMatch(/^src\/db\.ts:2:/);
  });

  it('reads Prisma 7 prisma.config.ts and the adapter pool', () => {
    const { m } = model({
      '.env': 'DATABASE_URL=postgres://app@db:5432/app\nDIRECT_URL=postgres://app@db:5432/app\n',
      'prisma.config.ts': "import 'dotenv/config';\nimport { defineConfig, env } from 'prisma/config';\nexport default defineConfig({ datasource: { url: env('DIRECT_URL') } });\n",
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
      'src/db.ts': "import { PrismaClient } from '@prisma/client';\nimport { PrismaPg } from '@prisma/adapter-pg';\nconst adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL, max: 4 });\nexport const prisma = new PrismaClient({ adapter });\n",
    });
    const cfg = m.prisma.find((p) => p.config);
    expect(cfg?.generation).toBe('driver-adapter');
    expect(m.strings.filter((c) => c.origin.kind === 'prisma-config').map((c) => c.envVar)).toEqual(['DIRECT_URL']);
    const adapters = m.prisma.flatMap((p) => p.adapters);
    expect(adapters.map((a) => a.max.value)).toEqual([4]);
  });

  it('reads compose environment, env_file and Kubernetes values; Secrets are marked', () => {
    const { m } = model({
      'docker-compose.yml': 'services:\n  api:\n    image: node:20\n    env_file: ./api.env\n    environment:\n      DATABASE_URL: postgres://app:${PW}@pgbouncer:6432/app\n  pgbouncer:\n    image: edoburu/pgbouncer\n',
      'api.env': 'READ_URL=postgres://ro@replica:5432/app\n',
      'k8s/app.yaml': [
        'apiVersion: v1', 'kind: Secret', 'metadata: { name: db }', 'stringData:', '  DATABASE_URL: postgres://app:k8sSecretPw@db:5432/app', '---',
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: api }', 'spec:', '  template:', '    spec:', '      containers:', '        - name: api', '          image: api:1',
        '          env:', '            - name: DATABASE_URL', '              value: postgres://app@db:5432/app', '',
      ].join('\n'),
    });
    expect(m.strings.map((c) => [c.origin.kind, c.environment, c.envVar, c.secret]).sort()).toEqual([
      ['compose', 'compose:api', 'DATABASE_URL', false],
      ['compose', 'compose:api', 'READ_URL', false],
      ['kubernetes', 'kubernetes:Deployment/api', 'DATABASE_URL', false],
      ['kubernetes', 'kubernetes:Secret/db', 'DATABASE_URL', true],
    ]);
    expect(m.strings.find((c) => c.environment === 'compose:api' && c.envVar === 'DATABASE_URL')?.password).toBe('reference');
  });

  it('reads the pool mode of a repository PgBouncer', () => {
    const { m } = model({
      'pgbouncer.ini': '[databases]\napp = host=db dbname=app\n[pgbouncer]\nlisten_port = 6433\npool_mode = transaction\n',
      '.env': 'DATABASE_URL=postgres://app@bouncer:6433/app\n',
    });
    expect(m.strings[0]?.endpoint.pooler).toMatchObject({ product: 'pgbouncer', mode: 'transaction', confidence: 'repository' });
  });

  it('classifies passwords without keeping them', () => {
    expect(connectionPasswordKind('postgres://u:p@h/db')).toBe('literal');
    expect(connectionPasswordKind('postgres://u:postgres@h/db')).toBe('literal');
    expect(connectionPasswordKind('postgres://u:${PW}@h/db')).toBe('reference');
    expect(connectionPasswordKind('postgres://u:$(PW)@h/db')).toBe('reference');
    expect(connectionPasswordKind('postgres://u:[YOUR-PASSWORD]@h/db')).toBe('placeholder');
    expect(connectionPasswordKind('postgres://u:***@h/db')).toBe('placeholder');
    expect(connectionPasswordKind('postgres://u:@h/db')).toBe('placeholder');
    expect(connectionPasswordKind('postgres://u@h/db')).toBe('none');
    expect(connectionPasswordKind('postgres://h/db?password=s3cr3t')).toBe('literal');
    expect(connectionPasswordKind("host=db password='a b' user=x")).toBe('literal');
    expect(connectionPasswordKind('Host=db;Username=u;Password=p;')).toBe('literal');
    expect(classifyPassword('<password>')).toBe('placeholder');
  });

  it('recognises connection strings', () => {
    expect(looksLikeConnectionString('postgresql://x')).toBe(true);
    expect(looksLikeConnectionString('host=db dbname=app', 'DATABASE_DSN')).toBe(true);
    expect(looksLikeConnectionString('host=db dbname=app', 'LOG_FORMAT')).toBe(false);
    expect(looksLikeConnectionString('Host=db;Database=app;Username=u', 'ConnectionStrings__Db')).toBe(true);
    expect(looksLikeConnectionString('https://example.com')).toBe(false);
  });

  itCorpus('reads every corpus file without a crash', () => {
    const dirs = readdirSync(CORPUS).filter((d) => !d.endsWith('.md'));
    const result = lintPaths(CORPUS, dirs.map((d) => join(CORPUS, d)), testConfig());
    const m = result.model.connections;
    expect(m.strings.length).toBeGreaterThan(0);
    for (const c of m.strings) expect(c.parsed.redacted).not.toMatch(/:\/\/[^:/@]+:[^*@][^@]*@/);
  });
});
