import { defineRule } from '../src/engine/rule.js';
import { LineIndex, rangeOnLine } from '../src/core/location.js';
import type { TextEdit } from '../src/core/diagnostic.js';
import { isServerConfig, settingWhere } from '../src/model/parameters.js';
import { idleTimeoutCoverage } from '../src/model/deployment/paths.js';

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
    fixable: true,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test or CI server lives for one run: a transaction left open dies with it, and no production connection is held.',
    },
    messages: {
      disabled:
        'idle_in_transaction_session_timeout = {{value}} disables the timeout: a client that opens a transaction and never ends it (an exception between BEGIN and COMMIT, a leaked pool client) holds its connection, its locks and old row versions forever.',
      unset:
        'This server config never sets idle_in_transaction_session_timeout, so it stays at its default 0 (disabled): a client that opens a transaction and never ends it holds its connection, its locks and old row versions forever.',
      unsetServer:
        'Server {{name}} is configured here ({{how}}) but never sets idle_in_transaction_session_timeout, so it stays at its default 0 (disabled): a client that opens a transaction and never ends it holds its connection, its locks and old row versions forever.',
      helpArg: 'Add idle_in_transaction_session_timeout={{suggested}} where the other settings are given ({{how}}); sessions idle inside a transaction longer than that are terminated.',
      help: "Set idle_in_transaction_session_timeout = '{{suggested}}' (sessions idle inside a transaction longer than that are terminated; no restart needed).",
    },
    options: {
      suggested: { type: 'string', description: 'The value suggested in the help line.', default: '5min' },
    },
  },
  check(ctx) {
    // Servers whose settings are written in the repository: a whole configuration file, or a
    // container / operator cluster whose max_connections is set with a `-c` flag, image env or
    // parameters (sized for its clients). A container with neither is a default install, and one
    // tuned only for tests (`-c fsync=off`) is not a server anyone runs clients against.
    for (const params of ctx.model.parameters.servers) {
      const cfg = params.conf;
      const tuned = params.serverId !== undefined && params.overrides.some((o) => o.key === 'max_connections');
      if (!(cfg && isServerConfig(cfg)) && !tuned) continue;
      const r = params.get('idle_in_transaction_session_timeout');
      if (r.value !== 0) continue;
      // Path-aware: silent when something on every way into this server ends idle transactions — a
      // `-c` argument of the container that loads the file, the pooler in between (PgBouncer
      // idle_transaction_timeout), or the clients' own startup parameter.
      const model = ctx.model.deployment;
      const server = model.servers.find((s) => s.id === params.serverId);
      if (server && idleTimeoutCoverage(model, server)?.covered) continue;
      const data = { value: r.entry?.rawValue ?? '0', suggested: String(ctx.options.suggested) };
      const value = `'${String(ctx.options.suggested).replace(/'/g, '')}'`;
      if (r.entry) {
        // A conf line: its value becomes the suggested timeout (a -c flag or image env is left to the user).
        const fix = r.entry.origin === 'conf' ? [{ range: r.entry.valueRange, text: value }] : undefined;
        ctx.report({ messageId: 'disabled', helpId: 'help', data, range: r.entry.valueRange, ...(fix ? { fix } : {}) });
      } else if (cfg && isServerConfig(cfg)) {
        const fix = appendSetting(ctx.facts.sources.get(cfg.mainFile)?.text, cfg.mainFile, `idle_in_transaction_session_timeout = ${value}`);
        ctx.report({ messageId: 'unset', helpId: 'help', data, range: rangeOnLine(cfg.mainFile, 1, 1, 0), ...(fix ? { fix } : {}) });
      }
      else {
        const how = [...new Set(params.overrides.map((o) => settingWhere(o)))].join(', ');
        ctx.report({ messageId: 'unsetServer', helpId: 'helpArg', data: { ...data, name: params.name, how }, range: params.range, related: params.overrides.slice(0, 1).map((o) => ({ range: o.range, message: `${o.name} is set here` })) });
      }
    }
  },
});

/** The setting appended at the end of the file, with a comment saying why, in the file's own line ends. */
function appendSetting(text: string | undefined, file: string, line: string): TextEdit[] | undefined {
  if (text === undefined) return undefined;
  const index = new LineIndex(text);
  const last = index.lineCount;
  const end = { file, line: last, column: index.lineText(last).length + 1, endLine: last, endColumn: index.lineText(last).length + 1 };
  const eol = index.eol;
  const lead = text === '' || /[\r\n]$/.test(text) ? '' : eol;
  // A last line without a line end: the insertion goes after it.
  return [{ range: end, text: `${lead}# End sessions left idle inside a transaction (pgconn-lint: idle-in-transaction-timeout).${eol}${line}${eol}` }];
}
