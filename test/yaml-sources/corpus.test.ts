import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { dotenvValues, parseDotenv } from '../../src/sources/env/index.js';
import { classifyYamlFile, extractCompose, extractKubernetes, extractPm2 } from '../../src/sources/yaml/index.js';
import type { ComposeFacts, KubernetesFacts } from '../../src/sources/yaml/types.js';
import { CORPUS_ROOT, corpusFiles, describeCorpus } from '../support/corpus.js';

/** Corpus files are named `<owner>__<repo>__<path with / as __>`: the original path inside the repository. */
function originalPath(name: string): string {
  return name.split('__').slice(2).join('/');
}

const files = corpusFiles;
const read = (kind: string, name: string): string => readFileSync(join(CORPUS_ROOT, kind, name), 'utf8');

function compose(name: string, env: Record<string, string> = {}): ComposeFacts {
  return extractCompose(read('compose', name), join(CORPUS_ROOT, 'compose', name), new Map(Object.entries(env)));
}
function k8s(name: string): KubernetesFacts {
  return extractKubernetes(read('k8s', name), join(CORPUS_ROOT, 'k8s', name));
}
const svc = (f: ComposeFacts, name: string) => {
  const s = f.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

describeCorpus('every corpus file is read without a crash', () => {
  test.each(files('compose'))('compose/%s', (name) => {
    expect(classifyYamlFile(originalPath(name), read('compose', name))).toBe('compose');
    const f = compose(name);
    expect(f.problems).toEqual([]);
    expect(f.services.length).toBeGreaterThan(0);
    expect(() => JSON.stringify(f)).not.toThrow();
  });
  test.each(files('k8s'))('k8s/%s', (name) => {
    const kind = classifyYamlFile(originalPath(name), read('k8s', name));
    expect(['kubernetes', 'helm-values']).toContain(kind);
    const f = k8s(name);
    expect(f.problems).toEqual([]);
    expect(() => JSON.stringify(f)).not.toThrow();
  });
  test.each(files('pm2'))('pm2/%s', (name) => {
    expect(classifyYamlFile(originalPath(name), read('pm2', name))).toBe('pm2');
    const f = extractPm2(read('pm2', name), join(CORPUS_ROOT, 'pm2', name));
    expect(f.problems).toEqual([]);
    expect(f.apps.length).toBeGreaterThan(0);
  });
});

describeCorpus('compose corpus spot checks (SOURCES.md)', () => {
  test('Sentry: anchors and `<<: [*a, *b]` merge keys resolved; edoburu PgBouncer configured by env', () => {
    const f = compose('getsentry__self-hosted__docker-compose.yml');
    const web = svc(f, 'web');
    // x-sentry-defaults: `<<: [*restart_policy, *pull_policy]` then `image`, `build.context`.
    expect(web.build?.context.value).toBe('./sentry');
    expect(web.dependsOn.map((d) => d.value)).toContain('pgbouncer');
    expect(web.environment.find((e) => e.name === 'REQUESTS_CA_BUNDLE')?.value).toBe('/etc/ssl/certs/ca-certificates.crt');
    // The value comes through an alias: its range is the anchor's, `via` the alias.
    const ca = web.environment.find((e) => e.name === 'REQUESTS_CA_BUNDLE')!;
    expect(ca.via).toBeDefined();
    const pgb = svc(f, 'pgbouncer').pgbouncer!;
    expect(pgb.image).toBe('edoburu');
    expect(pgb.version?.value).toBe('1.25.2');
    expect(Object.fromEntries(pgb.settings.map((s) => [s.key, s.value]))).toMatchObject({ pool_mode: 'transaction', max_client_conn: '10000' });
    expect(pgb.databases).toEqual([expect.objectContaining({ name: 'postgres', host: 'postgres', port: 5432 })]);
    expect(pgb.defaults.find((d) => d.key === 'listen_port')?.value).toBe('5432');
    const pg = svc(f, 'postgres').postgres!;
    expect(pg.majorVersion.value).toBe(14);
    expect(pg.settings).toEqual([]); // command: ["postgres"] → the default max_connections
  });

  test('Sentry (historical): exec-form args with ${POSTGRES_MAX_CONNECTIONS:-100}, resolved from .env or the default', () => {
    const withEnv = svc(compose('getsentry__self-hosted__7691addc__docker-compose.yml', { POSTGRES_MAX_CONNECTIONS: '250' }), 'postgres').postgres!;
    const mc = withEnv.settings.find((s) => s.name === 'max_connections')!;
    expect(mc.value).toBe('250');
    expect(mc.raw).toBe('max_connections=${POSTGRES_MAX_CONNECTIONS:-100}');
    expect(mc.range.line).toBe(148);
    // With the repository's own .env (corpus env/getsentry__self-hosted__7691addc__.env: POSTGRES_MAX_CONNECTIONS=100).
    const envFile = join(CORPUS_ROOT, 'env', 'getsentry__self-hosted__7691addc__.env');
    const dotenv = dotenvValues(parseDotenv(readFileSync(envFile, 'utf8'), envFile).entries);
    const fromDotenv = svc(compose('getsentry__self-hosted__7691addc__docker-compose.yml', Object.fromEntries([...dotenv].map(([k, e]) => [k, e.value]))), 'postgres');
    const fromDotenvMc = fromDotenv.postgres!.settings.find((s) => s.name === 'max_connections')!;
    expect(fromDotenvMc.value).toBe('100');
    expect(fromDotenvMc.unresolved).toBeUndefined();
    const withoutEnv = svc(compose('getsentry__self-hosted__7691addc__docker-compose.yml'), 'postgres').postgres!;
    expect(withoutEnv.settings.find((s) => s.name === 'max_connections')?.value).toBe('100');
  });

  test('trigger.dev: `- -c` / `- max_connections=500` list args to a Dockerfile-built postgres, comments in between', () => {
    const f = compose('triggerdotdev__trigger.dev__docker__docker-compose.yml');
    const pg = svc(f, 'database').postgres!;
    expect(pg.detectedBy).toBe('args-to-postgres-image');
    const mc = pg.settings.find((s) => s.name === 'max_connections')!;
    expect(mc).toMatchObject({ value: '500', source: 'command-arg' });
    expect([mc.range.line, mc.range.column]).toEqual([53, 9]);
    expect(svc(f, 'database-runops').profiles.map((p) => p.value)).toEqual(['runops']);
  });

  test('Lemmy: -c config_file followed through the bind mount to customPostgresql.conf', () => {
    const pg = svc(compose('LemmyNet__lemmy__docker__docker-compose.yml'), 'postgres').postgres!;
    expect(pg.configFile?.containerPath).toBe('/etc/postgresql.conf');
    expect(pg.configFile?.mount?.hostPath).toBe('./customPostgresql.conf');
    expect(pg.configFile?.hostPath).toBe(join(CORPUS_ROOT, 'compose', 'customPostgresql.conf'));
    expect(pg.majorVersion.value).toBe(18); // pgautoupgrade/pgautoupgrade:18-alpine
  });

  test('andersonef: postgresql.conf mounted but never loaded; 2 × MAX_CONNECTION_POOL=120 through `<<: *api`', () => {
    const f = compose('zanfranceschi__rinha-de-backend-2024-q1__participantes__andersonef__docker-compose.yml');
    const pg = svc(f, 'db').postgres!;
    expect(pg.configFile).toBeUndefined();
    expect(pg.mountedConfFiles).toEqual([expect.objectContaining({ containerPath: '/etc/postgresql.conf', loaded: false })]);
    for (const api of ['api01', 'api02']) expect(svc(f, api).environment.find((e) => e.name === 'MAX_CONNECTION_POOL')?.value).toBe('120');
    expect(svc(f, 'api02').memoryLimitBytes?.value).toBe(65 * 1024 * 1024); // merged from api01, "65MB" binary
  });

  test('alan_albuquerque: string command split into -c settings with exact columns; Npgsql conn string kept as a value', () => {
    const f = compose('zanfranceschi__rinha-de-backend-2024-q1__participantes__alan_albuquerque__docker-compose.yml');
    const pg = svc(f, 'db').postgres!;
    const mc = pg.settings.find((s) => s.name === 'max_connections')!;
    expect(mc.value).toBe('1000');
    expect(read('compose', 'zanfranceschi__rinha-de-backend-2024-q1__participantes__alan_albuquerque__docker-compose.yml').split('\n')[mc.range.line - 1]!.slice(mc.range.column - 1, mc.range.endColumn - 1)).toBe('max_connections=1000');
    expect(svc(f, 'api02').environment.find((e) => e.name === 'ConnectionStrings__DB')?.value).toContain('Maximum Pool Size=2000');
  });

  test('alcides: command in single quotes; POSTGRES_USER is the superuser', () => {
    const pg = svc(compose('zanfranceschi__rinha-de-backend-2024-q1__participantes__alcides-quarkus__docker-compose.yml'), 'db').postgres!;
    expect(pg.settings.find((s) => s.name === 'max_connections')?.value).toBe('12');
    expect(pg.superuser?.value).toBe('rinha');
  });

  test('pedrohenriquea: edoburu with a mounted pgbouncer.ini ignores its env; network_mode host', () => {
    const f = compose('zanfranceschi__rinha-de-backend-2024-q1__participantes__pedrohenriquea-pgbouncer__docker-compose.yml');
    const pgb = svc(f, 'pgbouncer').pgbouncer!;
    expect(pgb.envSettingsIgnored).toBe(true);
    expect(pgb.mountedConfig?.hostPath).toBe('./pgbouncer.ini');
    expect(pgb.databases[0]).toMatchObject({ name: 'rinha', host: 'localhost', port: 5432, user: 'admin' });
    expect(JSON.stringify(pgb.databases)).not.toContain('123'); // the URL's password is not copied
    expect(svc(f, 'api02').networkMode?.value).toBe('host');
    expect(svc(f, 'db').postgres?.configFile?.hostPath).toBe(join(CORPUS_ROOT, 'compose', 'postgresql.conf'));
  });

  test('documenso: nested ${A:-${B}} and ${X:?err} stay unresolved without an environment', () => {
    const f = compose('documenso__documenso__docker__production__compose.yml');
    const app = svc(f, 'documenso');
    const direct = app.environment.find((e) => e.name === 'NEXT_PRIVATE_DIRECT_DATABASE_URL')!;
    expect(direct.value).toBe('${NEXT_PRIVATE_DATABASE_URL}');
    expect(direct.unresolved).toEqual(['NEXT_PRIVATE_DATABASE_URL']);
    const resolved = svc(compose('documenso__documenso__docker__production__compose.yml', { NEXT_PRIVATE_DATABASE_URL: 'postgres://u@db/x' }), 'documenso');
    expect(resolved.environment.find((e) => e.name === 'NEXT_PRIVATE_DIRECT_DATABASE_URL')?.value).toBe('postgres://u@db/x');
    expect(svc(f, 'database').postgres?.superuser).toMatchObject({ value: '${POSTGRES_USER:?err}', unresolved: ['POSTGRES_USER'] });
  });
});

describeCorpus('Kubernetes corpus spot checks (SOURCES.md)', () => {
  test('HPA userservice 5..50 targets the Deployment, which has no replicas', () => {
    const hpa = k8s('GoogleCloudPlatform__bank-of-anthos__extras__postgres-hpa__hpa__userservice.yaml').hpas[0]!;
    expect(hpa.target).toMatchObject({ kind: 'Deployment', name: 'userservice' });
    expect([hpa.minReplicas.value, hpa.maxReplicas.value]).toEqual([5, 50]);
    const d = k8s('GoogleCloudPlatform__bank-of-anthos__extras__postgres-hpa__kubernetes-manifests__userservice.yaml');
    const w = d.workloads[0]!;
    expect(w.replicas).toMatchObject({ value: 1, provenance: { kind: 'default' } });
    expect((w.replicas.provenance as { note: string }).note).toContain('HorizontalPodAutoscaler');
    expect(w.maxSurge?.value).toBe(1);
    expect(w.containers[0]!.envFrom.map((r) => [r.kind, r.name])).toEqual([
      ['configMapRef', 'environment-config'],
      ['secretRef', 'accounts-db-config'],
    ]);
    expect(w.containers[0]!.memoryLimitBytes?.value).toBe(512 * 2 ** 20);
    expect(d.services[0]).toMatchObject({ selector: { app: 'userservice' }, ports: [{ port: 8080 }] });
  });

  test('bank-of-anthos accounts-db: ConfigMap ACCOUNTS_DB_URI, Service, StatefulSet', () => {
    const f = k8s('GoogleCloudPlatform__bank-of-anthos__kubernetes-manifests__accounts-db.yaml');
    const uri = f.configMaps[0]!.data.find((d) => d.key === 'ACCOUNTS_DB_URI')!;
    expect(uri.value).toBe('postgresql://accounts-admin:accounts-pwd@accounts-db:5432/accounts-db');
    expect(uri.range.line).toBe(17);
    expect(f.services[0]!.meta.name).toBe('accounts-db');
    expect(f.workloads[0]).toMatchObject({ kind: 'StatefulSet', replicas: { value: 1 } });
  });

  test('CNPG Pooler: instances 3, session mode, string parameters', () => {
    const p = k8s('cloudnative-pg__cloudnative-pg__docs__src__samples__pooler-external.yaml').cnpgPoolers[0]!;
    expect(p.instances.value).toBe(3);
    expect(p.poolMode).toMatchObject({ value: 'session', provenance: { kind: 'literal' } });
    expect(p.cluster?.value).toBe('cluster-example');
    expect(p.parameters.map((x) => [x.key, x.value])).toEqual([
      ['max_client_conn', '1000'],
      ['default_pool_size', '10'],
    ]);
  });

  test('CNPG Cluster: 3 instances, PG 18 from imageName, parameters, 1Gi limit; Secrets decoded and marked secret', () => {
    const f = k8s('cloudnative-pg__cloudnative-pg__docs__src__samples__cluster-example-full.yaml');
    const c = f.cnpgClusters[0]!;
    expect([c.instances.value, c.majorVersion.value, c.memoryLimitBytes?.value]).toEqual([3, 18, 2 ** 30]);
    expect(c.parameters.find((p) => p.name === 'pg_stat_statements.max')?.value).toBe('10000');
    expect(f.secrets).toHaveLength(3);
    expect(f.secrets.every((s) => s.data.every((d) => d.secret))).toBe(true);
    expect(f.secrets[1]!.data.find((d) => d.key === 'username')?.value).toBe('postgres');
  });

  test('Zalando postgresql: version, parameters, 2 instances; the commented connectionPooler is absent', () => {
    const z = k8s('zalando__postgres-operator__manifests__complete-postgres-manifest.yaml').zalandoClusters[0]!;
    expect([z.majorVersion.value, z.numberOfInstances.value]).toEqual([18, 2]);
    expect(z.parameters.find((p) => p.name === 'max_connections')?.value).toBe('10');
    expect(z.connectionPooler).toBeUndefined(); // enableConnectionPooler: false
  });

  test('Crunchy PostgresCluster: recognised, pgBouncer replicas 2', () => {
    const c = k8s('CrunchyData__postgres-operator-examples__kustomize__high-availability__ha-postgres.yaml').crunchyClusters[0]!;
    expect(c.pgBouncer?.replicas.value).toBe(2);
    expect(c.instanceSets[0]?.replicas.value).toBe(2);
  });

  test('Helm values are skipped, not reported', () => {
    const name = 'GoogleCloudPlatform__bank-of-anthos__extras__postgres-hpa__helm-postgres-ha__values.yaml';
    expect(classifyYamlFile(originalPath(name), read('k8s', name))).toBe('helm-values');
    const f = k8s(name);
    expect(f.objects).toEqual([]);
    expect(f.skippedDocuments).toHaveLength(1);
    expect(f.problems).toEqual([]);
  });
});

describeCorpus('PM2 corpus spot checks (SOURCES.md)', () => {
  const pm2 = (name: string, cpuCount?: number) =>
    extractPm2(read('pm2', name), join(CORPUS_ROOT, 'pm2', name), cpuCount === undefined ? {} : { cpuCount });

  test("process.yml: instances 'max' → CPU count (unknown unless configured), cluster mode implied", () => {
    const f = pm2('Unitech__pm2__examples__ecosystem-file__process.yml');
    const api = f.apps[0]!;
    expect(api.instances.value).toBeUndefined();
    expect(api.instances.provenance).toMatchObject({ kind: 'default' });
    expect((api.instances.provenance as { note: string }).note).toContain('one process per CPU core');
    expect(api.execMode.value).toBe('cluster');
    expect(pm2('Unitech__pm2__examples__ecosystem-file__process.yml', 8).apps[0]!.instances.value).toBe(8);
    expect(f.apps.map((a) => a.name?.value)).toEqual(['HTTP-API', 'Worker', 'Checks']);
    expect(f.apps[2]!.execMode.value).toBe('fork');
    expect(api.envByName['production']?.[0]).toMatchObject({ name: 'NODE_ENV', value: 'production' });
  });

  test('process.json: unquoted keys and single quotes read as a JS object (PM2 evaluates .json)', () => {
    const f = pm2('Unitech__pm2__examples__ecosystem-file__process.json');
    expect(f.format).toBe('js-object');
    expect(f.apps[0]!.execMode).toMatchObject({ value: 'cluster', provenance: { kind: 'literal' } });
    expect(f.apps[0]!.script?.range.line).toBe(4);
  });

  test('increment-var ecosystem.json: top-level array, instances "2" as a string', () => {
    const f = pm2('Unitech__pm2__test__fixtures__increment-var__ecosystem.json');
    expect(f.format).toBe('json');
    expect(f.apps).toHaveLength(6);
    expect(f.apps.every((a) => a.instances.value === 2)).toBe(true);
    expect(f.apps.map((a) => a.execMode.value)).toEqual(['cluster', 'cluster', 'cluster', 'fork', 'fork', 'fork']);
    expect(f.apps[2]!.env[0]).toMatchObject({ name: 'PORT', value: '3000' });
  });
});
