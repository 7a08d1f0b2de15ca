import { dirname, resolve } from 'node:path';
import type { Diagnostic, Severity } from '../core/diagnostic.js';
import { inputProblemToDiagnostic } from '../core/diagnostic.js';
import { discover, findRepoRoot, walkKeyFor, type Candidate, type DiscoveryResult, type SkippedEntry } from '../discovery/discover.js';
import { MAX_FILES_PER_RUN } from '../core/limits.js';
import { keepYoungGenerationCapped } from '../core/gc.js';
import { rangeOnLine } from '../core/location.js';
import { buildProjectFacts, type BuildOptions } from '../facts/build.js';
import { checkKeptCacheWithIndex, FactsCache, type CacheSettings, type CacheStats } from '../facts/cache.js';
import { reportKeyOf, storedReport } from '../facts/report-cache.js';
import { redactedSources } from '../report/secret-ranges.js';
import { runSummary } from '../cli/verbose.js';
import { DEFAULT_MAX_FILE_BYTES } from '../core/read-text.js';
import { buildProjectModel, type ProjectModel } from '../model/project-model.js';
import type { ProjectFacts } from '../model/project.js';
import type { ResolvedConfig } from './config.js';
import { nonProductionNote, nonProductionVerdict, renderTemplate, type Rule, type RuleContext } from './rule.js';
import { isSuppressed, parseSuppressions, type SuppressionDirective } from './suppressions.js';
import { restrictToFiles, type ProjectContext } from './project-context.js';
import type { LiveContext } from '../live/types.js';

export interface FileResult {
  /** Absolute path. */
  filePath: string;
  diagnostics: Diagnostic[];
}

export interface LintResult {
  files: FileResult[];
  facts: ProjectFacts;
  /** The run's one model: what the rules read, and what budget and --print-model print. */
  model: ProjectModel;
  /** Ids of the rules that produced at least one finding, in first-seen order. */
  rulesSeen: string[];
  /** With a project context: named files that the repository run did not read (src/engine/project-context.ts). */
  skippedFiles?: string[];
  /**
   * With a project context: the whole repository's result, and how a result of it is narrowed to the
   * named files again. The baseline is judged on the whole repository (its counts are per file and
   * rule over every finding), then narrowed (src/cli/main.ts).
   */
  repository?: { result: LintResult; restrict: (whole: LintResult) => LintResult };
  /** What discovery looked at, read and passed over (for `--verbose` and the closing summary line). */
  discovery?: { filesSeen: number; candidates: readonly Candidate[]; skipped: readonly SkippedEntry[] };
  /**
   * The findings came from the report cache (src/facts/report-cache.ts): `facts` holds only the
   * root, the files read and git's answer, `model` is built on those; the summary line and the
   * frames' source lines are the stored ones.
   */
  reused?: { summary: string; sourceText: (file: string) => { text: string; kind: string } | undefined };
}

export interface LintOptions {
  cwd: string;
  paths: string[];
  ignorePatterns: string[];
  config: ResolvedConfig;
  rules: readonly Rule[];
  /** Do not honour .gitignore files (--no-gitignore). */
  noGitignore?: boolean;
  /** Read the whole repository, report only about these files (pre-commit, lint-staged); `paths` is then unused. */
  projectContext?: ProjectContext;
  /** The facts cache (--cache, docs/cache.md). */
  cache?: CacheSettings;
  /** Told what the cache did (tests, --verbose). */
  cacheStats?: (stats: CacheStats) => void;
  /**
   * With `cache`: the findings may come from the report cache (src/facts/report-cache.ts). Only for
   * a caller that uses nothing of the result but the findings, `reused` and what `restrictToFiles`
   * and the baseline read (not --fix, --print-model, budget, --verbose).
   */
  reuseReport?: boolean;
}


function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.range.line - b.range.line || a.range.column - b.range.column || (a.ruleId ?? '').localeCompare(b.ruleId ?? '');
}

