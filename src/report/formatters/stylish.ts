import { relative } from 'node:path';
import { LineIndex } from '../../core/location.js';
import type { Diagnostic } from '../../core/diagnostic.js';
import type { Formatter, FormatterContext } from './types.js';
import { redactSecrets, redactSourceLine } from '../../core/redact.js';
import { escapeText, escapeTextMapped, neutraliseCommands } from '../escape.js';
import { wrapWords } from '../wrap.js';

type Style = (s: string) => string;
function styles(color: boolean) {
  const wrap = (open: number, close: number): Style => (s) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), blue: wrap(34, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22), underline: wrap(4, 24) };
}

/** A path as shown: relative to the working directory when inside it, escaped (escape.ts). */
function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return escapeText(rel && !rel.startsWith('..') ? rel : file);
}

/** Tabs are shown as this many spaces, so the caret line lines up with the source line. */
const TAB_WIDTH = 4;
/**
 * A source line longer than this (UTF-16 code units) is shown cut to this many around the
 * reported span, with `…` where it was cut: output stays linear in the input, a minified or
 * hostile 160,000-character line prints a frame of this size.
 */
export const FRAME_MAX_CHARS = 200;
/** How much of the line before the span a cut frame keeps. */
const FRAME_CONTEXT_BEFORE = 40;

/** One LineIndex and one redaction per line, whatever the number of findings on them. */
class SourceLines {
  private readonly files = new Map<string, { index: LineIndex; text: string; kind: string; lines: Map<number, string> } | null>();
  constructor(private readonly ctx: FormatterContext) {}

