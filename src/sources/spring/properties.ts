import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/** One `key=value` of a .properties file, with where the value is written. */
export interface PropertyEntry {
  key: string;
  value: string;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

/** Most logical lines read from one file. */
const MAX_LINES = 100_000;

/**
 * A .properties file as java.util.Properties#load(Reader) reads it (JDK 21 javadoc): natural lines
 * end at \n, \r or \r\n; a line whose last character is an odd run of backslashes continues on the
 * next (whose leading white space is dropped); a line whose first non-blank character is `#` or `!`
 * is a comment; the key ends at the first unescaped `=`, `:` or white space, then blanks and at most
 * one `=`/`:` are skipped; `\t \n \r \f \uXXXX` are escapes, any other `\x` is `x`. The last
 * occurrence of a key wins (Properties is a map). Never throws: a bad `\u` escape is a located problem
 * (Java throws IllegalArgumentException: the application does not start).
 */
export function parseProperties(text: string, file: string): { entries: PropertyEntry[]; problems: InputProblem[] } {
  const entries: PropertyEntry[] = [];
  const problems: InputProblem[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let i = 0;
  let count = 0;
  while (i < lines.length) {
    if (++count > MAX_LINES) {
      problems.push({ message: `More than ${MAX_LINES} lines: the rest of this file is not read.`, range: { file, line: i + 1, column: 1, endLine: i + 1, endColumn: 1 }, severity: 'warning' });
      break;
    }
    const startLine = i + 1;
    let first = lines[i]!;
    i++;
    const lead = /^[ \t\f]*/.exec(first)![0].length;
    if (lead === first.length || first[lead] === '#' || first[lead] === '!') continue;
    // Logical line: join continuations (a line ending in an odd number of backslashes).
    let logical = first.slice(lead);
    const startColumn = lead + 1;
    while (endsWithOddBackslashes(logical) && i < lines.length) {
      logical = logical.slice(0, -1) + lines[i]!.replace(/^[ \t\f]+/, '');
      i++;
    }
    if (endsWithOddBackslashes(logical)) logical = logical.slice(0, -1);
    first = logical;
    // Key: up to an unescaped separator.
    let k = 0;
    let rawKey = '';
    while (k < first.length) {
      const c = first[k]!;
      if (c === '\\' && k + 1 < first.length) {
        rawKey += c + first[k + 1];
        k += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      rawKey += c;
      k++;
    }
    let v = k;
    while (v < first.length && /[ \t\f]/.test(first[v]!)) v++;
    if (first[v] === '=' || first[v] === ':') v++;
    while (v < first.length && /[ \t\f]/.test(first[v]!)) v++;
    const keyR = unescape(rawKey);
    const valR = unescape(first.slice(v));
    const keyRange: SourceRange = { file, line: startLine, column: startColumn, endLine: startLine, endColumn: startColumn + k };
    const valueRange: SourceRange = { file, line: startLine, column: startColumn + v, endLine: i, endColumn: i === startLine ? startColumn + first.length : (lines[i - 1]?.length ?? 0) + 1 };
    if (keyR.error || valR.error) {
      problems.push({ message: 'Malformed \\uXXXX escape: java.util.Properties#load throws IllegalArgumentException, and the application does not start.', help: 'Write four hexadecimal digits after \\u.', range: keyR.error ? keyRange : valueRange, severity: 'error' });
      continue;
    }
    entries.push({ key: keyR.text, value: valR.text, keyRange, valueRange });
  }
  return { entries, problems };
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function unescape(s: string): { text: string; error?: true } {
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (c !== '\\' || j + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++j]!;
    if (n === 'u') {
      const hex = s.slice(j + 1, j + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { text: out, error: true };
      out += String.fromCharCode(parseInt(hex, 16));
      j += 4;
    } else out += n === 't' ? '\t' : n === 'n' ? '\n' : n === 'r' ? '\r' : n === 'f' ? '\f' : n;
  }
  return { text: out };
}
