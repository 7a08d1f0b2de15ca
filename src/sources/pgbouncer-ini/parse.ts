import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { ConnstringItem, IniEntry } from './types.js';

/**
 * A line-for-line re-implementation of PgBouncer's ini reader, libusual usual/cfparser.c
 * parse_ini_file_internal() (identical from PgBouncer 1.17 to 1.24; 1.25 adds quoted keys):
 * - leading whitespace (C isspace) is skipped, so blank lines vanish;
 * - `%include` + blank + path (path runs to end of line, trailing whitespace trimmed);
 * - `;` or `#` as the first non-blank character makes a comment line; there are NO inline comments;
 * - `[name]` is a section header; the name is taken verbatim (no trimming, case kept) and parsing
 *   goes on right after `]` on the same line;
 * - a key is a run of [A-Za-z0-9_.*-] (1.25+: or any text in single quotes), then blanks, `=`, blanks,
 *   and the value runs to the end of the line with trailing whitespace trimmed;
 * - anything else is "syntax error in configuration", which stops PgBouncer.
 */

export interface IniSectionHeader {
  /** Name exactly as written between the brackets (PgBouncer compares it with strcmp). */
  name: string;
  file: string;
  range: SourceRange;
  nameRange: SourceRange;
}

export interface IniIncludeDirective {
  /** Path exactly as written (trailing whitespace trimmed). */
  target: string;
  /** The whole directive, `%include` through the path. */
  range: SourceRange;
  targetRange: SourceRange;
  /** Section in effect where the directive stands; the included file continues in it. */
  section: string | null;
}

export interface ParsedPgbouncerIni {
  entries: IniEntry[];
  includes: IniIncludeDirective[];
  problems: InputProblem[];
  sections: IniSectionHeader[];
  /** Entries, section headers and includes in file order. */
  items: Array<{ kind: 'entry'; entry: IniEntry } | { kind: 'section'; section: IniSectionHeader } | { kind: 'include'; include: IniIncludeDirective }>;
  /** Section in effect at the end of the file (an including file continues with it). */
  finalSection: string | null;
}

export interface ParseIniOptions {
  /** Section in effect before the first header: an included file inherits the includer's (cfparser.c keeps cur_sect). */
  initialSection?: string | null;
  /** Accept `'quoted keys' = …` (libusual 2025, shipped with PgBouncer 1.25). Default true. */
  quotedKeys?: boolean;
}

// C isspace / isblank in the "C" locale, which PgBouncer runs in.
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isBlank = (c: number): boolean => c === 32 || c === 9;
// cfparser.c: isalnum(*p) || strchr("_.-*", *p)
const isKeyChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 || c === 42;

