import type { LintResult } from '../../engine/lint.js';

export interface FormatterContext {
  cwd: string;
  color: boolean;
  /** Rule id → docs URL, for rules that appear. */
  docsUrl(ruleId: string): string;
  /** Text of a linted file (for source frames), if it was read. */
  sourceText(file: string): { text: string; kind: string } | undefined;
}

export type Formatter = (result: LintResult, ctx: FormatterContext) => string;