/** Runs the enabled rules over the run's model (and, for `pgconn-lint live`, what was read from the servers). Pure: reads nothing. */
export function runRules(model: ProjectModel, config: ResolvedConfig, rules: readonly Rule[], live?: LiveContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const facts = model.facts;
  for (const rule of rules) {
    const entry = config.rules[rule.meta.id];
    if (!entry || entry.severity === 'off') continue;
    const configured: Severity = entry.severity === 'error' ? 'error' : 'warning';
    const ctx: RuleContext = {
      facts,
      model,
      settings: config.settings,
      options: entry.options,
      ...(live ? { live } : {}),
      report(d) {
        const template = rule.meta.messages[d.messageId];
        if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown messageId ${d.messageId}`);
        const np = nonProductionVerdict(rule, model, d.range.file);
        if (np?.action === 'skip') return;
        let severity: Severity = entry.explicitSeverity ? configured : (d.severity ?? configured);
        if (np?.action === 'warn' && !entry.explicitSeverity) severity = 'warning';
        const diag: Diagnostic = { ruleId: rule.meta.id, severity, message: renderTemplate(template, d.data), range: d.range };
        if (d.helpId !== undefined) {
          const help = rule.meta.messages[d.helpId];
          if (help === undefined) throw new Error(`rule ${rule.meta.id} reported unknown helpId ${d.helpId}`);
          diag.help = renderTemplate(help, d.data);
        }
        if (np?.action === 'warn') diag.help = `${diag.help ?? ''}${diag.help ? ' ' : ''}${nonProductionNote(np.match)}`;
        if (d.related && d.related.length > 0) diag.related = d.related;
        if (d.fix && d.fix.length > 0) {
          if (!rule.meta.fixable) throw new Error(`rule ${rule.meta.id} reported a fix but its meta says fixable: false`);
          diag.fix = d.fix;
        }
        if (d.suggest && d.suggest.length > 0) {
          if (!rule.meta.hasSuggestions) throw new Error(`rule ${rule.meta.id} offered a suggestion but its meta has no hasSuggestions`);
          diag.suggestions = d.suggest;
        }
        out.push(diag);
      },
    };
    rule.check(ctx);
  }
  return out;
}

/**
 * MAX_FILES_PER_RUN: past it, the files discovery found are not read (those named on the command
 * line always are), with one note at the first file left out.
 */
export function limitCandidates(discovery: DiscoveryResult, max: number = MAX_FILES_PER_RUN): void {
  if (discovery.candidates.length <= max) return;
  const kept: DiscoveryResult['candidates'] = [];
  let firstLeft: string | undefined;
  let left = 0;
  for (const c of discovery.candidates) {
    if (c.explicit || kept.length < max) kept.push(c);
    else {
      firstLeft ??= c.path;
      left++;
    }
  }
  if (firstLeft === undefined) return;
  discovery.candidates = kept;
  discovery.notes.push({
    message: `${left.toLocaleString('en-US')} input ${left === 1 ? 'file' : 'files'} from here on ${left === 1 ? 'was' : 'were'} not read: pgconn-lint reads at most ${max.toLocaleString('en-US')} files per run.`,
    help: 'Lint a part of the tree (name its directories), or leave generated and vendored files out with --ignore-pattern or .gitignore.',
    severity: 'warning',
    range: rangeOnLine(firstLeft, 1, 1, 0),
  });
}

/** The start of a lint run: the paths walked, the facts cache opened, and the keys of its walk and report. */
function openRun(options: LintOptions) {
  const context = options.projectContext;
  const paths = context ? [context.root] : options.paths;
  // The config file's patterns are relative to its directory (ESLint's rule); with no file, to cwd.
  const configIgnore = { base: options.config.file ? dirname(options.config.file) : options.cwd, patterns: options.config.ignorePatterns };
  // With --cache the cache file is opened first: it also holds discovery's walk (src/discovery/walk-cache.ts).
  const factsCache = options.cache ? FactsCache.open(options.cache, findRepoRoot(resolve(options.cwd)), options.config.maxFileSize ?? DEFAULT_MAX_FILE_BYTES) : undefined;
  if (factsCache !== undefined) keepYoungGenerationCapped();
  const discoveryOptions = { cwd: options.cwd, paths, ignorePatterns: options.ignorePatterns, configIgnore, noGitignore: options.noGitignore ?? false };
  // The report cache: the findings of a run nothing has changed since (src/facts/report-cache.ts).
  const walk = factsCache ? walkKeyFor(discoveryOptions) : undefined;
  const reportKey = walk?.key !== undefined && !walk.outside ? reportKeyOf([walk.key, options.config.file, options.config.preset, options.config.rules, options.config.settings, options.config.ignorePatterns, options.config.maxFileSize ?? null, options.rules.map((r) => r.meta.id)]) : undefined;
  return { context, factsCache, discoveryOptions, walk, reportKey };
}

/**
 * What `lint(options)` can do before git's status is in (the CLI starts git before its modules load,
 * src/cli/bin.ts, and runs this while git still runs: src/cli/main.ts `prepareRun`): open the facts
 * cache and, when the report may be reused, check the walk's directories. The next `lint` with the
 * same cache settings takes that cache as it is (`FactsCache.open`). Nothing else is kept, and nothing
 * is written or said (the cache's notes are said by the run that takes it).
 */
export function prepareLint(options: LintOptions): void {
  const { factsCache, walk, reportKey } = openRun(options);
  if (factsCache === undefined) return;
  if (options.reuseReport && reportKey !== undefined && walk?.key !== undefined) factsCache.checkAhead(reportKey, walk.key);
  factsCache.keepForNextOpen();
}

/**
 * The second step before git's status is in, once git's listing of the index ended: what the report's
 * check asks of the index alone, for the cache `prepareLint` kept (`FactsCache.checkAheadWithIndex`).
 */
export function prepareLintWithIndex(): void {
  checkKeptCacheWithIndex();
}

export function lint(options: LintOptions): LintResult {
  const { context, factsCache, discoveryOptions, walk, reportKey } = openRun(options);
  if (factsCache && options.reuseReport && reportKey !== undefined && walk?.key !== undefined) {
    const reused = factsCache.reusableReport(reportKey, walk.key);
    if (reused !== undefined) {
      options.cacheStats?.(factsCache.stats);
      const result: LintResult = { files: reused.files, rulesSeen: reused.rulesSeen, facts: reused.facts, model: buildProjectModel(reused.facts, options.config.settings), reused: { summary: reused.summary, sourceText: reused.sourceText } };
      return context ? restrictToFiles(result, context, [...context.files].filter((f) => reused.isCandidate(f))) : result;
    }
  }
  const discovery = discover(discoveryOptions, factsCache?.walkCache());
  limitCandidates(discovery);
  const buildOpts: BuildOptions = options.config.maxFileSize !== undefined ? { maxFileBytes: options.config.maxFileSize } : {};
  if (options.cache) buildOpts.cache = options.cache;
  if (factsCache) {
    buildOpts.factsCache = factsCache;
    buildOpts.deferSave = true;
  }
  if (options.cacheStats) buildOpts.cacheStats = options.cacheStats;
  // What the facts are built from, beyond the walk and the code files (the report cache checks it again).
  if (factsCache) discovery.access.recordInputs();
  const facts = buildProjectFacts(discovery, buildOpts);
  const result: LintResult = { ...lintFacts(facts, options.config, options.rules), discovery: { filesSeen: discovery.filesSeen, candidates: discovery.candidates, skipped: discovery.skipped } };
  if (factsCache) {
    factsCache.storeReport(reportKey === undefined ? 'more than one path, or a path outside the repository, was named' : storedReport(reportKey, discovery.root, result, runSummary(result), redactedSources(result.model), discovery.access.recordedInputs()));
    factsCache.save();
    options.cacheStats?.(factsCache.stats);
  }
  return context ? restrictToFiles(result, context, discovery.candidates.map((c) => c.path)) : result;
}

export function lintFacts(facts: ProjectFacts, config: ResolvedConfig, rules: readonly Rule[]): LintResult {
  const diagnostics: Diagnostic[] = [];
  for (const p of facts.problems) diagnostics.push(inputProblemToDiagnostic(p));
  for (const c of facts.postgresql) for (const p of c.problems) diagnostics.push(inputProblemToDiagnostic(p));
  for (const c of facts.pgbouncer) {
    for (const p of c.problems) diagnostics.push(inputProblemToDiagnostic(p));
    for (const p of c.authFile?.problems ?? []) diagnostics.push(inputProblemToDiagnostic(p));
  }
  // One model per run, shared by every rule and front end (its parts are built on first use).
  const model = buildProjectModel(facts, config.settings);
  for (const d of runRules(model, config, rules)) diagnostics.push(d);
  // Config mistakes only the files reveal (a deployment.services name that matches nothing).
  if ((config.settings.deployment?.services.length ?? 0) > 0) for (const p of model.deployment.configProblems ?? []) diagnostics.push(inputProblemToDiagnostic(p));

  // The same problem can be reached twice (a file included by two roots): keep one.
  const unique = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    const key = `${d.range.file}\0${d.range.line}\0${d.range.column}\0${d.ruleId}\0${d.message}`;
    if (!unique.has(key)) unique.set(key, d);
  }

  const byFile = new Map<string, Diagnostic[]>();
  for (const f of facts.sources.keys()) byFile.set(f, []);
  const directives = new Map<string, SuppressionDirective[]>();
  for (const [file, src] of facts.sources) directives.set(file, parseSuppressions(src.text, src.kind));

  for (const d of unique.values()) {
    if (d.ruleId !== null && isSuppressed(directives.get(d.range.file) ?? [], d.ruleId, d.range.line)) continue;
    let list = byFile.get(d.range.file);
    if (!list) byFile.set(d.range.file, (list = []));
    list.push(d);
  }
  const enabled = new Set(Object.entries(config.rules).filter(([, e]) => e.severity !== 'off').map(([id]) => id));
  for (const [file, list] of directives) {
    for (const dir of list) {
      if (dir.kind === 'enable' || dir.used || dir.foreign) continue;
      // A directive for a rule that is turned off cannot be "used": do not nag about it.
      if (dir.ruleIds && dir.ruleIds.every((id) => !enabled.has(id))) continue;
      byFile.get(file)!.push({
        ruleId: null,
        severity: 'warning',
        message: `Unused pgconn-lint-${dir.kind} directive (no ${dir.ruleIds ? dir.ruleIds.map((i) => `"${i}"`).join(', ') : ''} finding to suppress${dir.kind === 'disable-next-line' ? ' on the next line' : ''}).`.replace('no  finding', 'no finding'),
        help: 'Remove the directive.',
        range: { file, line: dir.line, column: dir.column, endLine: dir.line, endColumn: dir.endColumn },
      });
    }
  }
  const files: FileResult[] = [...byFile.entries()]
    .map(([filePath, ds]) => ({ filePath, diagnostics: ds.sort(compareDiagnostics) }))
    .sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
  const rulesSeen: string[] = [];
  for (const f of files) for (const d of f.diagnostics) if (d.ruleId && !rulesSeen.includes(d.ruleId)) rulesSeen.push(d.ruleId);
  return { files, facts, model, rulesSeen };
}
