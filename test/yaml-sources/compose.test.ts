import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dotenvValues, parseDotenv } from '../../src/sources/env/index.js';
import { extractCompose } from '../../src/sources/yaml/index.js';
import { parseComposeBytes, parseK8sQuantity } from '../../src/sources/yaml/units.js';
import { parseImageRef, postgresMajorFromImage, postgresMinorFromImage, pgbouncerVersionFromTag } from '../../src/sources/yaml/images.js';
import { parsePostgresArgs, shellSplit } from '../../src/sources/yaml/postgres-args.js';
import { REPO_ROOT } from '../support/paths.js';

const dir = join(REPO_ROOT, 'fixtures', 'yaml-sources', 'compose-budget');
const file = join(dir, 'docker-compose.yml');
/** The project's .env, read with the dotenv parser (compose-go's dotenv differs only in cases this file does not use). */
const dotenv = new Map([...dotenvValues(parseDotenv(readFileSync(join(dir, '.env'), 'utf8'), join(dir, '.env')).entries)].map(([k, e]) => [k, e.value]));
const facts = extractCompose(readFileSync(file, 'utf8'), file, dotenv);
const svc = (n: string) => facts.services.find((s) => s.name === n)!;

describe('compose fixture', () => {
  test('replicas from deploy.replicas with ${API_REPLICAS:-2} resolved from .env; scale; default 1', () => {
    expect(svc('api').replicas).toMatchObject({ value: 4, provenance: { kind: 'env', envVar: 'API_REPLICAS' } });
    expect(svc('api').replicas.range?.line).toBe(10); // written in the x-api anchor
    const noEnv = extractCompose(readFileSync(file, 'utf8'), file).services.find((s) => s.name === 'api')!;
    expect(noEnv.replicas.value).toBe(2); // the default in ${API_REPLICAS:-2}
    // worker: its own `deploy` replaces the merged one (merge keys are shallow); `scale: 3` applies.
    expect(svc('worker').replicas).toMatchObject({ value: 3, provenance: { kind: 'literal' } });
    expect(svc('db').replicas).toMatchObject({ value: 1, provenance: { kind: 'default' } });
  });

  test('memory: deploy limits (binary units) and mem_limit', () => {
    expect(svc('api').memoryLimitBytes?.value).toBe(512 * 2 ** 20);
    expect(svc('worker').memoryLimitBytes?.value).toBe(2 ** 30);
    expect(svc('db').memoryLimitBytes?.value).toBe(2 * 2 ** 30);
  });

  test('environment: nested merge of an anchored map; unresolved secrets kept as written and flagged', () => {
    const w = svc('worker').environment;
    expect(w.find((e) => e.name === 'POOL_MAX')).toMatchObject({ value: '5' });
    const url = w.find((e) => e.name === 'DATABASE_URL')!;
    expect(url).toMatchObject({ value: 'postgres://app:${DB_PASSWORD}@pgbouncer:6432/app', unresolved: ['DB_PASSWORD'] });
    expect(url.via).toBeDefined();
    expect(svc('api').environment.find((e) => e.name === 'POOL_MAX')?.value).toBe('20');
    expect(svc('db').environment.find((e) => e.name === 'POSTGRESQL_PASSWORD')?.secret).toBe(true);
    expect(svc('api').build?.resolvedContext).toBe(join(dir, 'api'));
  });

  test('bitnami postgresql: POSTGRESQL_MAX_CONNECTIONS from .env, EXTRA_FLAGS parsed, major 16', () => {
    const pg = svc('db').postgres!;
    expect(pg.majorVersion.value).toBe(16);
    expect(pg.settings.map((s) => [s.name, s.value, s.envVar])).toEqual([
      ['max_connections', '300', 'POSTGRESQL_MAX_CONNECTIONS'],
      ['shared_buffers', '256MB', 'POSTGRESQL_EXTRA_FLAGS'],
    ]);
    expect(pg.superuser).toBeUndefined();
  });

  test('bitnami pgbouncer: env → ini keys, defaults (port 6432), the [databases] entry', () => {
    const pgb = svc('pgbouncer').pgbouncer!;
    expect(pgb.version?.value).toBe('1.23.1');
    expect(Object.fromEntries(pgb.settings.map((s) => [s.key, s.value]))).toEqual({ pool_mode: 'transaction', max_client_conn: '500', default_pool_size: '25' });
    expect(pgb.defaults.find((d) => d.key === 'listen_port')?.value).toBe('6432');
    expect(pgb.databases[0]).toMatchObject({ name: 'app', host: 'db', port: 5432, dbname: 'app' });
    expect(svc('pgbouncer').profiles.map((p) => p.value)).toEqual(['pool']);
  });

  test('postgres 9.6 with args only: long options with dashes, -N; config dir bind; pg_hba.conf not loaded', () => {
    const legacy = svc('legacy');
    const pg = legacy.postgres!;
    expect(pg.majorVersion.value).toBe(9.6);
    expect(pg.settings.map((s) => [s.name, s.value])).toEqual([
      ['max_connections', '50'],
      ['max_connections', '60'],
      ['work_mem', '8MB'],
    ]);
    expect(pg.mountedConfFiles).toEqual([expect.objectContaining({ containerPath: '/etc/pg_hba.conf', readOnly: true, loaded: false })]);
    expect(legacy.binds.map((b) => b.containerPath)).toEqual(['/etc/postgresql', '/etc/pg_hba.conf']); // the named volume is not a bind
    expect(legacy.dependsOn.map((d) => d.value)).toEqual(['db']);
    expect(legacy.networkMode?.value).toBe('host');
  });
});

