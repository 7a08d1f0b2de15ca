import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-limited-visibility',
    description: 'Report a live check whose role cannot see other roles\' sessions, so what it reports is a lower bound (pgconn-lint live).',
    type: 'problem',
    category: 'correctness',
    messages: {
      hidden:
        'Role {{user}} is neither a superuser nor a member of pg_monitor (pg_read_all_stats): {{hidden}} {{sessions}} of other roles on {{target}} show no state, client address or duration, so sessions idle in a transaction or idle for long among them could not be seen — the live findings cover only what this role sees.',
      help: 'Run the check as a role with pg_monitor (GRANT pg_monitor TO {{user}}; it can read statistics, not data), or as a superuser.',
    },
    options: {},
  },
  check(ctx) {
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'postgresql' || r.result.seesAllSessions || r.result.hiddenSessions === 0) continue;
      const n = r.result.hiddenSessions;
      ctx.report({ messageId: 'hidden', helpId: 'help', data: { user: r.result.currentUser, hidden: n, sessions: n === 1 ? 'session' : 'sessions', target: r.target.display }, range: targetRange(r.target.display) });
    }
  },
});
