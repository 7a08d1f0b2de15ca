import type { LintResult } from '../../engine/lint.js';
import type { Rule } from '../../engine/rule.js';

export interface FormatterContext {
  cwd: string;
  color: boolean;
  /** Rule id → docs URL, for rules that appear. */
  docsUrl(ruleId: string): string;
  /** Text of a linted file (for source frames), if it was read. */
  sourceText(file: string): { text: string; kind: string } | undefined;
  /** Every rule known to this run (SARIF lists them in tool.driver.rules). */
  rules?: readonly Rule[];
  /** Columns to wrap messages, notes and help at (stylish); no wrapping when absent. */
  width?: number;
  /** pgconn-lint's version. */
  version?: string;
}

export type Formatter = (result: LintResult, ctx: FormatterContext) => string;
