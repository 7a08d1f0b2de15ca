import type { SourceRange } from './location.js';

export type Severity = 'error' | 'warning';

export interface RelatedLocation {
  range: SourceRange;
  message: string;
}

/**
 * One finding. `ruleId === null` marks a problem with the input itself (it could
 * not be read or parsed): such diagnostics are `fatal`, always errors, and cannot
 * be turned off by rule configuration — ESLint's convention for parse errors.
 */
export interface Diagnostic {
  ruleId: string | null;
  severity: Severity;
  message: string;
  /** What to change, and to what value. */
  help?: string;
  range: SourceRange;
  related?: RelatedLocation[];
  fatal?: boolean;
  /** A safe, mechanical edit that resolves the finding (`--fix`); only from rules whose meta says `fixable`. */
  fix?: TextEdit[];
  /** Edits that need the author's judgement: the ESLint plugin offers them as suggestions; `--fix` never applies them. */
  suggestions?: Array<{ desc: string; fix: TextEdit[] }>;
}

/** Replace `range` (end exclusive; an empty range inserts) with `text`. Never holds a secret. */
export interface TextEdit {
  range: SourceRange;
  text: string;
}

/** A problem found while reading an input file: becomes a fatal diagnostic. */
export interface InputProblem {
  message: string;
  range: SourceRange;
  help?: string;
  /** 'error' stops the program that reads the file; 'warning' is a note (e.g. a skipped file). */
  severity?: Severity;
}

export function inputProblemToDiagnostic(p: InputProblem): Diagnostic {
  const d: Diagnostic = {
    ruleId: null,
    severity: p.severity ?? 'error',
    message: p.message,
    range: p.range,
    fatal: (p.severity ?? 'error') === 'error',
  };
  if (p.help !== undefined) d.help = p.help;
  return d;
}
