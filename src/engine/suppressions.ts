import type { SourceKind } from '../model/project.js';

/**
 * Inline suppressions, one grammar in every file's own comment syntax:
 *   pgconn-lint-disable-next-line <id>[, <id>] -- <reason>
 *   pgconn-lint-disable [<id>, ...] -- <reason>   …   pgconn-lint-enable [<id>, ...]
 * With no ids, a directive covers every rule. In JS/TS, ESLint's own directives
 * naming `pgconn/<id>` are honoured too, so one comment serves the CLI and the editor.
 */
export interface SuppressionDirective {
  kind: 'disable-next-line' | 'disable' | 'enable';
  ruleIds: string[] | null;
  line: number;
  column: number;
  endColumn: number;
  used: boolean;
  /** An ESLint directive: it may name other plugins' rules, so it is never reported as unused. */
  foreign?: boolean;
}

const DIRECTIVE = /pgconn-lint-(disable-next-line|disable|enable)\b([^\n]*)/;

/** Returns the comment text of each line, or null when the line has none, per file kind. */
function commentOf(line: string, kind: SourceKind): { text: string; column: number } | null {
  if (kind === 'js' || kind === 'prisma') {
    // `//` or `/*` before the directive on the same line (a directive inside a string is rare
    // enough, and the cost is only a suppression that does not apply).
    const m = /\/\/|\/\*/.exec(line);
    return m ? { text: line.slice(m.index + 2), column: m.index + 3 } : null;
  }
  if (kind === 'pgbouncer-ini' || kind === 'pgbouncer-userlist') {
    // PgBouncer (libusual cfparser.c) has only whole-line comments starting with ';' or '#'.
    const m = /^\s*[;#]/.exec(line);
    return m ? { text: line.slice(m[0].length), column: m[0].length + 1 } : null;
  }
  if (kind === 'properties') {
    // java.util.Properties#load: a comment line's first non-blank character is '#' or '!'; elsewhere they are value text.
    const m = /^\s*[#!]/.exec(line);
    return m ? { text: line.slice(m[0].length), column: m[0].length + 1 } : null;
  }
  if (kind === 'python') {
    // Python: `#` outside a string literal starts a comment (a string spanning lines is rare enough).
    let quote = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#') return { text: line.slice(i + 1), column: i + 2 };
    }
    return null;
  }
  if (kind === 'dockerfile' || kind === 'procfile') {
    // Dockerfile reference: `#` starts a comment only at the beginning of a line.
    const m = /^\s*#/.exec(line);
    return m ? { text: line.slice(m[0].length), column: m[0].length + 1 } : null;
  }
  // postgresql.conf (guc-file.l): '#' outside a single-quoted string starts a comment.
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === "'") {
        if (line[i + 1] === "'") i++;
        else inQuote = false;
      }
    } else if (c === "'") inQuote = true;
    else if (c === '#') return { text: line.slice(i + 1), column: i + 2 };
  }
  return null;
}

const ESLINT_DIRECTIVE = /eslint-(disable-next-line|disable|enable)\b([^\n]*)/;

function eslintDirective(comment: { text: string; column: number }, line: number): SuppressionDirective | null {
  const m = ESLINT_DIRECTIVE.exec(comment.text);
  if (!m) return null;
  const rest = ((m[2] ?? '').split(/\s--\s|\s--$|\*\//)[0] ?? '').trim();
  const ids = rest.split(',').map((s) => s.trim()).filter(Boolean);
  const ours = ids.filter((id) => id.startsWith('pgconn/')).map((id) => id.slice('pgconn/'.length));
  if (ids.length > 0 && ours.length === 0) return null; // about other rules only
  const column = comment.column + m.index;
  return {
    kind: m[1] as SuppressionDirective['kind'],
    ruleIds: ours.length > 0 ? ours : null,
    line,
    column,
    endColumn: column + cutAtCommentEnd(m[0]).trimEnd().length,
    used: false,
    foreign: true,
  };
}

/**
 * `s.replace(/\*\/.*$/, '')` in one pass: the first `*` + `/` after the last line terminator and what follows it
 * go. (The regex rescans to the end from every earlier `*` + `/`: quadratic on a line full of them.)
 */
function cutAtCommentEnd(s: string): string {
  let last = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
      last = i;
      break;
    }
  }
  const p = s.indexOf('*/', last + 1);
  return p === -1 ? s : s.slice(0, p);
}

export function parseSuppressions(text: string, kind: SourceKind): SuppressionDirective[] {
  const eslint = kind === 'js' && text.includes('eslint-');
  if (!text.includes('pgconn-lint-') && !eslint) return [];
  const out: SuppressionDirective[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    const ourMarker = line.includes('pgconn-lint-');
    if (!ourMarker && !(eslint && line.includes('eslint-'))) return;
    const comment = commentOf(line, kind);
    if (!comment) return;
    const m = ourMarker ? DIRECTIVE.exec(comment.text) : null;
    if (!m) {
      const e = eslint ? eslintDirective(comment, i + 1) : null;
      if (e) out.push(e);
      return;
    }
    const rest = cutAtCommentEnd((m[2] ?? '').split(/\s--\s|\s--$/)[0] ?? '');
    const ids = rest
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const column = comment.column + m.index;
    out.push({
      kind: m[1] as SuppressionDirective['kind'],
      ruleIds: ids.length > 0 ? ids : null,
      line: i + 1,
      column,
      endColumn: column + m[0].trimEnd().length,
      used: false,
    });
  });
  return out;
}

/** True when a finding of `ruleId` at `line` is suppressed; marks the directive that did it as used. */
export function isSuppressed(directives: SuppressionDirective[], ruleId: string, line: number): boolean {
  const covers = (d: SuppressionDirective) => d.ruleIds === null || d.ruleIds.includes(ruleId);
  for (const d of directives) {
    if (d.kind === 'disable-next-line' && d.line + 1 === line && covers(d)) {
      d.used = true;
      return true;
    }
  }
  // Block form: the last disable/enable before the line that covers the rule decides.
  let active: SuppressionDirective | null = null;
  for (const d of directives) {
    if (d.line >= line) break;
    if (!covers(d)) continue;
    if (d.kind === 'disable') active = d;
    else if (d.kind === 'enable') active = null;
  }
  if (active) {
    active.used = true;
    return true;
  }
  return false;
}