  /** The redacted text of a 1-based line, and whether the file starts with a BOM; undefined when not shown. */
  line(file: string, n: number): { text: string; bom: boolean } | undefined {
    let f = this.files.get(file);
    if (f === undefined) {
      const src = this.ctx.sourceText(file);
      f = src ? { index: new LineIndex(src.text), text: src.text, kind: src.kind, lines: new Map() } : null;
      this.files.set(file, f);
    }
    if (f === null || n > f.index.lineCount) return undefined;
    let text = f.lines.get(n);
    if (text === undefined) {
      // Redacted before it is cut: a cut could separate a password from its key.
      text = redactSourceLine(f.index.lineText(n).replace(/^\uFEFF/, ''), f.kind);
      f.lines.set(n, text);
    }
    return { text, bom: n === 1 && f.text.charCodeAt(0) === 0xfeff };
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** `[from, to)` of `line` to show so that it holds at most FRAME_MAX_CHARS and starts near `start`. */
function frameWindow(line: string, start: number, max: number): [number, number] {
  if (line.length <= max) return [0, line.length];
  let from = Math.max(0, Math.min(start - Math.min(FRAME_CONTEXT_BEFORE, Math.floor(max / 3)), line.length - max));
  let to = Math.min(line.length, from + max);
  // Never cut a surrogate pair in two.
  if (from > 0 && isLowSurrogate(line.charCodeAt(from))) from++;
  if (to < line.length && isLowSurrogate(line.charCodeAt(to))) to--;
  return [from, to];
}

function frame(d: Diagnostic, sources: SourceLines, s: ReturnType<typeof styles>, gutter: number, columns: number | undefined): string[] {
  const src = sources.line(d.range.file, d.range.line);
  if (!src) return [];
  const line = src.text;
  const bomShift = src.bom ? 1 : 0;
  const start = Math.min(line.length, Math.max(0, d.range.column - 1 - bomShift));
  const end = d.range.endLine === d.range.line ? Math.min(line.length, Math.max(start + 1, d.range.endColumn - 1 - bomShift)) : line.length;
  // On a terminal the frame fits its width (gutter, ` | `, and a `…` at each end); never over FRAME_MAX_CHARS.
  const [from, to] = frameWindow(line, start, columns ? Math.max(20, Math.min(FRAME_MAX_CHARS, columns - gutter - 5)) : FRAME_MAX_CHARS);
  const clamp = (x: number) => Math.min(to, Math.max(from, x)) - from;
  const shown = escapeTextMapped(line.slice(from, to), [clamp(start), clamp(end)], TAB_WIDTH);
  const before = from > 0 ? '…' : '';
  const after = to < line.length ? '…' : '';
  const prefix = before.length + (shown.offsets[0] ?? 0);
  const width = Math.max(1, (shown.offsets[1] ?? 0) - (shown.offsets[0] ?? 0));
  const pad = ' '.repeat(gutter);
  const mark = d.severity === 'error' ? s.red : s.yellow;
  return [
    `${pad} ${s.blue('|')}`,
    `${s.blue(String(d.range.line).padStart(gutter))} ${s.blue('|')} ${before}${shown.text}${after}`,
    `${pad} ${s.blue('|')} ${' '.repeat(prefix)}${mark('^'.repeat(width))}`,
  ];
}

/** A message, help or note: secrets masked, then escaped for the terminal and the CI log. */
function text(s: string): string {
  return escapeText(redactSecrets(s));
}

/**
 * Human output: findings grouped by file as ESLint's stylish does, each drawn
 * like rustc/Squawk (header, location, source frame, help), then one docs link
 * per rule seen and the counts. Everything from the input is escaped (escape.ts).
 */
export const formatStylish: Formatter = (result, ctx) => {
  const s = styles(ctx.color);
  const sources = new SourceLines(ctx);
  /** Messages, notes and help wrapped at the output width (none when the caller gives none). */
  const wrap = (body: string, used: number, indent: number): string[] => (ctx.width ? wrapWords(body, ctx.width, used, indent) : [body]);
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
      const id = d.ruleId ? `[${escapeText(d.ruleId)}]` : d.fatal ? '[fatal]' : '';
      const gutter = String(d.range.line).length;
      const [first = '', ...rest] = wrap(text(d.message), d.severity.length + id.length + 2, gutter + 4);
      lines.push(`${label}${s.bold(id)}${s.bold(':')} ${s.bold(first)}`, ...rest.map((l) => s.bold(l)));
      lines.push(`${' '.repeat(gutter)}${s.blue('-->')} ${displayPath(d.range.file, ctx.cwd)}:${d.range.line}:${d.range.column}`);
      lines.push(...frame(d, sources, s, gutter, ctx.width));
      // `  = note: ` and `  = help: `: continuation lines start under the text, as rustc aligns them.
      const noted = (kind: 'note' | 'help', body: string) => {
        const [head = '', ...more] = wrap(body, gutter + 3 + kind.length + 2, gutter + 3 + kind.length + 2);
        lines.push(`${' '.repeat(gutter)} ${s.blue('=')} ${s.bold(kind)}: ${head}`, ...more);
      };
      for (const r of d.related ?? []) noted('note', `${text(r.message)} (${displayPath(r.range.file, ctx.cwd)}:${r.range.line}:${r.range.column})`);
      if (d.help) noted('help', text(d.help));
      lines.push('');
    }
  }
  const total = errors + warnings;
  if (total === 0) return '';
  if (result.rulesSeen.length > 0) {
    lines.push(s.bold('Rule docs:'));
    for (const id of result.rulesSeen) {
      const [name = '', url = ''] = wrap(`${escapeText(id)}: ${ctx.docsUrl(id)}`, 2, 4).length > 1 ? [`${escapeText(id)}:`, `\n    `] : [`${escapeText(id)}:`, ' '];
      lines.push(`  ${name}${url}${s.cyan(ctx.docsUrl(id))}`);
    }
    lines.push('');
  }
  const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
  lines.push(errors > 0 ? s.red(s.bold(summary)) : s.yellow(s.bold(summary)));
  return neutraliseCommands(lines.join('\n') + '\n');
};
