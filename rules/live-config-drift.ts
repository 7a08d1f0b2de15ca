import { LIVE_RULE_META } from '../src/live/rule-meta.js';
import { defineRule } from '../src/engine/rule.js';
import { targetRange, type SourceRange } from '../src/core/location.js';
import { parsePgbouncerVersion } from '../src/catalog/pgbouncer/catalog.js';
import { liveValueText, sameValue, samePgbouncerValue, valueText } from '../src/live/values.js';
import type { JoinedReading } from '../src/live/types.js';
import type { RuleContext } from '../src/engine/rule.js';

/** Settings compared even when the repository leaves them at their default: the model's budget and the settings rules rest on them. */
const CORE_PG = new Set(['max_connections', 'superuser_reserved_connections', 'reserved_connections', 'shared_buffers', 'idle_in_transaction_session_timeout', 'idle_session_timeout']);
/** Sessions may change these (pg_settings.source 'client', 'user', 'database', 'session'…), and the check sets statement_timeout itself: the server-wide value is not what pg_settings shows. */
const SERVER_WIDE_SOURCES = new Set(['default', 'configuration file', 'command line', 'environment variable']);
/** Not compared: where the server listens is the deployment's business, not the repository's config. */
const SKIP_PG = new Set(['port', 'statement_timeout']);
/** [pgbouncer] keys compared with SHOW CONFIG: the ones that size and shape the pools. */
const PGBOUNCER_KEYS = [
  'pool_mode', 'max_client_conn', 'default_pool_size', 'min_pool_size', 'reserve_pool_size', 'reserve_pool_timeout', 'max_db_connections',
  'max_user_connections', 'server_idle_timeout', 'server_lifetime', 'idle_transaction_timeout', 'query_timeout', 'query_wait_timeout',
  'client_idle_timeout', 'max_prepared_statements', 'server_reset_query', 'ignore_startup_parameters', 'track_extra_parameters',
];
const CORE_PGBOUNCER = new Set(['pool_mode', 'max_client_conn', 'default_pool_size', 'reserve_pool_size', 'max_db_connections', 'max_user_connections']);

export default defineRule({
  meta: {
    ...LIVE_RULE_META,
    id: 'live-config-drift',
    description: 'Report a running server or PgBouncer whose settings or version differ from what the repository says for it (pgconn-lint live).',
    type: 'problem',
    category: 'correctness',
    messages: {
      setting:
        '{{name}} is {{live}} on the running server {{target}}, but the repository says {{repo}} for {{node}} ({{how}}): every finding and budget computed from the files is about a server that is not the one running.',
      pendingRestart:
        '{{name}} was changed in the configuration of {{target}} but needs a restart to take effect: the server still runs with {{live}}{{file}}.',
      version:
        '{{target}} runs {{live}}, but the repository {{repoHow}}: settings and findings were judged for another version.',
      pgbouncerSetting:
        '{{name}} is {{live}} on the running PgBouncer {{target}}, but the repository says {{repo}} for {{node}} ({{how}}).',
      help: 'Make the repository say what runs (or deploy what it says): change {{name}} where it is written, or find what overrides it on the server (ALTER SYSTEM, a -c flag, an operator).',
      helpPgbouncer: 'Make the repository say what runs (or deploy what it says): change {{name}} in pgbouncer.ini, or find what overrides it (the image\'s environment variables, a SET in the admin console, another ini file).',
      helpRestart: 'Restart the server in a maintenance window, or revert the change; until then the file and the server disagree.',
      helpVersion: 'Declare the version that runs ({{declare}}), or upgrade the server to the one the repository says.',
    },
    options: {},
  },
  check(ctx) {
    for (const r of ctx.live?.readings ?? []) {
      if (r.result?.kind === 'postgresql') postgres(ctx, r);
      else if (r.result?.kind === 'pgbouncer') pgbouncer(ctx, r);
    }
  },
});

