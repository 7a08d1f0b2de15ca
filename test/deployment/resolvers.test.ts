/**
 * Issue 10, "one resolver per question": the connection model (`model.connections`, read by
 * pooler-without-direct-url, prisma-connection-limit, plaintext-credentials) and the deployment
 * model (`model.deployment`, `model.poolerPaths`, read by budget and the pooler rules) ask the same
 * environment, connection and pool-mode resolvers, so they give one answer for one URL.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointContext, endpointOf } from '../../src/model/connection-resolver.js';
import { poolModeFor } from '../../src/model/pool-mode.js';
import { parseConnectionString } from '../../src/sources/connection-url/parse.js';
import type { ParsedConnection } from '../../src/sources/connection-url/types.js';
import { tempProject } from '../support/lint-helpers.js';
import { runProject } from './support.js';

type Run = ReturnType<typeof runProject>;

/** What each model says about the URL a pool uses: [pool, connection-model role, mode; deployment target kind, mode]. */
function both(run: Run): Array<[string, string, string | undefined, string | undefined, string | undefined]> {
  const m = run.result.model;
  return m.deployment.edges
    .filter((e) => e.origin === 'code')
    .map((e) => {
      const c = m.connections.strings.find((s) => s.usedBy.includes(e.poolId) || (e.url?.range && s.range.line === e.url.range.line && s.range.file === e.url.range.file))!;
      const path = m.poolerPaths.find((p) => p.edge === e);
      return [e.poolId, c.endpoint.role, c.endpoint.pooler?.mode, e.target?.kind, path?.mode.value];
    });
}

