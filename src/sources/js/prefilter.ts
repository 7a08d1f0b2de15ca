import { isSupportedSpecifier } from './libraries.js';

/**
 * Cheap text checks that decide which files are parsed at all. No regular
 * expressions: each keyword is found with `indexOf`, then the quoted string after
 * it is read by hand, so the cost is linear in the text whatever it holds.
 * False positives only cost a parse; false negatives lose findings, so the checks
 * accept anything that looks like `from '…'`, `require('…')` or `import('…')`,
 * in code or in comments alike.
 */

/**
 * The keywords, each found through a rarer part of it: `indexOf('require')` is slow because V8
 * scans for its first letter, and `r` is everywhere; `quire` starts with a rare `q`. Keywords
 * do not overlap themselves, so every occurrence of the anchor inside a keyword is that
 * keyword's one occurrence, visited in the same order as a search for the keyword itself.
 */
const KEYWORDS = [
  { kw: 'from', anchor: 'from', offset: 0 },
  { kw: 'require', anchor: 'quire', offset: 2 },
  { kw: 'import', anchor: 'mport', offset: 1 },
] as const;
/** A module specifier longer than this is not one (and stops runaway scans). */
const MAX_SPECIFIER = 512;

function isIdentChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 95 || // _
    c === 36 // $
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/**
 * Calls `visit` with every quoted string that follows `from`, `require(` or
 * `import(`/`import` in the text. Stops early when `visit` returns true.
 */
function scanSpecifiers(text: string, visit: (specifier: string) => boolean): boolean {
  for (const { kw, anchor, offset } of KEYWORDS) {
    for (let a = text.indexOf(anchor); a !== -1; a = text.indexOf(anchor, a + anchor.length)) {
      const i = a - offset;
      if (i < 0 || (offset > 0 && !startsWithAt(text, kw, i, offset))) continue;
      const before = i > 0 ? text.charCodeAt(i - 1) : 32;
      let j = i + kw.length;
      // `.from(` / `.import(` are method calls on something else; keep them (cheap), but
      // skip identifiers that merely contain the keyword (`fromage`, `required`).
      if (!isIdentChar(before) && !isIdentChar(text.charCodeAt(j))) {
        while (j < text.length && isSpace(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 40 /* ( */) {
          j++;
          while (j < text.length && isSpace(text.charCodeAt(j))) j++;
        }
        const q = text.charCodeAt(j);
        if (q === 39 /* ' */ || q === 34 /* " */ || q === 96 /* ` */) {
          const start = j + 1;
          const limit = Math.min(text.length, start + MAX_SPECIFIER);
          let k = start;
          while (k < limit) {
            const c = text.charCodeAt(k);
            if (c === q || c === 10 || c === 13 || (q === 96 && c === 36 /* $ */)) break;
            k++;
          }
          if (k < limit && text.charCodeAt(k) === q && visit(text.slice(start, k))) return true;
        }
      }
    }
  }
  return false;
}

/** Do the first `n` characters of `kw` stand at `i`? */
function startsWithAt(text: string, kw: string, i: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (text.charCodeAt(i + k) !== kw.charCodeAt(k)) return false;
  return true;
}

/** Every module specifier the text imports, requires, re-exports or imports dynamically. */
export function collectImportSpecifiers(text: string): string[] {
  const out: string[] = [];
  scanSpecifiers(text, (s) => {
    out.push(s);
    return false;
  });
  return out;
}

/**
 * The pre-filter in one scan: `undefined` when the file may matter for the database (as
 * `mayMatterForDatabase`), else every specifier it imports (as `collectImportSpecifiers`).
 */
export function importsUnlessDatabase(text: string): string[] | undefined {
  if (text.includes('PrismaClient')) return undefined;
  const out: string[] = [];
  const found = scanSpecifiers(text, (s) => {
    if (isSupportedSpecifier(s)) return true;
    out.push(s);
    return false;
  });
  return found ? undefined : out;
}

/**
 * Does the file import one of the supported PostgreSQL libraries (or mention
 * `PrismaClient`, which Prisma 7 users import from a generated path)?
 */
export function mayMatterForDatabase(text: string): boolean {
  if (text.includes('PrismaClient')) return true;
  return scanSpecifiers(text, isSupportedSpecifier);
}

/**
 * The name a specifier points at, without directories, extension or a trailing
 * `/index`: `'./db'`, `'../db.js'`, `'@/lib/db'`, `'./db/index.ts'` → `'db'`.
 */
export function specifierBasename(specifier: string): string {
  let s = specifier;
  while (s.endsWith('/')) s = s.slice(0, -1);
  let slash = s.lastIndexOf('/');
  let base = s.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  if (dot > 0) base = base.slice(0, dot);
  if (base === 'index' && slash > 0) {
    s = s.slice(0, slash);
    slash = s.lastIndexOf('/');
    base = s.slice(slash + 1);
  }
  return base;
}

/**
 * Second pass of the pre-filter: does the file import a module whose basename
 * is in the set (the modules that export a pool or ORM object)?
 */
export function importsAnyOf(text: string, specifierBasenames: Set<string>): boolean {
  if (specifierBasenames.size === 0) return false;
  return scanSpecifiers(text, (s) => specifierBasenames.has(specifierBasename(s)));
}
