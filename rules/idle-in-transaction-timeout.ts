import { defineRule } from '../src/engine/rule.js';
import { rangeOnLine } from '../src/core/location.js';
import { isServerConfig, resolvePgSetting } from '../src/model/settings.js';
import { idleTimeoutCoverage, serverForConfig } from '../src/model/deployment/paths.js';

export default defineRule({
  meta: {
    id: 'idle-in-transaction-timeout',
    description: 'Report a server config that leaves idle_in_transaction_session_timeout at 0, so a leaked transaction holds its connection forever.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    messages: {
      disabled:
        'idle_in_transaction_session_timeout = {{value}} disables the timeout: a client that opens a transaction and never ends it (an exception between BEGIN and COMMIT, a leaked pool client) holds its connection, its locks and old row versions forever.',
      unset:
        'This server config never sets idle_in_transaction_session_timeout, so it stays at its default 0 (disabled): a client that opens a transaction and never ends it holds its connection, its locks and old row versions forever.',
      help: "Set idle_in_transaction_session_timeout = '{{suggested}}' (sessions idle inside a transaction longer than that are terminated; no restart needed).",
    },
    options: {
      suggested: { type: 'string', description: 'The value suggested in the help line.', default: '5min' },
    },
  },
  check(ctx) {
    for (const cfg of ctx.facts.postgresql) {
      if (!isServerConfig(cfg)) continue;
      const r = resolvePgSetting(cfg, 'idle_in_transaction_session_timeout', ctx.settings.database.version);
      if (r.value !== 0) continue;
      // Path-aware: silent when something on every way into this server ends idle transactions — a
      // `-c` argument of the container that loads the file, the pooler in between (PgBouncer
      // idle_transaction_timeout), or the clients' own startup parameter.
      const model = ctx.model.deployment;
      const server = serverForConfig(model, cfg);
      if (server && idleTimeoutCoverage(model, server)?.covered) continue;
      const data = { value: r.entry?.rawValue ?? '0', suggested: String(ctx.options.suggested) };
      if (r.entry) ctx.report({ messageId: 'disabled', helpId: 'help', data, range: r.entry.valueRange });
      else ctx.report({ messageId: 'unset', helpId: 'help', data, range: rangeOnLine(cfg.mainFile, 1, 1, 0) });
    }
  },
});
