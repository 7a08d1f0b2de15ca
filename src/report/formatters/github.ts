import { relative } from 'node:path';
import type { Formatter } from './types.js';
import { redactSecrets } from '../../core/redact.js';
import { isTargetLocation } from '../../core/location.js';
import { escapeText } from '../escape.js';

/**
 * GitHub Actions workflow commands, one per finding:
 *   ::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message
 * Escaping as GitHub's runner unescapes (actions/runner ActionCommand.cs, the toolkit's
 * command.ts): in the data % \r \n; in properties also : and ,. Text from the input goes through
 * escapeText first (escape.ts): no control character, and no `##[` — the runner's legacy command
 * syntax, recognised anywhere in a line, which no %-escape can hide — reaches the line.
 */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const formatGithub: Formatter = (result, ctx) => {
  const lines: string[] = [];
  for (const f of result.files) {
    const file = escapeText(isTargetLocation(f.filePath) ? f.filePath : relative(ctx.cwd, f.filePath) || f.filePath);
    for (const d of f.diagnostics) {
      const cmd = d.severity === 'error' ? 'error' : 'warning';
      const title = d.ruleId ? `pgconn-lint(${d.ruleId})` : 'pgconn-lint';
      // A finding about a running server (`pgconn-lint live`) annotates no file: the URL leads the text.
      const target = isTargetLocation(f.filePath);
      const props = [
        ...(target
          ? []
          : [`file=${escapeProperty(file)}`, `line=${d.range.line}`, `col=${d.range.column}`, `endLine=${d.range.endLine}`, `endColumn=${d.range.endColumn}`]),
        `title=${escapeProperty(escapeText(title))}`,
      ].join(',');
      // Our line breaks between message, help and docs are kept (%0A); the input's are escaped.
      const parts = [target ? `${file}: ${escapeText(redactSecrets(d.message))}` : escapeText(redactSecrets(d.message))];
      if (d.help) parts.push(`help: ${escapeText(redactSecrets(d.help))}`);
      // An annotation has one location: the related ones go in the text, as file:line: message.
      for (const r of d.related ?? []) {
        const at = isTargetLocation(r.range.file) ? escapeText(r.range.file) : `${escapeText(relative(ctx.cwd, r.range.file) || r.range.file)}:${r.range.line}:${r.range.column}`;
        parts.push(`see ${at}: ${escapeText(redactSecrets(r.message))}`);
      }
      if (d.ruleId) parts.push(`docs: ${ctx.docsUrl(d.ruleId)}`);
      lines.push(`::${cmd} ${props}::${escapeData(parts.join('\n'))}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
};
