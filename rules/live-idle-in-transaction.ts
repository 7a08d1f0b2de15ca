import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';
import { durationText, setting, timeoutText } from '../src/live/usage.js';

/** Sessions reported one by one per server; past this, one more finding counts the rest. */
const MAX_REPORTED = 20;

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-idle-in-transaction',
    description: 'Report sessions of a running server left idle inside a transaction longer than a threshold (pgconn-lint live).',
    type: 'problem',
    category: 'reliability',
    messages: {
      session:
        'pid {{pid}} ({{who}}) has been {{state}} for {{duration}} (threshold {{threshold}}): it holds its connection, its locks and its snapshot until the client ends the transaction.',
      more: '{{count}} more sessions have been idle in transaction for more than {{threshold}} (pids {{pids}}).',
      help:
        'Find where {{app}} leaves a transaction open (an error between BEGIN and COMMIT, a client not released: the release-in-finally rule looks for that in code) and set idle_in_transaction_session_timeout (now {{timeout}}) so the server ends such sessions. To end this one now, a human may run: SELECT pg_terminate_backend({{pid}});{{query}}',
      helpMore: 'Run with a lower --rule live-idle-in-transaction threshold or look at pg_stat_activity for the rest; set idle_in_transaction_session_timeout (now {{timeout}}).',
    },
    options: {
      thresholdSeconds: { type: 'number', description: 'Report sessions idle in a transaction for longer than this many seconds.', default: 60, minimum: 0 },
    },
  },
  check(ctx) {
    const threshold = Number(ctx.options.thresholdSeconds);
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'postgresql') continue;
      const t = setting(r.result, 'idle_in_transaction_session_timeout');
      const timeout = timeoutText(t);
      const idle = r.result.sessions
        .filter((s) => (s.state === 'idle in transaction' || s.state === 'idle in transaction (aborted)') && (s.stateSeconds ?? 0) > threshold)
        .sort((a, b) => (b.stateSeconds ?? 0) - (a.stateSeconds ?? 0) || a.pid - b.pid);
      const range = targetRange(r.target.display);
      for (const s of idle.slice(0, MAX_REPORTED)) {
        const who = `user ${s.user ?? '?'}, application ${s.applicationName || '(none)'}, client ${s.clientAddr ?? 'local socket'}, database ${s.database ?? '?'}`;
        ctx.report({
          messageId: 'session',
          helpId: 'help',
          data: {
            pid: s.pid,
            who,
            state: s.state!,
            duration: durationText(s.stateSeconds ?? 0),
            threshold: durationText(threshold),
            app: s.applicationName ? `application ${s.applicationName}` : `the client of user ${s.user ?? '?'}`,
            timeout,
            query: s.query !== undefined ? ` Its last query (literals masked): ${s.query}` : '',
          },
          range,
        });
      }
      if (idle.length > MAX_REPORTED) {
        const rest = idle.slice(MAX_REPORTED);
        ctx.report({ messageId: 'more', helpId: 'helpMore', data: { count: rest.length, threshold: durationText(threshold), pids: rest.slice(0, 50).map((s) => s.pid).join(', ') + (rest.length > 50 ? ', …' : ''), timeout }, range });
      }
    }
  },
});
