import ts from './typescript.cjs';
import type { JsModule, Trace } from './module.js';
import { trace } from './module.js';
import type { Provenance, Resolved } from './types.js';
import { unwrapExpression } from './walk.js';
import { MAX_STATIC_STRING_CHARS } from '../../core/limits.js';

const tooLong = `string longer than ${MAX_STATIC_STRING_CHARS / 1024} KiB`;

/**
 * Static values of option expressions: literals, `const` bindings (also in
 * imported modules and config objects), `process.env.X` with the fallback the
 * code gives, and the usual conversions around them. Anything else is
 * `{ kind: 'unknown', reason }`. Nothing is ever executed.
 */

const MAX_DEPTH = 40;
/**
 * Expressions visited while resolving one value. The depth cap alone does not bound the work: each
 * `a + b` resolves both sides, so `const a1 = a0 + a0, a2 = a1 + a1, …` visits 2^20 nodes within
 * 40 levels (3 s), and wider sums far more. Real option values take fewer than 50.
 */
const MAX_STEPS = 10_000;
type Prim = string | number | boolean | null | undefined;

interface Budget {
  steps: number;
}

function isProcessModule(spec: string): boolean {
  return spec === 'process' || spec === 'node:process';
}

/** `process.env.X`, `process.env['X']`, `env.X` after `const { env } = process` or `import { env } from 'node:process'`, `import.meta.env.X`. */
export function envVarOf(expr: ts.Expression, module: JsModule): string | undefined {
  const e = unwrapExpression(expr);
  if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e) && !ts.isIdentifier(e)) return undefined;
  return envOfTrace(trace(e, module, [], 'value'));
}

function envOfTrace(t: Trace | undefined): string | undefined {
  if (t === undefined) return undefined;
  let path: readonly string[] | undefined;
  if (t.kind === 'global' && (t.name === 'process' || t.name === 'Bun')) path = t.path;
  else if (t.kind === 'external' && isProcessModule(t.specifier)) path = t.path[0] === 'default' ? t.path.slice(1) : t.path;
  else if (t.kind === 'node' && ts.isMetaProperty(t.node)) path = t.path; // import.meta.env.X (Vite)
  if (path !== undefined && path.length === 2 && path[0] === 'env') return path[1];
  return undefined;
}

/** The start of an expression's text for a message; reads at most a few hundred characters of a huge expression. */
function exprText(e: ts.Node): string {
  const start = e.getStart();
  const end = Math.min(e.getEnd(), start + 320);
  const t = e.getSourceFile().text.slice(start, end).replace(/\s+/g, ' ');
  return t.length > 80 || end < e.getEnd() ? `${t.slice(0, 77)}...` : t;
}

function isKnown(r: Resolved<unknown>): boolean {
  return r.provenance.kind === 'literal' || r.provenance.kind === 'constant';
}

/** The provenance of a value computed from two known values: literal if both are, else the first constant. */
function combine(a: Resolved<unknown>, b: Resolved<unknown>): Provenance {
  if (a.provenance.kind === 'constant') return a.provenance;
  if (b.provenance.kind === 'constant') return b.provenance;
  return { kind: 'literal' };
}

/** Converts a resolved value the way `Number()` / `parseInt()` / `parseFloat()` would; env values keep their provenance. */
export function convertNumber(r: Resolved<unknown>, how: 'Number' | 'parseInt' | 'parseFloat', radix = 10): Resolved<unknown> {
  if (r.provenance.kind === 'unknown' || r.provenance.kind === 'default') return r;
  const v = r.value;
  if (v === undefined) return r;
  let n: number;
  if (typeof v === 'number') n = how === 'parseInt' ? Math.trunc(v) : v;
  else if (typeof v === 'string') n = how === 'Number' ? Number(v) : how === 'parseInt' ? Number.parseInt(v, radix) : Number.parseFloat(v);
  else if (typeof v === 'boolean' && how === 'Number') n = v ? 1 : 0;
  else return { value: undefined, provenance: { kind: 'unknown', reason: `${how}() of a non-numeric value` }, ...(r.range ? { range: r.range } : {}) };
  if (Number.isNaN(n)) return { value: undefined, provenance: { kind: 'unknown', reason: `${how}(${JSON.stringify(v)}) is NaN` }, ...(r.range ? { range: r.range } : {}) };
  return { ...r, value: n };
}

/** Resolves an expression to a static value with its provenance. */
export function resolveValue(expr: ts.Expression, module: JsModule): Resolved<unknown> {
  return resolveIn(expr, module, 0, { steps: MAX_STEPS });
}

