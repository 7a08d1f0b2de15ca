import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { lastParseFailure, parseWith, type SyntaxNode } from '../tree-sitter/runtime.js';
import { evalRuby, nodeText, type RubyValue } from './values.js';

/**
 * ERB in YAML (Rails config/database.yml, Sidekiq's config/sidekiq.yml): the YAML is read after
 * the ERB runs (ActiveRecord::DatabaseConfigurations / Rails::Application::Configuration#database_configuration,
 * Sidekiq::CLI#parse_config: `ERB.new(File.read(path)).result` then YAML). We do not run Ruby: each
 * output tag `<%= … %>` is replaced by a placeholder of the same length (so every other position
 * stays where it is) and its code is read by the restricted evaluator (values.ts); comment tags
 * `<%# %>` become blanks; control tags (`<% if … %>`) cannot be evaluated: they become blanks and a
 * warning says every branch is read as written. ERB's grammar (Ruby's erb.rb): `<%%` is a literal
 * `<%`, `%%>` a literal `%>`, `-%>` trims the following newline, `<%-` the preceding indentation.
 */
export interface ErbTag {
  /** Offsets of `<%` … `%>` in the original text. */
  start: number;
  end: number;
  range: SourceRange;
  code: string;
  placeholder: string;
  value: RubyValue;
}

export interface ErbResult {
  /** The text with tags replaced (same length as the input wherever a placeholder fits). */
  text: string;
  tags: ErbTag[];
  problems: InputProblem[];
}

/** Most output tags read in one file. */
export const MAX_ERB_TAGS = 1000;

const PLACEHOLDER = /_E(\d+)_/g;

export function expandErb(text: string, file: string): ErbResult {
  const idx = new LineIndex(text);
  const tags: ErbTag[] = [];
  const problems: InputProblem[] = [];
  let out = '';
  let i = 0;
  let control = false;
  while (i < text.length) {
    const open = text.indexOf('<%', i);
    if (open === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, open);
    if (text[open + 2] === '%') {
      // `<%%` is a literal `<%`, kept as two characters plus one blank (same length).
      out += '<% ';
      i = open + 3;
      continue;
    }
    const close = findClose(text, open + 2);
    if (close === -1) {
      problems.push({ message: 'An ERB tag `<%` is never closed with `%>`: Ruby\'s ERB raises a SyntaxError, and the application does not start.', help: 'Close the tag with `%>`.', range: idx.range(file, open, Math.min(open + 2, text.length)), severity: 'error' });
      out += ' '.repeat(text.length - open);
      break;
    }
    const end = close + 2;
    const inner = text.slice(open + 2, close);
    const kind = inner[0] === '=' ? 'output' : inner[0] === '#' ? 'comment' : 'control';
    const length = end - open;
    if (kind === 'output') {
      const code = inner.slice(1).replace(/-$/, '');
      const range = idx.range(file, open, end);
      if (tags.length >= MAX_ERB_TAGS) {
        problems.push({ message: `More than ${MAX_ERB_TAGS} ERB output tags: the rest of the file is not read.`, range, severity: 'warning' });
        out += ' '.repeat(text.length - open);
        break;
      }
      const placeholder = `_E${tags.length}_`;
      tags.push({ start: open, end, range, code, placeholder, value: evalErbCode(code, range, problems) });
      out += placeholder.length <= length ? placeholder + ' '.repeat(length - placeholder.length) : placeholder;
    } else {
      if (kind === 'control' && inner.trim().replace(/^-|-$/g, '').trim() !== '') control = true;
      out += text.slice(open, end).replace(/[^\r\n]/g, ' ');
    }
    i = end;
  }
  if (control) {
    const at = text.search(/<%(?![=#%])/);
    problems.push({
      message: 'ERB control flow (`<% … %>`) is not evaluated: the YAML is read with every branch as written.',
      help: 'pgconn-lint reads only `<%= … %>` values; move conditions into ENV.fetch defaults where you can.',
      range: idx.range(file, Math.max(at, 0), Math.max(at, 0) + 2),
      severity: 'warning',
    });
  }
  return { text: out, tags, problems };
}

/** The `%>` that closes a tag (ERB does not look inside Ruby strings: the first `%>` closes, unless it is `%%>`). */
function findClose(text: string, from: number): number {
  let j = from;
  for (;;) {
    const c = text.indexOf('%>', j);
    if (c === -1) return -1;
    if (text[c - 1] === '%') {
      j = c + 2;
      continue;
    }
    return c;
  }
}

function evalErbCode(code: string, range: SourceRange, problems: InputProblem[]): RubyValue {
  const tree = parseWith('ruby', code);
  if (tree === undefined) return { kind: 'unknown', reason: lastParseFailure };
  if (tree === 'timeout') return { kind: 'unknown', reason: 'the Ruby code took too long to parse' };
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      problems.push({ message: `The Ruby code in this ERB tag does not parse (\`${code.trim().slice(0, 60)}\`): ERB raises a SyntaxError, and the application does not start.`, help: 'Fix the Ruby expression.', range, severity: 'error' });
      return { kind: 'unknown', reason: 'the Ruby code does not parse' };
    }
    const stmts = root.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
    if (stmts.length !== 1) return { kind: 'unknown', reason: stmts.length === 0 ? 'the tag is empty' : `\`${nodeText(root)}\` has several statements` };
    return evalRuby(stmts[0]!);
  } finally {
    tree.delete();
  }
}

/** The tags a YAML scalar's text holds (placeholders), in order. */
export function tagsIn(scalar: string, tags: readonly ErbTag[]): { whole?: ErbTag; parts: Array<string | ErbTag> } {
  const parts: Array<string | ErbTag> = [];
  let last = 0;
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(scalar); m; m = PLACEHOLDER.exec(scalar)) {
    const tag = tags[Number(m[1])];
    if (!tag) continue;
    if (m.index > last) parts.push(scalar.slice(last, m.index));
    parts.push(tag);
    last = m.index + m[0].length;
  }
  if (last < scalar.length) parts.push(scalar.slice(last));
  const meaningful = parts.filter((p) => typeof p !== 'string' || p.trim() !== '');
  return meaningful.length === 1 && typeof meaningful[0] !== 'string' ? { whole: meaningful[0]!, parts } : { parts };
}
