import { describe, expect, it } from 'vitest';
import { idleTimeoutCoverage } from '../../src/model/deployment/paths.js';
import { tempProject } from '../support/lint-helpers.js';
import { runProject } from './support.js';

const pgPool = (max: number, url = 'process.env.DATABASE_URL') => `import pg from 'pg';\nexport const pool = new pg.Pool({ connectionString: ${url}, max: ${max} });\n`;

describe('deployment model', () => {
  it('links a Kubernetes short Service name through its selector, and says why', () => {
    const run = runProject(
      tempProject({
        'k8s.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db, tier: data } }
    spec:
      containers:
        - name: postgres
          image: postgres:15
          args: ["-c", "max_connections=80"]
---
apiVersion: v1
kind: Service
metadata: { name: database }
spec:
  selector: { app: db }
  ports: [{ port: 5432 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 2 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: example/web:1
          env: [{ name: DATABASE_URL, value: "postgres://web@database:5432/app" }]
`,
        'web/package.json': '{ "name": "web" }',
        'web/src/db.ts': pgPool(10),
      }),
    );
    expect(run.budget.servers[0]).toMatchObject({ name: 'db', maxConnections: 80, demand: 50 });
    expect(run.budget.servers[0]!.clients[0]).toMatchObject({ name: 'web', instances: 5, instancesSource: '3 replicas + maxSurge 2 during a rolling update' });
    expect(run.model.edges[0]!.link).toContain('Kubernetes Service database (selector app=db)');
    expect(run.model.services.find((s) => s.name === 'web')!.linkReason).toBe('Deployment web matches package web');
  });

  it('links to the only server of the repository and says so; states why a pool is not linked', () => {
    const one = runProject(tempProject({ 'postgresql.conf': 'max_connections = 40\nshared_buffers = 128MB\n', 'src/db.ts': pgPool(5, "'postgres://app@10.0.0.7:5432/app'") }));
    expect(one.model.edges[0]!.link).toContain('is the only server in the repository, so it is assumed');
    expect(one.budget.servers[0]).toMatchObject({ demand: null, demandAtLeast: 5, status: 'unknown' });
    expect(one.budget.servers[0]!.clients[0]!.instancesSource).toContain('no deployment file runs this code');

    const none = runProject(tempProject({ 'src/db.ts': pgPool(5) }));
    expect(none.budget.unlinked).toEqual([expect.objectContaining({ reason: 'unlinked, target unknown: the connection string comes from DATABASE_URL, which no environment of this service sets' })]);
  });

  it('overrides instances from the config file and adds a service whose code is elsewhere', () => {
    const run = runProject(
      tempProject({
        'pgconn-lint.config.yaml': 'deployment:\n  headroom: 5\n  services:\n    - name: api\n      instances: 9\n    - name: reporting\n      instances: 2\n      connectionsPerInstance: 8\n      target: db\n',
        'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://api@db/app\n',
        'package.json': '{ "name": "api" }',
        'src/db.ts': pgPool(10),
      }),
    );
    expect(run.budget.headroom).toBe(5);
    expect(run.budget.servers[0]!.clients.map((c) => [c.name, c.instances, c.perInstance, c.total])).toEqual([
      ['api', 9, 10, 90],
      ['reporting', 2, 8, 16],
    ]);
    expect(run.budget.servers[0]).toMatchObject({ demand: 106, status: 'over' });
  });

  it('multiplies compose replicas by the PM2 instances running in each container', () => {
    const run = runProject(
      tempProject({
        'pgconn-lint.config.yaml': 'deployment:\n  cpus: 2\n',
        'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n  app:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app@db/app\n    deploy:\n      replicas: 3\n',
        'ecosystem.config.js': "module.exports = { apps: [{ name: 'app', script: 'src/server.js', instances: -1 }] };\n",
        'package.json': '{ "name": "app" }',
        'src/server.js': "const { Pool } = require('pg');\nmodule.exports = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });\n",
      }),
    );
    const c = run.budget.servers[0]!.clients[0]!;
    expect([c.instances, c.perInstance, c.total]).toEqual([3, 4, 12]);
    expect(c.instancesSource).toContain('× 1 PM2 instances');
  });

  it('reads pool max from the service environment (env var with fallback)', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://api@db/app\n      DB_POOL_MAX: "35"\n',
        'package.json': '{ "name": "api" }',
        'src/db.ts': "import pg from 'pg';\nexport const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });\n",
      }),
    );
    expect(run.budget.servers[0]!.clients[0]).toMatchObject({ perInstance: 35, perInstanceSource: 'max 35 (DB_POOL_MAX in environment of compose service api)' });
  });

  it('caps a PgBouncer database by max_db_connections and counts users from the clients', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n  pgbouncer:\n    image: edoburu/pgbouncer:v1.22.1-p0\n    volumes:\n      - ./pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini\n  api:\n    build: ./api\n    environment:\n      DATABASE_URL: postgres://api@pgbouncer:6432/app\n  jobs:\n    build: ./jobs\n    environment:\n      DATABASE_URL: postgres://jobs@pgbouncer:6432/app\n',
        'pgbouncer.ini': '[databases]\napp = host=db dbname=app max_db_connections=30\n[pgbouncer]\nlisten_port = 6432\npool_mode = transaction\ndefault_pool_size = 20\nreserve_pool_size = 5\n',
        'api/package.json': '{ "name": "api" }',
        'api/src/db.ts': pgPool(10),
        'jobs/package.json': '{ "name": "jobs" }',
        'jobs/src/db.ts': pgPool(5),
      }),
    );
    expect(run.budget.servers[0]!.clients).toEqual([expect.objectContaining({ name: 'pgbouncer', kind: 'pooler', perInstance: 30, perInstanceSource: 'app: max_db_connections 30' })]);
    expect(run.budget.poolers[0]).toMatchObject({ clientDemand: 15, serverConnections: 30, maxClientConn: 100 });
  });

  // Issue 10: the connection model and the deployment model expand .env files alike (dotenv-expand).
  it('a .env URL built from another variable of the file reaches the pooler, as the same URL written literally does', () => {
    const files = (url: string) => ({
      'pgbouncer.ini': '[databases]\napp = host=127.0.0.1\n[pgbouncer]\nlisten_port = 6432\npool_mode = transaction\n',
      '.env': `DB_HOST=localhost\nDATABASE_URL=${url}\n`,
      'src/db.js': "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\nexport async function f() { await pool.query({ name: 'q', text: 'select 1' }); await pool.query('SET search_path = app'); }\n",
    });
    const ids = (run: ReturnType<typeof runProject>) => run.diagnostics.map((d) => d.ruleId).filter((id) => id === 'prepared-statements-transaction-mode' || id === 'session-state-transaction-mode').sort();
    const literal = runProject(tempProject(files('postgres://app@localhost:6432/app')));
    const expanded = runProject(tempProject(files('postgres://app@${DB_HOST}:6432/app')));
    expect(ids(literal)).toEqual(['prepared-statements-transaction-mode', 'session-state-transaction-mode']);
    expect(ids(expanded)).toEqual(ids(literal));
    expect(expanded.model.edges.filter((e) => e.target?.kind === 'pooler')).toHaveLength(1);
  });

  it('is path-aware about idle-in-transaction timeouts', () => {
    const run = runProject(
      tempProject({
        'postgresql.conf': 'max_connections = 100\n',
        'pgbouncer.ini': '[databases]\napp = host=127.0.0.1\n[pgbouncer]\nlisten_port = 6432\nidle_transaction_timeout = 30\n',
        'src/db.js': "const { Pool } = require('pg');\nmodule.exports = new Pool({ connectionString: 'postgres://app@127.0.0.1:6432/app' });\n",
        'src/direct.js': "const { Pool } = require('pg');\nmodule.exports = new Pool({ connectionString: 'postgres://admin@127.0.0.1:5432/app' });\n",
      }),
    );
    const server = run.model.servers[0]!;
    // The direct pool does not pass through PgBouncer and sets nothing itself.
    expect(idleTimeoutCoverage(run.model, server)).toMatchObject({ covered: false });
    expect(run.diagnostics.filter((d) => d.ruleId === 'idle-in-transaction-timeout')).toHaveLength(1);
  });

  it('is built once per run: the rules, budget and --print-model read the same object', () => {
    const run = runProject(tempProject({ 'postgresql.conf': 'max_connections = 100\n' }));
    expect(run.result.model.deployment).toBe(run.result.model.deployment);
    expect(run.model).toBe(run.result.model.deployment);
  });
});
