/**
 * Which pools count for which service (issue 10.3): Dockerfile stage and command, compose
 * profiles, the repository's own image, database images, one-shot jobs, migration configs.
 */
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/lint-helpers.js';
import { runProject } from './support.js';

const pgPool = (max: number) => `import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: ${max} });\n`;
const url = 'postgres://app@db:5432/app';
const clients = (run: ReturnType<typeof runProject>) => run.budget.servers.flatMap((s) => s.clients.map((c) => `${s.name} ← ${c.name.replace(/ \(.*\)$/, '')} ${c.instances}×${c.perInstance}`));

describe('Dockerfile stage and command decide the code', () => {
  it('a single-package repository built with `build: .` keeps its pools (with and without a Dockerfile)', () => {
    for (const dockerfile of [undefined, 'FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["npm", "start"]\n']) {
      const run = runProject(
        tempProject({
          'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  app:\n    build: .\n    environment:\n      DATABASE_URL: ${url}\n    deploy:\n      replicas: 2\n`,
          'package.json': '{ "name": "shop", "scripts": { "start": "node src/server.js" } }',
          'src/db.ts': pgPool(7),
          ...(dockerfile ? { Dockerfile: dockerfile } : {}),
        }),
      );
      expect(clients(run)).toEqual(['db ← app 2×7']);
    }
  });

  it('follows npm/pnpm/yarn workspaces, turbo, cd and a compose command that overrides CMD', () => {
    const commands: Record<string, string> = {
      npmw: 'npm run start -w @acme/api',
      pnpm: 'pnpm --filter api start',
      yarn: 'yarn workspace @acme/api start',
      cdnpm: 'sh -c "cd apps/api && npm start"',
      turbo: 'npx turbo run start --filter=@acme/api',
      node: 'node --enable-source-maps apps/api/dist/main.js',
      web: 'npm run start --workspace=web',
    };
    const svc = Object.entries(commands)
      .map(([name, cmd]) => `  ${name}:\n    build: .\n    command: ${JSON.stringify(cmd)}\n    environment:\n      DATABASE_URL: ${url}\n`)
      .join('');
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n${svc}`,
        Dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build --workspaces\nCMD ["npm", "start"]\n',
        'package.json': '{ "name": "acme", "workspaces": ["apps/*"], "scripts": { "start": "turbo run start" } }',
        'apps/api/package.json': '{ "name": "@acme/api", "scripts": { "start": "node dist/main.js" } }',
        'apps/api/src/db.ts': pgPool(5),
        'apps/web/package.json': '{ "name": "web", "scripts": { "start": "next start" } }',
        'apps/web/src/page.ts': 'export const page = 1;\n',
      }),
    );
    expect(clients(run).sort()).toEqual(['db ← cdnpm 1×5', 'db ← node 1×5', 'db ← npmw 1×5', 'db ← pnpm 1×5', 'db ← turbo 1×5', 'db ← yarn 1×5']);
    const web = run.model.services.find((s) => s.name === 'web')!;
    expect(web.linkReason).toBe('build context ., Dockerfile: compose command npm run start --workspace=web runs apps/web');
  });

  it("counts the pools of the workspace packages the started package depends on (apps/api → packages/db), not the frontend's", () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build:\n      context: .\n      dockerfile: apps/api/Dockerfile\n    environment:\n      DATABASE_URL: ${url}\n  web:\n    build:\n      context: .\n      dockerfile: apps/web/Dockerfile\n`,
        'apps/api/Dockerfile': 'FROM node:20 AS build\nWORKDIR /repo\nCOPY . .\nRUN pnpm install && pnpm --filter @acme/api... build\nFROM node:20\nWORKDIR /srv\nCOPY --from=build /repo /srv\nWORKDIR /srv/apps/api\nCMD ["pnpm", "start"]\n',
        'apps/web/Dockerfile': 'FROM nginx:1.27\nCOPY apps/web/dist /usr/share/nginx/html\n',
        'package.json': '{ "name": "acme", "private": true }',
        'apps/api/package.json': '{ "name": "@acme/api", "scripts": { "start": "node dist/server.js" }, "dependencies": { "@acme/db": "workspace:*", "express": "^4" } }',
        'apps/api/src/server.ts': "import { pool } from '@acme/db';\nexport default pool;\n",
        'apps/web/package.json': '{ "name": "@acme/web", "dependencies": { "@acme/ui": "workspace:*" } }',
        'packages/db/package.json': '{ "name": "@acme/db" }',
        'packages/db/src/index.ts': pgPool(12),
        'packages/ui/package.json': '{ "name": "@acme/ui" }',
      }),
    );
    expect(clients(run)).toEqual(['db ← api 1×12']);
    expect(run.model.services.find((s) => s.name === 'api')!.linkReason).toBe(
      'build context ., apps/api/Dockerfile: CMD pnpm start runs apps/api (with its workspace dependencies packages/db)',
    );
    // The nginx image holds the web build: the web package and what it bundles, none of which opens a pool.
    expect(run.model.services.find((s) => s.name === 'web')!.codePaths.map((d) => relative(run.dir, d))).toEqual(['apps/web', 'packages/ui']);
  });

  it('compose working_dir replaces the WORKDIR the command runs in', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    working_dir: /root/app/packages/api\n    command: yarn start\n    environment:\n      DATABASE_URL: ${url}\n  app:\n    build: .\n    working_dir: /root/app/packages/app\n    command: yarn start\n`,
        'package.json': '{ "name": "mono", "workspaces": ["packages/*"] }',
        'packages/api/package.json': '{ "name": "api", "scripts": { "start": "node src/index.js" } }',
        'packages/api/src/index.ts': pgPool(6),
        'packages/app/package.json': '{ "name": "app", "scripts": { "start": "react-scripts start" } }',
      }),
    );
    expect(clients(run)).toEqual(['db ← api 1×6']);
    expect(run.model.services.find((s) => s.name === 'app')!.linkReason).toBe('build context .: compose command yarn start runs packages/app');
  });

  it('reads the Dockerfile with the compose build.args (one Dockerfile, ARG APP_NAME, turbo prune)', () => {
    const dockerfile = `FROM node:20-alpine AS base
FROM base AS pruner
WORKDIR /app
COPY . .
ARG APP_NAME
RUN npx turbo prune @acme/\${APP_NAME} --docker
FROM base AS installer
WORKDIR /app
COPY --from=pruner /app/out/json/ .
RUN npm ci
COPY --from=pruner /app/out/full/ .
ARG APP_NAME
RUN npx turbo run build --filter=@acme/\${APP_NAME}
FROM base AS runner
WORKDIR /srv
ARG APP_NAME
COPY --from=installer /app/node_modules ./node_modules
COPY --from=installer /app/apps/\${APP_NAME}/dist ./dist
CMD ["node", "dist/main.js"]
`;
    const svc = (name: string) => `  ${name}:\n    build:\n      context: .\n      args:\n        APP_NAME: ${name}\n    environment:\n      DATABASE_URL: ${url}\n`;
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n${svc('api')}${svc('web')}`,
        Dockerfile: dockerfile,
        'package.json': '{ "name": "acme", "workspaces": ["apps/*"] }',
        'apps/api/package.json': '{ "name": "@acme/api" }',
        'apps/api/src/db.ts': pgPool(9),
        'apps/web/package.json': '{ "name": "@acme/web" }',
      }),
    );
    expect(clients(run)).toEqual(['db ← api 1×9']);
    expect(run.model.services.find((s) => s.name === 'web')!.linkReason).toBe('build context ., Dockerfile stage runner: CMD node dist/main.js runs apps/web');
  });

  it('a target the Dockerfile does not have falls back to the whole context, and says so', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build:\n      context: .\n      target: backend\n    environment:\n      DATABASE_URL: ${url}\n`,
        Dockerfile: 'FROM node:20 AS api\nCOPY . .\nCMD ["node", "x.js"]\n',
        'package.json': '{ "name": "x" }',
        'src/db.ts': pgPool(4),
      }),
    );
    expect(clients(run)).toEqual(['db ← api 1×4']);
    expect(run.budget.notes).toContain('api: target backend is not a stage of Dockerfile: the whole build context is counted');
  });
});

describe('compose profiles', () => {
  it('judges the default set: a service with profiles is listed, not counted', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    environment:\n      DATABASE_URL: ${url}\n  worker:\n    build: .\n    profiles: [jobs, extra]\n    environment:\n      DATABASE_URL: ${url}\n`,
        'package.json': '{ "name": "x" }',
        'src/db.ts': pgPool(6),
      }),
    );
    expect(clients(run)).toEqual(['db ← api 1×6']);
    expect(run.model.services.find((s) => s.name === 'worker')!.notCounted).toContain('runs only with compose profiles jobs, extra (docker compose --profile jobs)');
    expect(run.budget.notes[0]).toContain('not counted: worker (jobs, extra)');
  });
});

