import { describe, expect, it, beforeAll } from 'vitest';
import { copyProject, numbers, runProject, type ProjectRun } from '../deployment/support.js';

/** The findings of every rule (the fixtures pin all of them), as `rule file:line`. */
const findings = (run: ProjectRun) => run.diagnostics.filter((d) => d.ruleId !== null).map((d) => `${d.ruleId} ${d.range.file.slice(run.dir.length + 1)}:${d.range.line}`);

describe('Rails with Puma and Sidekiq, RAILS_MAX_THREADS defaults (issue 14)', () => {
  let run: ProjectRun;
  let fits: ProjectRun;
  beforeAll(() => {
    run = runProject(copyProject('fixtures/projects/rails-puma-sidekiq'));
    fits = runProject(copyProject('fixtures/projects/rails-puma-sidekiq-fits'));
  });
  it('budget: 4 × 2 workers × min(pool 5, 5 threads) + 2 × Sidekiq 5 = 50 > 47', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [
        {
          name: 'db',
          maxConnections: 50,
          reserved: 3,
          available: 47,
          demand: 50,
          status: 'over',
          clients: [
            { name: 'web', kind: 'service', instances: 4, perInstance: 10, total: 40 },
            { name: 'worker', kind: 'service', instances: 2, perInstance: 5, total: 10 },
          ],
        },
      ],
      poolers: [],
    });
    const web = run.model.edges.find((e) => e.serviceId?.endsWith('#web'))!;
    expect(web.perInstance.source).toBe('workers 2 (WEB_CONCURRENCY in environment of compose service web) × pool 5 (RAILS_MAX_THREADS unset) (the pool bounds it: 5 threads)');
    expect(run.model.services.find((s) => s.name === 'worker')!.process).toMatchObject({ server: 'sidekiq', environment: { name: 'production' } });
  });
  it('reports pool-oversubscription on the production configuration with the arithmetic', () => {
    expect(findings(run)).toEqual(['idle-in-transaction-timeout compose.yaml:2', 'pool-oversubscription config/database.yml:15']);
    const d = run.diagnostics.find((x) => x.ruleId === 'pool-oversubscription')!;
    expect(d.message).toContain('web: 4 replicas × workers 2');
    expect(d.help).toContain('Lower the connections of each web process to 3 (floor((47 − 10 headroom − 10 other) / (4 instances × 2 processes)))');
  });
  it('the sized version stays silent', () => {
    expect(numbers(fits.budget)).toMatchObject({ servers: [{ demand: 30, status: 'ok' }] });
    expect(findings(fits)).toEqual([]);
  });
});

describe('Spring Boot in Kubernetes with an HPA through transaction-mode PgBouncer (issue 14)', () => {
  let run: ProjectRun;
  let fixed: ProjectRun;
  beforeAll(() => {
    run = runProject(copyProject('fixtures/projects/spring-k8s-pgbouncer'));
    fixed = runProject(copyProject('fixtures/projects/spring-k8s-pgbouncer-fixed'));
  });
  it('budget: (HPA 8 + maxSurge 1) × maximum-pool-size 15 (profile prod) = 135 clients of PgBouncer; 30 server connections', () => {
    expect(numbers(run.budget)).toEqual({
      servers: [{ name: 'postgres', maxConnections: 100, reserved: 3, available: 97, demand: 30, status: 'ok', clients: [{ name: 'pgbouncer', kind: 'pooler', instances: 1, perInstance: 30, total: 30 }] }],
      poolers: [{ name: 'pgbouncer', mode: 'transaction', instances: 1, maxClientConn: 200, clientDemand: 135, serverConnections: 30, status: 'ok' }],
    });
    const orders = run.budget.poolers[0]!.clients[0]!;
    expect(orders).toMatchObject({ name: 'orders', instances: 9, perInstance: 15, total: 135 });
    const edge = run.model.edges.find((e) => e.appPool)!;
    expect(edge.appPool!.environment!.name).toBe('prod');
    expect(edge.link).toContain('SPRING_DATASOURCE_URL');
  });
  it('reports PgJDBC prepared statements on the URL line, and only that', () => {
    expect(findings(run)).toEqual(['prepared-statements-transaction-mode k8s/orders.yaml:27']);
    expect(run.diagnostics.find((d) => d.ruleId === 'prepared-statements-transaction-mode')!.message).toContain('prepareThreshold defaults to 5');
  });
  it('prepareThreshold=0 stays silent', () => expect(findings(fixed)).toEqual([]));
});
