/**
 * A .env reader that gives exactly what dotenv's default parser gives
 * (dotenv 16.0–17.4 lib/main.js `parse` → `parseRegex`; the opt-in `{ fast: true }`
 * scanner of 17.4 is not modelled), plus where each key and value is written.
 *
 * dotenv's rules, all from its LINE regex and the post-processing in parseRegex:
 * - `\r\n` and lone `\r` become `\n` before parsing;
 * - a line is `[export<ws>]KEY(<ws>*=<ws>*|:<ws>+)VALUE`, KEY is [A-Za-z0-9_.-]+, leading
 *   whitespace (newlines and a BOM included: JS `\s`) is skipped;
 * - VALUE is a '…', "…" or `…` string (which may span lines; a backslash before the quote does
 *   not end it but is kept), or else the text up to `#` or the end of the line: an unquoted `#`
 *   always starts a comment, even without a space before it;
 * - after a quoted value only whitespace and a `#` comment may follow, otherwise the whole
 *   rest of the line is read as an unquoted value (quotes kept);
 * - the value is trimmed, one pair of matching outer quotes is removed, and only when it starts
 *   with `"` are `\n` and `\r` turned into newline / carriage return (no other escapes: `\"` stays);
 * - any other line is skipped without an error; within one file the last assignment of a key wins.
 */
import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { DotenvEntry, DotenvQuote, ParsedDotenv } from './types.js';

