/**
 * Connection strings written as literals anywhere in code — an exported constant, a config
 * object, a default (`process.env.DATABASE_URL ?? 'postgres://app:secret@db/app'`) — not only
 * where they reach a pool. plaintext-credentials judges their passwords.
 */
import ts from './typescript.cjs';
import type { SourceRange } from '../../core/location.js';
import { isParseError, parseConnectionString } from '../connection-url/parse.js';
import type { CodeConnectionLiteral } from './types.js';
import { anchored, indexOfAnchored } from './byte-search.js';
import { forEachNodeOfKinds, kindMask } from './walk.js';

const LITERAL_KINDS = kindMask([ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateExpression]);

/** A PostgreSQL URI with userinfo, or a conninfo / Npgsql string with a password keyword. */
const URI_WITH_USERINFO = /^\s*postgres(?:ql)?:\/\/[^/?#\s]*@/i;
const KEYWORD_PASSWORD = /(?:^|[\s;])(?:password|pwd)\s*=/i;
const KEYWORD_HOST = /(?:^|[\s;])(?:host|hostaddr|server|dbname|database|user(?:\s*id)?|username)\s*=/i;

/** Cheap test on the bytes or text of a file before it is parsed for this only. */
export function mayHoldConnectionLiteral(text: string | Buffer): boolean {
  return hasPostgresScheme(text) || (typeof text === 'string' ? /password\s*=/i.test(text) : hasPasswordAssignment(text));
}

const PASSWORD = [0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64]; // "password"

/**
 * `/password\s*=/i` on the bytes read as Latin-1, as the bytes: each `=` found by `indexOf`, the
 * whitespace before it skipped, and "password" compared without case. Reading every code file as a
 * Latin-1 string for the regular expression allocated as many bytes as the tree's code (65 MB of
 * short-lived strings on the 10,000-file bench tree, a seventh of the run's allocations). In Latin-1,
 * `\s` is tab to carriage return, space and U+00A0; `/i` folds only ASCII letters onto ASCII
 * letters there, and `b | 0x20` maps exactly the upper and lower case of a letter to the lower.
 * Linear: the whitespace runs skipped back from each `=` do not overlap.
 */
function hasPasswordAssignment(buf: Buffer): boolean {
  for (let i = buf.indexOf(61); i !== -1; i = buf.indexOf(61, i + 1)) {
    let j = i - 1;
    while (j >= 0 && isLatin1Space(buf[j]!)) j--;
    if (j < 7) continue;
    let k = 7;
    for (; k >= 0; k--, j--) if ((buf[j]! | 0x20) !== PASSWORD[k]) break;
    if (k < 0) return true;
  }
  return false;
}

function isLatin1Space(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

/** `text.includes('postgres://') || text.includes('postgresql://')` in one search (most files hold neither). */
function hasPostgresScheme(text: string | Buffer): boolean {
  if (typeof text !== 'string') {
    for (let i = indexOfAnchored(text, POSTGRES); i !== -1; i = indexOfAnchored(text, POSTGRES, i + 1)) {
      if (bytesAt(text, i + 8, '://') || bytesAt(text, i + 8, 'ql://')) return true;
    }
    return false;
  }
  for (let i = text.indexOf('postgres'); i !== -1; i = text.indexOf('postgres', i + 1)) {
    if (text.startsWith('://', i + 8) || text.startsWith('ql://', i + 8)) return true;
  }
  return false;
}

/** `postgres`, found in bytes through `gres` (src/sources/js/byte-search.ts: 60 against 205 ms on the 50,000-file bench tree). */
const POSTGRES = anchored('postgres', 4, 4);

/** Does `buf` hold the ASCII `s` at `at`? */
function bytesAt(buf: Buffer, at: number, s: string): boolean {
  if (at + s.length > buf.length) return false;
  for (let k = 0; k < s.length; k++) if (buf[at + k] !== s.charCodeAt(k)) return false;
  return true;
}

export function findConnectionLiterals(sourceFile: ts.SourceFile, rangeOf: (node: ts.Node) => SourceRange): CodeConnectionLiteral[] {
  const out: CodeConnectionLiteral[] = [];
  forEachNodeOfKinds(sourceFile, LITERAL_KINDS, (node) => {
    // A template with substitutions: its head is literal text (`postgres://app:secret@${host}/db`).
    const text = ts.isTemplateExpression(node) ? node.head.text : (node as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral).text;
    if (text.length > 4096 || !(URI_WITH_USERINFO.test(text) || (KEYWORD_PASSWORD.test(text) && KEYWORD_HOST.test(text)))) return;
    // Module specifiers and type positions are not values.
    const p = node.parent;
    if (p !== undefined && (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p) || ts.isLiteralTypeNode(p))) return;
    const parsed = parseConnectionString(text);
    if (isParseError(parsed)) return;
    const lit: CodeConnectionLiteral = { range: rangeOf(node), text, redacted: parsed.redacted };
    if (parsed.user) lit.user = parsed.user;
    out.push(lit);
  });
  return out;
}
