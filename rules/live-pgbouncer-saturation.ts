import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';

const num = (v: string | undefined): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-pgbouncer-saturation',
    description: 'Report PgBouncer pools whose clients wait for a server connection, or whose server connections are near max_db_connections or max_user_connections (pgconn-lint live).',
    type: 'problem',
    category: 'capacity',
    messages: {
      waiting:
        'Pool {{pool}} of {{target}}: {{waiting}} {{clients}} waiting for a server connection (longest wait {{maxwait}}), {{active}} of its server connections busy (pool_size {{poolSize}}): the pool is too small for its clients, or its server connections are held too long.',
      nearDb:
        'Database {{database}} of {{target}} holds {{current}} server connections of max_db_connections {{max}}: new server connections for it wait once it reaches {{max}}.',
      nearUser:
        'User {{user}} of {{target}} holds {{current}} server connections of max_user_connections {{max}}: new server connections for it wait once it reaches {{max}}.',
      help: 'Raise default_pool_size (or pool_size of this database) if the server has room (pgconn-lint budget shows it), or find the clients that hold server connections long (a transaction left open, a session-mode pool with idle clients).',
      helpLimit: 'Raise the limit if the server has room (pgconn-lint budget shows it), or lower the pool sizes that add up to it.',
    },
    options: {
      maxWaitSeconds: { type: 'number', description: 'Report a pool whose oldest waiting client has waited longer than this (SHOW POOLS maxwait), even when none waits right now.', default: 1, minimum: 0 },
      nearLimitPercent: { type: 'number', description: 'Report server connections from this share of max_db_connections / max_user_connections.', default: 90, minimum: 0 },
    },
  },
  check(ctx) {
    const maxWait = Number(ctx.options.maxWaitSeconds);
    const near = Number(ctx.options.nearLimitPercent) / 100;
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'pgbouncer') continue;
      const target = r.target.display;
      const at = targetRange(target);
      const dbs = new Map(r.result.databases.map((d) => [d.name ?? '', d]));
      for (const p of r.result.pools) {
        if (p.database === 'pgbouncer') continue;
        const waiting = num(p.cl_waiting);
        // maxwait is whole seconds, maxwait_us the microseconds on top (PgBouncer 1.8+).
        const wait = num(p.maxwait) + num(p.maxwait_us) / 1e6;
        if (waiting === 0 && wait <= maxWait) continue;
        const db = dbs.get(p.database ?? '');
        const active = num(p.sv_active);
        ctx.report({
          messageId: 'waiting',
          helpId: 'help',
          data: {
            pool: `${p.database}/${p.user}`,
            target,
            waiting,
            clients: waiting === 1 ? 'client is' : 'clients are',
            maxwait: `${wait.toFixed(wait < 10 ? 1 : 0)} s`,
            active,
            poolSize: db?.pool_size ?? r.result.config.default_pool_size ?? '?',
          },
          range: at,
        });
      }
      for (const d of r.result.databases) {
        const max = num(d.max_connections);
        const current = num(d.current_connections);
        if (d.name === 'pgbouncer' || max <= 0 || current < Math.ceil(max * near)) continue;
        ctx.report({ messageId: 'nearDb', helpId: 'helpLimit', data: { database: d.name ?? '?', target, current, max }, range: at });
      }
      const maxUser = num(r.result.config.max_user_connections);
      if (maxUser > 0) {
        const byUser = new Map<string, number>();
        for (const p of r.result.pools) {
          if (p.database === 'pgbouncer') continue;
          const sv = num(p.sv_active) + num(p.sv_idle) + num(p.sv_used) + num(p.sv_tested) + num(p.sv_login);
          byUser.set(p.user ?? '', (byUser.get(p.user ?? '') ?? 0) + sv);
        }
        for (const [user, current] of byUser) {
          if (current >= Math.ceil(maxUser * near)) ctx.report({ messageId: 'nearUser', helpId: 'helpLimit', data: { user, target, current, max: maxUser }, range: at });
        }
      }
    }
  },
});