// dotenv lib/main.js LINE, with capture groups added around `export`, the separator and the
// value (the `d` flag gives their offsets). Groups do not change what the regex matches.
//   /^\s*(export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|…)?\s*(?:#.*)?$/mg
// Run as dotenv runs it, that regex is quadratic: at every line start of a run of blank lines
// `^\s*` swallows the whole run and backtracks through it (40,000 blank lines: 3 s; a 1 MB file:
// minutes). LINE_BODY is the same regex without `^\s*`, tried once per run of whitespace at its
// first non-space character (matchLines): no match can begin with whitespace after `^\s*`, so
// that is the only place the original could match, and the matches are the same.
const LINE_BODY =
  /(export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/dym;
// dotenv parseRegex: value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2')
const OUTER_QUOTES = /^(['"`])([\s\S]*)\1$/gm;

const QUOTE_KIND: Record<string, DotenvQuote> = { "'": 'single', '"': 'double', '`': 'backtick' };

/** `\r\n` / `\r` → `\n` as dotenv does, with a map back to offsets in the original text. */
function normalizeNewlines(text: string): { norm: string; toOriginal: (offset: number) => number } {
  if (!text.includes('\r')) return { norm: text, toOriginal: (o) => o };
  const removedBefore: number[] = []; // normalized offsets just after each dropped `\r` of a `\r\n`
  let norm = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 13) continue;
    norm += text.slice(last, i);
    if (text.charCodeAt(i + 1) === 10) {
      removedBefore.push(norm.length);
      last = i + 1; // keep the `\n`
    } else {
      norm += '\n';
      last = i + 1;
    }
  }
  norm += text.slice(last);
  const toOriginal = (offset: number): number => {
    // Add the dropped `\r`s that sat before this offset; an offset at a `\n` maps to its `\r`, so ends stay before it.
    let lo = 0;
    let hi = removedBefore.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((removedBefore[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return offset + lo;
  };
  return { norm, toOriginal };
}

const isWs = (s: string, i: number): boolean => /\s/.test(s[i] ?? '');

/** ECMAScript LineTerminator: where a multiline `^` may match after. */
const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * `text.matchAll(LINE)` in linear time (see LINE_BODY). Each match's `index` is its line start,
 * as with `^\s*`; group offsets are absolute.
 */
export function* matchLines(text: string): Generator<RegExpExecArray> {
  let pos = 0;
  while (pos <= text.length) {
    // The next position where a multiline `^` matches: `pos` itself, or just after the next line terminator.
    let lineStart = pos;
    if (lineStart > 0 && !isLineTerminator(text.charCodeAt(lineStart - 1))) {
      while (lineStart < text.length && !isLineTerminator(text.charCodeAt(lineStart))) lineStart++;
      lineStart++;
    }
    if (lineStart > text.length) return;
    let first = lineStart;
    while (first < text.length && isWs(text, first)) first++;
    LINE_BODY.lastIndex = first;
    const m = first < text.length ? LINE_BODY.exec(text) : null;
    if (m) {
      const end = m.index + m[0].length;
      m.index = lineStart;
      m[0] = text.slice(lineStart, end);
      if (m.indices) m.indices[0] = [lineStart, end];
      yield m;
      pos = end;
    } else {
      // Every line start up to `first` reaches the same `first` and fails the same way.
      pos = first + 1;
    }
  }
}

export function parseDotenv(text: string, file: string): ParsedDotenv {
  const { norm, toOriginal } = normalizeNewlines(text);
  const idx = new LineIndex(text);
  const range = (start: number, end: number): SourceRange => idx.range(file, toOriginal(start), toOriginal(end));
  const entries: DotenvEntry[] = [];
  const problems: InputProblem[] = [];
  const covered: Array<[number, number]> = [];

  for (const m of matchLines(norm)) {
    const ind = m.indices;
    const keyAt = ind?.[2];
    const sepAt = ind?.[3];
    if (!ind || !keyAt || !sepAt) continue;
    covered.push([m.index, m.index + m[0].length]);
    const key = m[2] ?? '';
    const exportAt = ind[1];
    const start = exportAt ? exportAt[0] : keyAt[0];

    const raw = m[4] ?? '';
    const rawAt = ind[4];
    let vStart = rawAt ? rawAt[0] : sepAt[1];
    let vEnd = rawAt ? rawAt[1] : sepAt[1];
    while (vStart < vEnd && isWs(norm, vStart)) vStart++;
    while (vEnd > vStart && isWs(norm, vEnd - 1)) vEnd--;
    let value = raw.trim();
    const firstChar = value[0] ?? '';
    const stripped = value.replace(OUTER_QUOTES, '$2');
    let quoted: DotenvQuote = 'none';
    let innerStart = vStart;
    let innerEnd = vEnd;
    if (stripped !== value && value.length >= 2 && value[value.length - 1] === firstChar && stripped.length === value.length - 2) {
      quoted = QUOTE_KIND[firstChar] ?? 'none';
      innerStart = vStart + 1;
      innerEnd = vEnd - 1;
    }
    value = stripped;
    if (firstChar === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');

    const entry: DotenvEntry = {
      key,
      value,
      keyRange: range(keyAt[0], keyAt[1]),
      valueRange: range(innerStart, innerEnd),
      range: range(start, Math.max(vEnd, sepAt[1])),
      quoted,
      exported: exportAt !== undefined,
    };
    entries.push(entry);

    if (quoted === 'none' && QUOTE_KIND[firstChar] !== undefined) {
      problems.push({
        severity: 'warning',
        message: `The value of ${key} starts with a ${QUOTE_KIND[firstChar]} quote that does not enclose the whole value, so dotenv keeps the quote characters as part of it.`,
        help: 'Close the quote at the end of the value, and put nothing but a # comment after it.',
        range: range(vStart, vEnd),
      });
    }
    const sepLine = idx.position(toOriginal(sepAt[0])).line;
    if (vEnd > vStart && idx.position(toOriginal(vStart)).line !== sepLine) {
      problems.push({
        severity: 'warning',
        message: `${key} has nothing after the separator on its own line, so dotenv takes the text that starts on the next line as its value.`,
        help: `Write ${key}="" for an empty value, or put the value on the same line as the key.`,
        range: range(vStart, vEnd),
      });
    }
  }

  reportSkippedLines(norm, covered, range, problems);
  return { entries, problems };
}

/** Text outside every match is what dotenv skips: comments and blank lines, or lines it cannot read. */
function reportSkippedLines(
  norm: string,
  covered: Array<[number, number]>,
  range: (start: number, end: number) => SourceRange,
  problems: InputProblem[],
): void {
  let pos = 0;
  const gaps: Array<[number, number]> = [];
  for (const [a, b] of covered) {
    if (a > pos) gaps.push([pos, a]);
    pos = Math.max(pos, b);
  }
  if (pos < norm.length) gaps.push([pos, norm.length]);
  for (const [a, b] of gaps) {
    let lineStart = a;
    while (lineStart < b) {
      let lineEnd = norm.indexOf('\n', lineStart);
      if (lineEnd === -1 || lineEnd > b) lineEnd = b;
      let s = lineStart;
      let e = lineEnd;
      while (s < e && isWs(norm, s)) s++;
      while (e > s && isWs(norm, e - 1)) e--;
      if (s < e && norm[s] !== '#') {
        // Never quote the line: it may hold a secret.
        problems.push({
          severity: 'warning',
          message: 'dotenv skips this line: it is not a KEY=value assignment or a # comment.',
          help: 'Write it as KEY=value (KEY made of letters, digits, _ . -), or comment it out with #.',
          range: range(s, e),
        });
      }
      lineStart = lineEnd + 1;
    }
  }
}

/** The parsed object dotenv returns: the last assignment of each key wins (lib/main.js `obj[key] = value`). */
export function dotenvValues(entries: readonly DotenvEntry[]): Map<string, DotenvEntry> {
  const out = new Map<string, DotenvEntry>();
  for (const e of entries) out.set(e.key, e);
  return out;
}
