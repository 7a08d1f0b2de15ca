import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange } from '../src/core/location.js';
import { matchedByText } from '../src/live/join.js';

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-over-model',
    description: 'Report an application holding more connections to a running server than the repository\'s model allows it, and sessions the model knows nothing about (pgconn-lint live).',
    type: 'problem',
    category: 'capacity',
    messages: {
      over:
        '{{label}} holds {{count}} connections on {{server}}, its sessions matched by {{how}}; the model allows {{peakSource}} = {{peak}}: more instances run than the manifests say, or connections leak.',
      unmatched:
        '{{count}} {{sessions}} on {{server}} {{match}} no client of the model ({{list}}): the model does not know who opens them, so its budget for this server is short by at least {{count}}.',
      help: 'Compare the running instances of {{label}} with the model (pgconn-lint budget lists them), and look for connections that are never released (live-idle-in-transaction, live-idle-connections, release-in-finally).',
      helpUnmatched:
        'Give each application its own application_name (pool option or URL parameter) so the sessions can be told apart, and declare the clients the repository does not show in the pgconn-lint config (deployment.services).',
    },
    options: {},
  },
  check(ctx) {
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind !== 'postgresql' || r.match?.kind !== 'server' || !r.groups) continue;
      const server = `server ${r.match.name} (${r.match.why})`;
      const at = targetRange(r.target.display);
      for (const g of r.groups) {
        if (g.matchedBy === 'none' || g.modelPeak === undefined || g.count <= g.modelPeak) continue;
        const how = matchedByText(g);
        ctx.report({
          messageId: 'over',
          helpId: 'help',
          data: { label: g.label, count: g.count, server, how, peakSource: g.modelPeakSource, peak: g.modelPeak },
          range: at,
          related: g.related,
        });
      }
      const none = r.groups.filter((g) => g.matchedBy === 'none');
      const count = none.reduce((a, g) => a + g.count, 0);
      if (count === 0) continue;
      ctx.report({
        messageId: 'unmatched',
        helpId: 'helpUnmatched',
        data: { count, sessions: count === 1 ? 'session' : 'sessions', match: count === 1 ? 'matches' : 'match', server, list: none.map((g) => `${g.count} × ${g.label}`).join('; ') },
        range: at,
        related: [{ range: r.match.range, message: `server ${r.match.name} in the repository` }],
      });
    }
  },
});
