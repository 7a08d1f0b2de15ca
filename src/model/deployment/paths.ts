import type { SourceRange } from '../../core/location.js';
import { parsePgInt } from '../../catalog/postgresql/values.js';
import type { PgConfig } from '../../sources/postgresql-conf/types.js';
import type { ClientEdge, DeploymentModel, ServerNode } from './types.js';

/** Where an idle-in-transaction timeout is set on the way to a server, for messages and silences. */
export interface IdleTimeoutOnPath {
  where: string;
  range?: SourceRange;
}

/** A client edge's own `idle_in_transaction_session_timeout`: a startup parameter of the pool, or `options=-c …` in its URL. */
function clientTimeout(e: ClientEdge): IdleTimeoutOnPath | undefined {
  const sp = e.pool?.startupParameters.find((p) => p.name === 'idle_in_transaction_session_timeout');
  if (sp && positive(sp.value.value)) return { where: `${e.poolId} sends idle_in_transaction_session_timeout at startup`, range: sp.range };
  const opt = e.parsed?.startupOptions.find((o) => o.name === 'idle_in_transaction_session_timeout');
  if (opt && positive(opt.value)) return { where: `${e.envVar ?? 'the connection string'} sets -c idle_in_transaction_session_timeout=${opt.value}`, ...(e.url?.range ? { range: e.url.range } : {}) };
  // Connection parameters in the pool's options text (`options: '-c idle_in_transaction_session_timeout=…'`).
  const o = e.pool?.startupParameters.find((p) => p.name === 'options');
  const text = typeof o?.value.value === 'string' ? o.value.value : undefined;
  const m = text ? /-c\s*idle_in_transaction_session_timeout=(\S+)/.exec(text) : null;
  if (m && positive(m[1])) return { where: `${e.poolId} sends -c idle_in_transaction_session_timeout=${m[1]}`, range: o!.range };
  return undefined;
}

/** A non-zero timeout value: a number of ms, or a PostgreSQL time with a unit. */
function positive(v: unknown): boolean {
  if (typeof v === 'number') return v > 0;
  if (typeof v !== 'string') return false;
  const r = parsePgInt(v.trim(), 'ms');
  return r.ok && r.value > 0;
}

/**
 * Whether every known way into the server ends an idle transaction: the server's own setting
 * (conf, `-c` arguments, CloudNativePG parameters, config file), or on each path of its clients:
 * PgBouncer `idle_transaction_timeout` of the pooler in between, or the client's startup parameter.
 * Undefined when the server has no known client (nothing to judge beyond the server's own setting).
 */
export function idleTimeoutCoverage(model: DeploymentModel, server: ServerNode): { covered: boolean; by: IdleTimeoutOnPath[] } | undefined {
  const own = server.idleInTransactionTimeoutMs;
  if (own?.value !== undefined && own.value > 0) return { covered: true, by: [{ where: own.source, ...(own.range ? { range: own.range } : {}) }] };
  const budget = model.serverBudgets.find((b) => b.serverId === server.id);
  if (!budget || budget.clients.length === 0) return undefined;
  const by: IdleTimeoutOnPath[] = [];
  for (const c of budget.clients) {
    if (c.poolerId) {
      const pl = model.poolers.find((p) => p.id === c.poolerId);
      const t = pl?.idleTransactionTimeoutMs;
      if (t?.value !== undefined && t.value > 0) {
        by.push({ where: `${pl!.name}: ${t.source}`, ...(t.range ? { range: t.range } : {}) });
        continue;
      }
      // Every client of the pooler may set it for itself.
      const clients = model.edges.filter((e) => e.target?.kind === 'pooler' && e.target.id === c.poolerId);
      const each = clients.map(clientTimeout);
      if (clients.length > 0 && each.every((x) => x !== undefined)) {
        by.push(...(each as IdleTimeoutOnPath[]));
        continue;
      }
      return { covered: false, by };
    }
    const t = c.edge ? clientTimeout(c.edge) : undefined;
    if (!t) return { covered: false, by };
    by.push(t);
  }
  return { covered: true, by };
}
