import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_RULES } from '../../rules/index.js';
import { packageVersion } from '../core/package-version.js';
export { packageVersion };
// For the entry point (bin.ts), which loads this module apart from its own (scripts/bundle.mjs).
export { capYoungGeneration } from '../core/gc.js';
export { slowTierUp } from '../core/v8-flags.js';
import { applyRuleOverrides, ConfigErrors, loadConfig } from '../engine/config.js';
import { lint, prepareLint, prepareLintWithIndex, type LintOptions, type LintResult } from '../engine/lint.js';
import { projectContextFor, skippedFilesNote } from '../engine/project-context.js';
import { docsUrl } from '../engine/rule.js';
import { UsageError } from '../discovery/discover.js';
import { FORMATTERS } from '../report/formatters/index.js';
import { redactSecrets } from '../core/redact.js';
import { escapeMultilineText, escapeText, neutraliseCommands, safeJsonText } from '../report/escape.js';
import { redactedSources } from '../report/secret-ranges.js';
import { toModelJson } from '../report/model-json/pools.js';
import { connectionsJson } from '../report/model-json/connections.js';
import { fitHelpText, outputWidth } from '../report/wrap.js';
import { budgetReport, BUDGET_FORMATS, isBudgetFormat } from '../report/budget/index.js';
import { deploymentJson } from '../report/model-json/deployment.js';
import { closestName } from '../catalog/suggest.js';
import { existsSync, statSync } from 'node:fs';
import { explainRule, listRules } from './rules-info.js';
import { cacheReport, runSummary, verboseReport } from './verbose.js';
import { computeFixes, MAX_FIX_PASSES } from '../engine/fix.js';
import { FileAccess } from '../core/file-access.js';
import { CACHE_STRATEGIES, DEFAULT_CACHE_LOCATION, resolveCacheFile, type CacheSettings, type CacheStats, type CacheStrategy } from '../facts/cache.js';
import { applySuppressions, checkSuppressionsPath, countFindings, pruneSuppressions, readSuppressions, suppressionsText, SUPPRESSIONS_FILE } from '../engine/baseline.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** The terminal's width when stdout is one. */
  columns?: number;
}



export const HELP = `Usage: pgconn-lint [options] [paths...]
       pgconn-lint budget [options] [paths...]
       pgconn-lint live [options] [paths...]
       pgconn-lint explain <rule>

Lints PostgreSQL connection settings across a repository: postgresql.conf
(with its includes and postgresql.auto.conf), PgBouncer configs (pgbouncer.ini,
any .ini with a [pgbouncer] section, its auth_file), pools in TS/JS code, .env
files, Prisma schemas and prisma.config.ts, compose, Kubernetes, PM2 and
serverless files. Default path: .

\`budget\` shows the connection budget instead of findings: per server and
pooler, the clients, their peak instances and pool sizes, against the limits
(docs/budget.md). Formats: text (default), json, mermaid. Exit 1 when a server
or pooler is over its limit. \`budget --live\` adds what running servers hold now.

\`live\` connects read-only to running servers and PgBouncers and reports their
state against the repository's model (pgconn-lint live --help, docs/live.md).

Options:
  -f, --format <name>        Output format: stylish (default), json, sarif or github
  -o, --output-file <file>   Write the report to a file instead of stdout
  -c, --config <file>        Use this config file instead of looking for
                             pgconn-lint.config.{json,yaml,yml} upward
      --rule <id:severity>   Set a rule's severity (off|warn|error); repeatable
      --ignore-pattern <pat> Skip files matching a gitignore-style pattern; repeatable
      --no-gitignore         Do not honour .gitignore files
      --no-project-context   When only files are named, lint them on their own instead of
                             reading their whole git repository and reporting about them
  -q, --quiet                Report errors only
      --max-warnings <n>     Exit 1 when there are more than n warnings
      --color / --no-color   Force colour on or off (default: on a TTY; FORCE_COLOR and NO_COLOR
                             are honoured, in that order)
      --print-config         Print the effective configuration as JSON and exit
      --print-model          Print the pools found in code and the deployment model (JSON, docs/model.md) and exit
      --list-rules           List the rules (id, default severity, preset, fixable, description) and exit;
                             with --format json, as JSON
      --fix                  Apply the safe, mechanical fixes (rules marked fixable in --list-rules),
                             then report what remains
      --fix-dry-run          Say which findings --fix would fix, without writing
      --suppress-all         Record every finding in pgconn-lint-suppressions.json (a baseline):
                             later runs report and fail only on new ones
      --prune-suppressions   Lower the baseline's counts to what is found now (fixed findings leave it)
      --suppressions-location <file>
                             The baseline file (default: pgconn-lint-suppressions.json at the
                             repository root)
      --cache                Keep the facts of code files between runs, so a re-run reads and
                             parses only what changed (docs/cache.md); --no-cache: not (the default)
      --cache-location <path>
                             The cache file, or a directory for it (default: .pgconn-lintcache)
      --cache-strategy <s>   How a changed file is told: metadata (size and mtime, the default)
                             or content (a hash of the file)
      --verbose, --debug     Also print (on stderr) the config file used, every file read and as what,
                             what was skipped and why, and the versions assumed
  -v, --version              Print the version
  -h, --help                 Print this help

A stylish run ends with one line on stderr saying what was checked
("checked 412 files: 3 postgresql.conf, 37 code files …").

Exit codes: 0 no errors, 1 errors found (or more warnings than --max-warnings),
2 usage error or internal failure.
Docs: https://github.com/pgconn-lint/pgconn-lint#readme
`;

