import type { SourceRange } from './location.js';

/**
 * Every string the tool prints passes through here: passwords in URLs, in libpq/PgBouncer
 * conninfo strings, in ADO.NET/Npgsql strings, in `KEY=value` / `key: value` pairs, in
 * Kubernetes Secrets, in PEM blocks and in userlist lines never reach an output.
 *
 * Conservative by design (issue 16): when a value cannot be delimited the way its program reads
 * it (an unterminated quote, a quote or `@` inside a password, a malformed line), everything up
 * to the end of the line is masked. Masking a non-secret is acceptable, printing a secret is not.
 *
 * Linear by design: each line is scanned forward once per scanner; the few regular expressions
 * match fixed keywords (no nested or adjacent quantifiers, nothing to backtrack into). The
 * regex version this replaces took minutes on one 320,000-letter line.
 */

export const REDACTED = '***';

/** `[start, end)` offsets of a secret in a line or text. */
export interface SecretSpan {
  start: number;
  end: number;
}

/** What is being scanned: free text (messages, model values) or a line of a source file of a kind. */
interface ScanMode {
  /** A source line shown in a frame: `password: value` (YAML/JS keys) counts, JS expressions are followed. */
  frame: boolean;
  kind?: string | undefined;
}

const FREE_TEXT: ScanMode = { frame: false };

/** Free text: messages, help, notes, model values, error messages. */
export function redactSecrets(text: string): string {
  if (!text) return text;
  return scanText(text, FREE_TEXT);
}

/** A source line shown in a frame, scanned without the rest of its file. */
export function redactSourceLine(line: string, kind: string | undefined): string {
  if (!line) return line;
  return scanText(line, { frame: true, kind });
}

/**
 * A whole source file as the frames show it: every line redacted as `redactSourceLine` does, plus
 * what needs more than one line (a Kubernetes Secret's `data:` block, a `- name: DB_PASSWORD` whose
 * `value:` is on the next line, a PEM block) and the secret ranges the parsers found (`secrets`).
 * Line breaks are kept, so line numbers stay right.
 */
export function redactSourceText(text: string, kind: string | undefined, secrets: readonly SourceRange[] = []): string {
  if (!text) return text;
  return scanText(text, { frame: true, kind }, secrets);
}

/** `[start, end)` spans of the secrets in one value or free text (merged, in order). */
export function secretSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  if (!text) return spans;
  const state = newLineState();
  forEachLine(text, (ls, le) => {
    for (const s of lineSpans(text.slice(ls, le), FREE_TEXT, state, false)) spans.push({ start: ls + s.start, end: ls + s.end });
  });
  return mergeSpans(spans);
}

/**
 * A key or option name whose value is a password: `password`, `sslpassword`, `DB_PASSWORD`,
 * `PGPASSWORD`, `passwd`, `pwd`, `passphrase`, `pass` (postgres.js), `DB_PASS`, `connection.password`.
 */
export function isPasswordKey(name: string): boolean {
  const m = PASSWORD_KEY_END.exec(name);
  if (m === null) return false;
  if (m[0].toLowerCase() !== 'pass' || m.index === 0) return true;
  const before = name.charCodeAt(m.index - 1);
  return !isWord(before) || before === 95;
}

/**
 * An option (a dotted path such as `ssl.key`) that holds a secret: a password-like key, a
 * secret/token/credential, or anything under `ssl`/`tls` that is key or certificate material.
 */
export function isSecretOptionName(name: string): boolean {
  const segments = name.split('.');
  const last = segments[segments.length - 1] ?? '';
  if (isPasswordKey(last) || SECRET_NAME_END.test(last)) return true;
  return segments.length > 1 && segments.slice(0, -1).some((s) => /^(?:ssl|tls)$/i.test(s)) && SSL_MATERIAL.test(last);
}

/** A value that only refers to where the password comes from (`${DB_PASSWORD}`, `process.env.PW`): no secret in it. */
export function isPasswordReference(value: string): boolean {
  return value.length > 0 && isReference(value.trim(), 0, 'rest');
}

/**
 * A postgresql.conf value as a message quotes it (`raw` as written, `value` after guc-file.l's
 * unescaping): masked whole for a password-like setting; when the unescaped value holds a secret
 * that escapes hide from the scanners (`pass\word=`, `''…''`), the unescaped value redacted.
 */
