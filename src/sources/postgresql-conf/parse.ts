/**
 * A scanner and parser for postgresql.conf that follows PostgreSQL's own,
 * src/backend/utils/misc/guc-file.l (the flex rules and ParseConfigFp are the
 * same in PostgreSQL 15–18; checked against both servers by
 * test/postgresql-conf/differential.test.ts).
 */
import { posix } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { PgConfEntry, PgConfFileParse, PgIncludeDirective, PgIncludeKind } from './types.js';

export interface PgConfParseOptions {
  /**
   * Stop at the first syntax error, as pg_file_settings and postmaster
   * children do (guc-file.l ParseConfigFp: `elevel <= DEBUG1` gives up at
   * once). Default false: like the postmaster at startup, report every
   * syntax error, up to 100 per file.
   */
  firstErrorOnly?: boolean;
}

/** guc-file.l ParseConfigFp: "give up after 100 syntax errors per file". */
export const MAX_SYNTAX_ERRORS_PER_FILE = 100;

type TokenKind = 'ID' | 'QUALIFIED_ID' | 'STRING' | 'UNQUOTED_STRING' | 'INTEGER' | 'REAL' | 'EQUALS' | 'ERROR' | 'EOL' | 'EOF';

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

// guc-file.l: LETTER [A-Za-z_\200-\377] — every byte of a multibyte UTF-8
// character is a LETTER, so every non-ASCII UTF-16 unit is one here.
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetterOrDigit(c: number): boolean {
  return isLetter(c) || isDigit(c);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
// guc-file.l: UNIT_LETTER [a-zA-Z]
function isUnitLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Longest match of every guc-file.l rule at `pos`, ties to the earlier rule,
 * as flex does. Rule order: \n, [ \t\r]+, #.*, ID, QUALIFIED_ID, STRING,
 * UNQUOTED_STRING, INTEGER, REAL, =, `.` (anything else: GUC_ERROR).
 */
class Scanner {
  pos = 0;
  /** Positions inside a quoted string from which the scan reaches the end of the line without a closing quote. */
  private deadEnd: Uint8Array | undefined;
  constructor(private readonly text: string) {}

  private at(i: number): number {
    return i < this.text.length ? this.text.charCodeAt(i) : -1;
  }

  next(): Token {
    const t = this.text;
    for (;;) {
      const start = this.pos;
      if (start >= t.length) return { kind: 'EOF', start, end: start };
      const c = t.charCodeAt(start);
      if (c === 10) {
        this.pos = start + 1;
        return { kind: 'EOL', start, end: start + 1 };
      }
      // [ \t\r]+ — a lone \r is whitespace, not a line end.
      if (c === 32 || c === 9 || c === 13) {
        let i = start + 1;
        while (i < t.length && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9 || t.charCodeAt(i) === 13)) i++;
        this.pos = i;
        continue;
      }
      // #.* — to the end of the line (flex `.` excludes only \n).
      if (c === 35) {
        let i = start + 1;
        while (i < t.length && t.charCodeAt(i) !== 10) i++;
        this.pos = i;
        continue;
      }
      const tok = this.longestMatch(start);
      this.pos = tok.end;
      return tok;
    }
  }

  private longestMatch(start: number): Token {
    const c = this.at(start);
    if (isLetter(c)) {
      let idEnd = start + 1;
      while (isLetterOrDigit(this.at(idEnd))) idEnd++;
      let qualEnd = -1;
      if (this.at(idEnd) === 46 && isLetter(this.at(idEnd + 1))) {
        qualEnd = idEnd + 2;
        while (isLetterOrDigit(this.at(qualEnd))) qualEnd++;
      }
      // UNQUOTED_STRING {LETTER}({LETTER_OR_DIGIT}|[-._:/])*
      let uEnd = start + 1;
      for (;;) {
        const d = this.at(uEnd);
        if (isLetterOrDigit(d) || d === 45 || d === 46 || d === 95 || d === 58 || d === 47) uEnd++;
        else break;
      }
      if (uEnd === idEnd) return { kind: 'ID', start, end: idEnd };
      if (uEnd === qualEnd) return { kind: 'QUALIFIED_ID', start, end: qualEnd };
      return { kind: 'UNQUOTED_STRING', start, end: uEnd };
    }
    if (c === 39) {
      const end = this.stringEnd(start);
      if (end > 0) return { kind: 'STRING', start, end };
      return { kind: 'ERROR', start, end: start + 1 };
    }
    if (c === 43 || c === 45 || c === 46 || isDigit(c)) {
      const i = this.integerEnd(start);
      const r = this.realEnd(start);
      if (i > 0 && i >= r) return { kind: 'INTEGER', start, end: i };
      if (r > 0) return { kind: 'REAL', start, end: r };
      return { kind: 'ERROR', start, end: start + 1 };
    }
    if (c === 61) return { kind: 'EQUALS', start, end: start + 1 };
    return { kind: 'ERROR', start, end: start + 1 };
  }

  /**
   * STRING \'([^'\\\n]|\\.|\'\')*\' — the longest match: a `'` may close the
   * string or, doubled, continue it; keep the last place it could close.
   * Returns 0 when there is no match (unterminated on this line).
   */
  private stringEnd(start: number): number {
    let best = 0;
    let i = start + 1;
    /** Positions of this scan after its last closing candidate: if it finds no other, none of them leads to one. */
    const since: number[] = [];
    for (;;) {
      if (this.deadEnd?.[i] === 1) break;
      const d = this.at(i);
      if (d === -1 || d === 10) break;
      since.push(i);
      if (d === 92) {
        const e = this.at(i + 1);
        if (e === -1 || e === 10) break;
        i += 2;
      } else if (d === 39) {
        best = i + 1;
        since.length = 0;
        if (this.at(i + 1) === 39) i += 2;
        else return best;
      } else i++;
    }
    // An unterminated quote: the scanner goes on with a one-character error token, and the next `'`
    // of the line starts another scan that may walk the same path (`\'\'\'…`: quadratic, as in
    // flex). The path is the same from any position on it, so remember where it leads nowhere.
    if (since.length > 0) {
      this.deadEnd ??= new Uint8Array(this.text.length + 1);
      for (const k of since) this.deadEnd[k] = 1;
    }
    return best;
  }

  /** INTEGER {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}* — 0 if none. */
  private integerEnd(start: number): number {
    let i = start;
    if (this.at(i) === 43 || this.at(i) === 45) i++;
    let best = 0;
    if (isDigit(this.at(i))) {
      let j = i;
      while (isDigit(this.at(j))) j++;
      while (isUnitLetter(this.at(j))) j++;
      best = j;
    }
    if (this.at(i) === 48 && this.at(i + 1) === 120 && isHexDigit(this.at(i + 2))) {
      let j = i + 2;
      while (isHexDigit(this.at(j))) j++;
      while (isUnitLetter(this.at(j))) j++;
      if (j > best) best = j;
    }
    return best;
  }

  /** REAL {SIGN}?{DIGIT}*"."{DIGIT}*{EXPONENT}? — note "." alone is a REAL. */
  private realEnd(start: number): number {
    let i = start;
    if (this.at(i) === 43 || this.at(i) === 45) i++;
    while (isDigit(this.at(i))) i++;
    if (this.at(i) !== 46) return 0;
    i++;
    while (isDigit(this.at(i))) i++;
    const e = this.at(i);
    if (e === 69 || e === 101) {
      let j = i + 1;
      if (this.at(j) === 43 || this.at(j) === 45) j++;
      if (isDigit(this.at(j))) {
        while (isDigit(this.at(j))) j++;
        i = j;
      }
    }
    return i;
  }
}

