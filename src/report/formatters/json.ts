import type { Formatter } from './types.js';
import { redactSecrets } from '../../core/redact.js';
import { printableJson } from '../escape.js';

/**
 * ESLint's JSON shape: one object per linted file with its messages.
 * Additions beyond ESLint's are optional fields (suggestion = the help text,
 * docsUrl, relatedLocations), so ESLint-JSON consumers keep working. Values are exact; characters
 * a log should not see raw are written as JSON escapes (escape.ts, safeJsonText).
 */
export const formatJson: Formatter = (result, ctx) => {
  const out = result.files.map((f) => {
    const messages = f.diagnostics.map((d) => {
      const m: Record<string, unknown> = {
        ruleId: d.ruleId,
        severity: d.severity === 'error' ? 2 : 1,
        message: redactSecrets(d.message),
        line: d.range.line,
        column: d.range.column,
        endLine: d.range.endLine,
        endColumn: d.range.endColumn,
      };
      if (d.fatal) m.fatal = true;
      if (d.help) m.suggestion = redactSecrets(d.help);
      if (d.ruleId) m.docsUrl = ctx.docsUrl(d.ruleId);
      if (d.related?.length) {
        m.relatedLocations = d.related.map((r) => ({
          filePath: r.range.file,
          line: r.range.line,
          column: r.range.column,
          endLine: r.range.endLine,
          endColumn: r.range.endColumn,
          message: redactSecrets(r.message),
        }));
      }
      return m;
    });
    const errorCount = f.diagnostics.filter((d) => d.severity === 'error').length;
    const fatalErrorCount = f.diagnostics.filter((d) => d.fatal).length;
    return {
      filePath: f.filePath,
      messages,
      errorCount,
      fatalErrorCount,
      warningCount: f.diagnostics.length - errorCount,
      // Findings `--fix` would fix (ESLint's counts).
      fixableErrorCount: f.diagnostics.filter((d) => d.fix && d.severity === 'error').length,
      fixableWarningCount: f.diagnostics.filter((d) => d.fix && d.severity !== 'error').length,
    };
  });
  return printableJson(out);
};