export function redactSettingValue(name: string, raw: string, value: string): string {
  if (isPasswordKey(name)) return raw.startsWith("'") ? `'${REDACTED}'` : REDACTED;
  if (raw === value || secretSpans(value).length === 0) return raw;
  return raw.startsWith("'") ? `'${redactSecrets(value)}'` : redactSecrets(value);
}

const PASSWORD_KEY_END = /(?:pass(?:word|wd|phrase)?|pwd)$/i;
const SECRET_NAME_END = /(?:secret|token|credentials?|apikey|privatekey)$/i;
const SSL_MATERIAL = /^(?:key|cert|ca|pfx|crl|passphrase|sslkey|sslcert)$/i;

function forEachLine(text: string, fn: (start: number, end: number) => void): void {
  const n = text.length;
  let ls = 0;
  for (;;) {
    let le = ls;
    while (le < n && text.charCodeAt(le) !== 10 && text.charCodeAt(le) !== 13) le++;
    fn(ls, le);
    if (le >= n) return;
    ls = le + (text.charCodeAt(le) === 13 && text.charCodeAt(le + 1) === 10 ? 2 : 1);
  }
}

function mergeSpans(spans: SecretSpan[]): SecretSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/* ------------------------------------------------------------------ */
/* Character classes                                                   */

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isKeyChar = (c: number): boolean => isWord(c) || c === 46 /* . */ || c === 45; /* - */
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isQuote = (c: number): boolean => c === 39 || c === 34 || c === 96;
/** Characters that end a value in code, a flow mapping or a query: `,;)}]&#`. */
const isTerminator = (c: number): boolean => c === 44 || c === 59 || c === 41 || c === 125 || c === 93 || c === 38 || c === 35;

const Q1 = 39; // '
const Q2 = 34; // "
const BS = 92; // \
const COLON = 58;
const EQ = 61;
const SEMI = 59;

/* ------------------------------------------------------------------ */
/* Driver                                                              */

/** State carried from one line to the next in a file. */
interface LineState {
  /** A `name: DB_PASSWORD` was seen: the `value:` in the next few lines is a secret. */
  namedPasswordLines: number;
  /** Inside a PEM block (`-----BEGIN` seen, no `-----END` yet). */
  inPem: boolean;
  /** Inside a Kubernetes Secret's `data:`/`stringData:` block: the indentation of that key, else -1. */
  secretBlockIndent: number;
  /**
   * A password value goes on below its key (`password: |`, `password:` alone, an unterminated
   * quote, a YAML plain scalar, `password: 'a' +`): lines indented deeper than the key's line are
   * masked whole. The key line's indentation, else -1.
   */
  continuationIndent: number;
  /** A quoted password value is still open at the end of the line: its quote character, else -1. */
  openQuote: number;
}

const newLineState = (): LineState => ({ namedPasswordLines: 0, inPem: false, secretBlockIndent: -1, continuationIndent: -1, openQuote: -1 });

/** How a value goes on below its line: not (-1), on deeper-indented lines (0), or up to this closing quote. */
type Continuation = number;
const NO_CONTINUATION = -1;
const INDENTED = 0;

function scanText(text: string, mode: ScanMode, ranges: readonly SourceRange[] = []): string {
  const spans: SecretSpan[] = [];
  const lineStarts: number[] = [];
  const state = newLineState();
  const secretDocs = mode.kind === 'yaml' ? kubernetesSecretDocuments(text) : undefined;
  let doc = 0;
  forEachLine(text, (ls, le) => {
    lineStarts.push(ls);
    const line = text.slice(ls, le);
    if (secretDocs !== undefined && isDocumentMarker(line)) {
      doc++;
      state.secretBlockIndent = -1;
    }
    for (const s of lineSpans(line, mode, state, secretDocs?.has(doc) ?? false)) spans.push({ start: ls + s.start, end: ls + s.end });
  });
  for (const r of ranges) {
    const a = offsetOf(lineStarts, text.length, r.line, r.column);
    const b = offsetOf(lineStarts, text.length, r.endLine, r.endColumn);
    if (a !== undefined && b !== undefined && b > a) spans.push({ start: a, end: b });
  }
  return applySpans(text, spans);
}

function offsetOf(lineStarts: readonly number[], n: number, line: number, column: number): number | undefined {
  const start = lineStarts[line - 1];
  if (start === undefined || column < 1) return undefined;
  return Math.min(n, start + column - 1);
}

