/**
 * The corpus pairings of ../shared/corpus/SOURCES.md, assembled into small projects as
 * they sit in their repositories, and every corpus file through the deployment model.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { CORPUS_ROOT, describeCorpus } from '../support/corpus.js';
import { runProject } from './support.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-corpus-'));
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(join(CORPUS_ROOT, from), join(dir, to));
  }
  return dir;
}

const RINHA = 'zanfranceschi__rinha-de-backend-2024-q1__participantes__';

describeCorpus('corpus pairings', () => {
  it('andersonef: the mounted postgresql.conf is never loaded, so 2 × 120 = 240 meets the default max_connections 100', () => {
    const run = runProject(
      project({
        'docker-compose.yml': `compose/${RINHA}andersonef__docker-compose.yml`,
        'postgresql.conf': `postgresql-conf/${RINHA}andersonef__postgresql.conf`,
      }),
    );
    expect(run.model.servers).toHaveLength(1);
    const s = run.budget.servers[0]!;
    expect(s).toMatchObject({ name: 'db', maxConnections: 100, reserved: 3, available: 97, demand: 240, status: 'over' });
    expect(s.clients.map((c) => [c.name, c.instances, c.perInstance, c.total])).toEqual([
      ['api01', 1, 120, 120],
      ['api02', 1, 120, 120],
    ]);
    expect(run.model.servers[0]!.notes?.join(' ')).toContain('never loaded');
    const d = run.diagnostics.filter((x) => x.ruleId === 'pool-oversubscription');
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toContain('240 >');
    // The clients connect as the image's superuser (DB_USER=postgres), which may use the 3 reserved slots too.
    expect(s.limit).toBe(100);
  });

  it('alcides-quarkus: 2 × 5 = 10 of max_connections 12 for the superuser is not over (only 2 spare: a warning)', () => {
    const run = runProject(project({ 'docker-compose.yml': `compose/${RINHA}alcides-quarkus__docker-compose.yml` }));
    const s = run.budget.servers[0]!;
    expect(s).toMatchObject({ maxConnections: 12, available: 9, limit: 12, demand: 10, status: 'warning' });
    const d = run.diagnostics.filter((x) => x.ruleId === 'pool-oversubscription');
    expect(d.map((x) => x.severity)).toEqual(['warning']);
  });

  it('alan_albuquerque: Npgsql Maximum Pool Size 2000 × 2 replicas against max_connections 1000', () => {
    const run = runProject(project({ 'docker-compose.yml': `compose/${RINHA}alan_albuquerque__docker-compose.yml` }));
    const s = run.budget.servers[0]!;
    expect(s).toMatchObject({ maxConnections: 1000, demand: 4000, status: 'over' });
  });

  it('bank-of-anthos: the HPA raises userservice to 50 pods, plus maxSurge 1', () => {
    const run = runProject(
      project({
        'hpa/userservice.yaml': 'k8s/GoogleCloudPlatform__bank-of-anthos__extras__postgres-hpa__hpa__userservice.yaml',
        'kubernetes-manifests/userservice.yaml': 'k8s/GoogleCloudPlatform__bank-of-anthos__extras__postgres-hpa__kubernetes-manifests__userservice.yaml',
      }),
    );
    const svc = run.model.services.find((s) => s.name === 'userservice')!;
    expect(svc.peakInstances.value).toBe(51);
    expect(svc.peakInstances.source).toBe('HPA userservice maxReplicas 50 + maxSurge 1 during a rolling update');
  });

  it('pedrohenriquea-pgbouncer: api → PgBouncer (mounted ini, pool 50) → postgres with config_file (550)', () => {
    const run = runProject(
      project({
        'docker-compose.yml': `compose/${RINHA}pedrohenriquea-pgbouncer__docker-compose.yml`,
        'pgbouncer.ini': `pgbouncer/${RINHA}pedrohenriquea-pgbouncer__pgbouncer.ini`,
        'postgresql.conf': `postgresql-conf/${RINHA}pedrohenriquea-pgbouncer__postgresql.conf`,
      }),
    );
    expect(run.budget.servers[0]).toMatchObject({ maxConnections: 550, available: 547 });
    expect(run.budget.poolers[0]).toMatchObject({ mode: 'transaction', maxClientConn: 500, server: 'db' });
  });

  it('CloudNativePG samples: a Cluster of 3 and an external Pooler of 3 × default_pool_size 10', () => {
    const run = runProject(
      project({
        'cluster.yaml': 'k8s/cloudnative-pg__cloudnative-pg__docs__src__samples__cluster-example-full.yaml',
        'pooler.yaml': 'k8s/cloudnative-pg__cloudnative-pg__docs__src__samples__pooler-external.yaml',
      }),
    );
    const p = run.budget.poolers[0]!;
    expect(p).toMatchObject({ mode: 'session', instances: 3, maxClientConn: 1000, maxClientConnTotal: 3000 });
  });

  it('every corpus file goes through the model without throwing', () => {
    const all: Record<string, string> = {};
    for (const kind of readdirSync(CORPUS_ROOT)) {
      if (kind.endsWith('.md')) continue;
      for (const f of readdirSync(join(CORPUS_ROOT, kind))) {
        // Each file alone, in a directory named after its kind.
        const rel = `${kind}/${f}`;
        all[rel] = rel;
        const run = runProject(project({ [f.replace(/^.*__/, '')]: rel }));
        expect(run.budget.version).toBe(1);
      }
    }
    const run = runProject(project(all));
    expect(run.budget.version).toBe(1);
  });
});
