import type { Severity, RelatedLocation, TextEdit } from '../core/diagnostic.js';
import type { SourceRange } from '../core/location.js';
import type { ProjectFacts } from '../model/project.js';
import type { ProjectModel } from '../model/project-model.js';
import type { NonProductionMatch } from '../model/code-paths.js';
import type { LintSettings } from './settings.js';
import type { LiveContext } from '../live/types.js';

/** The kinds of input a rule can read; used for docs and to skip rules with nothing to read. */
/** `python`: *.py files that pass the pre-filter; `rails`: config/database.yml, config/puma.rb, config/sidekiq.yml; `spring`: application*.properties/.yml. */
export type InputKind = 'postgresql-conf' | 'pgbouncer-ini' | 'js' | 'python' | 'env' | 'prisma' | 'compose' | 'kubernetes' | 'rails' | 'spring' | 'live';

/**
 * Inputs that are the code or configuration of services in other languages: never context for a
 * JS/TS file, so a file rule that also reads them judges a JS file on its own (the ESLint plugin
 * needs no repository model for them).
 */
export const OTHER_LANGUAGE_INPUTS: ReadonlySet<InputKind> = new Set<InputKind>(['python', 'rails', 'spring']);

export type RuleCategory = 'correctness' | 'capacity' | 'reliability' | 'security';

export interface RuleOptionSchema {
  type: 'integer' | 'number' | 'string' | 'boolean';
  description: string;
  default: number | string | boolean;
  minimum?: number;
}

/**
 * What a rule does with a finding in non-production code (tests, fixtures, scripts, seeds, perf
 * suites: `codePaths.nonProduction`, src/model/code-paths.ts), applied by the engine and the ESLint
 * plugin at the finding's location:
 * - `skip`: the harm is production harm (a pool size, a timeout, a budget): not reported there;
 * - `warn`: a bug there too, but not one that hurts production: reported as a warning (unless the
 *   user set the rule's severity; the ESLint plugin reports it at the configured severity);
 * - `report`: reported as anywhere else (the rule may read `ctx.model.codePaths` itself; `reason` says how).
 */
export interface NonProductionPolicy {
  action: 'skip' | 'warn' | 'report';
  /** Why, for the rule's doc header (one sentence). */
  reason: string;
}

export interface RuleMeta {
  /** Stable kebab-case id: file name, config key, suppression comment, docs URL, SARIF ruleId. */
  id: string;
  /** One imperative line. */
  description: string;
  type: 'problem' | 'suggestion';
  category: RuleCategory;
  defaultSeverity: Severity;
  recommended: boolean;
  inputs: readonly InputKind[];
  scope: 'file' | 'project';
  /** Some findings carry a safe, mechanical edit that `--fix` applies (ESLint's meaning). */
  fixable: boolean;
  /** Some findings offer suggestions (ESLint's `hasSuggestions`): edits for the editor, never applied by `--fix`. */
  hasSuggestions?: boolean;
  /** pgconn-lint version that introduced the rule. */
  since: string;
  /** Findings in non-production code (tests, scripts, seeds…). */
  nonProduction: NonProductionPolicy;
  /** Message and help templates; `{{name}}` is replaced with report data. */
  messages: Record<string, string>;
  options: Record<string, RuleOptionSchema>;
}

export type RuleOptionValues = Record<string, number | string | boolean>;

export interface ReportDescriptor {
  messageId: string;
  helpId?: string;
  data?: Record<string, string | number>;
  range: SourceRange;
  related?: RelatedLocation[];
  /** A safe, mechanical edit (`--fix`); only for rules with `meta.fixable`. */
  fix?: TextEdit[];
  /**
   * Edits that need the author's judgement (a pool size that fits the budget, a did-you-mean
   * rename): the ESLint plugin offers them as suggestions (quick fixes in the editor); `--fix`
   * never applies them. Only for rules with `meta.hasSuggestions`.
   */
  suggest?: Array<{ desc: string; fix: TextEdit[] }>;
  /**
   * The severity of this finding when the user has not configured the rule's
   * severity (some rules have an error case and a warning case). An explicit
   * severity in the user's configuration applies to every finding of the rule.
   */
  severity?: Severity;
}

export interface RuleContext {
  readonly facts: ProjectFacts;
  /** The run's one model (src/model/project-model.ts): connections, deployment, pooler paths. */
  readonly model: ProjectModel;
  readonly settings: LintSettings;
  readonly options: RuleOptionValues;
  /** What `pgconn-lint live` read from running servers, joined with the model (src/live/); absent in a static run, where `live-*` rules report nothing. */
  readonly live?: LiveContext;
  report(descriptor: ReportDescriptor): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export const DOCS_BASE_URL = 'https://github.com/pgconn-lint/pgconn-lint/blob/main/rules/';

export function docsUrl(id: string): string {
  return `${DOCS_BASE_URL}${id}.md`;
}

/** The one factory for rules: validates the metadata's shape at load time. */
export function defineRule(rule: Rule): Rule {
  const { meta } = rule;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(meta.id)) throw new Error(`rule id "${meta.id}" is not kebab-case`);
  for (const text of Object.values(meta.messages)) {
    if (text.trim() === '') throw new Error(`rule ${meta.id} has an empty message`);
  }
  return rule;
}

/**
 * What becomes of a finding at `file` under the rule's non-production policy: undefined when the
 * file is production code or the rule reports everywhere; else the action and the matching pattern.
 * The engine and the ESLint plugin both ask here.
 */
export function nonProductionVerdict(rule: Rule, model: Pick<ProjectModel, 'codePaths'>, file: string): { action: 'skip' | 'warn'; match: NonProductionMatch } | undefined {
  // A rule defined without the field (a test stub) reports everywhere.
  const action = rule.meta.nonProduction?.action ?? 'report';
  if (action === 'report') return undefined;
  const match = model.codePaths.nonProduction(file);
  return match ? { action, match } : undefined;
}

/** The sentence a `warn` finding in non-production code ends its help with (the CLI and the ESLint plugin). */
export function nonProductionNote(match: NonProductionMatch): string {
  return `This file is non-production code (${match.describe}), where this rule reports warnings.`;
}

export function renderTemplate(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const v = data?.[key];
    return v === undefined ? whole : String(v);
  });
}
