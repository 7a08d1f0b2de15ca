import type { Severity, RelatedLocation, TextEdit } from '../core/diagnostic.js';
import type { SourceRange } from '../core/location.js';
import type { ProjectFacts } from '../model/project.js';
import type { ProjectModel } from '../model/project-model.js';
import type { LintSettings } from './settings.js';

/** The kinds of input a rule can read; used for docs and to skip rules with nothing to read. */
export type InputKind = 'postgresql-conf' | 'pgbouncer-ini' | 'js' | 'python' | 'env' | 'prisma' | 'compose' | 'kubernetes';

export type RuleCategory = 'correctness' | 'capacity' | 'reliability' | 'security';

export interface RuleOptionSchema {
  type: 'integer' | 'number' | 'string' | 'boolean';
  description: string;
  default: number | string | boolean;
  minimum?: number;
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
  /** pgconn-lint version that introduced the rule. */
  since: string;
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

export function renderTemplate(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const v = data?.[key];
    return v === undefined ? whole : String(v);
  });
}
