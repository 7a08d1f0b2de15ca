/**
 * Output escaping (issue 16, class 3). pgconn-lint prints text that comes from the repository it
 * lints — values, keys, service names, file and folder names — and CI reads that output: the
 * GitHub Actions runner executes a workflow command found in any log line (stdout or stderr), and
 * a terminal obeys escape sequences. What the runner executes (actions/runner,
 * src/Runner.Common/ActionCommand.cs and src/Runner.Worker/ActionCommandManager.cs):
 *   - `##[name props]data` ANYWHERE in a line (the legacy v1 syntax, `IndexOf("##[")`);
 *   - `::name props::data` when the line starts with `::` after .NET `TrimStart()` (v2 syntax).
 * Lines are split as .NET `StreamReader.ReadLine` does: at `\n`, `\r` and `\r\n`.
 *
 * One escape syntax for every human format (stylish with or without colour, budget text and
 * mermaid, notes on stderr): a character that is unsafe to print is shown as a backslash escape,
 *   `\n` `\r` `\t` for those three, `\xNN` below U+0100 (ESC → `\x1b`, DEL → `\x7f`, C1 → `\x85`),
 *   `\uNNNN` above (U+2028 → `\u2028`, RLO → `\u202e`, a lone surrogate → `\ud800`),
 *   `\u{NNNNN}` for astral code points (tag characters),
 * and the two command triggers are broken with the same syntax: the second `#` of `##[` is shown
 * as `\x23` (`#\x23[error]`: no `##[` is left), and the first `:` of a line that would start with
 * `::` as `\x3a` (`\x3a:error::x`). Visible, ASCII, and read back mechanically, unlike an
 * invisible zero-width space. Backslashes from the input are not doubled: the escapes are for
 * safety and legibility, not a reversible encoding.
 *
 * Unsafe: every control character (Unicode Cc: C0, DEL, C1), every format character (Cf: bidi
 * embeddings, overrides and isolates, zero-width characters, the BOM, soft hyphen, tags), the line
 * and paragraph separators (Zl, Zp) and lone surrogates (Cs).
 *
 * Machine formats keep the exact values: JSON and SARIF go through `safeJsonText`, which writes
 * the same characters as JSON `\u` escapes (same parsed value, nothing raw in the log);
 * the github format escapes workflow-command data and properties as the runner unescapes them
 * (`escapeData`, `escapeProperty`) after `escapeText`.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|(?<=#)#(?=\[)/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** The escape shown for one unsafe code point. */
export function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x100) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\u{${hex(cp, 5)}}`;
}

/**
 * Text from the input, escaped for a human format: unsafe characters and the `##[` trigger as
 * backslash escapes. Linear (one regular-expression pass with no backtracking).
 */
export function escapeText(s: string): string {
  if (!s) return s;
  return s.replace(UNSAFE, escapeChar);
}

/** A copy of a JSON-shaped value (a budget, a model) with every string passed through `escapeText`. */
export function escapeStrings<T>(v: T): T {
  if (typeof v === 'string') return escapeText(v) as T;
  if (Array.isArray(v)) return v.map(escapeStrings) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeStrings(x)])) as T;
  return v;
}

/**
 * `escapeText` that also says where given offsets of `s` land in the escaped text (source frames
 * draw a caret under a span). `expandTabs` shows a tab as that many spaces instead of `\t`.
 */
export function escapeTextMapped(s: string, offsets: readonly number[], expandTabs?: number): { text: string; offsets: number[] } {
  const out = offsets.slice();
  const tab = expandTabs !== undefined ? ' '.repeat(expandTabs) : '';
  const text = s.replace(UNSAFE, (m: string, at: number) => {
    const r = m === '\t' && expandTabs !== undefined ? tab : escapeChar(m);
    const grow = r.length - m.length;
    if (grow !== 0) for (let i = 0; i < offsets.length; i++) if ((offsets[i] ?? 0) > at) out[i] = (out[i] ?? 0) + grow;
    return r;
  });
  return { text, offsets: out };
}

/**
 * Whitespace that .NET `string.TrimStart()` skips before it looks for `::` (char.IsWhiteSpace),
 * joined with what JavaScript's trimStart skips (U+FEFF), without the line ends: one line only.
 */
const LINE_SPACE = '[\\t\\v\\f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000\\ufeff]';
/** Our own colour codes (SGR) may come before the text of a line. */
const SGR = '\\u001b\\[[0-9;]*m';
const LEADING_COMMAND = new RegExp(`^((?:${LINE_SPACE}|${SGR})*):(?=:)`, 'gmu');
const V1_COMMAND = /(?<=#)#(?=\[)/g;

/**
 * The last pass over a whole human output (all its lines): no line starts with `::` (after the
 * whitespace the runner trims and our colour codes), no `##[` anywhere. The line-level half of
 * the escaping: a value placed at the start of a line (a file name as a stylish header, a
 * service name in a budget table) is only known to lead a line here. `m`-mode `^` matches after
 * `\n`, `\r`, U+2028 and U+2029: every line start the runner sees, and more.
 */
export function neutraliseCommands(output: string): string {
  if (!output) return output;
  return output.replace(V1_COMMAND, '\\x23').replace(LEADING_COMMAND, '$1\\x3a');
}

/**
 * Text for stderr or any human output that is ours but may quote input across several lines (an
 * error message, a stack trace): unsafe characters escaped except the line breaks, then
 * `neutraliseCommands`.
 */
export function escapeMultilineText(s: string): string {
  return neutraliseCommands(s.split('\n').map(escapeText).join('\n'));
}

/** Characters JSON.stringify writes raw that a log or terminal should not see raw. */
const JSON_UNSAFE = /##\[|[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A JSON text from JSON.stringify, made safe to print: DEL, C1, format characters (bidi, zero
 * width, BOM), U+2028/2029 and the `[` of `##[` written as `\uXXXX` escapes. They can only occur
 * inside strings (outside, JSON.stringify writes only ASCII punctuation, digits and literals),
 * so the parsed value is the same. C0 controls and lone surrogates JSON.stringify escapes itself.
 */
export function safeJsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (m: string) => {
    if (m === '##[') return '##\\u005b';
    let out = '';
    for (let i = 0; i < m.length; i++) out += `\\u${hex(m.charCodeAt(i), 4)}`;
    return out;
  });
}

/** `JSON.stringify(value, replacer, 2)` + newline, made safe to print (`safeJsonText`). */
export function printableJson(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return safeJsonText(JSON.stringify(value, replacer as never, 2)) + '\n';
}

/** Lone surrogates replaced by U+FFFD (encodeURIComponent throws on them). */
export function wellFormed(s: string): string {
  return s.replace(/\p{Cs}/gu, '\ufffd');
}