export const BUDGET_HELP = `Usage: pgconn-lint budget [options] [paths...]

Shows the connection budget: per server and pooler, the clients, their peak
instances and pool sizes, against max_connections and max_client_conn
(docs/budget.md). A number the files do not determine is shown as unknown,
with the reason. Default path: .

Options:
  -f, --format <name>        text (default), json or mermaid
  -o, --output-file <file>   Write the budget to a file instead of stdout
  -c, --config <file>        Use this config file (its \`deployment\` section declares
                             what the files do not say)
      --ignore-pattern <pat> Skip files matching a gitignore-style pattern; repeatable
      --no-gitignore         Do not honour .gitignore files
      --color / --no-color   Force colour on or off
      --cache, --cache-location <path>, --cache-strategy <metadata|content>
                             Keep the facts of code files between runs (as for linting; docs/cache.md)
      --verbose, --debug     Also print what was read and skipped (stderr)
      --live                 Also read running servers and PgBouncers and show what they hold
                             now under each modelled bar (targets as for pgconn-lint live:
                             --url, --url-env, --from-model, PG* environment; see live --help)
  -h, --help                 Print this help

Exit codes: 0 every server and pooler within its limit (or unknown),
1 a server or pooler over its limit, 2 usage error or internal failure.
`;

/** Long options, for did-you-mean. */
const LONG_OPTIONS = ['cache', 'no-cache', 'cache-location', 'cache-strategy', 'fix', 'fix-dry-run', 'suppress-all', 'prune-suppressions', 'suppressions-location', 'format', 'output-file', 'config', 'rule', 'ignore-pattern', 'no-gitignore', 'no-project-context', 'quiet', 'max-warnings', 'color', 'no-color', 'print-config', 'print-model', 'list-rules', 'verbose', 'debug', 'version', 'help'];
const COMMANDS = ['budget', 'explain', 'live'];
/** Flags that change only the findings: refused by `budget`, which prints none. */
const NOT_FOR_BUDGET = ['fix', 'fix-dry-run', 'suppress-all', 'prune-suppressions', 'suppressions-location', 'quiet', 'max-warnings', 'print-config', 'print-model', 'no-project-context', 'list-rules', 'rule'];

/**
 * The command line, as bin.ts runs it: `live` and `budget --live` read servers over the network
 * (asynchronous, src/cli/live.ts); everything else is runCli. `gitStarted`: the git commands bin.ts
 * started (with --cache, src/facts/git-early.ts), awaited after `prepareRun` — `git ls-files` first,
 * which ends well before status, and the part of the report's check that needs only its output is
 * taken then (`prepareRunWithIndex`).
 */
