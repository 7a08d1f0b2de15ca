import type { RelatedLocation } from '../src/core/diagnostic.js';
import type { SourceRange } from '../src/core/location.js';
import { defineRule } from '../src/engine/rule.js';
import { closedConnectionError, idleRetention, retentionFix } from '../src/sources/app/idle-retention.js';
import type { AppPool } from '../src/sources/app/types.js';
import type { ClientEdge, DeploymentModel } from '../src/model/deployment/types.js';
import type { ParameterModel } from '../src/model/parameters.js';

/** The idle limit a client meets on the node its pool connects to, when the files set one (> 0). */
interface IdleLimit {
  seconds: number;
  /** "idle_session_timeout = 60s on postgres (compose command -c)", for the message. */
  describe: string;
  /** What the client receives when the limit ends its session. */
  effect: string;
  range: SourceRange;
  name: string;
}

function secondsText(s: number): string {
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/**
 * The server's `idle_session_timeout` (PostgreSQL 14+: "Terminate any session that has been idle …
 * for longer than the specified amount of time", runtime-config-client; FATAL 57P05
 * idle_session_timeout, errcodes.txt), or PgBouncer's `client_idle_timeout` ("Client connections
 * idling longer than this many seconds are closed", default 0; PgBouncer config.md). PgBouncer's
 * server_idle_timeout and server_lifetime end server connections PgBouncer holds, never a client's:
 * through a PgBouncer only its client_idle_timeout reaches the application, and the server's
 * idle_session_timeout ends PgBouncer's own connections, which it replaces.
 */
function idleLimit(edge: ClientEdge, model: DeploymentModel, params: ParameterModel): IdleLimit | undefined {
  const t = edge.target;
  if (!t) return undefined;
  if (t.kind === 'server') {
    const server = model.servers.find((s) => s.id === t.id);
    const p = server?.params;
    if (!server || !p) return undefined;
    const r = p.get('idle_session_timeout');
    if (!r.entry || r.entry.unresolved || typeof r.value !== 'number' || r.value <= 0) return undefined;
    return {
      seconds: r.value / 1000,
      describe: `idle_session_timeout = ${r.entry.rawValue} on ${server.name} (${r.entry.source})`,
      effect: 'the server ends the session with FATAL 57P05 "terminating connection due to idle-session timeout"',
      range: r.entry.range,
      name: server.name,
    };
  }
  const pooler = model.poolers.find((p) => p.id === t.id);
  if (!pooler || pooler.kind !== 'pgbouncer' || !pooler.config) return undefined;
  const pp = params.poolers.find((p) => p.config === pooler.config);
  if (!pp) return undefined;
  const r = pp.get('client_idle_timeout');
  if (!r.entry || typeof r.value !== 'number' || r.value <= 0) return undefined;
  return {
    seconds: r.value,
    describe: `client_idle_timeout = ${r.entry.value} on ${pooler.name}`,
    effect: 'PgBouncer closes the client connection ("client_idle_timeout")',
    range: r.entry.range,
    name: pooler.name,
  };
}

/** The client sets its own idle_session_timeout in its startup options (`options=-c idle_session_timeout=0`): that session's value, not the server's. */
function setsOwnTimeout(app: AppPool): boolean {
  const texts = [app.connectionString?.value, ...app.options.map((o) => (typeof o.value.value === 'string' ? o.value.value : undefined))];
  return texts.some((s) => typeof s === 'string' && /idle_session_timeout/i.test(s)) || app.options.some((o) => /idle_session_timeout/i.test(o.name));
}

export default defineRule({
  meta: {
    id: 'pool-idle-exceeds-server-timeout',
    description: 'Report a pool that keeps idle connections longer than its server (idle_session_timeout) or PgBouncer (client_idle_timeout) keeps them open, without checking them before use.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['python', 'postgresql-conf', 'pgbouncer-ini', 'compose', 'kubernetes'],
    scope: 'project',
    fixable: false,
    since: '0.2.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test or script runs for minutes against a throwaway server: its connections are not left idle for the server to close.',
    },
    messages: {
      exceeds:
        '{{construct}} keeps idle connections {{retention}} ({{describe}}), but {{limit}} ends them after {{timeout}}: the first query on a connection left idle that long fails with {{error}}.',
      help: 'Check connections before use: {{fix}}.',
    },
    options: {},
  },
  check(ctx) {
    const model = ctx.model.deployment;
    const seen = new Set<string>();
    for (const e of model.edges) {
      const app = e.appPool;
      if (!app || !e.target) continue;
      const svc = e.serviceId ? model.services.find((s) => s.id === e.serviceId) : undefined;
      if (svc?.notCounted !== undefined) continue;
      const limit = idleLimit(e, model, ctx.model.parameters);
      if (!limit || setsOwnTimeout(app)) continue;
      const kept = idleRetention(app);
      if (kept.kind !== 'keeps') continue;
      if (kept.seconds !== undefined && kept.seconds <= limit.seconds) continue;
      const key = `${app.id}|${limit.range.file}:${limit.range.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const range = kept.range ?? app.range;
      const related: RelatedLocation[] = [{ range: limit.range, message: `${limit.describe}: ${limit.effect}` }];
      if (range !== app.range) related.push({ range: app.range, message: app.construct });
      ctx.report({
        messageId: 'exceeds',
        helpId: 'help',
        data: {
          construct: `${app.construct}${svc ? ` (${svc.name})` : ''}`,
          retention: kept.seconds === undefined ? 'with no limit' : `up to ${secondsText(kept.seconds)}`,
          describe: kept.describe,
          limit: limit.describe,
          timeout: secondsText(limit.seconds),
          error: closedConnectionError(app),
          fix: retentionFix(app, limit.seconds),
        },
        range,
        related,
      });
    }
  },
});