describe("the repository's own image", () => {
  it('an image another compose service builds is this repository code', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    image: registry.example.com/team/api:dev\n    environment:\n      DATABASE_URL: ${url}\n`,
        'deploy/docker-compose.staging.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    image: registry.example.com/team/api:1.4\n    environment:\n      DATABASE_URL: ${url}\n    deploy:\n      replicas: 4\n`,
        'package.json': '{ "name": "x" }',
        'src/db.ts': pgPool(3),
      }),
    );
    expect(clients(run).sort()).toEqual(['db ← api 1×3', 'db ← api 4×3']);
    expect(run.model.services.find((s) => s.id.includes('staging'))!.linkReason).toBe('image registry.example.com/team/api:1.4 is built by compose service api from this repository');
  });

  it('a Kubernetes image named after the repository or a workspace package is its code; a foreign image is not', () => {
    const deployment = (name: string, image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  replicas: 2\n  strategy: { type: Recreate }\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n        - name: main\n          image: ${image}\n          env: [{ name: DATABASE_URL, value: "postgres://app@db:5432/app" }]\n---\n`;
    const run = runProject(
      tempProject({
        'k8s/apps.yaml': `${deployment('backend', 'ghcr.io/acme/shop-orders:2.0')}${deployment('payments', 'acme/billing-svc:1')}${deployment('other', 'bitnami/redis:7')}apiVersion: v1\nkind: Service\nmetadata: { name: db }\nspec:\n  selector: { app: pg }\n  ports: [{ port: 5432 }]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: pg }\nspec:\n  selector: { matchLabels: { app: pg } }\n  template:\n    metadata: { labels: { app: pg } }\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n`,
        'package.json': '{ "name": "shop", "workspaces": ["services/*"] }',
        'services/orders/package.json': '{ "name": "@shop/orders" }',
        'services/orders/src/db.ts': pgPool(8),
        'services/billing/package.json': '{ "name": "@shop/billing-svc" }',
        'services/billing/src/db.ts': pgPool(2),
      }),
    );
    // The redis image's code is not here: its DATABASE_URL is a client of unknown size, as before.
    expect(clients(run).sort()).toEqual(['pg ← backend 2×8', 'pg ← other 2×null', 'pg ← payments 2×2']);
    expect(run.model.services.find((s) => s.name === 'other')!.linkReason).toBe('image bitnami/redis:7: no package named other');
    expect(run.model.services.find((s) => s.name === 'backend')!.linkReason).toBe("image ghcr.io/acme/shop-orders:2.0 is this repository's orders (package in services/orders)");
    expect(run.model.services.find((s) => s.name === 'payments')!.linkReason).toBe('image acme/billing-svc:1 is named like package @shop/billing-svc (services/billing)');
  });
});

describe('database images are servers, not client services', () => {
  it('citus and timescaledb-ha get a budget; CockroachDB and YugabyteDB are neither servers nor clients', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:\n  citus:\n    image: citusdata/citus:12.1\n    command: [-c, max_connections=300]\n  tsdb:\n    image: timescale/timescaledb-ha:pg16\n  crdb:\n    image: cockroachdb/cockroach:v24.2.0\n    command: start-single-node --insecure\n  yb:\n    image: yugabytedb/yugabyte:2.20.0.0-b1\n  app:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app@citus:5432/app\n`,
        'package.json': '{ "name": "x" }',
        'src/db.ts': pgPool(9),
      }),
    );
    expect(run.model.servers.map((s) => [s.name, s.maxConnections.value, s.majorVersion?.value])).toEqual([
      ['citus', 300, undefined],
      ['tsdb', 100, 16],
    ]);
    expect(run.model.services.map((s) => s.name)).toEqual(['app']);
    expect(clients(run)).toEqual(['citus ← app 1×9']);
    expect(run.budget.notes.filter((n) => n.includes('not PostgreSQL'))).toHaveLength(2);
  });
});