/** Replaces every span by `***`; overlapping spans merge; line breaks inside a span are kept. */
function applySpans(text: string, spans: SecretSpan[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const { start, end } of mergeSpans(spans)) {
    out += text.slice(pos, start);
    // one `***` per line the span touches, line breaks kept
    let p = start;
    while (p < end) {
      let q = p;
      while (q < end && text.charCodeAt(q) !== 10 && text.charCodeAt(q) !== 13) q++;
      if (q > p) out += REDACTED;
      while (q < end && (text.charCodeAt(q) === 10 || text.charCodeAt(q) === 13)) out += text[q++];
      p = q;
    }
    pos = end;
  }
  return out + text.slice(pos);
}

/** Secret spans of one line (no line break in it). */
function lineSpans(line: string, mode: ScanMode, state: LineState, inSecretDoc: boolean): SecretSpan[] {
  const out: SecretSpan[] = [];
  if (line.length === 0) return out;
  pemSpans(line, state, out);
  if (mode.kind === 'pgbouncer-userlist') {
    userlistSpans(line, out);
    return out;
  }
  if (state.openQuote >= 0) {
    // the rest of a multi-line quoted password, up to its closing quote
    const close = closingQuoteFrom(line, 0, state.openQuote);
    out.push({ start: 0, end: close < 0 ? line.length : close });
    if (close < 0) return out;
    state.openQuote = -1;
  }
  const indent = indentOf(line);
  if (state.continuationIndent >= 0) {
    if (indent === line.length) return out; // a blank line inside a block scalar
    if (indent > state.continuationIndent) {
      out.push({ start: indent, end: trimEnd(line, indent, line.length) });
      return out;
    }
    state.continuationIndent = -1;
  }
  urlSpans(line, out);
  const found = keywordSpans(line, mode, out);
  let continues = found.continues;
  // `- name: DB_PASSWORD` then `value: …`, on this line or on one of the next (block style)
  if (found.namedAt >= 0) {
    const v = valueKeySpans(line, found.namedAt, mode, out);
    state.namedPasswordLines = v.found ? 0 : 3;
    if (v.continues !== NO_CONTINUATION) continues = v.continues;
  } else if (state.namedPasswordLines > 0) {
    const v = valueKeySpans(line, 0, mode, out);
    if (v.found || /\bname\s*:/i.test(line)) state.namedPasswordLines = 0;
    else state.namedPasswordLines--;
    if (v.continues !== NO_CONTINUATION) continues = v.continues;
  }
  if (mode.frame && continues === INDENTED) state.continuationIndent = indent;
  else if (mode.frame && continues > INDENTED) state.openQuote = continues;
  if (inSecretDoc) secretDataSpans(line, state, out);
  return out;
}

function indentOf(line: string): number {
  let p = 0;
  while (p < line.length && isSpace(line.charCodeAt(p))) p++;
  return p;
}

/* ------------------------------------------------------------------ */
/* URLs: scheme://user:password@host                                   */

/**
 * The password of `scheme://user:password@host` runs from the first `:` after the user to the
 * LAST `@` of the line: WHATWG URL parsers (node-postgres, Prisma) take the last `@` of the
 * authority, libpq the first; a password may hold `@`, `'`, `"`, `/` or spaces when it is written
 * unencoded, and masking to the last `@` covers every reading.
 */
function urlSpans(line: string, out: SecretSpan[]): void {
  urlSpansAfter(line, '://', out);
  urlSpansAfter(line, ':\\/\\/', out); // postgres:\/\/u:p@h in JSON text
}

function urlSpansAfter(line: string, separator: string, out: SecretSpan[]): void {
  const n = line.length;
  let lastAt = -2;
  let i = line.indexOf(separator);
  while (i !== -1) {
    let p = i + separator.length;
    // the user: up to `:` (a password follows) or the end of the authority
    while (p < n) {
      const c = line.charCodeAt(p);
      if (c === COLON || c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || isSpace(c)) break;
      p++;
    }
    if (p < n && line.charCodeAt(p) === COLON) {
      if (lastAt === -2) lastAt = line.lastIndexOf('@');
      if (lastAt > p) {
        out.push({ start: p + 1, end: lastAt });
        p = lastAt + 1;
      }
    }
    if (p >= n) break;
    i = line.indexOf(separator, Math.max(p, i + separator.length));
  }
}