/**
 * guc-file.l DeescapeQuotedString: strip the quotes, '' → ', and backslash
 * escapes \b \f \n \r \t, octal \ooo (up to 3 digits, one byte), any other
 * \x → x. The C string ends at a NUL byte, so `\0` truncates the value.
 * (An octal escape above \177 yields one raw byte in PostgreSQL; here it is
 * the code point of that byte value.)
 */
export function deescapeQuotedString(token: string): string {
  const s = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let ch = s[i] as string;
    if (ch === '\\') {
      i++;
      const e = s[i] ?? '';
      switch (e) {
        case 'b':
          ch = '\b';
          break;
        case 'f':
          ch = '\f';
          break;
        case 'n':
          ch = '\n';
          break;
        case 'r':
          ch = '\r';
          break;
        case 't':
          ch = '\t';
          break;
        default:
          if (e >= '0' && e <= '7') {
            let k = 0;
            let v = 0;
            while (k < 3 && (s[i + k] ?? '') >= '0' && (s[i + k] ?? '') <= '7') {
              v = (v << 3) + (s.charCodeAt(i + k) - 48);
              k++;
            }
            i += k - 1;
            ch = String.fromCharCode(v & 0xff);
          } else ch = e;
      }
    } else if (ch === "'" && s[i + 1] === "'") {
      i++;
    }
    if (ch === '\0') return out;
    out += ch;
  }
  return out;
}

