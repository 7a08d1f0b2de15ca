import type { RelatedLocation } from '../src/core/diagnostic.js';
import { defineRule } from '../src/engine/rule.js';
import type { AppPool } from '../src/sources/app/types.js';

/**
 * What a thread that finds the pool empty meets, per library:
 * - ActiveRecord: ConnectionPool#acquire_connection raises ActiveRecord::ConnectionTimeoutError after
 *   checkout_timeout (5 s by default; activerecord/lib/active_record/connection_adapters/abstract/connection_pool.rb);
 * - SQLAlchemy QueuePool: sqlalchemy.exc.TimeoutError ("QueuePool limit of size … overflow … reached")
 *   after pool_timeout (30 s by default; sqlalchemy/pool/impl.py);
 * - psycopg_pool: PoolTimeout after `timeout` (30 s by default).
 */
function waitError(app: AppPool): string {
  const t = app.acquireTimeoutMs?.value;
  const after = t !== undefined ? ` after ${t % 1000 === 0 ? `${t / 1000} s` : `${t} ms`}${app.acquireTimeoutMs?.provenance.kind === 'default' ? ' (the default)' : ''}` : '';
  switch (app.library) {
    case 'activerecord':
      return `ActiveRecord::ConnectionTimeoutError ("could not obtain a connection from the pool")${after}`;
    case 'sqlalchemy':
      return `sqlalchemy.exc.TimeoutError ("QueuePool limit … reached")${after}`;
    case 'psycopg-pool':
      return `psycopg_pool.PoolTimeout${after}`;
    default:
      return `a pool timeout${after}`;
  }
}

function sizeHelp(app: AppPool, threads: number): string {
  switch (app.library) {
    case 'activerecord':
      return `pool: ${threads} in ${app.construct} (Rails' templates size both from RAILS_MAX_THREADS: pool: <%= ENV.fetch("RAILS_MAX_THREADS") { ${threads} } %>)`;
    case 'sqlalchemy':
      return `pool_size + max_overflow ≥ ${threads}`;
    default:
      return `a pool of at least ${threads}`;
  }
}

export default defineRule({
  meta: {
    id: 'pool-smaller-than-concurrency',
    description: 'Give each process a pool at least as large as the threads that use it at once (Puma and Sidekiq threads, gunicorn threads, Celery threads).',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['rails', 'compose', 'kubernetes'],
    scope: 'project',
    fixable: false,
    nonProduction: {
      action: 'skip',
      reason: 'A test or script runs a handful of jobs at a time; the harm, threads waiting for a connection under production concurrency, is production\'s.',
    },
    since: '0.2.0',
    messages: {
      tooSmall:
        '{{service}} runs {{threads}} threads per process ({{threadsSource}}), but {{construct}} holds at most {{peak}} connections ({{peakSource}}): under load {{waiting}} of them wait for a connection and fail with {{error}}.',
      help: 'Give the pool as many connections as the process has threads ({{size}}), or lower the threads to {{peak}}.',
    },
    options: {},
  },
  check(ctx) {
    const model = ctx.model.deployment;
    const seen = new Set<string>();
    for (const e of model.edges) {
      const app = e.appPool;
      const pp = e.perProcess;
      if (!app || !pp || pp.bound !== 'pool' || app.peak.unbounded !== undefined) continue;
      const threads = pp.threads;
      const peak = pp.peak;
      if (threads?.value === undefined || peak.value === undefined || peak.value >= threads.value) continue;
      const svc = model.services.find((s) => s.id === e.serviceId);
      if (!svc || svc.notCounted !== undefined) continue;
      const key = `${app.id}|${svc.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const range = peak.range ?? app.peak.terms[0]?.value.range ?? app.range;
      const related: RelatedLocation[] = [];
      if (threads.range) related.push({ range: threads.range, message: `${svc.name}: ${threads.source}` });
      if (range !== app.range) related.push({ range: app.range, message: app.construct });
      ctx.report({
        messageId: 'tooSmall',
        helpId: 'help',
        data: {
          service: svc.name,
          threads: threads.value,
          threadsSource: threads.source,
          construct: app.construct,
          peak: peak.value,
          peakSource: peak.source,
          waiting: threads.value - peak.value,
          error: waitError(app),
          size: sizeHelp(app, threads.value),
        },
        range,
        related,
      });
    }
  },
});
