import { relative } from 'node:path';
import { LineIndex } from '../../core/location.js';
import type { Diagnostic } from '../../core/diagnostic.js';
import type { Formatter, FormatterContext } from './types.js';
import { redactSecrets, redactSourceLine } from '../redact.js';

type Style = (s: string) => string;
function styles(color: boolean) {
  const wrap = (open: number, close: number): Style => (s) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), blue: wrap(34, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22), underline: wrap(4, 24) };
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Expands tabs so the caret line lines up with the source line. */
function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

function frame(d: Diagnostic, ctx: FormatterContext, s: ReturnType<typeof styles>, gutter: number): string[] {
  const src = ctx.sourceText(d.range.file);
  if (!src) return [];
  const index = new LineIndex(src.text);
  if (d.range.line > index.lineCount) return [];
  const raw = index.lineText(d.range.line).replace(/^\uFEFF/, '');
  const bomShift = d.range.line === 1 && src.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const line = redactSourceLine(raw, src.kind);
  if (line.length > 400) return [];
  const start = Math.max(0, d.range.column - 1 - bomShift);
  const end = d.range.endLine === d.range.line ? Math.max(start + 1, d.range.endColumn - 1 - bomShift) : Math.max(start + 1, line.length);
  const pad = ' '.repeat(gutter);
  const prefix = expandTabs(line.slice(0, start)).length;
  const width = Math.max(1, expandTabs(line.slice(start, Math.min(end, line.length))).length);
  const mark = d.severity === 'error' ? s.red : s.yellow;
  return [
    `${pad} ${s.blue('|')}`,
    `${s.blue(String(d.range.line).padStart(gutter))} ${s.blue('|')} ${expandTabs(line)}`,
    `${pad} ${s.blue('|')} ${' '.repeat(prefix)}${mark('^'.repeat(width))}`,
  ];
}

/**
 * Human output: findings grouped by file as ESLint's stylish does, each drawn
 * like rustc/Squawk (header, location, source frame, help), then one docs link
 * per rule seen and the counts.
 */
export const formatStylish: Formatter = (result, ctx) => {
  const s = styles(ctx.color);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const f of result.files) {
    if (f.diagnostics.length === 0) continue;
    const path = displayPath(f.filePath, ctx.cwd);
    lines.push(s.underline(path));
    for (const d of f.diagnostics) {
      if (d.severity === 'error') errors++;
      else warnings++;
      const label = d.severity === 'error' ? s.red(s.bold('error')) : s.yellow(s.bold('warning'));
      const id = d.ruleId ? `[${d.ruleId}]` : d.fatal ? '[fatal]' : '';
      lines.push(`${label}${s.bold(id)}${s.bold(':')} ${s.bold(redactSecrets(d.message))}`);
      const gutter = String(d.range.line).length;
      lines.push(`${' '.repeat(gutter)}${s.blue('-->')} ${path}:${d.range.line}:${d.range.column}`);
      const fr = frame(d, ctx, s, gutter);
      lines.push(...fr);
      for (const r of d.related ?? []) {
        lines.push(`${' '.repeat(gutter)} ${s.blue('=')} ${s.bold('note')}: ${redactSecrets(r.message)} (${displayPath(r.range.file, ctx.cwd)}:${r.range.line}:${r.range.column})`);
      }
      if (d.help) lines.push(`${' '.repeat(gutter)} ${s.blue('=')} ${s.bold('help')}: ${redactSecrets(d.help)}`);
      lines.push('');
    }
  }
  const total = errors + warnings;
  if (total === 0) return '';
  if (result.rulesSeen.length > 0) {
    lines.push(s.bold('Rule docs:'));
    for (const id of result.rulesSeen) lines.push(`  ${id}: ${s.cyan(ctx.docsUrl(id))}`);
    lines.push('');
  }
  const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
  lines.push(errors > 0 ? s.red(s.bold(summary)) : s.yellow(s.bold(summary)));
  return lines.join('\n') + '\n';
};