function resolveIn(expr: ts.Expression, module: JsModule, depth: number, budget: Budget): Resolved<unknown> {
  const range = module.rangeOf(expr);
  const lit = (value: unknown): Resolved<unknown> => ({ value, provenance: { kind: 'literal' }, range });
  const unknown = (reason: string): Resolved<unknown> => ({ value: undefined, provenance: { kind: 'unknown', reason }, range });
  const withRange = (r: Resolved<unknown>): Resolved<unknown> => ({ ...r, range });
  if (depth > MAX_DEPTH) return unknown('expression too deeply nested');
  if (--budget.steps < 0) return unknown(`expression too large to evaluate (more than ${MAX_STEPS} parts)`);
  const e = unwrapExpression(expr);
  const sub = (x: ts.Expression) => resolveIn(x, module, depth + 1, budget);

  if (ts.isStringLiteralLike(e)) return lit(e.text);
  if (ts.isNumericLiteral(e)) return lit(Number(e.text.replace(/_/g, '')));
  if (e.kind === ts.SyntaxKind.TrueKeyword) return lit(true);
  if (e.kind === ts.SyntaxKind.FalseKeyword) return lit(false);
  if (e.kind === ts.SyntaxKind.NullKeyword) return lit(null);
  if (ts.isVoidExpression(e)) return lit(undefined);

  if (ts.isPrefixUnaryExpression(e)) {
    const r = sub(e.operand);
    if (e.operator === ts.SyntaxKind.PlusToken) return withRange(convertNumber(r, 'Number'));
    if (e.operator === ts.SyntaxKind.MinusToken) {
      const n = convertNumber(r, 'Number');
      return typeof n.value === 'number' ? withRange({ ...n, value: -n.value }) : n.provenance.kind === 'env' ? unknown('negated environment variable') : withRange(n);
    }
    if (e.operator === ts.SyntaxKind.ExclamationToken && isKnown(r)) return withRange({ ...r, value: !r.value });
    return unknown(`${exprText(e)}`);
  }

  if (ts.isTemplateExpression(e)) {
    let s = e.head.text;
    let prov: Provenance = { kind: 'literal' };
    for (const span of e.templateSpans) {
      const r = sub(span.expression);
      if (!isKnown(r) || (typeof r.value !== 'string' && typeof r.value !== 'number' && typeof r.value !== 'boolean')) return unknown('template literal with a substitution that is not a constant');
      if (prov.kind === 'literal' && r.provenance.kind === 'constant') prov = r.provenance;
      s += String(r.value) + span.literal.text;
      if (s.length > MAX_STATIC_STRING_CHARS) return unknown(tooLong);
    }
    return { value: s, provenance: prov, range };
  }

  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isMetaProperty(e)) {
    if (ts.isIdentifier(e) && e.text === 'undefined' && module.lookup(e) === undefined) return lit(undefined);
    const t = trace(e, module, [], 'value');
    const env = envOfTrace(t);
    if (env !== undefined) return { value: undefined, provenance: { kind: 'env', envVar: env }, range };
    if (t === undefined) return unknown(`${exprText(e)} cannot be followed`);
    if (t.kind === 'node' && t.path.length === 0 && t.node !== e && ts.isExpression(t.node)) {
      const inner = resolveIn(t.node, t.module, depth + 1, budget);
      if (inner.provenance.kind === 'literal') {
        return { value: inner.value, provenance: { kind: 'constant', name: exprText(e), definedAt: t.module.rangeOf(t.node) }, range };
      }
      return withRange(inner);
    }
    if (t.kind === 'opaque') return unknown(`${exprText(e)}: ${t.reason}`);
    if (t.kind === 'global') return unknown(`${exprText(e)} is a global`);
    if (t.kind === 'external') return unknown(`${exprText(e)} comes from '${t.specifier}'`);
    return unknown(`${exprText(e)} is not a constant`);
  }

  if (ts.isCallExpression(e)) {
    const callee = unwrapExpression(e.expression);
    const a0 = e.arguments[0];
    let fn: string | undefined;
    if (ts.isIdentifier(callee) && module.lookup(callee) === undefined) fn = callee.text;
    else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Number' && module.lookup(callee.expression) === undefined) {
      fn = callee.name.text;
    }
    if (a0 !== undefined && fn !== undefined) {
      if (fn === 'Number') return withRange(convertNumber(sub(a0), 'Number'));
      if (fn === 'parseInt') {
        const radix = e.arguments[1] ? sub(e.arguments[1]) : undefined;
        const rv = radix && typeof radix.value === 'number' ? radix.value : 10;
        return withRange(convertNumber(sub(a0), 'parseInt', rv));
      }
      if (fn === 'parseFloat') return withRange(convertNumber(sub(a0), 'parseFloat'));
      if (fn === 'String') {
        const r = sub(a0);
        return r.value === undefined ? withRange(r) : withRange({ ...r, value: String(r.value) });
      }
    }
    return unknown(`result of ${exprText(callee)}()`);
  }

  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      const l = sub(e.left);
      if (l.provenance.kind === 'env' && l.provenance.fallback === undefined && l.value === undefined) {
        const r = sub(e.right);
        if (isKnown(r) && isFallback(r.value)) {
          return { value: r.value, provenance: { kind: 'env', envVar: l.provenance.envVar, fallback: r.value }, range };
        }
        if (r.provenance.kind === 'env' && r.provenance.fallback !== undefined) {
          return { value: r.value, provenance: { kind: 'env', envVar: l.provenance.envVar, fallback: r.provenance.fallback }, range };
        }
        return unknown(`${l.provenance.envVar} with a fallback that is not a constant`);
      }
      if (isKnown(l)) {
        const useRight = op === ts.SyntaxKind.QuestionQuestionToken ? l.value === null || l.value === undefined : !l.value;
        return useRight ? withRange(sub(e.right)) : withRange(l);
      }
      return l.provenance.kind === 'env' ? withRange(l) : unknown(`${exprText(e)}`);
    }
    if (
      op === ts.SyntaxKind.PlusToken ||
      op === ts.SyntaxKind.MinusToken ||
      op === ts.SyntaxKind.AsteriskToken ||
      op === ts.SyntaxKind.SlashToken ||
      op === ts.SyntaxKind.PercentToken ||
      op === ts.SyntaxKind.AsteriskAsteriskToken
    ) {
      const l = sub(e.left);
      const r = sub(e.right);
      const bad = [l, r].find((x) => x.provenance.kind === 'unknown' || x.provenance.kind === 'default');
      if (bad !== undefined) return withRange(bad);
      const env = [l, r].find((x) => x.provenance.kind === 'env');
      const value = arith(op, l.value, r.value);
      if (typeof value === 'string' && value.length > MAX_STATIC_STRING_CHARS) return unknown(tooLong);
      if (env !== undefined) return { value: l.value === undefined || r.value === undefined ? undefined : value, provenance: env.provenance, range };
      if (value === undefined) return unknown(`${exprText(e)}`);
      return { value, provenance: combine(l, r), range };
    }
    return unknown(`${exprText(e)}`);
  }

  if (ts.isConditionalExpression(e)) {
    const c = sub(e.condition);
    const t = sub(e.whenTrue);
    const f = sub(e.whenFalse);
    if (isKnown(c)) return withRange(c.value ? t : f);
    if (isKnown(t) && isKnown(f) && t.value === f.value) return { value: t.value, provenance: combine(t, f), range };
    // process.env.X ? Number(process.env.X) : 10
    if (c.provenance.kind === 'env' && t.provenance.kind === 'env' && t.provenance.envVar === c.provenance.envVar && isKnown(f) && isFallback(f.value)) {
      return { value: f.value, provenance: { kind: 'env', envVar: c.provenance.envVar, fallback: f.value }, range };
    }
    return unknown('conditional expression');
  }

  if (ts.isObjectLiteralExpression(e)) return unknown('object');
  if (ts.isArrayLiteralExpression(e)) return unknown('array');
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return unknown('function');
  if (ts.isNewExpression(e)) return unknown(`new ${exprText(e.expression)}`);
  if (ts.isAwaitExpression(e)) return unknown(`await ${exprText(e.expression)}`);
  return unknown(ts.SyntaxKind[e.kind] ?? 'expression');
}

function isFallback(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function arith(op: ts.SyntaxKind, a: unknown, b: unknown): Prim {
  if (op === ts.SyntaxKind.PlusToken && (typeof a === 'string' || typeof b === 'string')) {
    return a === undefined || b === undefined ? undefined : String(a) + String(b);
  }
  const x = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN;
  const y = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : Number.NaN;
  if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
  switch (op) {
    case ts.SyntaxKind.PlusToken:
      return x + y;
    case ts.SyntaxKind.MinusToken:
      return x - y;
    case ts.SyntaxKind.AsteriskToken:
      return x * y;
    case ts.SyntaxKind.SlashToken:
      return y === 0 ? undefined : x / y;
    case ts.SyntaxKind.PercentToken:
      return y === 0 ? undefined : x % y;
    case ts.SyntaxKind.AsteriskAsteriskToken:
      return x ** y;
    default:
      return undefined;
  }
}