/** guc.c guc_name_compare folds ASCII letters only. */
export function pgConfKey(name: string): string {
  return name.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * PostgreSQL's canonicalize_path for the paths built here: collapse `//`,
 * `.` and `..`, drop a trailing slash.
 */
function canonicalizePath(p: string): string {
  let n = posix.normalize(p);
  if (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

/**
 * conffiles.c AbsoluteConfigLocation: an absolute location is kept exactly
 * as written (not canonicalized); a relative one is joined to the directory
 * of the including file and canonicalized.
 */
export function absoluteConfigLocation(location: string, callingFile: string): string {
  if (location.startsWith('/')) return location;
  return canonicalizePath(posix.join(posix.dirname(callingFile), location));
}

const INCLUDE_KINDS: ReadonlySet<string> = new Set<PgIncludeKind>(['include', 'include_if_exists', 'include_dir']);

const SYNTAX_CONSEQUENCE = 'Until it is fixed PostgreSQL will not start, and a reload applies nothing from the configuration.';

/** A syntax error as PostgreSQL words it, with our range and a fix. */
function syntaxProblem(file: string, pgLine: number, nearToken: string | null, range: SourceRange, help: string): InputProblem {
  const where = nearToken === null ? 'near end of line' : `near token "${nearToken}"`;
  return {
    message: `syntax error in file "${file}" line ${pgLine}, ${where}`,
    help: `${help} ${SYNTAX_CONSEQUENCE}`,
    range,
  };
}

/**
 * Parses one postgresql.conf-format file without following its includes.
 * `file` should be absolute: it is used in ranges and to resolve includes.
 */
export function parsePostgresqlConf(text: string, file: string, opts: PgConfParseOptions = {}): PgConfFileParse {
  const index = new LineIndex(text);
  const scanner = new Scanner(text);
  const items: PgConfFileParse['items'] = [];
  const problems: InputProblem[] = [];
  const range = (start: number, end: number): SourceRange => index.range(file, start, end);
  const tokText = (t: Token): string => text.slice(t.start, t.end);
  const maxErrors = opts.firstErrorOnly ? 1 : MAX_SYNTAX_ERRORS_PER_FILE;
  // ConfigFileLineno: guc-file.l counts \n only (a lone \r is whitespace).
  let lineno = 1;
  let errorCount = 0;

  for (;;) {
    let tok = scanner.next();
    if (tok.kind === 'EOF') break;
    if (tok.kind === 'EOL') {
      lineno++;
      continue;
    }
    const stmtStart = tok.start;
    let lastEnd = tok.end;
    let err: { tok: Token; help: string } | null = null;

    let nameTok: Token | null = null;
    let valueTok: Token | null = null;
    if (tok.kind !== 'ID' && tok.kind !== 'QUALIFIED_ID') {
      err = { tok, help: helpForName(tok, tokText(tok)) };
    } else {
      nameTok = tok;
      tok = scanner.next();
      if (tok.kind === 'EQUALS') {
        lastEnd = tok.end;
        tok = scanner.next();
      }
      if (tok.kind === 'ID' || tok.kind === 'STRING' || tok.kind === 'INTEGER' || tok.kind === 'REAL' || tok.kind === 'UNQUOTED_STRING') {
        valueTok = tok;
        lastEnd = tok.end;
        tok = scanner.next();
        if (tok.kind !== 'EOL' && tok.kind !== 'EOF') err = { tok, help: helpAfterValue(tok, tokText(tok), restOfLine(text, valueTok.start)) };
      } else {
        err = { tok, help: helpForValue(tok, tokText(tok)) };
      }
    }

    if (err === null && nameTok && valueTok) {
      lineno++; // at EOF too: "treat EOF like \n for line numbering purposes, cf bug 4752"
      const name = tokText(nameTok);
      const rawValue = tokText(valueTok);
      const quoted = valueTok.kind === 'STRING';
      const value = quoted ? deescapeQuotedString(rawValue) : rawValue;
      const key = pgConfKey(name);
      const nameRange = range(nameTok.start, nameTok.end);
      const valueRange = range(valueTok.start, valueTok.end);
      const stmtRange = range(nameTok.start, valueTok.end);
      // ParseConfigFp: include_dir, include_if_exists, include are directives
      // only when the whole (unqualified) name matches, case-insensitively.
      if (INCLUDE_KINDS.has(key) && nameTok.kind === 'ID') {
        const directive: PgIncludeDirective = {
          kind: key as PgIncludeKind,
          target: value,
          resolved: absoluteConfigLocation(value, file),
          file,
          range: stmtRange,
          valueRange,
        };
        items.push({ type: 'include', directive });
      } else {
        const entry: PgConfEntry = { name, key, value, rawValue, quoted, file, nameRange, valueRange, range: stmtRange };
        items.push({ type: 'setting', entry });
      }
      if (tok.kind === 'EOF') break;
      continue;
    }

    // parse_error: "near end of line" reports ConfigFileLineno - 1 — after a
    // \n that is this line; at EOF (no final newline) it is the line before,
    // a PostgreSQL quirk the message keeps. The range is the real place.
    const e = err as { tok: Token; help: string };
    if (e.tok.kind === 'EOL' || e.tok.kind === 'EOF') {
      if (e.tok.kind === 'EOL') lineno++;
      problems.push(syntaxProblem(file, lineno - 1, null, range(stmtStart, lastEnd), e.help));
    } else {
      problems.push(syntaxProblem(file, lineno, tokText(e.tok), range(e.tok.start, e.tok.end), e.help));
    }
    errorCount++;
    if (errorCount >= maxErrors) {
      if (!opts.firstErrorOnly) {
        problems.push({
          message: `too many syntax errors found, abandoning file "${file}"`,
          severity: 'warning',
          range: range(e.tok.start, e.tok.end),
        });
      }
      break;
    }
    // resync to next end-of-line or EOF
    tok = e.tok;
    while (tok.kind !== 'EOL' && tok.kind !== 'EOF') tok = scanner.next();
    if (tok.kind === 'EOF') break;
    if (e.tok.kind !== 'EOL') lineno++;
  }
  return { file, items, problems };
}

const FORM = 'Each line is `name = value`; quote a value that has spaces or special characters: `name = \'a value\'`.';

function helpForName(tok: Token, text: string): string {
  if (tok.kind === 'UNQUOTED_STRING') return `"${text}" is not a parameter name: a name is letters, digits and _, with at most one dot (extension.name).`;
  if (tok.kind === 'STRING') return 'A parameter name is not quoted. ' + FORM;
  return FORM;
}

function helpForValue(tok: Token, text: string): string {
  if (tok.kind === 'EOL' || tok.kind === 'EOF') return "Give the parameter a value on the same line; use '' for an empty string.";
  if (tok.kind === 'QUALIFIED_ID') return `A dotted word is not a valid unquoted value: write '${text}'.`;
  if (tok.kind === 'ERROR' && text === "'") return "Close the quoted value with ' on the same line (a value cannot span lines; write a quote inside it as '').";
  if (tok.kind === 'EQUALS') return 'Write a single = between name and value.';
  return FORM;
}

function helpAfterValue(tok: Token, text: string, rest: string): string {
  if (tok.kind === 'ERROR' && text === "'") return "Close the quoted value with ' on the same line (write a quote inside it as '').";
  if (rest.startsWith("'")) return 'Put nothing but a comment (#) after the quoted value. ' + FORM;
  return `Quote the whole value: '${rest.replace(/'/g, "''")}'.`;
}

/** The line from `start` to its end, without a trailing comment, trimmed: for help text only. */
function restOfLine(text: string, start: number): string {
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  const line = text.slice(start, end);
  const hash = line.indexOf('#');
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}