export async function runCliAsync(argv: string[], io: CliIO, gitStarted?: Promise<unknown> & { listed?: Promise<void> }): Promise<number> {
  const at = commandWordIndex(argv);
  const word = at === -1 ? undefined : argv[at];
  const live = word === 'live' || (word === 'budget' && argv.includes('--live'));
  if (!live) {
    if (gitStarted !== undefined) {
      prepareRun(argv, io);
      if (gitStarted.listed !== undefined) {
        await gitStarted.listed;
        prepareRunWithIndex();
      }
      await gitStarted;
    }
    return runCli(argv, io);
  }
  await gitStarted;
  const rest = [...argv];
  rest.splice(at, 1);
  try {
    // Loaded only for `live`/`budget --live`: in the bundled CLI it is a chunk of its own (scripts/bundle.mjs).
    const { runLive } = await import('./live.js');
    return await runLive(rest, io, word === 'budget', { write: writeNamedFile, colorWanted: (v) => colorWanted(v, io), searchStart: (paths) => searchStart(io.cwd, paths) });
  } catch (err) {
    return reportError(err, io);
  }
}

/** Options that take a value as the next argument (so that value is not the command word). */
const VALUE_OPTIONS = new Set(['-f', '--format', '-o', '--output-file', '-c', '--config', '--rule', '--ignore-pattern', '--max-warnings', '--suppressions-location', '--url', '--url-env', '--env-file', '--server', '--connect-timeout']);

/** Where the first positional argument is (the command word, when there is one), or -1. */
function commandWordIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return i;
  }
  return -1;
}

/**
 * The part of the run that does not need git's status, taken while git still runs (`gitStarted`:
 * bin.ts starts git before the CLI's modules load, docs/cache.md): the command line is run as
 * `runCli` would, with its output dropped, up to the lint, which only opens the facts cache and
 * checks the walk's directories (`prepareLint`); `runCli` then runs it all, and its lint takes that
 * cache. A mistake on the command line or in the config is left for `runCli` to say.
 */
function prepareRun(argv: string[], io: CliIO): void {
  try {
    runCliInner(argv, { ...io, stdout: () => {}, stderr: () => {} }, true);
  } catch {
    // said by the run proper
  }
}

/** `prepareRun`'s second step, once git has listed the index (src/engine/lint.ts `prepareLintWithIndex`). */
function prepareRunWithIndex(): void {
  try {
    prepareLintWithIndex();
  } catch {
    // the run proper checks everything again
  }
}