/* ------------------------------------------------------------------ */
/* password=…, Password=…;, DB_PASSWORD: …, PGPASSWORD=…               */

const KEYWORD = /p(?:ass(?:word|wd|phrase)?|wd)/gi;
const VALUE_KEY = /value/gi;

/**
 * Values of keys that name a password: `password`, `sslpassword`, `passwd`, `pwd`, `passphrase`,
 * `pass` (postgres.js) and any key ending in one of them (`DB_PASSWORD`, `PGPASSWORD`, `db.password`).
 * Returns where the first `name: X_PASSWORD` (a Kubernetes env entry) ends, or -1, for `valueKeySpans`,
 * and whether a value goes on below the line.
 */
function keywordSpans(line: string, mode: ScanMode, out: SecretSpan[]): { namedAt: number; continues: Continuation } {
  const n = line.length;
  let namedAt = -1;
  let continues: Continuation = NO_CONTINUATION;
  const re = KEYWORD;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const k = m.index;
    const word = m[0];
    const e = k + word.length;
    if (e < n && isWord(line.charCodeAt(e))) continue; // password_encryption, passwordFile
    const lower = word.toLowerCase();
    if (lower === 'pass' && k > 0 && isWord(line.charCodeAt(k - 1)) && line.charCodeAt(k - 1) !== 95) continue; // bypass, compass (DB_PASS is a key)
    const sslPrefix = lower === 'password' && k >= 3 && line.slice(k - 3, k).toLowerCase() === 'ssl';
    const keyStart = sslPrefix ? k - 3 : k;
    const before = keyStart > 0 ? line.charCodeAt(keyStart - 1) : -1;
    const prefixed = before >= 0 && isKeyChar(before);
    const upper = word !== lower;

    // separator: an optional closing quote of a quoted key, blanks, `=` or `:`
    let j = e;
    if (j < n && (line.charCodeAt(j) === Q1 || line.charCodeAt(j) === Q2)) j++;
    if (j < n && line.charCodeAt(j) === 93 /* ] */) j++; // { ['password']: … }
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    const sep = j < n ? line.charCodeAt(j) : -1;
    if (sep !== EQ && sep !== COLON) {
      if (namedAt < 0 && isNameValue(line, keyStart)) namedAt = e;
      continue;
    }
    // In prose, "the password: …" or "Password: …" is not a key; `DB_PASSWORD: …` and `PASSWORD: …` are.
    if (sep === COLON && !mode.frame && !prefixed && word !== word.toUpperCase()) continue;
    if (sep === COLON && line.charCodeAt(j + 1) === COLON) continue;
    j++;
    if (sep === EQ) while (j < n && (line.charCodeAt(j) === EQ || line.charCodeAt(j) === 62)) j++; // ==, ===, =>
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    if (j >= n) {
      if (sep === COLON) continues = INDENTED; // `password:` with its value on the next lines
      continue;
    }

    let valueMode: ValueMode;
    if (before === 63 /* ? */ || before === 38 /* & */) valueMode = 'query';
    else if (mode.frame && mode.kind === 'js' && sep === COLON) valueMode = 'expression';
    else if (!prefixed && !upper && sep === EQ && before !== SEMI && (lower === 'password' || lower === 'passwd' || lower === 'pwd')) valueMode = 'libpq';
    else valueMode = 'rest';

    const span = valueSpan(line, j, valueMode);
    if (span === undefined) continue;
    if (span.end > span.start) out.push(span);
    if (span.skipTo > re.lastIndex) re.lastIndex = span.skipTo;
    const c = valueContinues(line, j, span, sep, mode);
    if (c !== NO_CONTINUATION) continues = c;
  }
  return { namedAt, continues };
}

