import { anchored, indexOfAnchored } from './byte-search.js';
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
 * The keywords, each found through a rarer part of it: a search for `require` is slow because
 * it scans for its first letter, and `r` is everywhere; `quire` starts with a rare `q`. Keywords
 * do not overlap themselves, so every occurrence of the anchor inside a keyword is that
 * keyword's one occurrence, visited in the same order as a search for the keyword itself.
 */
const KEYWORDS = [
  { kw: Buffer.from('from'), anchor: Buffer.from('from'), offset: 0 },
  { kw: Buffer.from('require'), anchor: Buffer.from('quire'), offset: 2 },
  { kw: Buffer.from('import'), anchor: Buffer.from('mport'), offset: 1 },
] as const;
/** `PrismaClient`, found through `PrismaC` (src/sources/js/byte-search.ts). */
const PRISMA_CLIENT = anchored('PrismaClient', 0, 7);
/** A module specifier longer than this (in characters) is not one (and stops runaway scans). */
const MAX_SPECIFIER = 512;
/** The same bound in UTF-8 bytes: a character is at most 4 of them. */
const MAX_SPECIFIER_BYTES = MAX_SPECIFIER * 4;

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
 * The pre-filter reads a file's UTF-8 bytes, so the files it rejects (most of a repository) are
 * never decoded into strings. Everything it looks for is ASCII, and in UTF-8 an ASCII byte never
 * occurs inside a multi-byte character, so a byte scan finds exactly what a scan of the decoded
 * text would (a non-ASCII character next to a keyword is not an identifier character either way).
 */
function bytesOf(text: string | Uint8Array): Buffer {
  if (typeof text === 'string') return Buffer.from(text, 'utf8');
  return Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
}

/**
 * Calls `visit` with every quoted string that follows `from`, `require(` or
 * `import(`/`import` in the text. Stops early when `visit` returns true.
 */
function scanSpecifiers(buf: Buffer, visit: (specifier: string) => boolean): boolean {
  const n = buf.length;
  for (const { kw, anchor, offset } of KEYWORDS) {
    for (let a = buf.indexOf(anchor); a !== -1; a = buf.indexOf(anchor, a + anchor.length)) {
      const i = a - offset;
      if (i < 0 || (offset > 0 && !startsWithAt(buf, kw, i, offset))) continue;
      const before = i > 0 ? buf[i - 1]! : 32;
      let j = i + kw.length;
      // `.from(` / `.import(` are method calls on something else; keep them (cheap), but
      // skip identifiers that merely contain the keyword (`fromage`, `required`).
      if (!isIdentChar(before) && !(j < n && isIdentChar(buf[j]!))) {
        while (j < n && isSpace(buf[j]!)) j++;
        if (j < n && buf[j] === 40 /* ( */) {
          j++;
          while (j < n && isSpace(buf[j]!)) j++;
        }
        const q = j < n ? buf[j]! : -1;
        if (q === 39 /* ' */ || q === 34 /* " */ || q === 96 /* ` */) {
          const start = j + 1;
          const limit = Math.min(n, start + MAX_SPECIFIER_BYTES);
          let k = start;
          while (k < limit) {
            const c = buf[k]!;
            if (c === q || c === 10 || c === 13 || (q === 96 && c === 36 /* $ */)) break;
            k++;
          }
          if (k < limit && buf[k] === q) {
            const spec = buf.toString('utf8', start, k);
            if (spec.length < MAX_SPECIFIER && visit(spec)) return true;
          }
        }
      }
    }
  }
  return false;
}

/** Do the first `count` bytes of `kw` stand at `i`? */
function startsWithAt(buf: Buffer, kw: Buffer, i: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (buf[i + k] !== kw[k]) return false;
  return true;
}

/** Every module specifier the text imports, requires, re-exports or imports dynamically. */
export function collectImportSpecifiers(text: string | Uint8Array): string[] {
  const out: string[] = [];
  scanSpecifiers(bytesOf(text), (s) => {
    out.push(s);
    return false;
  });
  return out;
}

/**
 * The pre-filter in one scan: `undefined` when the file may matter for the database (as
 * `mayMatterForDatabase`), else every specifier it imports (as `collectImportSpecifiers`).
 */
export function importsUnlessDatabase(text: string | Uint8Array): string[] | undefined {
  const buf = bytesOf(text);
  if (indexOfAnchored(buf, PRISMA_CLIENT) !== -1) return undefined;
  const out: string[] = [];
  const found = scanSpecifiers(buf, (s) => {
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
export function mayMatterForDatabase(text: string | Uint8Array): boolean {
  const buf = bytesOf(text);
  if (indexOfAnchored(buf, PRISMA_CLIENT) !== -1) return true;
  return scanSpecifiers(buf, isSupportedSpecifier);
}

/**
 * The name a specifier points at, without directories, extension or a trailing
 * `/index`: `'./db'`, `'../db.js'`, `'@/lib/db'`, `'./db/index.ts'` → `'db'`.
 */
/** Extensions a module specifier or a code file may end with. */
const CODE_EXTENSION = /^\.(?:[cm]?[jt]sx?|json|node)$/;

export function specifierBasename(specifier: string): string {
  let s = specifier;
  while (s.endsWith('/')) s = s.slice(0, -1);
  let slash = s.lastIndexOf('/');
  let base = s.slice(slash + 1);
  // Only a code extension is stripped: `./prisma.service` names prisma.service.ts (NestJS's file naming).
  const dot = base.lastIndexOf('.');
  if (dot > 0 && CODE_EXTENSION.test(base.slice(dot))) base = base.slice(0, dot);
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
export function importsAnyOf(text: string | Uint8Array, specifierBasenames: Set<string>): boolean {
  if (specifierBasenames.size === 0) return false;
  return scanSpecifiers(bytesOf(text), (s) => specifierBasenames.has(specifierBasename(s)));
}
