/**
 * `budget --live`: what each running target holds now, on the scale of the node it was matched
 * with (src/report/budget draws it under the modelled bar).
 */
import type { LiveBudgetEntry } from '../report/budget/index.js';
import type { JoinedReading } from './types.js';
import { APPLICATION_NAME } from './read.js';
import { liveUsage } from './usage.js';

export function liveBudgetEntries(joined: readonly JoinedReading[]): LiveBudgetEntry[] {
  return joined.map((r) => {
    const node = r.match ? { kind: r.match.kind, id: r.match.id } : undefined;
    const matchedBy = r.match ? r.match.why : r.noMatch;
    const base = { target: r.target.display, ...(matchedBy ? { matchedBy } : {}) };
    if (!r.result) return { ...(node ? { node } : {}), entry: { ...base, used: null, limit: null, limitSource: '', error: r.failure?.message ?? 'not read' } };
    if (r.result.kind === 'postgresql') {
      const u = liveUsage(r.result);
      const byClient: Record<string, number> = {};
      let unmatched = 0;
      for (const g of r.groups ?? []) {
        if (g.matchedBy === 'none') unmatched += g.count;
        // A group matched to several clients (they share a login) is shown under the first; its label names them all.
        else if (g.services[0] !== undefined) byClient[g.services[0]] = (byClient[g.services[0]] ?? 0) + g.count;
      }
      return { ...(node ? { node } : {}), entry: { ...base, used: u.used, limit: u.available ?? null, limitSource: u.formula, ...(r.groups ? { byClient, unmatched } : {}) } };
    }
    const clients = r.result.clients.filter((c) => c.application_name !== APPLICATION_NAME).length;
    const max = Number(r.result.config.max_client_conn);
    const n = (v: string | undefined) => (Number.isFinite(Number(v)) ? Number(v) : 0);
    const sv = r.result.pools.filter((p) => p.database !== 'pgbouncer').reduce((a, p) => a + n(p.sv_active) + n(p.sv_idle) + n(p.sv_used) + n(p.sv_tested) + n(p.sv_login), 0);
    return { ...(node ? { node } : {}), entry: { ...base, used: clients, limit: Number.isFinite(max) ? max : null, limitSource: `max_client_conn ${r.result.config.max_client_conn ?? '?'} (SHOW CONFIG)`, serverConnections: sv } };
  });
}