export function parsePgbouncerIni(text: string, file: string, options: ParseIniOptions = {}): ParsedPgbouncerIni {
  const idx = new LineIndex(text);
  const quotedKeys = options.quotedKeys ?? true;
  const out: ParsedPgbouncerIni = { entries: [], includes: [], problems: [], sections: [], items: [], finalSection: null };
  let section: string | null = options.initialSection ?? null;
  const n = text.length;
  const at = (i: number): number => (i < n ? text.charCodeAt(i) : 0);
  const toEol = (i: number): number => {
    while (i < n && text.charCodeAt(i) !== 10) i++;
    return i;
  };
  const trimEnd = (start: number, end: number): number => {
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    return end;
  };
  const syntaxError = (pos: number, message: string, help?: string): number => {
    // PgBouncer: "syntax error in configuration (file:line), stopping loading". We go on at the next line.
    const problem: InputProblem = {
      message: `${message}; PgBouncer stops loading the configuration here ("syntax error in configuration").`,
      range: idx.range(file, pos, Math.max(pos + 1, trimEnd(pos, toEol(pos)))),
    };
    if (help !== undefined) problem.help = help;
    if (pos >= n) problem.range = idx.range(file, n, n);
    out.problems.push(problem);
    return toEol(pos);
  };

  let p = 0;
  if (at(0) === 0xfeff) {
    // PgBouncer reads the BOM bytes as the start of a key: "syntax error" on line 1. Report it, then
    // parse the rest as if it were not there so that the other findings stay useful.
    out.problems.push({
      message: 'The file starts with a UTF-8 byte order mark; PgBouncer reads it as part of the first line and stops loading the configuration ("syntax error in configuration").',
      help: 'Save the file as UTF-8 without BOM.',
      range: idx.range(file, 0, 1),
    });
    p = 1;
  }
  while (p < n) {
    while (p < n && isSpace(at(p))) p++;
    if (p >= n) break;

    if (text.startsWith('%include', p) && isBlank(at(p + 8))) {
      const start = p;
      p += 8;
      while (p < n && isBlank(at(p))) p++;
      const val = p;
      p = toEol(p);
      const vend = trimEnd(val, p);
      const inc: IniIncludeDirective = {
        target: text.slice(val, vend),
        range: idx.range(file, start, Math.max(vend, start + 8)),
        targetRange: idx.range(file, val, vend),
        section,
      };
      out.includes.push(inc);
      out.items.push({ kind: 'include', include: inc });
      continue;
    }

    const c = at(p);
    if (c === 35 /* # */ || c === 59 /* ; */) {
      p = toEol(p);
      continue;
    }

    if (c === 91 /* [ */) {
      const start = p;
      const name = ++p;
      while (p < n && at(p) !== 93 && at(p) !== 10) p++;
      if (at(p) !== 93) {
        p = syntaxError(start, 'Section header has no closing "]"', 'Write the header as [pgbouncer], [databases], [users] or [peers] on one line.');
        continue;
      }
      const header: IniSectionHeader = {
        name: text.slice(name, p),
        file,
        range: idx.range(file, start, p + 1),
        nameRange: idx.range(file, name, p),
      };
      section = header.name;
      out.sections.push(header);
      out.items.push({ kind: 'section', section: header });
      p++; // cfparser.c continues right after "]", on the same line
      continue;
    }

    // read key
    const keyStart = p;
    let key: string;
    let keyEnd: number;
    if (c === 39 /* ' */ && quotedKeys) {
      // libusual 6b7fc84 "Support quoted keys in config" (PgBouncer 1.25): 'key with spaces' = value
      p++;
      while (p < n && at(p) !== 39) p++;
      if (at(p) !== 39 || p === keyStart + 1) {
        p = syntaxError(keyStart, at(p) !== 39 ? 'Quoted key has no closing quote' : 'Quoted key is empty');
        continue;
      }
      key = text.slice(keyStart + 1, p);
      keyEnd = ++p;
    } else {
      while (p < n && isKeyChar(at(p))) p++;
      key = text.slice(keyStart, p);
      keyEnd = p;
    }
    while (p < n && isBlank(at(p))) p++;
    if (at(p) !== 61 /* = */) {
      const bad = p < n && at(p) !== 10 && at(p) !== 13 ? text[p] : undefined;
      let message: string;
      let help: string | undefined;
      if (keyEnd === keyStart) {
        message = `Unexpected character ${JSON.stringify(text[keyStart])} at the start of a line`;
        help = 'Lines must be `key = value`, `[section]`, `%include path`, or comments starting with ; or #.';
        if (c === 39 && !quotedKeys) help = 'Quoted keys need PgBouncer 1.25 or newer.';
        if (c === 37 /* % */) help = '`%include` must be lower case and followed by a space and a path.';
      } else if (bad === undefined) {
        message = `"${key}" has no "=" and no value`;
        help = `Write it as "${key} = value", or comment it out with ;.`;
      } else {
        message = `Unexpected ${JSON.stringify(bad)} after "${key}": keys may only contain letters, digits, "_", ".", "-" and "*", followed by "="`;
        if (section === 'databases' || section === 'users') help = quotedKeys ? `Quote a name with other characters: '${key}…' = …` : 'Names with other characters need single quotes, which PgBouncer 1.25 understands.';
      }
      p = syntaxError(keyEnd === keyStart ? keyStart : p, message, help);
      continue;
    }
    const eq = p;
    p++;
    while (p < n && isBlank(at(p))) p++;
    const val = p;
    p = toEol(p);
    const vend = trimEnd(val, p);
    const entry: IniEntry = {
      section,
      key,
      value: text.slice(val, vend),
      file,
      keyRange: idx.range(file, keyStart, keyEnd),
      valueRange: idx.range(file, val, vend),
      range: idx.range(file, keyStart, Math.max(vend, eq + 1)),
    };
    out.entries.push(entry);
    out.items.push({ kind: 'entry', entry });
  }
  out.finalSection = section;
  return out;
}

/**
 * The line PgBouncer names in "invalid value … (file:line)" for an entry: cfparser.c counts lines
 * after skipping the whitespace that follows the value, i.e. at the start of the next non-blank line
 * (or at the end of the file). Useful to match PgBouncer's logs with entries.
 */
