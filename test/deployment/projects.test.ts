/**
 * The fixture repositories of fixtures/projects/: the budget numbers (`pgconn-lint budget
 * --format json`) exactly, and what pool-oversubscription says about each (or that it is silent).
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, numbers, runProject } from './support.js';

const mine = (ds: { ruleId: string | null }[]) => ds.filter((d) => d.ruleId === 'pool-oversubscription');

describe('compose-replicas-over-budget', () => {
  const run = runProject(copyProject('fixtures/projects/compose-replicas-over-budget'));
  it('adds up 6 × 20 + 2 × node-postgres default 10 against 97', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        {
          name: 'db',
          maxConnections: 100,
          reserved: 3,
          available: 97,
          demand: 140,
          status: 'over',
          clients: [
            { name: 'api', kind: 'service', instances: 6, perInstance: 20, total: 120 },
            { name: 'worker', kind: 'service', instances: 2, perInstance: 10, total: 20 },
          ],
        },
      ],
      poolers: [],
    });
    expect(run.budget.servers[0]!.clients[1]!.perInstanceSource).toBe('node-postgres default 10');
  });
  it('reports at the api pool with the breakdown, the related lines and the fitting max', () => {
    const ds = mine(run.diagnostics);
    expect(ds).toHaveLength(1);
    const d = ds[0]!;
    expect(d.severity).toBe('error');
    expect(relative(run.dir, d.range.file)).toBe('api/src/db.ts');
    expect(d.range.line).toBe(3);
    expect(d.message).toContain('api: 6 replicas × max 20 = 120 + worker: 2 replicas × node-postgres default 10 = 20; 140 > 97 available (max_connections 100 − 3 superuser_reserved_connections) on db');
    expect(d.help).toContain('Lower the pool max of api to 11');
    expect(d.related?.map((r) => `${relative(run.dir, r.range.file)}:${r.range.line}`)).toEqual(['worker/src/queue.js:4', 'docker-compose.yml:28', 'docker-compose.yml:6']);
  });
});

describe('k8s-hpa-pgbouncer-cnpg', () => {
  const run = runProject(copyProject('fixtures/projects/k8s-hpa-pgbouncer-cnpg'));
  it('follows Deployment + HPA → PgBouncer (ConfigMap) → CloudNativePG', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'pg', maxConnections: 150, reserved: 3, available: 147, demand: 90, status: 'ok', clients: [{ name: 'pgbouncer', kind: 'pooler', instances: 2, perInstance: 45, total: 90 }] },
      ],
      poolers: [{ name: 'pgbouncer', mode: 'transaction', instances: 2, maxClientConn: 400, clientDemand: 300, serverConnections: 90, status: 'ok' }],
    });
    const orders = run.budget.poolers[0]!.clients[0]!;
    expect(orders).toMatchObject({ name: 'orders', instances: 15, perInstance: 20, total: 300 });
    expect(orders.instancesSource).toBe('HPA orders maxReplicas 12 + maxSurge 25% (3 pods) during a rolling update');
    expect(run.budget.poolers[0]).toMatchObject({ version: '1.23.1', maxClientConnTotal: 800, server: 'pg' });
  });
  it('maps the embedded pgbouncer.ini onto the ConfigMap lines', () => {
    const pl = run.model.poolers[0]!;
    expect(relative(run.dir, pl.maxClientConn.range!.file)).toBe('k8s/pgbouncer.yaml');
    expect([pl.maxClientConn.range!.line, pl.maxClientConn.range!.column, pl.maxClientConn.range!.endColumn]).toEqual([17, 23, 26]);
    expect(pl.idleTransactionTimeoutMs?.value).toBe(60_000);
  });
  it('stays silent', () => expect(mine(run.diagnostics)).toEqual([]));
});

describe('pm2-cluster', () => {
  it('counts instances: max as the configured CPU count', () => {
    const run = runProject(copyProject('fixtures/projects/pm2-cluster'));
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'main-db', maxConnections: 100, reserved: 3, available: 97, demand: 120, status: 'over', clients: [{ name: 'api', kind: 'service', instances: 8, perInstance: 15, total: 120 }] },
      ],
      poolers: [],
    });
    const ds = mine(run.diagnostics);
    expect(ds.map((d) => relative(run.dir, d.range.file))).toEqual(['src/db.ts']);
    expect(ds[0]!.help).toContain('to 10 (floor((97 − 10 headroom) / 8 instances))');
  });
  it('states that the instance count is unknown without deployment.cpus, and stays silent', () => {
    const run = runProject(copyProject('fixtures/projects/pm2-cluster'), (c) => delete c.settings.deployment!.cpus);
    const s = run.budget.servers[0]!;
    expect(s).toMatchObject({ demand: null, demandAtLeast: 15, status: 'unknown' });
    expect(s.clients[0]!.instancesSource).toContain('set deployment.cpus');
    expect(mine(run.diagnostics)).toEqual([]);
  });
});

describe('serverless-lambda', () => {
  const run = runProject(copyProject('fixtures/projects/serverless-lambda'));
  it('multiplies reservedConcurrency and keeps unknown concurrency unknown', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        {
          name: 'orders-rds',
          maxConnections: 170,
          reserved: 3,
          available: 167,
          demand: null,
          demandAtLeast: 205,
          status: 'over',
          clients: [
            { name: 'api', kind: 'service', instances: 40, perInstance: 5, total: 200 },
            { name: 'reports', kind: 'service', instances: null, perInstance: 5, total: null },
          ],
        },
      ],
      poolers: [],
    });
  });
  it('reports what is certain: at least 205 > 167', () => {
    const ds = mine(run.diagnostics);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toContain('at least 205 > 167 available');
  });
});

describe('prisma6-supabase-pooler', () => {
  const run = runProject(copyProject('fixtures/projects/prisma6-supabase-pooler'));
  it('reaches the declared Supavisor with connection_limit=1 from .env.production', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'supabase', maxConnections: 60, reserved: 3, available: 57, demand: 15, status: 'ok', clients: [{ name: 'supavisor', kind: 'pooler', instances: 1, perInstance: 15, total: 15 }] },
      ],
      poolers: [{ name: 'supavisor', mode: 'transaction', instances: 1, maxClientConn: 200, clientDemand: null, serverConnections: 15, status: 'unknown' }],
    });
    const client = run.budget.poolers[0]!.clients[0]!;
    expect(client).toMatchObject({ instances: null, perInstance: 1, perInstanceSource: 'connection_limit 1 (URL)' });
    expect(client.instancesSource).toContain('Vercel scales functions automatically');
    const edge = run.model.edges.find((e) => e.pool?.library === 'prisma')!;
    expect(edge.envVar).toBe('DATABASE_URL');
    expect(edge.parsed?.prisma.pgbouncer).toBe(true);
    expect(relative(run.dir, edge.url!.range!.file)).toBe('.env.production');
  });
  it('stays silent', () => expect(mine(run.diagnostics)).toEqual([]));
});

describe('prisma7-pg-adapter', () => {
  const run = runProject(copyProject('fixtures/projects/prisma7-pg-adapter'));
  it('counts the PrismaPg pool once, not the PrismaClient that wraps it', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'postgres', maxConnections: 50, reserved: 3, available: 47, demand: 40, status: 'warning', clients: [{ name: 'web', kind: 'service', instances: 4, perInstance: 10, total: 40 }] },
      ],
      poolers: [],
    });
    expect(run.model.edges).toHaveLength(1);
    expect(run.model.edges[0]!.pool?.library).toBe('prisma-adapter-pg');
  });
  it('warns: 7 free < headroom 10', () => {
    const ds = mine(run.diagnostics);
    expect(ds.map((d) => d.severity)).toEqual(['warning']);
    expect(ds[0]!.message).toContain('leaves 7 free, fewer than the 10 kept');
    expect(ds[0]!.help).toContain('to 9');
  });
});

describe('clean-well-sized', () => {
  const run = runProject(copyProject('fixtures/projects/clean-well-sized'));
  it('has the expected budget', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'postgres', maxConnections: 120, reserved: 3, available: 117, demand: 30, status: 'ok', clients: [{ name: 'pgbouncer', kind: 'pooler', instances: 1, perInstance: 30, total: 30 }] },
      ],
      poolers: [{ name: 'pgbouncer', mode: 'transaction', instances: 1, maxClientConn: 500, clientDemand: 40, serverConnections: 30, status: 'ok' }],
    });
    expect(run.model.servers[0]!.config).toBeDefined();
  });
  it('produces no finding of any rule', () => {
    expect(run.diagnostics.map((d) => `${relative(run.dir, d.range.file)}:${d.range.line} ${d.ruleId} ${d.message}`)).toEqual([]);
  });
});

describe('monorepo-targets', () => {
  const run = runProject(copyProject('fixtures/projects/monorepo-targets'));
  const service = (name: string, file = 'docker-compose.yml') => run.model.services.find((s) => s.id === `service:compose:${file}#${name}`)!;
  it('counts the backend once per instance (3 × 10 = 30); frontends, migration, perf script and one-shot jobs add nothing', () => {
    // Before issue 10.3, `build.context: .` gave every built service every pool of the repository:
    // 60 on postgres (migrate 12, api 36, api-debug 12), the psql job counted as a server, and the
    // published image's pool size unknown.
    expect(numbers(run.budget)).toEqual({
      servers: [
        { name: 'db', maxConnections: 200, reserved: 3, available: 197, demand: 30, status: 'ok', clients: [{ name: 'api', kind: 'service', instances: 3, perInstance: 10, total: 30 }] },
        { name: 'postgres', maxConnections: 100, reserved: 3, available: 97, demand: 30, status: 'ok', clients: [{ name: 'api', kind: 'service', instances: 3, perInstance: 10, total: 30 }] },
      ],
      poolers: [],
    });
    expect(run.budget.unlinked ?? []).toEqual([]);
    expect(run.model.edges.map((e) => `${e.serviceId} ${relative(run.dir, e.range.file)}`)).toEqual([
      'service:compose:docker-compose.prod.yml#api apps/api/src/db.ts',
      'service:compose:docker-compose.yml#api apps/api/src/db.ts',
    ]);
  });
  it('says which code each container runs, from the Dockerfile stage and the command', () => {
    expect(service('api').linkReason).toBe('build context ., Dockerfile stage api: CMD node apps/api/dist/main.js runs apps/api');
    expect(service('web').linkReason).toBe('build context ., Dockerfile stage web: CMD node apps/web/server.js runs apps/web');
    expect(service('admin').linkReason).toBe('build context ., Dockerfile stage admin: the image holds apps/admin/dist');
    expect(service('api', 'docker-compose.prod.yml').linkReason).toBe(
      "image ghcr.io/acme/monorepo-targets-api:1.2 is this repository's api, Dockerfile stage api: CMD node apps/api/dist/main.js runs apps/api",
    );
  });
  it('states the judged profile set and why the jobs are not counted', () => {
    expect(service('migrate').notCounted).toBe('one-shot job: runs the migrate script, which exits. Not counted in the long-running budget');
    expect(service('create-analytics-db').notCounted).toBe('one-shot job: runs psql, a PostgreSQL client program, and exits; restart: no. Not counted in the long-running budget');
    expect(service('api-debug').notCounted).toContain('runs only with compose profile debug');
    expect(run.model.servers.map((s) => s.name)).toEqual(['db', 'postgres']); // the psql job is not a server
    expect(run.budget.notes).toEqual([
      'the pool at apps/api/src/migrate.ts:6 is a client of apps/api/package.json script "migrate", which runs once: not counted as a pool of a long-running service',
      'the pool at scripts/perf.ts:4 is a client of package.json script "perf", which runs once: not counted as a pool of a long-running service',
      "docker-compose.yml: the budget judges compose's default profile set (`docker compose up` without --profile: the services without profiles); not counted: create-analytics-db (tools), api-debug (debug)",
      'migrate: one-shot job: runs the migrate script, which exits. Not counted in the long-running budget',
      'create-analytics-db: one-shot job: runs psql, a PostgreSQL client program, and exits; restart: no. Not counted in the long-running budget',
      "api-debug: runs only with compose profile debug (docker compose --profile debug); the budget judges compose's default set, the services without profiles",
    ]);
  });
  it('finds nothing to report', () => expect(run.diagnostics).toEqual([]));
});

// Issue 10: an unknown URL gives an unknown target, never "no host → localhost:5432 → the compose database".
describe('computed-connection-urls', () => {
  const run = runProject(copyProject('fixtures/projects/computed-connection-urls'));
  it('links no pool, and says why each target is unknown', () => {
    expect(run.budget.unlinked.map((u) => `${u.location?.file}:${u.location?.line} ${u.service}: ${u.reason}`)).toEqual([
      'api/src/db.ts:5 api: unlinked, target unknown: the connection string is the result of a call getUrl() at api/src/db.ts:5',
      'api/src/db.ts:8 api: unlinked, target unknown: the connection string is a function parameter (url) at api/src/db.ts:8',
      'api/src/db.ts:11 api: unlinked, target unknown: the connection string may come from the spread of loadConfig(), an object that is not statically known, at api/src/db.ts:11',
      'api/src/db.ts:13 api: unlinked, target unknown: the connection string is the result of a call getUrl() at api/src/db.ts:13',
      'api/src/db.ts:15 api: unlinked, target unknown: the connection options are the result of a call at api/src/db.ts:15',
    ]);
    expect(run.model.edges.map((e) => e.target)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    // postgres(getUrl(), { max: 2 }): the options are read, only the URL is unknown.
    expect(run.model.edges.map((e) => e.perInstance.value)).toEqual([5, 4, 3, 2, undefined]);
  });
  it('gives db the status unknown (never ok), with the pools that could reach it', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [{ name: 'db', maxConnections: 60, reserved: 3, available: 57, demand: null, demandAtLeast: 0, status: 'unknown', clients: [] }],
      poolers: [],
    });
    expect(run.budget.servers[0]!.unknownClients?.map((u) => `${u.pool} ${u.service}`)).toEqual(['api/src/db.ts:5:21 api', 'api/src/db.ts:8:10 api', 'api/src/db.ts:11:26 api', 'api/src/db.ts:13:20 api', 'api/src/db.ts:15:28 api']);
  });
  it('stays silent', () => expect(mine(run.diagnostics)).toEqual([]));
});

// Issue 10: a service whose environment names the server's host uses it, by a number the model does not know.
describe('compose-env-names-db', () => {
  const run = runProject(copyProject('fixtures/projects/compose-env-names-db'));
  it('gives postgres the status unknown, with the worker and why', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        {
          name: 'postgres',
          maxConnections: 100,
          reserved: 3,
          available: 97,
          demand: null,
          demandAtLeast: 1,
          status: 'unknown',
          clients: [{ name: 'worker', kind: 'service', instances: 1, perInstance: null, total: null }],
        },
      ],
      poolers: [],
    });
    expect(run.budget.servers[0]!.clients[0]!.perInstanceSource).toBe('pool size unknown (worker: no pool of its code (worker) could be read)');
    expect(run.model.edges[0]!.link).toBe('DB_HOST=postgres (environment of compose service worker) → postgres:5432 is compose service postgres');
  });
  it('stays silent', () => expect(mine(run.diagnostics)).toEqual([]));
});

// Issue 10 reproduction: `.env` builds the URL from DB_HOST in front of a transaction-mode PgBouncer.
describe('env-expanded-pooler-url', () => {
  const findings = (r: ReturnType<typeof runProject>) => r.diagnostics.map((d) => `${relative(r.dir, d.range.file)}:${d.range.line} ${d.ruleId}`).sort();
  const expanded = runProject(copyProject('fixtures/projects/env-expanded-pooler-url'));
  const literalDir = copyProject('fixtures/projects/env-expanded-pooler-url');
  writeFileSync(join(literalDir, '.env'), 'DB_HOST=localhost\nDATABASE_URL=postgres://app@localhost:6432/app\n');
  const literal = runProject(literalDir);
  it('reports the pooler rules as with the literal URL', () => {
    expect(findings(expanded)).toEqual([
      'pgbouncer.ini:1 pgbouncer-auth',
      'postgresql.conf:1 idle-in-transaction-timeout',
      'src/db.js:3 prepared-statements-transaction-mode',
      'src/db.js:6 session-state-transaction-mode',
    ]);
    expect(findings(literal)).toEqual(findings(expanded));
  });
  it('the connection model and the deployment model both see the transaction-mode pooler', () => {
    const url = expanded.result.model.connections.strings.find((c) => c.envVar === 'DATABASE_URL')!;
    expect(url.endpoint.role).toBe('pooler');
    expect(url.endpoint.pooler).toMatchObject({ product: 'pgbouncer', confidence: 'repository', mode: 'transaction' });
    expect(expanded.result.model.poolerPaths.map((p) => [p.edge.poolId, p.mode.value])).toEqual([['src/db.js:3:14', 'transaction']]);
  });
  it('has the same budget for both', () => {
    const want = {
      servers: [{ name: 'postgresql.conf', maxConnections: 100, reserved: 3, available: 97, demand: 20, status: 'ok', clients: [{ name: 'pgbouncer.ini', kind: 'pooler', instances: 1, perInstance: 20, total: 20 }] }],
      poolers: [{ name: 'pgbouncer.ini', mode: 'transaction', instances: 1, maxClientConn: 200, clientDemand: null, serverConnections: 20, status: 'unknown' }],
    };
    expect(numbers(expanded.budget)).toEqual(want);
    expect(numbers(literal.budget)).toEqual(want);
  });
});
