import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';
import { durationText, setting, timeoutText } from '../src/live/usage.js';
import type { LiveSession } from '../src/live/types.js';

/** Pids listed in the statement a human may run. */
const MAX_PIDS = 50;

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-idle-connections',
    description: 'Report applications whose connections to a running server sit idle for long, a sign of an oversized pool or leaked clients (pgconn-lint live).',
    type: 'suggestion',
    category: 'capacity',
    messages: {
      idle:
        '{{count}} {{connections}} of {{app}} {{have}} been idle for more than {{threshold}} (longest {{longest}}): each holds a server slot and its memory while doing nothing, the mark of a pool larger than its load or of clients that are never released.',
      help:
        "Let the pool close idle connections (node-postgres idleTimeoutMillis, 10 s by default; other pools: their idle timeout and minimum idle size), or set idle_session_timeout (PostgreSQL 14+, now {{sessionTimeout}}) on the server. A human may end these now with: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN ({{pids}}) AND state = 'idle';",
    },
    options: {
      thresholdMinutes: { type: 'number', description: 'Report connections idle for longer than this many minutes.', default: 10, minimum: 0 },
    },
  },
  check(ctx) {
    const threshold = Number(ctx.options.thresholdMinutes) * 60;
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'postgresql') continue;
      const st = setting(r.result, 'idle_session_timeout');
      const sessionTimeout = st === undefined ? 'not available' : timeoutText(st);
      const byApp = new Map<string, LiveSession[]>();
      for (const s of r.result.sessions) {
        if (s.state !== 'idle' || (s.stateSeconds ?? 0) <= threshold) continue;
        const key = s.applicationName ? `application ${s.applicationName}` : `user ${s.user ?? '?'} (no application_name)`;
        byApp.set(key, [...(byApp.get(key) ?? []), s]);
      }
      const groups = [...byApp.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
      for (const [app, list] of groups) {
        const pids = list.map((s) => s.pid).sort((a, b) => a - b);
        ctx.report({
          messageId: 'idle',
          helpId: 'help',
          data: {
            count: list.length,
            connections: list.length === 1 ? 'connection' : 'connections',
            have: list.length === 1 ? 'has' : 'have',
            app,
            threshold: durationText(threshold),
            longest: durationText(Math.max(...list.map((s) => s.stateSeconds ?? 0))),
            sessionTimeout,
            pids: pids.slice(0, MAX_PIDS).join(', ') + (pids.length > MAX_PIDS ? ` /* and ${pids.length - MAX_PIDS} more */` : ''),
          },
          range: targetRange(r.target.display),
        });
      }
    }
  },
});
