/**
 * The lines `pgconn-lint live` writes on stderr beside the findings: what each target is and how
 * it was matched with the model, how its sessions were matched, and why a target could not be
 * read. Plain text; the CLI redacts and escapes it.
 */
import type { JoinedReading, LiveReading } from './types.js';
import { liveUsage } from './usage.js';
import { matchedByText } from './join.js';

/** One paragraph per target that was read: what it is, which model node, how its sessions matched. */
export function readingNotes(joined: readonly JoinedReading[]): string[] {
  const out: string[] = [];
  for (const r of joined) {
    if (!r.result) continue;
    const head = `${r.target.display} (${r.target.origin})`;
    if (r.result.kind === 'postgresql') {
      const u = liveUsage(r.result);
      const seen = r.result.seesAllSessions ? '' : `, ${u.hidden} of them not visible to ${r.result.currentUser}`;
      out.push(`${head}: PostgreSQL ${r.result.version}, ${u.used} client connection${u.used === 1 ? '' : 's'} besides this check's${seen}; ${u.available ?? '?'} available (${u.formula})`);
    } else {
      const clients = r.result.clients.filter((c) => c.application_name !== 'pgconn-lint').length;
      out.push(`${head}: ${r.result.version}, ${r.result.pools.filter((p) => p.database !== 'pgbouncer').length} pools, ${clients} clients besides this check`);
    }
    if (r.match) out.push(`  is ${r.match.kind} ${r.match.name} of the repository: ${r.match.why}`);
    else out.push(`  matches no ${r.result.kind === 'postgresql' ? 'server' : 'PgBouncer'} of the repository (${r.noMatch ?? 'no model'}): the drift and model checks are skipped`);
    for (const g of r.groups ?? []) {
      if (g.matchedBy === 'none') {
        out.push(`  ${g.count} × ${g.label}: matches no client of the model`);
        continue;
      }
      const peak = g.modelPeak !== undefined ? `model allows ${g.modelPeak} (${g.modelPeakSource})` : `model peak unknown (${g.unknownReason ?? g.modelPeakSource})`;
      out.push(`  ${g.count} × ${g.label}: matched by ${matchedByText(g)}; ${peak}`);
    }
  }
  return out;
}

/** Why a target could not be read, and (for "too many clients") the ways in. */
export function failureText(r: LiveReading): string {
  const f = r.failure;
  if (!f) return '';
  const head = `${r.target.display} (${r.target.origin})`;
  if (f.kind !== 'too-many-clients') return `${head}: ${f.message}`;
  return [
    `${head}: the server refused the connection: ${f.message} (SQLSTATE 53300).`,
    'Every connection slot this role may use is taken, so this check cannot look inside either. Ways in:',
    '  - as a superuser: superuser_reserved_connections keeps slots for superusers (3 by default), e.g. --url postgresql://postgres@…;',
    '  - on PostgreSQL 16+, as a role granted pg_use_reserved_connections, which may use the reserved_connections slots;',
    "  - through PgBouncer's admin console, which needs no server connection: --url postgresql://<admin user>@<pgbouncer host>:6432/pgbouncer shows who waits on which pool;",
    '  - then as a role with pg_monitor, to see every session (pg_stat_activity) once a slot is free.',
    'The model of the repository (pgconn-lint budget) shows which services may hold how many connections.',
  ].join('\n');
}
