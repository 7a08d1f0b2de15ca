import { relative } from 'node:path';
import type { Formatter } from './types.js';
import { redactSecrets } from '../redact.js';

/**
 * GitHub Actions workflow commands, one per finding:
 *   ::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message
 * Escaping as GitHub's runner (toolkit command.ts) requires: in the message
 * % \r \n; in properties also : and ,.
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
    const file = relative(ctx.cwd, f.filePath) || f.filePath;
    for (const d of f.diagnostics) {
      const cmd = d.severity === 'error' ? 'error' : 'warning';
      const title = d.ruleId ? `pgconn-lint(${d.ruleId})` : 'pgconn-lint';
      const props = [
        `file=${escapeProperty(file)}`,
        `line=${d.range.line}`,
        `col=${d.range.column}`,
        `endLine=${d.range.endLine}`,
        `endColumn=${d.range.endColumn}`,
        `title=${escapeProperty(title)}`,
      ].join(',');
      let msg = d.message;
      if (d.help) msg += `\nhelp: ${d.help}`;
      if (d.ruleId) msg += `\ndocs: ${ctx.docsUrl(d.ruleId)}`;
      lines.push(`::${cmd} ${props}::${escapeData(redactSecrets(msg))}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
};