describe('helpers', () => {
  test('shellSplit follows shell quoting with offsets', () => {
    expect(shellSplit(`postgres -c 'a=b c' -c "x=\\"y\\""`).map((w) => w.word)).toEqual(['postgres', '-c', 'a=b c', '-c', 'x="y"']);
    expect(shellSplit('  a  bb ').map((w) => [w.start, w.end])).toEqual([
      [2, 3],
      [5, 7],
    ]);
  });
  test('parsePostgresArgs: -cname=value attached, --name=value, missing value is a problem', () => {
    const r = (w: string[]) => parsePostgresArgs(w.map((value) => ({ value, range: { file: 'f', line: 1, column: 1, endLine: 1, endColumn: 1 } })));
    expect(r(['-cfsync=off', '--shared-buffers=1GB', '-F', '-p', '5433']).settings.map((s) => `${s.name}=${s.value}`)).toEqual([
      'fsync=off',
      'shared_buffers=1GB',
      'fsync=false',
      'port=5433',
    ]);
    expect(r(['-c', 'max_connections']).problems).toHaveLength(1);
  });
  test('sizes: compose (go-units RAMInBytes, binary) and Kubernetes quantities', () => {
    expect(['50MB', '400M', '1g', '2GiB', '512', '1.5g', 'lots'].map(parseComposeBytes)).toEqual([50 * 2 ** 20, 400 * 2 ** 20, 2 ** 30, 2 * 2 ** 30, 512, 1.5 * 2 ** 30, undefined]);
    expect(['512Mi', '1Gi', '1G', '128974848', '129e6', '123M', '0.5Gi', 'x'].map(parseK8sQuantity)).toEqual([
      512 * 2 ** 20,
      2 ** 30,
      1e9,
      128974848,
      129e6,
      123e6,
      2 ** 29,
      undefined,
    ]);
  });
  test('image references and versions', () => {
    const r = { file: 'f', line: 1, column: 1, endLine: 1, endColumn: 1 };
    expect(parseImageRef('docker.io/library/postgres:16.2@sha256:abc', r)).toMatchObject({ repository: 'postgres', tag: '16.2', digest: 'sha256:abc', registry: 'docker.io' });
    expect(parseImageRef('localhost:5000/pg', r)).toMatchObject({ repository: 'pg', registry: 'localhost:5000' });
    const major = (s: string) => postgresMajorFromImage(parseImageRef(s, r)).value;
    expect(['postgres:15', 'postgres:14.24-bookworm', 'postgis/postgis:15-3.4', 'timescale/timescaledb:latest-pg16', 'pgvector/pgvector:pg17', 'postgres', 'postgres:latest', 'postgres:alpine', 'zalando/spilo-16:3.2-p2'].map(major)).toEqual([
      15, 14, 15, 16, 17, undefined, undefined, undefined, 16,
    ]);
    expect(['v1.25.2-p0', '1.22.1-p0', '1.23.1-debian-12-r5', 'latest', undefined].map(pgbouncerVersionFromTag)).toEqual(['1.25.2', '1.22.1', '1.23.1', undefined, undefined]);
  });

  test('the minor release a tag pins: only a major.minor tag of the server itself', () => {
    const r = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
    const minor = (s: string) => postgresMinorFromImage(parseImageRef(s, r));
    expect(['postgres:15.18', 'postgres:15.18-bookworm', 'bitnami/postgresql:15.18.0-debian-12-r5', 'postgres:15', 'postgres:15-alpine', 'postgres', 'postgis/postgis:15-3.4', 'timescale/timescaledb:2.14.2-pg15', 'zalando/spilo-16:3.2-p2', 'citusdata/citus:12.1', 'postgres:9.6.24'].map(minor)).toEqual([
      18, 18, 18, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });
});
