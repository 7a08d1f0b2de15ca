/**
 * `pgconn-lint live` and `pgconn-lint budget --live`: flags in, text out. What to read, the reading
 * and the judging are in src/live/.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_RULES } from '../../rules/index.js';
import { applyRuleOverrides, loadConfig } from '../engine/config.js';
import { lint, type LintResult } from '../engine/lint.js';
import { docsUrl } from '../engine/rule.js';
import { UsageError } from '../discovery/discover.js';
import { FORMATTERS } from '../report/formatters/index.js';
import { budgetReport, BUDGET_FORMATS, isBudgetFormat } from '../report/budget/index.js';
import { redactSecrets } from '../core/redact.js';
import { escapeMultilineText, neutraliseCommands } from '../report/escape.js';
import { redactedSources } from '../report/secret-ranges.js';
import { closestName } from '../catalog/suggest.js';
import { packageVersion } from '../core/package-version.js';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_STATEMENT_TIMEOUT_MS } from '../live/read.js';
import { judgeReadings, readTargets, resolveTargets } from '../live/run.js';
import { failureText, readingNotes } from '../live/report.js';
import { liveBudgetEntries } from '../live/budget.js';
import { modelNodeNames } from '../live/join.js';
import { fitHelpText, outputWidth } from '../report/wrap.js';
import type { CliIO } from './main.js';

export const LIVE_HELP = `Usage: pgconn-lint live [options] [paths...]
       pgconn-lint budget --live [options] [paths...]

Connects read-only to running PostgreSQL servers and PgBouncers, reads their
state once (pg_stat_activity, pg_settings; PgBouncer's SHOW POOLS, DATABASES,
CLIENTS, CONFIG, VERSION), joins it with the repository's model (paths,
default .) and reports like the linter: usage against the limit, sessions idle
in a transaction or idle for long, drift from the repository's config, who
holds more than the model allows, PgBouncer saturation (docs/live.md).
Every session is read-only, has a statement_timeout and application_name
pgconn-lint; it changes and terminates nothing.

Targets (at least one; each read over one connection, one after the other):
      --url <url|conninfo>   A postgresql:// URL or libpq key=value string; repeatable.
                             Database "pgbouncer" means PgBouncer's admin console.
      --url-env <NAME>       Read the URL from this environment variable; repeatable
      --from-model           The servers and PgBouncers of the model whose URL is known
      --env-file <file>      With --from-model: the values of the model's variables
                             (e.g. a production .env outside the repository); repeatable
                             With none of these: the libpq PGHOST/PGPORT/PGUSER/PGDATABASE
                             environment (PGPASSWORD, PGSSLMODE honoured; ~/.pgpass is not read)

Options:
      --server <name>        The model server (or PgBouncer) the targets are, when their
                             host and port do not say it
      --show-queries         Show the query text of sessions idle in a transaction
                             (string literals masked, cut to 200 characters)
      --connect-timeout <s>  Seconds to wait for a connection (default ${DEFAULT_CONNECT_TIMEOUT_SECONDS})
  -f, --format <name>        stylish (default), json, sarif or github; with budget --live:
                             text (default) or json
  -o, --output-file <file>   Write the report to a file
  -c, --config <file>        Config file (rule options: live-connection-usage warnPercent, …)
      --rule <id:severity>   Set a rule's severity (off|warn|error); repeatable
      --ignore-pattern <pat>, --no-gitignore, -q/--quiet, --max-warnings <n>, --color/--no-color
  -h, --help                 Print this help

Exit codes: 0 no error findings, 1 error findings (or more warnings than
--max-warnings; budget: a server or pooler over its limit), 2 a target could
not be read (e.g. "sorry, too many clients already"), usage error or internal failure.
`;

const LIVE_OPTIONS = {
  url: { type: 'string', multiple: true },
  'url-env': { type: 'string', multiple: true },
  'from-model': { type: 'boolean' },
  'env-file': { type: 'string', multiple: true },
  server: { type: 'string' },
  'show-queries': { type: 'boolean' },
  'connect-timeout': { type: 'string' },
  live: { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  'output-file': { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  rule: { type: 'string', multiple: true },
  'ignore-pattern': { type: 'string', multiple: true },
  'no-gitignore': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'max-warnings': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags of `live` that `budget --live` does not use (it prints no findings). */
const NOT_FOR_BUDGET = ['rule', 'quiet', 'max-warnings', 'show-queries'];

/** What the main command line shares with this one (it owns them). */
export interface CliShared {
  /** Writes a file the user named (report, budget). */
  write(path: string, shown: string, text: string): void;
  colorWanted(v: { color?: boolean; 'no-color'?: boolean; 'output-file'?: string }): boolean;
  /** Where the config file is searched from: the paths' common directory. */
  searchStart(paths: string[]): string | undefined;
}

