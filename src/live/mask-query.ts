/**
 * Query text as `--show-queries` shows it: every string literal replaced by `'…'`, whitespace
 * collapsed, cut to QUERY_SHOWN_CHARS. String constants are the lexer's (PostgreSQL
 * src/backend/parser/scan.l): '…' with '' inside, E'…' with backslash escapes, U&'…',
 * $tag$…$tag$ dollar quotes; quoted identifiers ("…") are names and kept. A literal left open at
 * the cut (the server read only the first characters) is masked to the end.
 */
export const QUERY_SHOWN_CHARS = 200;

export function maskQuery(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      const escapes = /[eE]$/.test(out) && !/[A-Za-z0-9_$]$/.test(out.slice(0, -1));
      i = skipQuoted(sql, i + 1, escapes);
      out += "'…'";
      continue;
    }
    if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '$' && !/[A-Za-z0-9_]$/.test(out)) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (m) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
        out += "'…'";
        continue;
      }
    }
    if (c === '-' && sql[i + 1] === '-') {
      // A comment may quote data too: dropped.
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      out += ' ';
      continue;
    }
    out += c;
    i++;
  }
  const flat = out.replace(/\s+/g, ' ').trim();
  return flat.length > QUERY_SHOWN_CHARS ? `${flat.slice(0, QUERY_SHOWN_CHARS - 1)}…` : flat;
}

/** The index after the closing quote of a '…' literal that starts at `i` (its first character). */
function skipQuoted(s: string, i: number, backslashEscapes: boolean): number {
  while (i < s.length) {
    const c = s[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      if (s[i + 1] === "'") {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return s.length;
}