export function pgbouncerReportedLine(text: string, entry: IniEntry): number {
  const idx = new LineIndex(text);
  let lineStart = 0;
  for (let l = 1; l < entry.valueRange.endLine; l++) {
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  let p = text.indexOf('\n', lineStart);
  if (p < 0) return idx.position(text.length).line;
  while (p < text.length && isSpace(text.charCodeAt(p))) p++;
  // cfparser.c count_lines counts '\n' only.
  let lines = 1;
  for (let i = 0; i < p; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}

/**
 * Parses a [databases]/[users]/[peers] value like PgBouncer src/loader.c cstr_get_pair():
 * pairs `key=value` separated by spaces (only ' ', not tabs); a key runs to '=' or ' ';
 * a value is either unquoted (runs to the next ' ') or in single quotes with '' for a quote
 * (no backslash escapes); the character right after a closing quote is dropped; empty values are
 * a "syntax error in connection string". Keys are returned as written; checking them is the catalogue's job.
 */
export function parseConnstring(value: string, valueRange: SourceRange): { items: ConnstringItem[]; problems: InputProblem[] } {
  const items: ConnstringItem[] = [];
  const problems: InputProblem[] = [];
  const n = value.length;
  const col = (i: number): SourceRange => ({
    file: valueRange.file,
    line: valueRange.line,
    column: valueRange.column + i,
    endLine: valueRange.line,
    endColumn: valueRange.column + i,
  });
  const span = (a: number, b: number): SourceRange => ({ ...col(a), endColumn: valueRange.column + Math.max(b, a) });
  const fail = (a: number, b: number, message: string, help?: string): void => {
    const pr: InputProblem = { message: `${message} ("syntax error in connection string"; PgBouncer refuses this entry).`, range: span(a, Math.max(b, a + 1)) };
    if (help !== undefined) pr.help = help;
    if (a >= n) pr.range = span(n, n);
    problems.push(pr);
  };
  const skipWs = (i: number): number => {
    while (i < n && value.charCodeAt(i) === 32) i++;
    return i;
  };

  let p = skipWs(0);
  while (p < n) {
    const keyStart = p;
    while (p < n && value[p] !== '=' && value[p] !== ' ') p++;
    const keyEnd = p;
    p = skipWs(p);
    if (value[p] !== '=' || keyEnd === keyStart) {
      if (keyEnd === keyStart) fail(keyStart, keyStart + 1, 'Missing parameter name before "="');
      else fail(keyStart, keyEnd, `"${value.slice(keyStart, keyEnd)}" is not followed by "="`, 'Write parameters as key=value separated by spaces; quote values that contain spaces: key=\'a b\'.');
      return { items, problems };
    }
    p = skipWs(p + 1);
    let val: string;
    const valStart = p;
    let valEnd: number;
    if (value[p] === "'") {
      p++;
      let s = '';
      for (;;) {
        if (p >= n) {
          fail(valStart, n, `Quoted value of ${value.slice(keyStart, keyEnd)} has no closing quote`, "Close the value with ' and write a quote inside it as ''.");
          return { items, problems };
        }
        if (value[p] === "'") {
          if (value[p + 1] === "'") p++;
          else break;
        }
        s += value[p];
        p++;
      }
      val = s;
      p++; // after the closing quote
      valEnd = p;
      // loader.c cstr_get_value: "if not EOL, cut value" — the character after the quote is overwritten.
      if (p < n) {
        if (value[p] !== ' ') {
          problems.push({
            message: `PgBouncer silently drops ${JSON.stringify(value[p])} right after the closing quote of ${value.slice(keyStart, keyEnd)} (it overwrites the character after a quoted value).`,
            help: 'Put a space after the closing quote.',
            severity: 'warning',
            range: span(p, p + 1),
          });
        }
        p++;
      }
    } else {
      while (p < n && value[p] !== ' ') p++;
      val = value.slice(valStart, p);
      valEnd = p;
      if (p < n) p++;
    }
    if (val === '') {
      fail(keyStart, valEnd, `Empty value for ${value.slice(keyStart, keyEnd)}`, 'Remove the parameter or give it a value.');
      return { items, problems };
    }
    items.push({ key: value.slice(keyStart, keyEnd), value: val, keyRange: span(keyStart, keyEnd), valueRange: span(valStart, valEnd) });
    p = skipWs(p);
  }
  return { items, problems };
}

/** Discovery: files named pgbouncer.ini, or any .ini whose text has a `[pgbouncer]` header line. */
export function isPgbouncerIni(text: string, fileName: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  if (base.toLowerCase() === 'pgbouncer.ini') return true;
  if (!/\.ini$/i.test(base)) return false;
  return /(^|[\r\n])[ \t\v\f]*\[pgbouncer\]/.test(text);
}
