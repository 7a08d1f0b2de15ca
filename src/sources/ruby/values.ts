import type { SourceRange } from '../../core/location.js';
import type { AppSetting } from '../app/types.js';
import type { SyntaxNode } from '../tree-sitter/runtime.js';

/**
 * A restricted, faithful reader of the Ruby expressions configuration files use for numbers and
 * strings (Rails config/database.yml ERB, config/puma.rb, config/sidekiq.yml ERB), on the
 * tree-sitter Ruby tree. It knows:
 * - literals: integers, floats, strings without interpolation, symbols, true/false/nil;
 * - `ENV["X"]` (nil when unset), `ENV.fetch("X")` (raises KeyError when unset: required),
 *   `ENV.fetch("X", default)`, `ENV.fetch("X") { default }` (Ruby's Hash#fetch semantics; ENV.fetch
 *   is the same method on ENV: ruby/hash.c env_fetch);
 * - `a || b` where `a` is a variable read (nil → b; an empty string is truthy in Ruby, which the
 *   model treats as unset: noted as a deviation);
 * - `.to_i`, `.to_s`, `.presence`, `Integer(x)`, `String(x)`, parentheses;
 * - local variables assigned earlier in the same file (`threads_count = ENV.fetch(…) { 5 }`).
 * Anything else is unknown with the reason (the code as written), never guessed.
 */
export type RubyValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | {
      kind: 'env';
      /** The variable read last (its fallback is `fallback`). */
      envVar: string;
      /** Variables read before it, each winning when set (`ENV.fetch("A") { ENV.fetch("B") { 5 } }`: overrides [A], envVar B). */
      overrides: string[];
      fallback?: RubyValue;
      /** `ENV.fetch("X")` without default: raises when unset. */
      required: boolean;
    }
  | { kind: 'unknown'; reason: string };

export type RubyScope = Map<string, RubyValue>;

const MAX_DEPTH = 32;

/** The text of a node, shortened for messages. */
export function nodeText(n: SyntaxNode): string {
  const t = n.text.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

function unknown(n: SyntaxNode, why?: string): RubyValue {
  return { kind: 'unknown', reason: why ?? `\`${nodeText(n)}\` is Ruby code pgconn-lint does not evaluate` };
}

/** A string literal's value, or undefined when it interpolates. */
export function stringLiteral(n: SyntaxNode | null): string | undefined {
  if (!n) return undefined;
  if (n.type === 'simple_symbol') return n.text.slice(1);
  if (n.type !== 'string') return undefined;
  let out = '';
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += unescape(c.text);
    else return undefined;
  }
  return out;
}

function unescape(e: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', s: ' ', '0': '\0', '\\': '\\', '"': '"', "'": "'" };
  return map[e.slice(1)] ?? e.slice(1);
}

function isEnv(n: SyntaxNode | null): boolean {
  return n !== null && (n.type === 'constant' || n.type === 'scope_resolution') && (n.text === 'ENV' || n.text === '::ENV');
}