describe('one resolver: the connection model and the deployment model agree', () => {
  it('on the pool mode of each database and user of a pgbouncer.ini ([users] beats [databases] beats [pgbouncer])', () => {
    const pool = (url: string) => `new Pool({ connectionString: '${url}' })`;
    const run = runProject(
      tempProject({
        'postgresql.conf': 'max_connections = 100\n',
        'pgbouncer.ini': '[databases]\napp = host=127.0.0.1 pool_mode=transaction\nreports = host=127.0.0.1\n[users]\nreporter = pool_mode=session\n[pgbouncer]\nlisten_port = 6543\npool_mode = session\n',
        'src/db.js': [
          "const { Pool } = require('pg');",
          `exports.app = ${pool('postgres://app@localhost:6543/app')};`,
          `exports.reporter = ${pool('postgres://reporter@localhost:6543/app')};`,
          `exports.reports = ${pool('postgres://app@localhost:6543/reports')};`,
          '',
        ].join('\n'),
      }),
    );
    // The connection model used to ignore [users] and said "transaction" for reporter, where the pooler rules said "session".
    expect(both(run)).toEqual([
      ['src/db.js:2:15', 'pooler', 'transaction', 'pooler', 'transaction'],
      ['src/db.js:3:20', 'pooler', 'session', 'pooler', 'session'],
      ['src/db.js:4:19', 'pooler', 'session', 'pooler', 'session'],
    ]);
  });

  it('on a PgBouncer configured by its image environment (LISTEN_PORT, POOL_MODE)', () => {
    const run = runProject(
      tempProject({
        'docker-compose.yml': [
          'services:',
          '  db:',
          '    image: postgres:16',
          '  pgbouncer:',
          '    image: edoburu/pgbouncer:v1.23.1-p2',
          '    environment:',
          '      DB_HOST: db',
          '      LISTEN_PORT: "6544"',
          '      POOL_MODE: transaction',
          '  app:',
          '    build: .',
          '    environment:',
          '      DATABASE_URL: postgres://app@pgbouncer:6544/app',
          '',
        ].join('\n'),
        'package.json': '{ "name": "app", "dependencies": { "pg": "^8" } }',
        'src/db.js': "const { Pool } = require('pg');\nexports.pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
      }),
    );
    // The connection model used to know only pgbouncer.ini ports: port 6544 was "unknown" there, a transaction-mode pooler for the budget.
    const url = run.result.model.connections.strings.find((s) => s.envVar === 'DATABASE_URL')!;
    expect([url.endpoint.role, url.endpoint.pooler?.confidence, url.endpoint.pooler?.mode]).toEqual(['pooler', 'repository', 'transaction']);
    expect(run.result.model.poolerPaths.map((p) => [p.edge.poolId, p.mode.value])).toEqual([['src/db.js:2:16', 'transaction']]);
  });

  it('classifies an endpoint once: both models call endpointOf with the same repository ports', () => {
    const parsed = parseConnectionString('postgres://app@localhost:6432/app') as ParsedConnection;
    const ctx = endpointContext({ pgbouncer: [], compose: [], kubernetes: [] });
    expect(endpointOf(parsed, ctx)).toMatchObject({ role: 'pooler', pooler: { product: 'pgbouncer', confidence: 'weak' } });
    const modes = { global: { value: 'session' as const, source: 'pool_mode session' }, databases: [{ name: '*', mode: { value: 'transaction' as const, text: 'transaction' } }], users: [] };
    expect(poolModeFor(modes, 'app', undefined).value).toBe('transaction');
    expect(poolModeFor(modes, undefined, undefined)).toEqual({ value: undefined, source: 'the database entries set different pool modes and the client database is not known' });
  });
  it('on a pooler the config file declares (deployment.poolers: host, port, mode, version)', () => {
    const run = runProject(
      tempProject({
        'pgconn-lint.config.json': JSON.stringify({ deployment: { poolers: [{ name: 'edge', host: 'bouncer.internal', port: 7000, mode: 'transaction', version: '1.20' }] } }),
        'src/db.js': ["const { Pool } = require('pg');", "exports.app = new Pool({ connectionString: 'postgres://app@bouncer.internal:7000/app' });", "exports.other = new Pool({ connectionString: 'postgres://app@other.internal:7000/app' });", ''].join('\n'),
      }),
    );
    // The connection model knew only the repository's listen ports: it said "unknown" where the deployment model linked the declared pooler.
    expect(both(run)).toEqual([
      ['src/db.js:2:15', 'pooler', 'transaction', 'pooler', 'transaction'],
      ['src/db.js:3:17', 'unknown', undefined, undefined, undefined],
    ]);
    const c = run.result.model.connections.strings.find((s) => s.usedBy.includes('src/db.js:2:15'))!;
    expect(c.endpoint.pooler).toMatchObject({ product: 'pgbouncer', declared: 'edge', confidence: 'repository' });
  });

  it('on a host that is a variable no file sets: unknown for both, whatever the port says', () => {
    const run = runProject(
      tempProject({
        '.env': 'DATABASE_URL=postgres://app@${DB_HOST}:6543/app\nREPORTS_URL=postgres://app:${DB_PASSWORD}@localhost:6543/reports\n',
        'pgbouncer.ini': '[databases]\n* = host=db\n[pgbouncer]\nlisten_port = 6543\npool_mode = transaction\n',
        'src/db.js': ["const { Pool } = require('pg');", 'exports.app = new Pool({ connectionString: process.env.DATABASE_URL });', 'exports.reports = new Pool({ connectionString: process.env.REPORTS_URL });', ''].join('\n'),
      }),
    );
    // dotenv-expand makes the host '' (a Unix socket on localhost); the connection model used to call
    // that the repository's transaction-mode PgBouncer by its port. An unset password says nothing about where.
    expect(both(run)).toEqual([
      ['src/db.js:2:15', 'unknown', undefined, undefined, undefined],
      ['src/db.js:3:19', 'pooler', 'transaction', 'pooler', 'transaction'],
    ]);
  });

  it('on a Kubernetes PgBouncer that reads a ConfigMap pgbouncer.ini (its pool_mode, for both)', () => {
    const run = runProject(resolve(__dirname, '../../fixtures/projects/k8s-hpa-pgbouncer-cnpg'));
    // The connection model used to know the ini's port but not its pool mode.
    expect(both(run).map(([, role, mode, kind, pathMode]) => [role, mode, kind, pathMode])).toEqual([['pooler', 'transaction', 'pooler', 'transaction']]);
  });

});