describe('one-shot jobs', () => {
  it('a postgres image running psql in sh -c, a migration CLI, a service others wait to complete, a Kubernetes Job: listed, never counted', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': `services:
  db:
    image: postgres:16
  createdb:
    image: postgres:16
    restart: "no"
    entrypoint: ["sh", "-c", "until pg_isready -h db; do sleep 1; done; psql -h db -U postgres -c 'CREATE DATABASE app'"]
  prisma-migrate:
    build: .
    command: npx prisma migrate deploy
    environment:
      DATABASE_URL: ${url}
  seed:
    build: .
    command: node dist/tools/load-fixtures.js
    environment:
      DATABASE_URL: ${url}
  app:
    build: .
    environment:
      DATABASE_URL: ${url}
    depends_on:
      seed:
        condition: service_completed_successfully
`,
        'k8s/job.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: nightly-report }\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: report\n              image: acme/report:1\n',
        'package.json': '{ "name": "x" }',
        'src/db.ts': pgPool(5),
      }),
    );
    expect(run.model.servers.map((s) => s.name)).toEqual(['db']);
    expect(clients(run)).toEqual(['db ← app 1×5']);
    const why = Object.fromEntries(run.model.services.map((s) => [s.name, s.notCounted]));
    expect(why).toEqual({
      createdb: 'one-shot job: runs pg_isready, a PostgreSQL client program, and exits; restart: no. Not counted in the long-running budget',
      'prisma-migrate': 'one-shot job: runs the prisma migration CLI, which exits. Not counted in the long-running budget',
      seed: 'one-shot job: other services wait for it to complete (depends_on condition service_completed_successfully). Not counted in the long-running budget',
      app: undefined,
      'nightly-report': 'one-shot job: a Kubernetes CronJob (schedule 0 3 * * *) runs its pods to completion. Not counted in the long-running budget',
    });
  });
});

describe('migration configs and scripts', () => {
  const files = (scripts: Record<string, string>) => ({
    'docker-compose.yml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: .\n    environment:\n      DATABASE_URL: ${url}\n    deploy:\n      replicas: 2\n`,
    'package.json': JSON.stringify({ name: 'api', scripts }),
    'src/db.ts': pgPool(10),
    'src/data-source.ts': "import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 4 } });\n",
    'src/tools/backfill.ts': pgPool(20),
  });
  it('a TypeORM data source the migration CLI loads and a file only a one-off script runs are not pools of the app', () => {
    const run = runProject(
      tempProject(
        files({
          start: 'node dist/main.js',
          'migration:run': 'typeorm-ts-node-commonjs migration:run -d src/data-source.ts',
          backfill: 'tsx src/tools/backfill.ts',
        }),
      ),
    );
    expect(clients(run)).toEqual(['db ← api 2×10']);
    expect(run.budget.notes.filter((n) => n.includes('runs once'))).toEqual([
      'the pool at src/data-source.ts:2 is a client of package.json script "migration:run", which runs once: not counted as a pool of a long-running service',
      'the pool at src/tools/backfill.ts:2 is a client of package.json script "backfill", which runs once: not counted as a pool of a long-running service',
    ]);
  });
  it('without scripts that name them, the same files count (nothing is guessed from a file name)', () => {
    const run = runProject(tempProject(files({ start: 'node dist/main.js' })));
    expect(clients(run).sort()).toEqual(['db ← api 2×10', 'db ← api 2×20', 'db ← api 2×4']);
  });
  it('a file the start script runs too stays a pool of the app', () => {
    const run = runProject(tempProject(files({ start: 'node dist/tools/backfill.js', backfill: 'tsx src/tools/backfill.ts' })));
    expect(clients(run)).toContain('db ← api 2×20');
  });
});