/** Evaluates one expression node. */
export function evalRuby(n: SyntaxNode | null, scope: RubyScope = new Map(), depth = 0): RubyValue {
  if (!n) return { kind: 'nil' };
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'the expression is nested too deeply' };
  const d = depth + 1;
  switch (n.type) {
    case 'integer': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isSafeInteger(v) ? { kind: 'int', value: v } : unknown(n, `${n.text} is not an integer pgconn-lint reads`);
    }
    case 'float':
      return { kind: 'float', value: Number(n.text.replace(/_/g, '')) };
    case 'string':
    case 'simple_symbol': {
      const s = stringLiteral(n);
      return s === undefined ? unknown(n, `\`${nodeText(n)}\` interpolates code`) : { kind: 'string', value: s };
    }
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    case 'nil':
      return { kind: 'nil' };
    case 'parenthesized_statements':
    case 'program':
    case 'body_statement':
    case 'block_body':
    case 'then': {
      const kids = n.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
      return kids.length === 1 ? evalRuby(kids[0]!, scope, d) : unknown(n);
    }
    case 'identifier': {
      const v = scope.get(n.text);
      return v ?? unknown(n, `\`${n.text}\` is not a variable assigned in this file`);
    }
    case 'element_reference': {
      // ENV["X"]
      const obj = n.childForFieldName('object');
      const keys = n.namedChildren.filter((c): c is SyntaxNode => c !== null && c.startIndex !== obj?.startIndex);
      if (isEnv(obj) && keys.length === 1) {
        const name = stringLiteral(keys[0]!);
        if (name !== undefined) return { kind: 'env', envVar: name, overrides: [], required: false };
      }
      return unknown(n);
    }
    case 'binary': {
      const op = n.children.find((c) => c !== null && !c.isNamed)?.type;
      if (op === '||' || op === 'or') {
        const left = evalRuby(n.childForFieldName('left'), scope, d);
        const right = evalRuby(n.childForFieldName('right'), scope, d);
        return orElse(left, right, n);
      }
      return unknown(n);
    }
    case 'call':
      return evalCall(n, scope, d);
    default:
      return unknown(n);
  }
}

/** `a || b`: b when a is nil (or an unset variable). */
function orElse(left: RubyValue, right: RubyValue, n: SyntaxNode): RubyValue {
  if (left.kind === 'nil') return right;
  if (left.kind === 'env' && left.fallback === undefined) {
    // Unset → right; a right side that reads variables too: the left one wins when set.
    if (right.kind === 'env') return { ...right, overrides: [...left.overrides, left.envVar, ...right.overrides] };
    if (right.kind === 'unknown') return right;
    return { ...left, fallback: right, required: false };
  }
  if (left.kind === 'unknown') return left;
  if (left.kind === 'env') return left; // its fallback is never nil
  return left.kind === 'bool' && !left.value ? right : left.kind === 'string' || left.kind === 'int' || left.kind === 'float' || left.kind === 'bool' ? left : unknown(n);
}

function evalCall(n: SyntaxNode, scope: RubyScope, d: number): RubyValue {
  const receiver = n.childForFieldName('receiver');
  const method = n.childForFieldName('method')?.text;
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is SyntaxNode => c !== null);
  const block = n.childForFieldName('block');
  // ENV.fetch("X"), ENV.fetch("X", default), ENV.fetch("X") { default }
  if (isEnv(receiver) && method === 'fetch' && args.length >= 1) {
    const name = stringLiteral(args[0]!);
    if (name === undefined) return unknown(n, `the variable name of \`${nodeText(n)}\` is not a string literal`);
    let fb: RubyValue | undefined;
    if (args.length >= 2) fb = evalRuby(args[1]!, scope, d);
    else if (block) fb = evalRuby(block.childForFieldName('body'), scope, d);
    if (fb === undefined) return { kind: 'env', envVar: name, overrides: [], required: true };
    if (fb.kind === 'env') return { ...fb, overrides: [name, ...fb.overrides] };
    if (fb.kind === 'unknown') return { kind: 'unknown', reason: `the default of ${name} is not known: ${fb.reason}` };
    return { kind: 'env', envVar: name, overrides: [], fallback: fb, required: false };
  }
  // Integer(x), String(x), Float(x)
  if (!receiver && (method === 'Integer' || method === 'String' || method === 'Float') && args.length >= 1) {
    const v = evalRuby(args[0]!, scope, d);
    return method === 'Integer' ? toInt(v, n) : method === 'Float' ? toNumber(v, n) : toStr(v);
  }
  if (receiver && (method === 'to_i' || method === 'to_s' || method === 'to_f' || method === 'presence' || method === 'to_sym' || method === 'freeze') && args.length === 0 && !block) {
    const v = evalRuby(receiver, scope, d);
    if (method === 'to_i') return toInt(v, n);
    if (method === 'to_f') return toNumber(v, n);
    if (method === 'to_s' || method === 'to_sym') return toStr(v);
    return v;
  }
  return unknown(n);
}

