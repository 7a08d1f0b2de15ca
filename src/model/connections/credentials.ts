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
  // `${DATABASE_URL:-postgresql://postgres:postgres@db/app}`: the default is written in the file too.
  for (const d of interpolationOperands(text)) kinds.push(...passwordTexts(d).map(classifyPassword));
  // `postgres://app:${DB_PASSWORD:-secret}@db/app`: the password's own default.
  for (const p of passwordTexts(text)) for (const d of interpolationOperands(p)) if (d !== '') kinds.push(classifyPassword(d));
  for (const k of ['literal', 'reference', 'placeholder'] as const) if (kinds.includes(k)) return k;
  return 'none';
}

/**
 * The literal operands of `${NAME:-word}`, `${NAME-word}`, `${NAME:=word}`, `${NAME:+word}` (and
 * their forms without `:`) in a value, nested ones too: the text a Compose file, a .env file
 * (dotenv-expand) or a shell uses when the variable is unset (or set, for `+`). Such a default is
 * written in the repository like any literal (Compose interpolation,
 * https://docs.docker.com/reference/compose-file/interpolation/).
 */
export function interpolationOperands(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('${')) return out;
  for (let i = text.indexOf('${'); i !== -1 && out.length < 16; i = text.indexOf('${', i + 2)) {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 2));
    if (!name) continue;
    const op = /^:?[-=+]/.exec(text.slice(i + 2 + name[0].length));
    if (!op) continue;
    const start = i + 2 + name[0].length + op[0].length;
    // The operand ends at the brace that closes this reference (nested `${…}` counted).
    let depth = 1;
    let j = start;
    for (; j < text.length && depth > 0; j++) {
      if (text[j] === '$' && text[j + 1] === '{') {
        depth++;
        j++;
      } else if (text[j] === '}') depth--;
    }
    if (depth === 0) out.push(text.slice(start, j - 1));
  }
  return out;
}

/** The text that holds the literal password of a value as written: the value itself, or one of its interpolation defaults. */
export function literalPasswordText(text: string): string | undefined {
  const own = passwordTexts(text);
  if (own.some((p) => classifyPassword(p) === 'literal' || interpolationOperands(p).some((d) => d !== '' && classifyPassword(d) === 'literal'))) return text;
  return interpolationOperands(text).find((d) => passwordTexts(d).some((p) => classifyPassword(p) === 'literal'));
}

/**
 * Stand-in passwords people write in test data (`user:password@`, `master:pw@`, `user:secret1@`):
 * a word that says "a password goes here", optionally with digits after it. Only non-production
 * code is judged with it (a test's URL-parser data); in a deployment file `postgres` or `password`
 * is a real credential people ship.
 */
const STAND_IN = /^(?:pass(?:word|wd)?|pw|pwd|secret|test|testing|postgres(?:ql)?|pg|changeme|change_?me|example|sample|dummy|fake|foo|bar|baz|admin|root|user|my_?pass(?:word)?|my_?secret|letmein|qwerty|hunter|abc|xyz)\d*$|^\d{1,8}$/i;

/** Every password the text writes is a stand-in word, or its user's own name (`postgres:postgres@`). */
export function isStandInPassword(text: string): boolean {
  const t = text.trim();
  const pws = passwordTexts(t);
  if (pws.length === 0) return false;
  const user = /^postgres(?:ql)?:\/\/([^:@/]*):/i.exec(t)?.[1];
  return pws.every((p) => {
    let d = p;
    try {
      d = decodeURIComponent(p);
    } catch {
      /* keep as written */
    }
    return STAND_IN.test(d) || (user !== undefined && user !== '' && d === user);
  });
}