/** Is the keyword at `keyStart` the value of a `name` key (`- name: DB_PASSWORD`, `"name": "PGPASSWORD"`)? */
function isNameValue(line: string, keyStart: number): boolean {
  let p = keyStart;
  const floor = Math.max(0, keyStart - 200);
  while (p > floor && isKeyChar(line.charCodeAt(p - 1))) p--;
  if (p > 0 && (line.charCodeAt(p - 1) === Q1 || line.charCodeAt(p - 1) === Q2)) p--;
  let blanks = 0;
  while (p > 0 && isSpace(line.charCodeAt(p - 1)) && blanks++ < 40) p--;
  if (p === 0 || (line.charCodeAt(p - 1) !== COLON && line.charCodeAt(p - 1) !== EQ)) return false;
  p--;
  blanks = 0;
  while (p > 0 && isSpace(line.charCodeAt(p - 1)) && blanks++ < 40) p--;
  if (p > 0 && (line.charCodeAt(p - 1) === Q1 || line.charCodeAt(p - 1) === Q2)) p--;
  return p >= 4 && line.slice(p - 4, p).toLowerCase() === 'name' && (p === 4 || !isWord(line.charCodeAt(p - 5)));
}

/** After a `name: X_PASSWORD`: the values of `value:` keys from `from` on; whether one was found, whether it goes on below. */
function valueKeySpans(line: string, from: number, mode: ScanMode, out: SecretSpan[]): { found: boolean; continues: Continuation } {
  const n = line.length;
  let found = false;
  let continues: Continuation = NO_CONTINUATION;
  const re = VALUE_KEY;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const i = m.index;
    let j = i + 5;
    if ((i > 0 && isWord(line.charCodeAt(i - 1))) || (j < n && isWord(line.charCodeAt(j)))) continue;
    if (j < n && (line.charCodeAt(j) === Q1 || line.charCodeAt(j) === Q2)) j++;
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    if (j >= n || line.charCodeAt(j) !== COLON) continue;
    j++;
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    if (j >= n) {
      found = true;
      continues = INDENTED; // `value:` with the password on the next lines
      continue;
    }
    const span = valueSpan(line, j, mode.kind === 'js' ? 'expression' : 'rest');
    if (span === undefined) continue;
    found = true;
    if (span.end > span.start) out.push(span);
    if (span.skipTo > re.lastIndex) re.lastIndex = span.skipTo;
    const c = valueContinues(line, j, span, COLON, mode);
    if (c !== NO_CONTINUATION) continues = c;
  }
  return { found, continues };
}

/**
 * Does the value that starts at `v` go on below the line: an unterminated quote (.env, YAML and
 * template literals span lines) up to its closing quote; a YAML block scalar (`|`, `>-`), a YAML
 * plain scalar or a JS expression that reaches the end of the line, on deeper-indented lines.
 */
function valueContinues(line: string, v: number, span: ValueSpan, sep: number, mode: ScanMode): Continuation {
  if (!mode.frame) return NO_CONTINUATION;
  const c = line.charCodeAt(v);
  // only a value that reaches the end of the line (the last one of the line) is asked about
  const toEnd = span.skipTo >= line.length || (mode.kind === 'js' && isBlankFrom(line, span.skipTo));
  if (!toEnd) return NO_CONTINUATION;
  if (isQuote(c) && closingQuote(line, v) < 0) return quoteSpansLines(mode.kind, c) ? c : NO_CONTINUATION;
  if (sep !== COLON) return NO_CONTINUATION;
  if (c === 124 /* | */ || c === 62 /* > */) return INDENTED;
  return mode.kind === 'js' || (mode.kind === 'yaml' && !isQuote(c)) ? INDENTED : NO_CONTINUATION;
}

/** Quoted values that may go on over several lines: dotenv and YAML quotes, JS template literals. */
function quoteSpansLines(kind: string | undefined, q: number): boolean {
  return kind === 'env' || kind === 'yaml' || (kind === 'js' && q === 96);
}