function toInt(v: RubyValue, n: SyntaxNode): RubyValue {
  if (v.kind === 'int') return v;
  if (v.kind === 'float') return { kind: 'int', value: Math.trunc(v.value) };
  if (v.kind === 'string') return /^\s*[-+]?\d+/.test(v.value) ? { kind: 'int', value: parseInt(v.value, 10) } : unknown(n, `"${v.value}" is not an integer`);
  if (v.kind === 'env') return { ...v, ...(v.fallback ? { fallback: toInt(v.fallback, n) } : {}) };
  return v.kind === 'unknown' ? v : unknown(n);
}

function toNumber(v: RubyValue, n: SyntaxNode): RubyValue {
  if (v.kind === 'int' || v.kind === 'float') return v;
  if (v.kind === 'string' && Number.isFinite(Number(v.value))) return { kind: 'float', value: Number(v.value) };
  if (v.kind === 'env') return v;
  return v.kind === 'unknown' ? v : unknown(n);
}

function toStr(v: RubyValue): RubyValue {
  if (v.kind === 'int' || v.kind === 'float') return { kind: 'string', value: String(v.value) };
  return v;
}

/** A Ruby value as a number setting (a variable read keeps its fallback as the value). */
export function numberSetting(v: RubyValue, range: SourceRange): AppSetting<number> {
  switch (v.kind) {
    case 'int':
    case 'float':
      return { value: v.value, provenance: { kind: 'literal' }, range };
    case 'string': {
      const n = /^\s*\d+\s*$/.test(v.value) ? Number(v.value) : undefined;
      return n !== undefined ? { value: n, provenance: { kind: 'literal' }, range } : { value: undefined, provenance: { kind: 'unknown', reason: `"${v.value}" is not a number` }, range };
    }
    case 'env': {
      const fb = v.fallback;
      const n = fb === undefined ? undefined : fb.kind === 'int' || fb.kind === 'float' ? fb.value : fb.kind === 'string' && /^\s*\d+\s*$/.test(fb.value) ? Number(fb.value) : undefined;
      if (fb !== undefined && n === undefined && fb.kind !== 'nil') return { value: undefined, provenance: { kind: 'unknown', reason: `the default of ${v.envVar} is not a number` }, range };
      return { value: n, provenance: { kind: 'env', envVar: v.envVar, ...(n !== undefined ? { fallback: n } : {}) }, range, ...(v.overrides.length > 0 ? { envOverrides: v.overrides } : {}) };
    }
    case 'nil':
      return { value: undefined, provenance: { kind: 'unknown', reason: 'nil' }, range };
    case 'bool':
      return { value: undefined, provenance: { kind: 'unknown', reason: `${v.value} is not a number` }, range };
    case 'unknown':
      return { value: undefined, provenance: { kind: 'unknown', reason: v.reason }, range };
  }
}

/** A Ruby value as a string setting. */
export function stringSetting(v: RubyValue, range: SourceRange): AppSetting<string> {
  switch (v.kind) {
    case 'string':
      return { value: v.value, provenance: { kind: 'literal' }, range };
    case 'int':
    case 'float':
      return { value: String(v.value), provenance: { kind: 'literal' }, range };
    case 'env': {
      const fb = v.fallback;
      const s = fb && (fb.kind === 'string' || fb.kind === 'int' || fb.kind === 'float') ? String(fb.value) : undefined;
      return { value: s, provenance: { kind: 'env', envVar: v.envVar, ...(s !== undefined ? { fallback: s } : {}) }, range, ...(v.overrides.length > 0 ? { envOverrides: v.overrides } : {}) };
    }
    case 'unknown':
      return { value: undefined, provenance: { kind: 'unknown', reason: v.reason }, range };
    default:
      return { value: undefined, provenance: { kind: 'unknown', reason: `${v.kind === 'nil' ? 'nil' : String((v as { value: unknown }).value)} is not a string` }, range };
  }
}
