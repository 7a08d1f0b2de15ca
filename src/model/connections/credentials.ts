/**
 * What kind of password a connection string carries, judged on the text as written in its file
 * (before any expansion). The password itself is never returned: only its kind.
 */

/**
 * - none: no password in the string;
 * - reference: filled in from elsewhere (`${DB_PASSWORD}`, `$DB_PASSWORD`, `$(DB_PASSWORD)`, `{{ .password }}`, `%s`);
 * - placeholder: a documentation stand-in (`***`, `<password>`, `[YOUR-PASSWORD]`, empty);
 * - literal: anything else, including `postgres` and `password`, which are real credentials people ship.
 */
export type PasswordKind = 'none' | 'reference' | 'placeholder' | 'literal';

const PRINTF_REFERENCE = /%\(?[a-z_]*\)?s/;

/**
 * Does the text hold a reference: `${…}`, `$(…)`, `$NAME`, `{{…}}`, `#{…}`, `%s`/`%(name)s`?
 * One forward pass: the regular expression this replaces rescanned the rest of the text from
 * every `${` without a `}` (a 80,000-character password took 16 s).
 */
function hasReference(t: string): boolean {
  let brace = false; // a `${` or `#{` before the next `}`: that `}` closes it
  let doubleBrace = false; // a `{{` before the next `}`: a reference when that `}` is doubled
  let paren = false; // a `$(`: any later `)` closes it
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const next = t.charCodeAt(i + 1);
    if (c === 36 /* $ */) {
      if (next === 123 /* { */) brace = true;
      else if (next === 40 /* ( */) paren = true;
      else if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95) return true;
    } else if (c === 35 /* # */ && next === 123) brace = true;
    else if (c === 123 && next === 123) doubleBrace = true;
    else if (c === 125 /* } */) {
      if (brace || (doubleBrace && next === 125)) return true;
      doubleBrace = false;
    } else if (c === 41 /* ) */ && paren) return true;
  }
  return PRINTF_REFERENCE.test(t);
}
const PLACEHOLDER = /^(?:\*+|<[^<>]*>|\[[^[\]]*\]|\{[^{}]*\}|x{3,}|\.{3}|…)$/i;

/** The kind of one password text as written. */
export function classifyPassword(raw: string | undefined): PasswordKind {
  if (raw === undefined) return 'none';
  const t = raw.trim();
  if (t === '' || PLACEHOLDER.test(t)) return 'placeholder';
  if (hasReference(t)) return 'reference';
  return 'literal';
}

/** Password texts written in a connection string (URL userinfo and `?password=`, conninfo `password=`, Npgsql `Password=`). */
export function passwordTexts(text: string): string[] {
  const out: string[] = [];
  const t = text.trim();
  const uri = /^postgres(?:ql)?:\/\//i.exec(t);
  if (uri) {
    const rest = t.slice(uri[0].length);
    const end = rest.search(/[/?#]/);
    const authority = end === -1 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon >= 0) out.push(userinfo.slice(colon + 1));
    }
    const q = rest.indexOf('?');
    if (q >= 0) for (const m of rest.slice(q + 1).matchAll(/(?:^|&)password=([^&#]*)/gi)) out.push(m[1] ?? '');
    return out;
  }
  if (t.includes(';')) {
    for (const m of t.matchAll(/(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)/gi)) out.push(m[1] ?? '');
    if (out.length > 0) return out;
  }
  for (const m of t.matchAll(/(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/gi)) {
    const v = m[1] ?? '';
    out.push(v.startsWith("'") ? v.slice(1, -1) : v);
  }
  return out;
}

/** The strongest password kind in a connection string as written (literal > reference > placeholder > none). */
export function connectionPasswordKind(text: string): PasswordKind {
  const kinds = passwordTexts(text).map(classifyPassword);
  for (const k of ['literal', 'reference', 'placeholder'] as const) if (kinds.includes(k)) return k;
  return 'none';
}
