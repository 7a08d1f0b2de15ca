import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';
import { holderText, liveUsage, percent, topHolders } from '../src/live/usage.js';

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-connection-usage',
    description: 'Report a running server whose client connections are near the limit non-superusers may use (pgconn-lint live).',
    type: 'problem',
    category: 'capacity',
    messages: {
      usage:
        '{{used}} of {{available}} connections in use ({{percent}}; {{formula}}): at {{available}} the server refuses every new non-superuser connection with "sorry, too many clients already".',
      full:
        '{{used}} connections in use, {{available}} available ({{formula}}): the server is refusing new non-superuser connections with "sorry, too many clients already".',
      help: 'Most held by: {{holders}}. Find which of them holds more than it should (live-over-model names them against the model), lower its pool or put a pooler in front{{hidden}}.',
    },
    options: {
      warnPercent: { type: 'number', description: 'Warn from this share of the available connections in use.', default: 80, minimum: 0 },
      errorPercent: { type: 'number', description: 'Report an error from this share of the available connections in use.', default: 95, minimum: 0 },
    },
  },
  check(ctx) {
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'postgresql') continue;
      const u = liveUsage(r.result);
      if (u.available === undefined || u.available <= 0) continue;
      const share = (u.used / u.available) * 100;
      const warn = Number(ctx.options.warnPercent);
      const error = Number(ctx.options.errorPercent);
      if (share < warn && share < error) continue;
      const holders = topHolders(r.result).map(holderText).join('; ');
      const hidden = u.hidden > 0 ? ` (${u.hidden} of these sessions are not visible to ${r.result.currentUser}: see live-limited-visibility)` : '';
      ctx.report({
        messageId: u.used >= u.available ? 'full' : 'usage',
        helpId: 'help',
        data: { used: u.used, available: u.available, percent: percent(u.used, u.available), formula: u.formula, holders: holders || 'no session visible', hidden },
        range: targetRange(r.target.display),
        severity: share >= error ? 'error' : 'warning',
        ...(r.match ? { related: [{ range: r.match.range, message: `this is ${r.match.kind} ${r.match.name} of the repository (${r.match.why})` }] } : {}),
      });
    }
  },
});
