import type { TextEdit } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { PoolDefinition } from './types.js';

/**
 * Text edits on the option object of a pool construction (`new Pool({ … })`), for `--fix` and the
 * ESLint plugin's fixes. They work from the facts (each option's property range) and the file's
 * text, keep the object's layout (one line or one property per line, trailing comma, indentation,
 * line ends), and give up — no edit — whenever the object is not written inline in the
 * construction (options from a variable, a spread, another file): then the finding stays a finding.
 */

interface Span {
  start: number;
  end: number;
}

function span(index: LineIndex, r: SourceRange): Span | undefined {
  const start = index.offset(r.line, r.column);
  const end = index.offset(r.endLine, r.endColumn);
  return start === undefined || end === undefined || end < start ? undefined : { start, end };
}

function at(index: LineIndex, file: string, offset: number): SourceRange {
  return index.range(file, offset, offset);
}

/** The top-level options written inside the construction itself, last one last. */
function inlineOptions(def: PoolDefinition, index: LineIndex): Array<{ name: string; span: Span }> | undefined {
  if (def.opaqueOptions && def.opaqueOptions.length > 0) return undefined;
  const whole = span(index, def.range);
  if (!whole) return undefined;
  const out: Array<{ name: string; span: Span }> = [];
  for (const o of def.options) {
    if (o.name.includes('.')) continue;
    const s = o.range.file === def.file ? span(index, o.range) : undefined;
    // An option set elsewhere (a shared config object) is not edited through this construction.
    if (!s || s.start < whole.start || s.end > whole.end) return undefined;
    out.push({ name: o.name, span: s });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/**
 * Adds `property` (`connectionTimeoutMillis: 5000`) to the construction's inline option object:
 * after its last property, on a line of its own when the properties are one per line. A
 * construction with no argument at all (`new Pool()`) gets `{ property }`.
 */
export function addOptionEdit(def: PoolDefinition, text: string | undefined, property: string, where: { afterArguments?: boolean } = {}): TextEdit[] | undefined {
  if (text === undefined) return undefined;
  const index = new LineIndex(text);
  const options = inlineOptions(def, index);
  if (!options) return undefined;
  const whole = span(index, def.range)!;
  const last = options[options.length - 1];
  if (!last) {
    // `new Pool()` / `postgres()`: nothing between the parentheses.
    const call = text.slice(whole.start, whole.end);
    // `new Pool()`, or an empty object: `new Pool({})`, `new Pool({  })` (what removing the only option leaves).
    const empty = /\(\s*(\{\s*\})?\s*\)$/.exec(call);
    if (empty) {
      const open = whole.start + empty.index + 1;
      return [{ range: index.range(def.file, open, whole.end - 1), text: `{ ${property} }` }];
    }
    const braces = /\{\s*\}(\s*)\)$/.exec(call);
    if (braces) return [{ range: index.range(def.file, whole.start + braces.index, whole.end - 1 - braces[1]!.length), text: `{ ${property} }` }];
    // postgres(url): the options are the argument after the URL.
    if (!where.afterArguments || !call.endsWith(')')) return undefined;
    let close = whole.end - 1;
    while (close > whole.start && /\s/.test(text[close - 1]!)) close--;
    return [{ range: at(index, def.file, close), text: text[close - 1] === ',' ? ` { ${property} }` : `, { ${property} }` }];
  }
  let after = last.span.end;
  while (text[after] === ' ' || text[after] === '\t') after++;
  const trailingComma = text[after] === ',';
  const lineStart = last.span.start - (index.position(last.span.start).column - 1);
  const indent = text.slice(lineStart, last.span.start);
  if (/^[ \t]*$/.test(indent) && index.position(last.span.start).line !== index.position(whole.start).line) {
    // One property per line: a new line with the same indentation, and the object's own comma style.
    const eol = index.eol;
    return trailingComma
      ? [{ range: at(index, def.file, after + 1), text: `${eol}${indent}${property},` }]
      : [{ range: at(index, def.file, last.span.end), text: `,${eol}${indent}${property}` }];
  }
  return [{ range: at(index, def.file, trailingComma ? after + 1 : last.span.end), text: trailingComma ? ` ${property},` : `, ${property}` }];
}

/** Replaces the text of `range` (an option's value written as a literal) with `value`. */
export function replaceValueEdit(range: SourceRange | undefined, value: string): TextEdit[] | undefined {
  return range ? [{ range, text: value }] : undefined;
}

/**
 * Removes one property of an inline object (`max: 0`) with its comma: the whole line when it
 * stands alone on it, else the property and the comma after it (or before it, for the last one).
 */
export function removePropertyEdit(range: SourceRange, text: string | undefined): TextEdit[] | undefined {
  if (text === undefined) return undefined;
  const index = new LineIndex(text);
  const s = span(index, range);
  if (!s) return undefined;
  let end = s.end;
  while (text[end] === ' ' || text[end] === '\t') end++;
  const comma = text[end] === ',';
  if (comma) end++;
  const lineStart = s.start - (index.position(s.start).column - 1);
  let lineEnd = end;
  while (text[lineEnd] === ' ' || text[lineEnd] === '\t') lineEnd++;
  const alone = /^[ \t]*$/.test(text.slice(lineStart, s.start)) && (text[lineEnd] === '\n' || text[lineEnd] === '\r');
  if (alone && comma) {
    let next = lineEnd + (text[lineEnd] === '\r' && text[lineEnd + 1] === '\n' ? 2 : 1);
    if (next > text.length) next = text.length;
    return [{ range: index.range(range.file, lineStart, next), text: '' }];
  }
  if (comma) {
    while (text[end] === ' ' || text[end] === '\t') end++;
    return [{ range: index.range(range.file, s.start, end), text: '' }];
  }
  // The last property: take the comma before it (and the space or line break between).
  let before = s.start;
  while (before > 0 && /\s/.test(text[before - 1]!)) before--;
  if (text[before - 1] === ',') return [{ range: index.range(range.file, before - 1, s.end), text: '' }];
  return [{ range: index.range(range.file, s.start, s.end), text: '' }];
}