function postgres(ctx: RuleContext, r: JoinedReading): void {
  if (r.result?.kind !== 'postgresql') return;
  const target = r.target.display;
  const at = targetRange(target);
  // pending_restart needs no model: the server says its file and its running value disagree.
  for (const s of r.result.settings) {
    if (!s.pendingRestart) continue;
    ctx.report({ messageId: 'pendingRestart', helpId: 'helpRestart', data: { name: s.name, target, live: liveValueText(s), file: s.sourcefile ? ` (changed in ${s.sourcefile}${s.sourceline ? `:${s.sourceline}` : ''})` : '' }, range: at });
  }
  if (r.match?.kind !== 'server') return;
  const params = ctx.model.parameters.servers.find((p) => p.serverId === r.match!.id);
  if (!params) return;
  const node = `server ${r.match.name}`;
  const how = r.match.why;
  const liveMajor = Math.floor(r.result.versionNum / 10000);
  if (Number.isInteger(liveMajor) && liveMajor > 0 && liveMajor !== params.version.major) {
    const repoHow = params.version.known ? `says PostgreSQL ${params.version.major} (${params.version.source})` : `declares no version, so ${node} was judged as PostgreSQL ${params.version.major}, the newest`;
    ctx.report({ messageId: 'version', helpId: 'helpVersion', data: { target, live: `PostgreSQL ${r.result.version}`, repoHow, declare: `an image tag postgres:${liveMajor}, or database.version: ${liveMajor} in the pgconn-lint config` }, range: params.range, related: [{ range: at, message: `the running server: PostgreSQL ${r.result.version}` }] });
  }
  for (const s of r.result.settings) {
    if (SKIP_PG.has(s.name) || !SERVER_WIDE_SOURCES.has(s.source)) continue;
    const repo = params.get(s.name);
    if (!repo.def || repo.value === undefined) continue;
    if (!repo.entry && !CORE_PG.has(s.name)) continue;
    if (sameValue(s, repo.value)) continue;
    const repoText = repo.entry ? `${repo.entry.rawValue}${repo.entry.rawValue !== valueText(repo.value, repo.def.unit) ? ` = ${valueText(repo.value, repo.def.unit)}` : ''}` : `nothing, so the default ${valueText(repo.value, repo.def.unit)} applies`;
    const range: SourceRange = repo.entry ? repo.entry.valueRange : params.range;
    ctx.report({
      messageId: 'setting',
      helpId: 'help',
      data: { name: s.name, live: liveValueText(s), target, repo: repoText, node, how },
      range,
      related: [{ range: at, message: `the running server: ${s.name} = ${liveValueText(s)} (pg_settings.source: ${s.source})` }],
    });
  }
}

function pgbouncer(ctx: RuleContext, r: JoinedReading): void {
  if (r.result?.kind !== 'pgbouncer' || r.match?.kind !== 'pooler') return;
  const node = ctx.model.deployment.poolers.find((p) => p.id === r.match!.id);
  const params = ctx.model.parameters.poolers.find((p) => p.poolerId === r.match!.id || (node?.config !== undefined && p.config === node.config));
  const target = r.target.display;
  const at = targetRange(target);
  const nodeName = `PgBouncer ${r.match.name}`;
  const live = parsePgbouncerVersion(r.result.version);
  const modelVersion = params?.version;
  if (live && modelVersion && live !== modelVersion.version) {
    const repoHow = modelVersion.known ? `says PgBouncer ${modelVersion.version} (${modelVersion.source})` : `declares no version, so ${nodeName} was judged as PgBouncer ${modelVersion.version}, the newest`;
    ctx.report({ messageId: 'version', helpId: 'helpVersion', data: { target, live: r.result.version, repoHow, declare: `an image tag with the version, or pgbouncer.version: "${live}" in the pgconn-lint config` }, range: node?.range ?? r.match.range, related: [{ range: at, message: `the running PgBouncer: ${r.result.version}` }] });
  }
  if (!params) return;
  const version = live ?? params.version.version;
  for (const key of PGBOUNCER_KEYS) {
    const running = r.result.config[key];
    if (running === undefined) continue;
    const repo = params.get(key);
    if (repo.text === undefined || (!repo.entry && !CORE_PGBOUNCER.has(key))) continue;
    if (samePgbouncerValue(key, version, running, repo.text)) continue;
    ctx.report({
      messageId: 'pgbouncerSetting',
      helpId: 'helpPgbouncer',
      data: { name: key, live: running === '' ? "''" : running, target, repo: repo.entry ? repo.entry.value : `nothing, so the default ${repo.text} applies`, node: nodeName, how: r.match.why },
      range: repo.entry ? repo.entry.valueRange : (node?.range ?? r.match.range),
      related: [{ range: at, message: `the running PgBouncer: ${key} = ${running} (SHOW CONFIG)` }],
    });
  }
}