export function runCli(argv: string[], io: CliIO): number {
  try {
    return runCliInner(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIO): number {
  // Messages quote paths, config keys and values: escaped for the terminal and the CI log (escape.ts).
  if (err instanceof ConfigErrors) {
    // One line per mistake, each escaped on its own (a quoted key cannot start a line of its own).
    const lines = err.messages.map((m) => `  ${neutraliseCommands(escapeText(redactSecrets(m)))}`);
    io.stderr(`pgconn-lint: ${err.messages.length} errors in the configuration:\n${lines.join('\n')}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    const hint = err instanceof ArgumentsError ? '\nRun pgconn-lint --help for usage.' : '';
    io.stderr(`pgconn-lint: ${neutraliseCommands(escapeText(redactSecrets(err.message)))}${hint}\n`);
    return EXIT_USAGE;
  }
  io.stderr(`pgconn-lint: internal error: ${errorText(err)}\nPlease report this with the input that caused it.\n`);
  return EXIT_USAGE;
}

/** A command line node:util cannot parse. */
class ArgumentsError extends UsageError {}

/** An unexpected error with its stack: the message escaped whole, the stack's own line breaks kept. */
function errorText(err: unknown): string {
  const e = err as Error | undefined;
  const stack = typeof e?.stack === 'string' ? e.stack : String(e);
  const head = `${e?.name}: ${e?.message}`;
  if (!stack.startsWith(head)) return escapeMultilineText(redactSecrets(stack));
  return neutraliseCommands(escapeText(redactSecrets(head)) + escapeMultilineText(redactSecrets(stack.slice(head.length))));
}

function runCliInner(argv: string[], io: CliIO, prepareOnly = false): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        'output-file': { type: 'string', short: 'o' },
        config: { type: 'string', short: 'c' },
        rule: { type: 'string', multiple: true },
        'ignore-pattern': { type: 'string', multiple: true },
        'no-gitignore': { type: 'boolean' },
        'no-project-context': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'max-warnings': { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'print-config': { type: 'boolean' },
        'print-model': { type: 'boolean' },
        'list-rules': { type: 'boolean' },
        fix: { type: 'boolean' },
        'fix-dry-run': { type: 'boolean' },
        'suppress-all': { type: 'boolean' },
        'prune-suppressions': { type: 'boolean' },
        'suppressions-location': { type: 'string' },
        cache: { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'cache-location': { type: 'string' },
        'cache-strategy': { type: 'string' },
        verbose: { type: 'boolean' },
        debug: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ArgumentsError(argumentsMessage(err as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (positionals[0] === 'live' || (positionals[0] === 'budget' && argv.includes('--live'))) throw new UsageError('live reads servers asynchronously: run it through runCliAsync (the pgconn-lint command does)');
  const budgetMode = positionals[0] === 'budget';
  if (budgetMode) positionals.shift();
  const explainMode = !budgetMode && positionals[0] === 'explain';
  if (explainMode) positionals.shift();
  if (values.help) {
    io.stdout(fitHelpText(budgetMode ? BUDGET_HELP : HELP, outputWidth(io.isTTY ? io.columns : undefined, io.env)));
    return EXIT_OK;
  }
  if (explainMode) {
    if (positionals.length !== 1) throw new ArgumentsError('explain expects one rule id, e.g. pgconn-lint explain release-in-finally');
    io.stdout(escapeMultilineText(explainRule(ALL_RULES, positionals[0]!)));
    return EXIT_OK;
  }
  if (values['list-rules']) {
    const f = values.format ?? 'text';
    if (f !== 'text' && f !== 'json') throw new UsageError(`--list-rules prints text or json, not "${f}"`);
    io.stdout(listRules(ALL_RULES, f, outputWidth(io.isTTY ? io.columns : undefined, io.env)));
    return EXIT_OK;
  }
  if (budgetMode) {
    const refused = NOT_FOR_BUDGET.filter((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (refused.length > 0) throw new UsageError(`budget does not use ${refused.map((k) => `--${k}`).join(', ')} (pgconn-lint budget --help lists its options)`);
  }
  // A first word that is no file and looks like a command: `pgconn-lint budjet`.
  const first = positionals[0];
  if (first !== undefined && /^[a-z][a-z-]*$/.test(first) && !existsSync(resolve(io.cwd, first))) {
    const guess = closestName(first, COMMANDS);
    if (guess) throw new ArgumentsError(`unknown command "${first}" (did you mean "${guess}"?); it is no file or directory either`);
  }
  if (values.version) {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  const format = values.format ?? (budgetMode ? 'text' : 'stylish');
  if (budgetMode && !isBudgetFormat(format)) throw new UsageError(`unknown budget format "${format}"; available: ${BUDGET_FORMATS.join(', ')}`);
  const formatter = FORMATTERS[budgetMode ? 'json' : format];
  if (!formatter) throw new UsageError(`unknown format "${format}"; available: ${Object.keys(FORMATTERS).join(', ')}`);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    const n = Number(values['max-warnings']);
    if (!Number.isInteger(n) || n < -1) throw new UsageError(`--max-warnings expects a whole number, got "${values['max-warnings']}"`);
    maxWarnings = n < 0 ? undefined : n;
  }

  const configOpts: { cwd: string; configPath?: string; searchFrom?: string; rules: typeof ALL_RULES } = { cwd: io.cwd, rules: ALL_RULES };
  if (values.config !== undefined) configOpts.configPath = values.config;
  // The config of the linted directory: searched upward from the paths' common directory (`pgconn-lint
  // path/to/project` finds path/to/project/pgconn-lint.config.json), else from the working directory.
  const from = searchStart(io.cwd, positionals);
  if (from !== undefined) configOpts.searchFrom = from;
  const config = loadConfig(configOpts);
  applyRuleOverrides(config, values.rule ?? [], ALL_RULES);

  if (values['print-config']) {
    io.stdout(safeJsonText(JSON.stringify({ configFile: config.file, preset: config.preset, rules: config.rules, ignorePatterns: config.ignorePatterns, settings: config.settings, maxFileSize: config.maxFileSize }, redactStrings, 2)) + '\n');
    return EXIT_OK;
  }

  // Only files named (pre-commit, lint-staged): read the whole repository, report about those files.
  const projectContext = values['no-project-context'] ? undefined : projectContextFor(io.cwd, positionals, config.file, values['suppressions-location']);
  const cache = cacheSettings(values, io);
  let cacheStats: CacheStats | undefined;
  // The findings may come from the report cache unless the run needs the facts or the model themselves.
  const reuseReport = !(values.fix || values['fix-dry-run'] || values['print-model'] || budgetMode || values.verbose || values.debug);
  const lintOptions = (): LintOptions => ({ cwd: io.cwd, paths: positionals, ignorePatterns: values['ignore-pattern'] ?? [], config, rules: ALL_RULES, noGitignore: values['no-gitignore'] ?? false, ...(projectContext ? { projectContext } : {}), ...(cache ? { cache, cacheStats: (s: CacheStats) => (cacheStats = s), reuseReport } : {}) });
  if (prepareOnly) {
    prepareLint(lintOptions());
    return EXIT_OK;
  }
  const runLint = () => lint(lintOptions());
  let result = runLint();
  if (values.fix || values['fix-dry-run']) result = applyFixes(result, runLint, values['fix-dry-run'] === true, io);
  if (result.skippedFiles && !values['print-model']) io.stderr(skippedFilesNote(result.skippedFiles, io.cwd));
  if (values.verbose || values.debug) {
    io.stderr(neutraliseCommands(escapeMultilineText(verboseReport(result, config, io.cwd))));
    if (cache && cacheStats) io.stderr(neutraliseCommands(escapeMultilineText(cacheReport(cacheStats, cache.file, io.cwd))));
  }
  if (values['print-model']) {
    const pools = result.facts.js.flatMap((f) => f.pools);
    const connections = connectionsJson(result.model.connections, result.facts.root);
    const deployment = deploymentJson(result.model.deployment, result.facts.root);
    io.stdout(safeJsonText(JSON.stringify({ ...toModelJson(pools, result.facts.root), ...connections, deployment }, redactStrings, 2)) + '\n');
    return EXIT_OK;
  }
  if (budgetMode && isBudgetFormat(format)) {
    const useColor = colorWanted(values, io);
    const budget = budgetReport(result.model, format, useColor, values['output-file'] ? undefined : outputWidth(io.isTTY ? io.columns : undefined, io.env));
    if (values['output-file']) writeNamedFile(resolve(io.cwd, values['output-file']), values['output-file'], budget.output);
    else io.stdout(budget.output);
    return budget.over ? EXIT_FINDINGS : EXIT_OK;
  }
  const judged = applyBaseline(result, values, io);
  const shown: LintResult = values.quiet
    ? { ...judged, files: judged.files.map((f) => ({ ...f, diagnostics: f.diagnostics.filter((d) => d.severity === 'error') })) }
    : judged;
  if (values.quiet) {
    shown.rulesSeen = judged.rulesSeen.filter((id) => shown.files.some((f) => f.diagnostics.some((d) => d.ruleId === id)));
  }

  const color = colorWanted(values, io);
  const output = formatter(shown, {
    cwd: io.cwd,
    color,
    // Written to a file: no wrapping (a report, not a terminal). Else the terminal's width, COLUMNS, or 80.
    ...(values['output-file'] ? {} : { width: outputWidth(io.isTTY ? io.columns : undefined, io.env) }),
    docsUrl,
    rules: ALL_RULES,
    version: packageVersion(),
    // Frames show the sources with every secret the parsers or the line scanners found masked.
    sourceText: result.reused?.sourceText ?? redactedSources(result.model),
  });
  if (values['output-file']) {
    writeNamedFile(resolve(io.cwd, values['output-file']), values['output-file'], output);
  } else if (output) {
    io.stdout(output);
  }
  // What was checked, so that a clean result is believable (an empty directory, a mistyped path).
  if (format === 'stylish' && !values.verbose && !values.debug) io.stderr(neutraliseCommands(escapeText(result.reused?.summary ?? runSummary(result))) + '\n');

  let errors = 0;
  let warnings = 0;
  for (const f of judged.files) for (const d of f.diagnostics) d.severity === 'error' ? errors++ : warnings++;
  if (errors > 0) return EXIT_FINDINGS;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    io.stderr(`pgconn-lint found too many warnings (${warnings} > --max-warnings ${maxWarnings}).\n`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

/**
 * --cache, --cache-location, --cache-strategy with ESLint's names and meanings (docs/cache.md):
 * the location is a file, or a directory when it is one or ends with a separator; the strategy
 * needs --cache. --no-cache wins over --cache (the pre-commit hook passes --cache).
 */
function cacheSettings(values: { cache?: boolean; 'no-cache'?: boolean; 'cache-location'?: string; 'cache-strategy'?: string }, io: CliIO): CacheSettings | undefined {
  const strategy = values['cache-strategy'];
  if (strategy !== undefined && !(CACHE_STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`--cache-strategy expects ${CACHE_STRATEGIES.join(' or ')}, got "${strategy}"`);
  if (strategy !== undefined && !values.cache) throw new UsageError('--cache-strategy needs --cache');
  if (!values.cache || values['no-cache']) return undefined;
  const location = values['cache-location'] ?? DEFAULT_CACHE_LOCATION;
  return {
    file: resolveCacheFile(location, io.cwd),
    strategy: (strategy as CacheStrategy | undefined) ?? 'metadata',
    onNote: (message) => io.stderr(`pgconn-lint: note: ${neutraliseCommands(escapeText(message))}\n`),
  };
}

/** Writes a file the user named (report, budget, baseline), creating its directory; `shown` names it in the error. */
function writeNamedFile(target: string, shown: string, text: string): void {
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  } catch (err) {
    throw new UsageError(`cannot write ${shown} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * `--fix`: apply every finding's edits, re-lint, until nothing is left to fix (at most
 * MAX_FIX_PASSES). Files are written only when the guard allows them (inside the repository, a
 * regular file, not through a link leaving it). `--fix-dry-run`: say what one pass would fix.
 */
function applyFixes(first: LintResult, relint: () => LintResult, dryRun: boolean, io: CliIO): LintResult {
  let result = first;
  const files = new Set<string>();
  let fixed = 0;
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    const p = computeFixes(result);
    if (p.fixed === 0) break;
    if (dryRun) {
      const list = [...p.output.keys()].map((f) => escapeText(relative(io.cwd, f) || f)).join(', ');
      io.stderr(`pgconn-lint: --fix would fix ${p.fixed} finding${p.fixed === 1 ? '' : 's'} in ${list} (nothing written).\n`);
      return result;
    }
    const access = new FileAccess(result.facts.root);
    let wrote = 0;
    for (const [file, text] of p.output) {
      const a = access.check(file);
      if (!a.ok) {
        io.stderr(`pgconn-lint: not fixed: ${escapeText(relative(io.cwd, file) || file)} ${escapeText(a.reason)}\n`);
        continue;
      }
      const out = textToWrite(file, result.facts.sources.get(file)?.text, text);
      if (out === undefined) {
        io.stderr(`pgconn-lint: not fixed: ${escapeText(relative(io.cwd, file) || file)} changed since it was read\n`);
        continue;
      }
      try {
        writeFileSync(file, out);
        files.add(file);
        wrote++;
      } catch (err) {
        io.stderr(`pgconn-lint: cannot write ${escapeText(relative(io.cwd, file) || file)} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
      }
    }
    if (wrote === 0) break;
    fixed += p.fixed;
    result = relint();
  }
  if (fixed > 0) io.stderr(`pgconn-lint: fixed ${fixed} finding${fixed === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}.\n`);
  return result;
}

/**
 * The fixed text to write over `file`, or undefined when the file on disk is no longer the text
 * that was linted (edited meanwhile: not overwritten). The code analysis reads a leading BOM as a
 * space, so offsets stay the file's (src/sources/js/project.ts): the BOM is put back.
 */
function textToWrite(file: string, linted: string | undefined, fixed: string): string | undefined {
  let onDisk: string;
  try {
    onDisk = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (linted === undefined) return undefined;
  if (onDisk === linted) return fixed;
  const bomAsSpace = onDisk.charCodeAt(0) === 0xfeff && linted.charCodeAt(0) === 0x20 && onDisk.slice(1) === linted.slice(1);
  return bomAsSpace && fixed.charCodeAt(0) === 0x20 ? `\uFEFF${fixed.slice(1)}` : undefined;
}

/**
 * The baseline (src/engine/baseline.ts): `--suppress-all` writes it from this run's findings,
 * `--prune-suppressions` lowers it; an existing one drops the findings it holds. Says on stderr what it did.
 */
function applyBaseline(narrowed: LintResult, values: { 'suppress-all'?: boolean; 'prune-suppressions'?: boolean; 'suppressions-location'?: string }, io: CliIO): LintResult {
  // Only files named (pre-commit): the baseline is judged on the whole repository the run read, then
  // narrowed to what concerns the named files, so the entries of other files are neither dropped by
  // --suppress-all nor said to be fixed, and a commit is blocked only by what it introduces.
  const result = narrowed.repository?.result ?? narrowed;
  const narrow = (r: LintResult): LintResult => (narrowed.repository ? narrowed.repository.restrict(r) : r);
  const root = result.facts.root;
  const path = values['suppressions-location'] !== undefined ? resolve(io.cwd, values['suppressions-location']) : join(root, SUPPRESSIONS_FILE);
  const shownPath = escapeText(relative(io.cwd, path) || path);
  checkSuppressionsPath(path, root, values['suppressions-location'] !== undefined);
  const inScope = (file: string) => {
    const abs = join(root, file);
    return result.facts.sources.has(abs) || !existsSync(abs);
  };
  const write = (text: string) => writeNamedFile(path, values['suppressions-location'] ?? SUPPRESSIONS_FILE, text);
  let baseline = readSuppressions(path);
  if (values['suppress-all']) {
    const counts = countFindings(result);
    // Entries of files this run did not judge are kept; the baseline used below is the one written.
    const kept = Object.fromEntries(Object.entries(baseline ?? {}).filter(([file]) => !inScope(file)));
    baseline = { ...kept, ...counts };
    write(suppressionsText(baseline));
    const n = Object.values(counts).reduce((a, r) => a + Object.values(r).reduce((b, x) => b + x.count, 0), 0);
    io.stderr(`pgconn-lint: ${n} finding${n === 1 ? '' : 's'} recorded in ${shownPath}; later runs report only new ones.\n`);
  }
  if (baseline === undefined) return narrowed;
  if (values['prune-suppressions']) {
    const pruned = pruneSuppressions(baseline, result, inScope);
    write(suppressionsText(pruned));
    io.stderr(`pgconn-lint: ${shownPath} pruned to what is found now.\n`);
    return narrow(applySuppressions(result, pruned, inScope).result);
  }
  const outcome = applySuppressions(result, baseline, inScope);
  if (outcome.unused.length > 0) {
    io.stderr(`pgconn-lint: ${outcome.unused.length} entr${outcome.unused.length === 1 ? 'y' : 'ies'} of ${shownPath} ${outcome.unused.length === 1 ? 'holds' : 'hold'} more findings than remain (fixed since): run with --prune-suppressions to lower them.\n`);
  }
  return narrow(outcome.result);
}

/** The deepest directory holding every named path (a file's own directory), when it exists. */
function searchStart(cwd: string, paths: string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const dirs = paths.map((p) => {
    const abs = resolve(cwd, p);
    try {
      return statSync(abs).isDirectory() ? abs : dirname(abs);
    } catch {
      return dirname(abs);
    }
  });
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) {
    while (!(d === common || d.startsWith(common.endsWith(sep) ? common : common + sep))) {
      const up = dirname(common);
      if (up === common) break;
      common = up;
    }
  }
  return common;
}

/**
 * Colour: --no-color, then --color, then FORCE_COLOR (set and not 0/false: on; 0/false: off), then
 * NO_COLOR (set and not empty: off), then on when stdout is a TTY and no output file is written.
 */
function colorWanted(values: { color?: boolean; 'no-color'?: boolean; 'output-file'?: string }, io: CliIO): boolean {
  if (values['no-color']) return false;
  if (values.color) return true;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !/^(0|false)$/i.test(force);
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.isTTY && !values['output-file'];
}

/** node:util's parse error, with did-you-mean for an unknown long option (`--formatt` → `--format`). */
function argumentsMessage(err: Error & { code?: string }): string {
  const m = /^Unknown option '--([^']+)'/.exec(err.message);
  if (m) {
    const guess = closestName(m[1]!, LONG_OPTIONS);
    return `unknown option --${m[1]}${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  const s = /^Unknown option '-([^'-])'/.exec(err.message);
  if (s) return `unknown option -${s[1]}`;
  return err.message;
}

/** JSON.stringify replacer for printed models and configs: a last pass of redaction over every string. */
function redactStrings(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redactSecrets(value) : value;
}