/** `argv` without the command word (`live`; `budget` for `budget --live`). */
export async function runLive(argv: string[], io: CliIO, budget: boolean, shared: CliShared): Promise<number> {
  const { write, colorWanted } = shared;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: LIVE_OPTIONS });
  } catch (err) {
    const m = /^Unknown option '--([^']+)'/.exec((err as Error).message);
    const guess = m ? closestName(m[1]!, Object.keys(LIVE_OPTIONS)) : undefined;
    throw new UsageError(m ? `unknown option --${m[1]}${guess ? ` (did you mean --${guess}?)` : ''}` : (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(fitHelpText(LIVE_HELP, outputWidth(io.isTTY ? io.columns : undefined, io.env)));
    return 0;
  }
  if (budget) {
    const refused = NOT_FOR_BUDGET.filter((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (refused.length > 0) throw new UsageError(`budget --live does not use ${refused.map((k) => `--${k}`).join(', ')}`);
  } else if (values.live) throw new UsageError('--live belongs to budget (pgconn-lint budget --live); pgconn-lint live is live already');
  const format = values.format ?? (budget ? 'text' : 'stylish');
  if (budget && (!isBudgetFormat(format) || format === 'mermaid')) throw new UsageError(`budget --live prints text or json, not "${format}"`);
  const formatter = budget ? undefined : FORMATTERS[format];
  if (!budget && !formatter) throw new UsageError(`unknown format "${format}"; available: ${Object.keys(FORMATTERS).join(', ')}`);
  let connectTimeout = DEFAULT_CONNECT_TIMEOUT_SECONDS;
  if (values['connect-timeout'] !== undefined) {
    connectTimeout = Number(values['connect-timeout']);
    if (!Number.isFinite(connectTimeout) || connectTimeout <= 0 || connectTimeout > 300) throw new UsageError(`--connect-timeout expects seconds between 0 and 300, got "${values['connect-timeout']}"`);
  }
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    const n = Number(values['max-warnings']);
    if (!Number.isInteger(n) || n < -1) throw new UsageError(`--max-warnings expects a whole number, got "${values['max-warnings']}"`);
    maxWarnings = n < 0 ? undefined : n;
  }
  if ((values['env-file']?.length ?? 0) > 0 && !values['from-model']) throw new UsageError('--env-file gives the values of the model\'s variables: use it with --from-model');

  const from = shared.searchStart(positionals);
  const config = loadConfig({ cwd: io.cwd, rules: ALL_RULES, ...(values.config !== undefined ? { configPath: values.config } : {}), ...(from !== undefined ? { searchFrom: from } : {}) });
  applyRuleOverrides(config, values.rule ?? [], ALL_RULES);
  // The repository's model, built as a lint run builds it (no rule runs: only the live ones will).
  const paths = positionals.length > 0 ? positionals : ['.'];
  const model = lint({ cwd: io.cwd, paths, ignorePatterns: values['ignore-pattern'] ?? [], config, rules: [], noGitignore: values['no-gitignore'] ?? false }).model;
  if (values.server !== undefined) {
    const names = [...modelNodeNames(model, 'postgresql'), ...modelNodeNames(model, 'pgbouncer')];
    if (!names.includes(values.server) && !model.deployment.servers.some((s) => s.id === values.server) && !model.deployment.poolers.some((p) => p.id === values.server)) {
      const guess = closestName(values.server, names);
      throw new UsageError(`--server ${values.server}: no server or PgBouncer of the repository has that name${guess ? ` (did you mean ${guess}?)` : names.length > 0 ? ` (known: ${names.join(', ')})` : ''}`);
    }
  }
  const { targets, notes } = resolveTargets(
    { urls: values.url ?? [], urlEnvs: values['url-env'] ?? [], fromModel: values['from-model'] ?? false, envFiles: (values['env-file'] ?? []).map((f) => resolve(io.cwd, f)), env: io.env },
    model,
  );
  const say = (s: string) => io.stderr(neutraliseCommands(escapeMultilineText(redactSecrets(s))) + '\n');
  for (const n of notes) say(`pgconn-lint live: ${n}`);
  const readings = await readTargets(targets, { connectTimeoutSeconds: connectTimeout, statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS, showQueries: values['show-queries'] ?? false });
  const { result, joined } = judgeReadings(model, config, ALL_RULES, readings, { showQueries: values['show-queries'] ?? false, ...(values.server !== undefined ? { server: values.server } : {}) });
  const failed = readings.filter((r) => r.failure);

  // Written to a file: no wrapping. Else the terminal's width, COLUMNS, or 80 (as for lint and budget).
  const width = values['output-file'] ? undefined : outputWidth(io.isTTY ? io.columns : undefined, io.env);
  let code = 0;
  if (budget) {
    const b = budgetReport(model, format as 'text' | 'json', colorWanted(values), width, liveBudgetEntries(joined));
    if (values['output-file']) write(resolve(io.cwd, values['output-file']), values['output-file'], b.output);
    else io.stdout(b.output);
    code = b.over ? 1 : 0;
  } else {
    const shown: LintResult = values.quiet ? { ...result, files: result.files.map((f) => ({ ...f, diagnostics: f.diagnostics.filter((d) => d.severity === 'error') })).filter((f) => f.diagnostics.length > 0) } : result;
    if (values.quiet) shown.rulesSeen = result.rulesSeen.filter((id) => shown.files.some((f) => f.diagnostics.some((d) => d.ruleId === id)));
    const output = formatter!(shown, { cwd: io.cwd, color: colorWanted(values), docsUrl, rules: ALL_RULES, version: packageVersion(), sourceText: redactedSources(model), ...(width !== undefined ? { width } : {}) });
    if (values['output-file']) write(resolve(io.cwd, values['output-file']), values['output-file'], output);
    else if (output) io.stdout(output);
    let errors = 0;
    let warnings = 0;
    for (const f of result.files) for (const d of f.diagnostics) d.severity === 'error' ? errors++ : warnings++;
    if (errors > 0) code = 1;
    else if (maxWarnings !== undefined && warnings > maxWarnings) {
      io.stderr(`pgconn-lint found too many warnings (${warnings} > --max-warnings ${maxWarnings}).\n`);
      code = 1;
    }
  }
  for (const line of readingNotes(joined)) say(line.startsWith('  ') ? line : `pgconn-lint live: ${line}`);
  for (const r of failed) say(`pgconn-lint live: ${failureText(r)}`);
  return failed.length > 0 ? 2 : code;
}