function isBlankFrom(line: string, p: number): boolean {
  while (p < line.length && isSpace(line.charCodeAt(p))) p++;
  return p >= line.length;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

/**
 * How an unquoted value ends:
 * - libpq: at a blank (a backslash escapes the next character), libpq conninfo_parse();
 * - query: at `&`, `#` or a blank (a URL query parameter);
 * - rest: at `;` (ADO.NET/Npgsql), else at the end of the line; a following `;`-segment
 *   without `=` is taken as part of the value (a password holding `;`);
 * - expression: JS/TS code after `key:`, up to `,` `;` `)` `}` `]` outside brackets and strings.
 */
type ValueMode = 'libpq' | 'query' | 'rest' | 'expression';

interface ValueSpan extends SecretSpan {
  /** Where scanning for the next key may resume. */
  skipTo: number;
}

/** Where the two-character closing `first second` starts, from `p` on, stepping over backslash escapes; -1 when it never comes. */
function closingPair(line: string, p: number, first: number, second: number): number {
  while (p < line.length) {
    const d = line.charCodeAt(p);
    if (d === first && line.charCodeAt(p + 1) === second) return p;
    p += d === BS ? 2 : 1;
  }
  return -1;
}

function valueSpan(line: string, v: number, mode: ValueMode): ValueSpan | undefined {
  const n = line.length;
  if (isReference(line, v, mode)) return undefined;
  const c = line.charCodeAt(v);
  const c1 = line.charCodeAt(v + 1);
  // \'…\' or \"…\": a quoted value inside a string that escapes its quotes (postgresql.conf, JSON, code)
  // ''…'': a quoted conninfo value inside a single-quoted postgresql.conf/SQL string
  if ((c === BS && (c1 === Q1 || c1 === Q2)) || (c === Q1 && c1 === Q1)) {
    const p = closingPair(line, v + 2, c, c1);
    return p < 0 ? { start: v, end: n, skipTo: n } : { start: v + 2, end: p, skipTo: p + 2 };
  }
  if (isQuote(c)) {
    const close = closingQuote(line, v);
    if (close < 0) return { start: v + 1, end: n, skipTo: n };
    if (mode === 'expression') {
      // `'a' + 'b'`, `'a'.trim()`: the whole expression, not only the first literal
      let p = close + 1;
      while (p < n && isSpace(line.charCodeAt(p))) p++;
      if (p < n && !isTerminator(line.charCodeAt(p))) {
        const end = expressionEnd(line, v);
        return { start: v, end: trimEnd(line, v, end), skipTo: end };
      }
    }
    return { start: v + 1, end: close, skipTo: close + 1 };
  }
  let end: number;
  switch (mode) {
    case 'libpq': {
      let p = v;
      while (p < n && !isSpace(line.charCodeAt(p))) p += line.charCodeAt(p) === BS ? 2 : 1;
      end = Math.min(p, n);
      break;
    }
    case 'query': {
      let p = v;
      while (p < n) {
        const d = line.charCodeAt(p);
        if (d === 38 || d === 35 || isSpace(d)) break;
        p++;
      }
      end = p;
      break;
    }
    case 'expression':
      end = expressionEnd(line, v);
      break;
    case 'rest': {
      let p = v;
      while (p < n && line.charCodeAt(p) !== SEMI) p++;
      // `Password=ab;cd;Host=x`: `cd` holds no `=`, so it is more password, not a key
      while (p < n) {
        let q = p + 1;
        let eq = false;
        while (q < n && line.charCodeAt(q) !== SEMI) {
          if (line.charCodeAt(q) === EQ) eq = true;
          q++;
        }
        if (eq || line.slice(p + 1, q).trim() === '') break;
        p = q;
      }
      end = p;
      break;
    }
  }
  return { start: v, end: trimEnd(line, v, end), skipTo: end };
}

/** The closing quote of the quoted string opening at `v` (backslash escapes; a doubled quote is one quote), or -1. */
function closingQuote(line: string, v: number): number {
  return closingQuoteFrom(line, v + 1, line.charCodeAt(v));
}

/** The first quote `q` from `p` on that closes a string (see closingQuote), or -1. */
function closingQuoteFrom(line: string, from: number, q: number): number {
  const n = line.length;
  let p = from;
  while (p < n) {
    const d = line.charCodeAt(p);
    if (d === BS) p += 2;
    else if (d === q) {
      if (q !== 96 && line.charCodeAt(p + 1) === q) p += 2;
      else return p;
    } else p++;
  }
  return -1;
}

/** End of a JS expression starting at `v`: the first `,` `;` `)` `}` `]` outside brackets and strings, or the line's end. */
function expressionEnd(line: string, v: number): number {
  const n = line.length;
  let depth = 0;
  let p = v;
  while (p < n) {
    const d = line.charCodeAt(p);
    if (isQuote(d)) {
      const close = closingQuote(line, p);
      if (close < 0) return n;
      p = close + 1;
      continue;
    }
    if (d === 40 || d === 91 || d === 123) depth++;
    else if (d === 41 || d === 93 || d === 125) {
      if (depth === 0) return p;
      depth--;
    } else if ((d === 44 || d === SEMI) && depth === 0) return p;
    p++;
  }
  return n;
}

function trimEnd(line: string, start: number, end: number): number {
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * A value that only names where the password comes from (`${DB_PASSWORD}`, `$(PW)`, `$PW`,
 * `process.env.PW`, `env("PW")`, `import.meta.env.PW`), optionally quoted, and nothing after it
 * in the value: not a secret. `${PW:-fallback}` or `process.env.PW ?? 'x'` are not references.
 */
function isReference(line: string, v: number, mode: ValueMode): boolean {
  const n = line.length;
  let p = v;
  const q = line.charCodeAt(p);
  const quoted = q === Q1 || q === Q2 || q === 96;
  if (quoted) p++;
  const ident = (at: number): number => {
    if (at >= n || !isIdentStart(line.charCodeAt(at))) return -1;
    let x = at + 1;
    while (x < n && isWord(line.charCodeAt(x))) x++;
    return x;
  };
  const lit = (at: number, s: string): number => (line.startsWith(s, at) ? at + s.length : -1);
  const quotedIdent = (at: number, close: string): number => {
    const o = line.charCodeAt(at);
    if (o !== Q1 && o !== Q2) return -1;
    const x = ident(at + 1);
    if (x < 0 || line.charCodeAt(x) !== o) return -1;
    return lit(x + 1, close);
  };
  let end = -1;
  if (line.startsWith('${', p)) {
    const x = ident(p + 2);
    end = x >= 0 && line.charCodeAt(x) === 125 ? x + 1 : -1;
  } else if (line.startsWith('$(', p)) {
    const x = ident(p + 2);
    end = x >= 0 && line.charCodeAt(x) === 41 ? x + 1 : -1;
  } else if (line.charCodeAt(p) === 36 /* $ */) end = ident(p + 1);
  else {
    for (const prefix of ['process.env.', 'import.meta.env.']) if (line.startsWith(prefix, p)) end = ident(p + prefix.length);
    if (end < 0 && line.startsWith('process.env[', p)) end = quotedIdent(p + 12, ']');
    if (end < 0 && line.startsWith('env(', p)) end = quotedIdent(p + 4, ')');
  }
  if (end < 0) return false;
  if (quoted) {
    if (line.charCodeAt(end) !== q) return false;
    end++;
  }
  if (end >= n) return true;
  const next = line.charCodeAt(end);
  if (isSpace(next) && (mode === 'libpq' || mode === 'query')) return true;
  let x = end;
  while (x < n && isSpace(line.charCodeAt(x))) x++;
  if (x >= n) return true;
  const d = line.charCodeAt(x);
  return isTerminator(d) || (isQuote(d) && !quoted);
}

/* ------------------------------------------------------------------ */
/* PgBouncer auth_file lines                                           */

/**
 * `"user" "secret"`: only the user is shown. A line that does not start with a well-formed quoted
 * user (a malformed line, a continuation of a multi-line secret, a comment) is masked whole.
 */
function userlistSpans(line: string, out: SecretSpan[]): void {
  const n = line.length;
  let p = 0;
  while (p < n && isSpace(line.charCodeAt(p))) p++;
  if (p >= n) return;
  const end = trimEnd(line, p, n);
  if (line.charCodeAt(p) !== Q2) {
    out.push({ start: p, end });
    return;
  }
  // loader.c find_quote(): a doubled quote inside the name is a literal quote
  let q = p + 1;
  while (q < n) {
    if (line.charCodeAt(q) === Q2) {
      if (line.charCodeAt(q + 1) === Q2) q += 2;
      else break;
    } else q++;
  }
  if (q >= n) {
    out.push({ start: p, end });
    return;
  }
  let r = q + 1;
  while (r < n && isSpace(line.charCodeAt(r))) r++;
  if (r >= end) return;
  if (line.charCodeAt(r) === Q2 && end - 1 > r && line.charCodeAt(end - 1) === Q2) out.push({ start: r + 1, end: end - 1 });
  else out.push({ start: r, end });
}

/* ------------------------------------------------------------------ */
/* PEM blocks                                                          */

/** `-----BEGIN … KEY-----` … `-----END …-----`: on one line (`\n` escapes) or over several. */
function pemSpans(line: string, state: LineState, out: SecretSpan[]): void {
  const n = line.length;
  let p = 0;
  if (state.inPem) {
    const endAt = line.indexOf('-----END');
    let s = 0;
    while (s < n && isSpace(line.charCodeAt(s))) s++;
    if (endAt < 0) {
      out.push({ start: s, end: trimEnd(line, s, n) });
      return;
    }
    if (endAt > s) out.push({ start: s, end: endAt });
    state.inPem = false;
    p = endAt + 8;
  }
  for (;;) {
    const b = line.indexOf('-----BEGIN', p);
    if (b < 0) return;
    const e = line.indexOf('-----END', b + 10);
    if (e < 0) {
      out.push({ start: b, end: trimEnd(line, b, n) });
      state.inPem = true;
      return;
    }
    out.push({ start: b, end: e });
    p = e + 8;
  }
}

/* ------------------------------------------------------------------ */
/* Kubernetes Secrets                                                  */

function isDocumentMarker(line: string): boolean {
  return (line.startsWith('---') || line.startsWith('...')) && (line.length === 3 || isSpace(line.charCodeAt(3)));
}

/** Indices of the YAML documents of a file that say `kind: Secret` (at any depth: a `kind: List` item too). */
function kubernetesSecretDocuments(text: string): Set<number> {
  const docs = new Set<number>();
  let doc = 0;
  forEachLine(text, (ls, le) => {
    const line = text.slice(ls, le);
    if (isDocumentMarker(line)) doc++;
    else {
      const kv = yamlKey(line);
      if (kv && kv.key === 'kind' && unquote(stripComment(kv.rest)) === 'Secret') docs.add(doc);
    }
  });
  return docs;
}

/** `  - key: rest` → indentation, key and the text after `:`; undefined for other lines. */
function yamlKey(line: string): { indent: number; key: string; rest: string; restStart: number } | undefined {
  const n = line.length;
  let p = 0;
  while (p < n && line.charCodeAt(p) === 32) p++;
  const indent = p;
  if (line.charCodeAt(p) === 45 /* - */ && isSpace(line.charCodeAt(p + 1))) {
    p += 2;
    while (p < n && isSpace(line.charCodeAt(p))) p++;
  }
  const q = line.charCodeAt(p);
  let key: string;
  if (q === Q1 || q === Q2) {
    const close = line.indexOf(String.fromCharCode(q), p + 1);
    if (close < 0) return undefined;
    key = line.slice(p + 1, close);
    p = close + 1;
  } else {
    const s = p;
    while (p < n && isKeyChar(line.charCodeAt(p))) p++;
    if (p === s) return undefined;
    key = line.slice(s, p);
  }
  while (p < n && isSpace(line.charCodeAt(p))) p++;
  if (line.charCodeAt(p) !== COLON || (p + 1 < n && !isSpace(line.charCodeAt(p + 1)))) return undefined;
  p++;
  while (p < n && isSpace(line.charCodeAt(p))) p++;
  return { indent, key, rest: line.slice(p), restStart: p };
}

function stripComment(s: string): string {
  const h = s.indexOf(' #');
  return (h >= 0 ? s.slice(0, h) : s.startsWith('#') ? '' : s).trim();
}

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

/**
 * In a document of `kind: Secret`, every value under `data:` / `stringData:` is a secret, base64
 * or not: the flow form on the key's line, and every line of the block below it.
 */
function secretDataSpans(line: string, state: LineState, out: SecretSpan[]): void {
  const n = line.length;
  let indent = 0;
  while (indent < n && line.charCodeAt(indent) === 32) indent++;
  const blank = indent >= n || line.charCodeAt(indent) === 35; /* # */
  if (state.secretBlockIndent >= 0 && !blank) {
    if (indent > state.secretBlockIndent) {
      const kv = yamlKey(line);
      const start = kv ? kv.restStart : indent;
      const end = trimEnd(line, start, n);
      if (end > start) out.push({ start, end });
      return;
    }
    state.secretBlockIndent = -1;
  }
  const kv = yamlKey(line);
  if (kv && (kv.key === 'data' || kv.key === 'stringData')) {
    const end = trimEnd(line, kv.restStart, n);
    if (end > kv.restStart && line.charCodeAt(kv.restStart) !== 35) out.push({ start: kv.restStart, end });
    state.secretBlockIndent = kv.indent; // the block below, or the rest of a flow mapping (`data: {`)
  }
}
