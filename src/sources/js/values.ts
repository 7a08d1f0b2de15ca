import ts from './typescript.cjs';
import type { JsModule, Trace } from './module.js';
import { trace } from './module.js';
import type { Provenance, Resolved } from './types.js';
import { forEachNodeOfKinds, isFunctionLike, kindMask, returnExpressions, staticPropertyName, unwrapExpression } from './walk.js';

const IDENTIFIER_KINDS = kindMask([ts.SyntaxKind.Identifier]);
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
  /** Parameters bound to the arguments of the call whose result is being read (`parse(url).limit`). */
  bindings?: Map<ts.Node, { arg: ts.Expression; module: JsModule }>;
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
    if (t.kind === 'node' && t.path.length === 1 && ts.isCallExpression(t.node)) {
      const fromSchema = envFromSchema(t.node, t.path[0]!, t.module);
      if (fromSchema !== undefined) return { ...fromSchema, range };
    }
    if (t.kind === 'node' && t.path.length === 0 && t.node !== e && ts.isExpression(t.node)) {
      const inner = resolveIn(t.node, t.module, depth + 1, budget);
      if (inner.provenance.kind === 'literal') {
        return { value: inner.value, provenance: { kind: 'constant', name: exprText(e), definedAt: t.module.rangeOf(t.node) }, range };
      }
      return withRange(inner);
    }
    if (t.kind === 'node' && t.path.length === 1 && ts.isNewExpression(t.node)) {
      const proxied = proxyEnvProperty(t.node, t.path[0]!, t.module, budget);
      if (proxied !== undefined) return { ...proxied, range };
      const field = instanceField(t.node, t.path[0]!, t.module);
      if (field !== undefined) {
        const fromHelper = ts.isCallExpression(unwrapExpression(field.node)) ? optionalConversionCall(unwrapExpression(field.node) as ts.CallExpression, field.cls, field.module, (x) => resolveIn(x, field.module, depth + 1, budget)) : undefined;
        if (fromHelper !== undefined) return { ...fromHelper, range };
        return withRange(resolveIn(field.node, field.module, depth + 1, budget));
      }
    }
    if (t.kind === 'node' && t.path.length === 1 && ts.isCallExpression(t.node)) {
      const returned = returnedProperty(t.node, t.path[0]!, t.module, depth, budget);
      if (returned !== undefined) return { ...returned, range };
    }
    if (t.kind === 'opaque' && t.path.length === 0 && budget.bindings?.has(t.node)) {
      const b = budget.bindings.get(t.node)!;
      return withRange(resolveIn(b.arg, b.module, depth + 1, budget));
    }
    if (t.kind === 'opaque' && t.path.length === 1 && budget.bindings?.has(t.node)) {
      // params.limit with params bound to the caller's object literal
      const b = budget.bindings.get(t.node)!;
      const prop = literalProperty(b.arg, t.path[0]!, b.module);
      if (prop !== undefined) return withRange(resolveIn(prop.node, prop.module, depth + 1, budget));
    }
    if (t.kind === 'opaque' && t.path.length === 0 && ts.isBindingElement(t.node) && t.node.initializer !== undefined) {
      const withDefault = defaultedParameter(t.node, t.module, depth, budget);
      if (withDefault !== undefined) return { ...withDefault, range };
    }
    if (t.kind === 'opaque' && ts.isParameter(t.node)) {
      const passed = valuePassedIn(t.node, t.path, t.module, depth, budget);
      if (passed !== undefined) return { ...passed, range };
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
    const fromConfig = a0 !== undefined ? configServiceGet(e, module) : undefined;
    if (fromConfig !== undefined) return { ...fromConfig, range };
    const fromHelper = e.arguments.length === 2 ? envHelperCall(e, module, sub) : undefined;
    if (fromHelper !== undefined) return { ...fromHelper, range };
    const fromUrl = a0 !== undefined ? urlSearchParam(e, module, (x, m) => resolveIn(x, m, depth + 1, budget)) : undefined;
    if (fromUrl !== undefined) return { ...fromUrl, range };
    // n.toString(): the same value as text, provenance kept
    if (e.arguments.length === 0 && ts.isPropertyAccessExpression(callee) && callee.name.text === 'toString') {
      const r = sub(callee.expression);
      if (r.provenance.kind === 'unknown') return withRange(r);
      if (r.provenance.kind !== 'default') return r.value === undefined ? withRange(r) : withRange({ ...r, value: String(r.value) });
    }
    const converted = e.arguments.length === 1 && fn === undefined ? optionalConversionCall(e, undefined, module, sub) : undefined;
    if (converted !== undefined) return { ...converted, range };
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
          return { value: r.value, provenance: { ...l.provenance, fallback: r.value }, range };
        }
        if (r.provenance.kind === 'env' && r.provenance.fallback !== undefined && l.provenance.urlParam === undefined && r.provenance.urlParam === undefined) {
          // A's value when it is set, else B's, else B's fallback: B is kept, not only its fallback.
          const orEnv = [r.provenance.envVar, ...(r.provenance.orEnv ?? [])];
          return { value: r.value, provenance: { kind: 'env', envVar: l.provenance.envVar, fallback: r.provenance.fallback, orEnv }, range };
        }
        return unknown(`${l.provenance.envVar} with a fallback that is not a constant`);
      }
      if (isKnown(l)) {
        const useRight = op === ts.SyntaxKind.QuestionQuestionToken ? l.value === null || l.value === undefined : !l.value;
        return useRight ? withRange(sub(e.right)) : withRange(l);
      }
      if (l.provenance.kind === 'env') return withRange(l);
      // options.max ?? 5 with options from the caller: unknown, and the fallback said
      const r = sub(e.right);
      if (l.provenance.kind === 'unknown' && isKnown(r) && isFallback(r.value)) {
        return unknown(`${exprText(e.left)} is supplied by the caller (${l.provenance.reason}); ${JSON.stringify(r.value)} only when it is not given`);
      }
      return unknown(`${exprText(e)}`);
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
    // prod ? 20 : 5: either may run; the larger is the peak a budget must hold
    if (isKnown(t) && isKnown(f) && typeof t.value === 'number' && typeof f.value === 'number') {
      return { value: Math.max(t.value, f.value), provenance: combine(t, f), range, alternatives: [t.value, f.value] };
    }
    // isReadOnly ? poolMax * 2 : poolMax with poolMax = env X ?? 5: the larger default is the peak, with both
    if (t.provenance.kind === 'env' && f.provenance.kind === 'env' && t.provenance.envVar === f.provenance.envVar && typeof t.value === 'number' && typeof f.value === 'number') {
      const peak = t.value >= f.value ? t : f;
      return { ...peak, range, alternatives: [t.value, f.value] };
    }
    // process.env.X ? Number(process.env.X) : 10
    if (c.provenance.kind === 'env' && t.provenance.kind === 'env' && t.provenance.envVar === c.provenance.envVar && isKnown(f) && isFallback(f.value)) {
      return { value: f.value, provenance: { kind: 'env', envVar: c.provenance.envVar, fallback: f.value }, range };
    }
    const why = [t, f].find((x) => x.provenance.kind === 'unknown');
    return unknown(why?.provenance.kind === 'unknown' ? `conditional expression: ${why.provenance.reason}` : 'conditional expression');
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

// ---- configuration readers -------------------------------------------------

/** Environment variable names as written in env schemas and `configService.get('X')`. */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

function envResolved(envVar: string, fallback: Resolved<unknown> | undefined): Resolved<unknown> {
  if (fallback !== undefined && isKnown(fallback) && isFallback(fallback.value)) {
    return { value: fallback.value, provenance: { kind: 'env', envVar, fallback: fallback.value, ...(fallback.range ? { fallbackAt: fallback.range } : {}) } };
  }
  return { value: undefined, provenance: { kind: 'env', envVar } };
}

/** `process.env` (also `env` from 'node:process'). */
function isProcessEnv(expr: ts.Expression, module: JsModule): boolean {
  const t = trace(unwrapExpression(expr), module, [], 'value');
  if (t?.kind === 'global' && t.name === 'process') return t.path.length === 1 && t.path[0] === 'env';
  if (t?.kind === 'external' && isProcessModule(t.specifier)) {
    const p = t.path[0] === 'default' ? t.path.slice(1) : t.path;
    return p.length === 1 && p[0] === 'env';
  }
  return false;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const c = unwrapExpression(call.expression);
  return ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
}

/** A property of an object literal the expression leads to. */
function propertyOf(expr: ts.Expression | undefined, key: string, module: JsModule): { node: ts.Expression; module: JsModule } | undefined {
  if (expr === undefined) return undefined;
  const t = trace(expr, module, [key], 'value');
  return t?.kind === 'node' && t.path.length === 0 && ts.isExpression(t.node) ? { node: t.node, module: t.module } : undefined;
}

/** zod methods that keep a number or string as the environment gives it. */
const ZOD_PLAIN = new Set(['coerce', 'number', 'string', 'int', 'positive', 'nonnegative', 'min', 'max', 'gte', 'lte', 'gt', 'lt', 'finite', 'optional', 'describe', 'nonempty', 'trim', 'url', 'safe']);

/** `z.coerce.number().int().default(10)`: the default, or none; undefined when the chain transforms the value. */
function zodField(expr: ts.Expression, module: JsModule): { fallback?: Resolved<unknown> } | undefined {
  let e = unwrapExpression(expr);
  let fallback: Resolved<unknown> | undefined;
  for (let i = 0; i < 20; i++) {
    if (ts.isCallExpression(e)) {
      const c = unwrapExpression(e.expression);
      if (!ts.isPropertyAccessExpression(c)) return undefined;
      const name = c.name.text;
      if (name === 'default') {
        const a = e.arguments[0];
        if (a === undefined) return undefined;
        if (fallback === undefined) fallback = resolveValue(a, module);
      } else if (!ZOD_PLAIN.has(name)) return undefined;
      e = unwrapExpression(c.expression);
    } else if (ts.isPropertyAccessExpression(e)) {
      if (!ZOD_PLAIN.has(e.name.text)) return undefined;
      e = unwrapExpression(e.expression);
    } else if (ts.isIdentifier(e)) {
      const t = trace(e, module, [], 'value');
      if (t?.kind !== 'external' || !/^zod(\/|$)/.test(t.specifier)) return undefined;
      return fallback !== undefined ? { fallback } : {};
    } else return undefined;
  }
  return undefined;
}

/** envalid validators (envalid 8 src/validators.ts); `default` is used when the variable is unset (devDefault only outside production). */
const ENVALID_VALIDATORS = new Set(['num', 'port', 'str', 'bool', 'host', 'url', 'email']);

function envalidField(expr: ts.Expression, module: JsModule): { fallback?: Resolved<unknown> } | undefined {
  const e = unwrapExpression(expr);
  if (!ts.isCallExpression(e)) return undefined;
  const name = calleeName(e);
  if (name === undefined || !ENVALID_VALIDATORS.has(name)) return undefined;
  const d = propertyOf(e.arguments[0], 'default', module);
  return d !== undefined ? { fallback: resolveValue(d.node, d.module) } : {};
}

/**
 * `env.X` where `env` is an env schema applied to process.env: zod `schema.parse(process.env)`,
 * t3-env `createEnv({ server: { X: z… }, runtimeEnv })`, envalid `cleanEnv(process.env, { X: num({ default: 10 }) })`.
 */
/**
 * The `z.object({...})` of a schema that defines `key`, through `.and(other)` (ZodIntersection: the
 * parsed objects are merged, and a key both define must parse to equal values, else parse fails) and
 * `.refine(fn)` / `.superRefine(fn)` (checks only; the output is the input, zod.dev "Refinements").
 */
function zodObjectWith(expr: ts.Expression, key: string, module: JsModule, depth: number): { node: ts.CallExpression; module: JsModule } | undefined {
  if (depth > 8) return undefined;
  const t = trace(expr, module, [], 'value');
  if (t?.kind !== 'node' || t.path.length > 0 || !ts.isCallExpression(t.node)) return undefined;
  const name = calleeName(t.node);
  if (name === 'object') return propertyOf(t.node.arguments[0], key, t.module) !== undefined ? { node: t.node, module: t.module } : undefined;
  const callee = unwrapExpression(t.node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (name === 'refine' || name === 'superRefine') return zodObjectWith(callee.expression, key, t.module, depth + 1);
  if (name === 'and' && t.node.arguments[0] !== undefined) return zodObjectWith(callee.expression, key, t.module, depth + 1) ?? zodObjectWith(t.node.arguments[0], key, t.module, depth + 1);
  return undefined;
}

function envFromSchema(call: ts.CallExpression, key: string, module: JsModule): Resolved<unknown> | undefined {
  if (!ENV_NAME.test(key)) return undefined;
  const name = calleeName(call);
  const unknownField = (): Resolved<unknown> => ({ value: undefined, provenance: { kind: 'unknown', reason: `${key} is transformed by the env schema` } });
  if (name === 'cleanEnv') {
    if (call.arguments[0] === undefined || !isProcessEnv(call.arguments[0], module)) return undefined;
    const field = propertyOf(call.arguments[1], key, module);
    if (field === undefined) return undefined;
    const f = envalidField(field.node, field.module);
    return f === undefined ? unknownField() : envResolved(key, f.fallback);
  }
  if (name === 'parse') {
    const c = unwrapExpression(call.expression);
    if (!ts.isPropertyAccessExpression(c) || call.arguments[0] === undefined || !isProcessEnv(call.arguments[0], module)) return undefined;
    const schema = zodObjectWith(c.expression, key, module, 0);
    if (schema === undefined) return undefined;
    const field = propertyOf(schema.node.arguments[0], key, schema.module);
    if (field === undefined) return undefined;
    const f = zodField(field.node, field.module);
    return f === undefined ? unknownField() : envResolved(key, f.fallback);
  }
  if (name === 'createEnv') {
    const opts = call.arguments[0];
    for (const group of ['server', 'shared', 'client']) {
      const groupObj = propertyOf(opts, group, module);
      const field = groupObj && propertyOf(groupObj.node, key, groupObj.module);
      if (field === undefined) continue;
      const f = zodField(field.node, field.module);
      if (f === undefined) return unknownField();
      // runtimeEnv: { DB_POOL_MAX: process.env.DB_POOL_MAX } names the variable
      const rt = propertyOf(opts, 'runtimeEnv', module);
      const rtObj = rt && ts.isObjectLiteralExpression(unwrapExpression(rt.node)) ? (unwrapExpression(rt.node) as ts.ObjectLiteralExpression) : undefined;
      const mapped = rtObj?.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && staticPropertyName(p.name) === key);
      const envVar = mapped ? envVarOf(mapped.initializer, rt!.module) : key;
      if (envVar === undefined) return unknownField();
      return envResolved(envVar, f.fallback);
    }
  }
  return undefined;
}

/** NestJS `configService.get('X', 10)`, `configService.get<number>('X')`, `getOrThrow('X')` (@nestjs/config reads process.env for a key no loaded config defines). */
function configServiceGet(call: ts.CallExpression, module: JsModule): Resolved<unknown> | undefined {
  const c = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(c) || (c.name.text !== 'get' && c.name.text !== 'getOrThrow')) return undefined;
  const a0 = call.arguments[0] ? unwrapExpression(call.arguments[0]) : undefined;
  if (a0 === undefined || !ts.isStringLiteralLike(a0) || !isConfigService(c.expression, module)) return undefined;
  if (!ENV_NAME.test(a0.text)) return namespacedConfig(a0.text, module) ?? { value: undefined, provenance: { kind: 'unknown', reason: `configService.${c.name.text}('${a0.text}'): a configuration key, not an environment variable` } };
  const a1 = call.arguments[1];
  // get('X', { infer: true }) is an options object, not a default
  const fallback = c.name.text === 'get' && a1 !== undefined && !ts.isObjectLiteralExpression(unwrapExpression(a1)) ? resolveValue(a1, module) : undefined;
  return envResolved(a0.text, fallback);
}

/**
 * `configService.get('database.maxConnections')`: @nestjs/config reads a dotted path from the object
 * that `registerAs('database', factory)` returned ("Configuration namespaces",
 * https://docs.nestjs.com/techniques/configuration#configuration-namespaces), so the value is the
 * factory's returned property: `maxConnections: process.env.DATABASE_MAX_CONNECTIONS ? parseInt(…) : 100`.
 * Undefined when no namespace of the repository answers (the caller says "a configuration key").
 */
function namespacedConfig(key: string, module: JsModule): Resolved<unknown> | undefined {
  const parts = key.split('.');
  if (parts.length < 2 || parts.some((p) => p === '') || module.host.configFactory === undefined) return undefined;
  const found = module.host.configFactory(parts[0]!);
  if ('reason' in found) return undefined;
  for (const r of returnExpressions(found.node)) {
    let at: { node: ts.Expression; module: JsModule } | undefined = { node: r, module: found.module };
    for (const key of parts.slice(1)) at = at && literalProperty(at.node, key, at.module);
    if (at !== undefined) return resolveValue(at.node, at.module);
  }
  return { value: undefined, provenance: { kind: 'unknown', reason: `configService.get('${key}'): the registerAs('${parts[0]}') factory returns no ${parts.slice(1).join('.')} that can be read` } };
}

/** The value written for `key` in the object literal an expression leads to (not followed further). */
function literalProperty(expr: ts.Expression, key: string, module: JsModule): { node: ts.Expression; module: JsModule } | undefined {
  const u = unwrapExpression(expr);
  const t = ts.isObjectLiteralExpression(u) ? { kind: 'node' as const, node: u as ts.Node, module, path: [] as readonly string[] } : trace(u, module, [], 'value');
  if (t?.kind !== 'node' || t.path.length > 0 || !ts.isObjectLiteralExpression(t.node)) return undefined;
  let found: { node: ts.Expression; module: JsModule } | undefined;
  for (const p of t.node.properties) {
    if (ts.isSpreadAssignment(p)) found = undefined; // a later spread may override what came before
    else if (p.name !== undefined && staticPropertyName(p.name) === key) {
      if (ts.isPropertyAssignment(p)) found = { node: p.initializer, module: t.module };
      else if (ts.isShorthandPropertyAssignment(p)) found = { node: p.name, module: t.module };
    }
  }
  return found;
}

/**
 * `env.X` where `env = new Environment()` of a repository class whose field is `X = <initializer>` and
 * that nothing else in the class assigns (`this.X = …`): the initializer (outline's server/env.ts).
 */
function instanceField(created: ts.NewExpression, name: string, module: JsModule): { node: ts.Expression; cls: ts.ClassLikeDeclaration; module: JsModule } | undefined {
  const target = module.calleeTarget(created.expression);
  if (target === undefined || !ts.isClassLike(target.node)) return undefined;
  const cls = target.node;
  let init: ts.Expression | undefined;
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && m.name !== undefined && staticPropertyName(m.name) === name) {
      if (m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) return undefined;
      init = m.initializer;
    }
  }
  if (init === undefined) return undefined;
  let assigned = false;
  const visit = (n: ts.Node): void => {
    if (assigned) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const l = unwrapExpression(n.left);
      if (ts.isPropertyAccessExpression(l) && l.expression.kind === ts.SyntaxKind.ThisKeyword && l.name.text === name) assigned = true;
    }
    ts.forEachChild(n, visit);
  };
  for (const m of cls.members) visit(m);
  return assigned ? undefined : { node: init, cls, module: target.module };
}

/**
 * `this.toOptionalNumber(environment.X)` / `toNumber(process.env.X)`: a method of the class (or a local
 * function) of one parameter whose every return is a numeric conversion of it or `undefined`
 * (`return value ? parseInt(value, 10) : undefined`): env X, with no default.
 */
function optionalConversionCall(call: ts.CallExpression, cls: ts.ClassLikeDeclaration | undefined, module: JsModule, sub: (x: ts.Expression) => Resolved<unknown>): Resolved<unknown> | undefined {
  if (call.arguments.length !== 1) return undefined;
  const env = sub(call.arguments[0]!);
  // an environment Proxy whose trap is not understood: keep its precise reason through the helper
  if (env.provenance.kind === 'unknown' && env.provenance.reason.includes(PROXY_READ)) return env;
  if (env.provenance.kind !== 'env' || env.provenance.fallback !== undefined) return undefined;
  const callee = unwrapExpression(call.expression);
  let fn: ts.FunctionLikeDeclaration | undefined;
  if (cls !== undefined && ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    for (const m of cls.members) if (ts.isMethodDeclaration(m) && m.body !== undefined && staticPropertyName(m.name) === callee.name.text) fn = m;
  }
  if (cls === undefined) {
    // parseIntSafe(x): a function of the analysed files, followed to its declaration
    const t = trace(callee, module, [], 'object');
    if (t?.kind === 'node' && t.path.length === 0 && isFunctionLike(t.node) && (t.node as ts.FunctionLikeDeclaration).body !== undefined) fn = t.node as ts.FunctionLikeDeclaration;
  }
  if (fn === undefined) return undefined;
  const p0 = fn.parameters[0];
  if (p0 === undefined || fn.parameters.length !== 1 || !ts.isIdentifier(p0.name) || p0.dotDotDotToken) return undefined;
  const param = p0.name.text;
  const isParam = (x: ts.Expression) => ts.isIdentifier(x) && x.text === param;
  const isConversion = (x: ts.Expression): boolean => {
    const u = unwrapExpression(x);
    if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.PlusToken) return isParam(unwrapExpression(u.operand));
    if (!ts.isCallExpression(u) || u.arguments[0] === undefined || !isParam(unwrapExpression(u.arguments[0]))) return false;
    const c = unwrapExpression(u.expression);
    const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'Number' ? c.name.text : undefined;
    if (name === 'Number' || name === 'parseFloat') return u.arguments.length === 1;
    if (name !== 'parseInt') return false;
    const radix = u.arguments[1];
    return radix === undefined || (ts.isNumericLiteral(radix) && radix.text === '10');
  };
  const isUndefined = (x: ts.Expression) => {
    const u = unwrapExpression(x);
    return (ts.isIdentifier(u) && u.text === 'undefined') || ts.isVoidExpression(u);
  };
  // const parsed = parseInt(value, 10); return !isNaN(parsed) ? parsed : undefined
  const convertedLocal = (x: ts.Expression): boolean => {
    if (!ts.isIdentifier(x) || !ts.isBlock(fn!.body!)) return false;
    for (const st of fn!.body!.statements) {
      if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === x.text && d.initializer !== undefined) return isConversion(d.initializer);
    }
    return false;
  };
  const leafOk = (x: ts.Expression): boolean => {
    const u = unwrapExpression(x);
    if (ts.isConditionalExpression(u)) return leafOk(u.whenTrue) && leafOk(u.whenFalse);
    return isConversion(u) || isUndefined(u) || convertedLocal(u);
  };
  const returns = returnExpressions(fn);
  if (returns.length === 0 || !returns.every(leafOk)) return undefined;
  return { value: undefined, provenance: { ...env.provenance } };
}

/** A receiver typed `ConfigService` from '@nestjs/config' (an injected parameter or field). */
function isConfigService(expr: ts.Expression, module: JsModule): boolean {
  const t = trace(unwrapExpression(expr), module, [], 'value');
  if (t?.kind !== 'opaque' || t.path.length > 0) return false;
  const n = t.node;
  const type = ts.isParameter(n) || ts.isPropertyDeclaration(n) ? n.type : undefined;
  if (type === undefined || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const d = t.module.lookup(type.typeName);
  if (d?.kind !== 'import' || !ts.isImportSpecifier(d.node)) return false;
  const decl = d.node.parent.parent.parent;
  return ts.isStringLiteralLike(decl.moduleSpecifier) && decl.moduleSpecifier.text === '@nestjs/config' && (d.node.propertyName ?? d.node.name).text === 'ConfigService';
}

/**
 * `toInt(process.env.PGPOOL_MAX, 20)` with a local helper that returns either a numeric conversion
 * of its first parameter or its second: env PGPOOL_MAX, fallback 20. Any other return (a clamp,
 * a computation) leaves the call unknown.
 */
function envHelperCall(call: ts.CallExpression, module: JsModule, sub: (x: ts.Expression) => Resolved<unknown>): Resolved<unknown> | undefined {
  const callee = unwrapExpression(call.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  const env = sub(call.arguments[0]!);
  // an environment Proxy whose trap is not understood: keep its precise reason through the helper
  if (env.provenance.kind === 'unknown' && env.provenance.reason.includes(PROXY_READ)) return env;
  if (env.provenance.kind !== 'env' || env.provenance.fallback !== undefined) return undefined;
  const fb = sub(call.arguments[1]!);
  if (!isKnown(fb) || !isFallback(fb.value)) return undefined;
  const t = trace(callee, module, [], 'object');
  if (t?.kind !== 'node' || t.path.length > 0 || !isFunctionLike(t.node)) return undefined;
  const fn = t.node;
  const [p0, p1] = fn.parameters;
  if (p0 === undefined || p1 === undefined || !ts.isIdentifier(p0.name) || !ts.isIdentifier(p1.name) || p0.dotDotDotToken || p1.dotDotDotToken) return undefined;
  const value = p0.name.text;
  const fallback = p1.name.text;
  const isParam = (x: ts.Expression, name: string) => ts.isIdentifier(x) && x.text === name && t.module.lookup(x)?.kind === 'param';
  const isConversion = (x: ts.Expression): boolean => {
    const u = unwrapExpression(x);
    if (isParam(u, value)) return true;
    if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.PlusToken) return isParam(unwrapExpression(u.operand), value);
    if (!ts.isCallExpression(u) || u.arguments[0] === undefined) return false;
    const c = unwrapExpression(u.expression);
    const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'Number' ? c.name.text : undefined;
    if (name !== 'Number' && name !== 'parseInt' && name !== 'parseFloat') return false;
    const radix = u.arguments[1] === undefined ? 10 : sub(u.arguments[1]).value;
    return radix === 10 && isParam(unwrapExpression(u.arguments[0]), value);
  };
  let sawFallback = false;
  const leafOk = (x: ts.Expression, depth: number): boolean => {
    if (depth > 6) return false;
    const u = unwrapExpression(x);
    if (isParam(u, fallback)) {
      sawFallback = true;
      return true;
    }
    if (ts.isConditionalExpression(u)) return leafOk(u.whenTrue, depth + 1) && leafOk(u.whenFalse, depth + 1);
    if (ts.isBinaryExpression(u) && (u.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || u.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return leafOk(u.left, depth + 1) && leafOk(u.right, depth + 1);
    }
    if (isConversion(u)) return true;
    // const parsed = Number(raw); … return parsed
    if (ts.isIdentifier(u)) {
      const d = t.module.lookup(u);
      return d?.kind === 'var' && d.flags === 'const' && d.element === undefined && d.declaration.initializer !== undefined && isConversion(d.declaration.initializer);
    }
    return false;
  };
  const rets = returnExpressions(fn);
  if (rets.length === 0 || !rets.every((r) => leafOk(r, 0)) || !sawFallback) return undefined;
  return envResolved(env.provenance.envVar, fb);
}

/**
 * A parameter of a function of this module that is not exported and is only called here
 * (`buildPool({ max: 20 })` → `function buildPool(opts) { … opts.max … }`): the values its
 * callers pass, one call deep. The same known value everywhere is that value; known numbers that
 * differ give the largest, with each. Anything else is unknown (undefined here).
 */
function valuePassedIn(param: ts.ParameterDeclaration, path: readonly string[], module: JsModule, depth: number, budget: Budget): Resolved<unknown> | undefined {
  const fn = param.parent;
  if (!ts.isIdentifier(param.name) || param.dotDotDotToken || param.initializer) return undefined;
  const index = fn.parameters.indexOf(param);
  let name: ts.Identifier | undefined;
  if (ts.isFunctionDeclaration(fn)) name = fn.name;
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name)) name = fn.parent.name;
  if (name === undefined || module.exportNames().includes(name.text)) return undefined;
  const stmt = ts.isFunctionDeclaration(fn) ? fn : fn.parent.parent.parent;
  if (ts.canHaveModifiers(stmt) && ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  const calls: ts.CallExpression[] = [];
  let other = false;
  // every identifier of the file, in one pass over the recorded node order (no recursion: deep code is allowed)
  forEachNodeOfKinds(module.sourceFile, IDENTIFIER_KINDS, (n) => {
    if (other) return;
    if (ts.isIdentifier(n) && n !== name && n.text === name!.text) {
      const d = module.lookup(n);
      const same = (d?.kind === 'function' && d.node === fn) || (d?.kind === 'var' && d.element === undefined && d.declaration.initializer === fn);
      if (same) {
        const p = n.parent;
        if (ts.isCallExpression(p) && p.expression === n) calls.push(p);
        else other = true;
      }
    }
  });
  if (other || calls.length === 0 || calls.length > 8) return undefined;
  const values: Resolved<unknown>[] = [];
  for (const c of calls) {
    const arg = c.arguments[index];
    if (arg === undefined || c.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
    let r: Resolved<unknown>;
    if (path.length === 0) r = resolveIn(arg, module, depth + 1, budget);
    else {
      // the object the caller passes, then the property as written in it
      const at = trace(arg, module, path.slice(0, -1), 'value');
      if (at?.kind !== 'node' || at.path.length > 0 || !ts.isObjectLiteralExpression(at.node)) return undefined;
      const key = path[path.length - 1];
      const prop = [...at.node.properties].reverse().find((p) => p.name !== undefined && staticPropertyName(p.name) === key);
      if (at.node.properties.some((p) => ts.isSpreadAssignment(p)) || prop === undefined) return undefined;
      const valueExpr = ts.isPropertyAssignment(prop) ? prop.initializer : ts.isShorthandPropertyAssignment(prop) ? prop.name : undefined;
      if (valueExpr === undefined) return undefined;
      r = resolveIn(valueExpr, at.module, depth + 1, budget);
    }
    if (!isKnown(r) && r.provenance.kind !== 'env') return undefined;
    values.push(r);
  }
  const first = values[0]!;
  if (values.every((v) => v.value === first.value && JSON.stringify(v.provenance) === JSON.stringify(first.provenance))) return first;
  if (values.every((v) => isKnown(v) && typeof v.value === 'number')) {
    const nums = values.map((v) => v.value as number);
    const peak = values[nums.indexOf(Math.max(...nums))]!;
    return { ...peak, alternatives: nums };
  }
  return undefined;
}

/**
 * `url.searchParams.get('connection_limit')` with `url = new URL(x)` and x an environment variable
 * with no fallback: that query parameter of the variable's URL (the model reads it per environment).
 */
function urlSearchParam(call: ts.CallExpression, module: JsModule, subIn: (x: ts.Expression, m: JsModule) => Resolved<unknown>): Resolved<unknown> | undefined {
  const callee = unwrapExpression(call.expression);
  if (call.arguments.length !== 1 || !ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get') return undefined;
  const params = unwrapExpression(callee.expression);
  if (!ts.isPropertyAccessExpression(params) || params.name.text !== 'searchParams') return undefined;
  const name = subIn(call.arguments[0]!, module);
  if (!isKnown(name) || typeof name.value !== 'string') return undefined;
  const t = trace(params.expression, module, [], 'value');
  if (t?.kind !== 'node' || t.path.length > 0 || !ts.isNewExpression(t.node) || t.node.arguments?.length !== 1) return undefined;
  const ctor = trace(t.node.expression, t.module, [], 'value');
  if (ctor?.kind !== 'global' || ctor.name !== 'URL' || ctor.path.length > 0) return undefined;
  const url = subIn(t.node.arguments[0]!, t.module);
  if (url.provenance.kind !== 'env' || url.provenance.fallback !== undefined || url.provenance.urlParam !== undefined) return undefined;
  return { value: undefined, provenance: { kind: 'env', envVar: url.provenance.envVar, urlParam: name.value } };
}

/**
 * `parse(x).limit`: the property of the object every return of a function of the analysed files
 * builds, with the function's parameters bound to the call's arguments. Undefined when a return is
 * not such an object or the returns disagree.
 */
function returnedProperty(call: ts.CallExpression, key: string, module: JsModule, depth: number, budget: Budget): Resolved<unknown> | undefined {
  if (call.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
  const callee = unwrapExpression(call.expression);
  const t = trace(callee, module, [], 'object');
  let fn: ts.FunctionLikeDeclaration | undefined;
  let fnModule = module;
  if (t?.kind === 'node' && t.path.length === 0 && isFunctionLike(t.node)) fn = t.node as ts.FunctionLikeDeclaration;
  else if (t?.kind === 'node' && t.path.length === 1 && ts.isClassLike(t.node)) {
    // Class.parse(x): a static method
    for (const m of t.node.members) if (ts.isMethodDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) && staticPropertyName(m.name) === t.path[0]) fn = m;
  }
  if (fn === undefined || fn.body === undefined || t === undefined) return undefined;
  fnModule = t.module;
  const returns = returnExpressions(fn);
  if (returns.length === 0 || returns.length > 4) return undefined;
  return withCallBindings(budget, fn, call, module, () => {
    let out: Resolved<unknown> | undefined;
    for (const r of returns) {
      const at = trace(r, fnModule, [key], 'value');
      if (at?.kind === 'node' && at.path.length === 1 && ts.isNewExpression(at.node) && returns.length === 1) {
        // return new Proxy(env, { get … }) with env bound to process.env (a file-secrets wrapper)
        return proxyEnvProperty(at.node, at.path[0]!, at.module, budget);
      }
      if (at?.kind !== 'node' || at.path.length > 0 || !ts.isExpression(at.node)) return undefined;
      const v = resolveIn(at.node, at.module, depth + 1, budget);
      if (v.provenance.kind === 'unknown') return undefined;
      if (out !== undefined && (out.value !== v.value || JSON.stringify(out.provenance) !== JSON.stringify(v.provenance))) return undefined;
      out = v;
    }
    return out;
  });
}

/**
 * The value the code writes into a query parameter of a URL it builds
 * (`const url = new URL(base); url.searchParams.set('connection_limit', limit); … url.href`), also
 * through a function of the analysed files that builds and returns it (`buildUrl(base, { limit }).href`,
 * parameters bound to the call's arguments). The `set` must be a statement of the block that declares
 * the URL (not under a condition), and the last `set` of that name wins. Undefined when the
 * expression is not such a URL or the parameter is not written; the written value otherwise, resolved
 * as any other value (so unknown with its reason when it is).
 */
export function writtenUrlParam(expr: ts.Expression, module: JsModule, name: string): Resolved<unknown> | undefined {
  const budget: Budget = { steps: MAX_STEPS };
  return writtenIn(expr, module, name, 0, budget);
}

function writtenIn(expr: ts.Expression, module: JsModule, name: string, depth: number, budget: Budget): Resolved<unknown> | undefined {
  if (depth > 8 || --budget.steps < 0) return undefined;
  let e = unwrapExpression(expr);
  // url.href, url.toString(), String(url), `${url}`
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'href') e = unwrapExpression(e.expression);
  else if (ts.isCallExpression(e) && e.arguments.length === 0 && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'toString') e = unwrapExpression(e.expression.expression);
  else if (ts.isTemplateExpression(e) && e.head.text === '' && e.templateSpans.length === 1 && e.templateSpans[0]!.literal.text === '') e = unwrapExpression(e.templateSpans[0]!.expression);
  if (!ts.isIdentifier(e)) {
    return ts.isCallExpression(e) ? returnedUrl(e, module, name, depth, budget) : undefined;
  }
  const t = trace(e, module, [], 'value');
  if (t?.kind === 'opaque' && t.path.length === 0 && budget.bindings?.has(t.node)) {
    const b = budget.bindings.get(t.node)!;
    return writtenIn(b.arg, b.module, name, depth + 1, budget);
  }
  if (t?.kind !== 'node' || t.path.length > 0) return undefined;
  if (ts.isCallExpression(t.node)) return returnedUrl(t.node, t.module, name, depth, budget);
  if (!ts.isNewExpression(t.node)) return undefined;
  const ctor = trace(t.node.expression, t.module, [], 'value');
  if (ctor?.kind !== 'global' || ctor.name !== 'URL' || ctor.path.length > 0) return undefined;
  const decl = t.node.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !ts.isVariableDeclarationList(decl.parent) || !ts.isVariableStatement(decl.parent.parent)) return undefined;
  const block = decl.parent.parent.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return undefined;
  let written: ts.Expression | undefined;
  for (const s of block.statements) {
    if (!ts.isExpressionStatement(s)) continue;
    const c = unwrapExpression(s.expression);
    if (!ts.isCallExpression(c) || c.arguments.length !== 2 || !ts.isPropertyAccessExpression(c.expression) || c.expression.name.text !== 'set') continue;
    const sp = unwrapExpression(c.expression.expression);
    if (!ts.isPropertyAccessExpression(sp) || sp.name.text !== 'searchParams' || !ts.isIdentifier(sp.expression) || sp.expression.text !== decl.name.text) continue;
    const key = resolveIn(c.arguments[0]!, t.module, depth + 1, budget);
    if (key.value === name && isKnown(key)) written = c.arguments[1]!;
  }
  return written === undefined ? undefined : resolveIn(written, t.module, depth + 1, budget);
}

/** `buildUrl(base, params)`: the URL every return of the function gives (one return), with its parameters bound to the call's arguments. */
function returnedUrl(call: ts.CallExpression, module: JsModule, name: string, depth: number, budget: Budget): Resolved<unknown> | undefined {
  if (call.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
  const t = trace(unwrapExpression(call.expression), module, [], 'object');
  if (t?.kind !== 'node' || t.path.length > 0 || !isFunctionLike(t.node)) return undefined;
  const fn = t.node as ts.FunctionLikeDeclaration;
  if (fn.body === undefined) return undefined;
  const returns = returnExpressions(fn);
  if (returns.length !== 1) return undefined;
  return withCallBindings(budget, fn, call, module, () => writtenIn(returns[0]!, t.module, name, depth + 1, budget));
}

/**
 * `function build({ limit = env.X }: Opts)`: a property of a destructured parameter with a default.
 * Its value is the default only when the caller does not give it, so it is unknown unless every
 * caller is seen: a function of this module that is not exported, called directly (≤ 8 calls) with
 * object literals. Each call gives the property or leaves the default; one value (same provenance)
 * is that value, known numbers that differ give the largest with each. Otherwise unknown, with the
 * default said in the reason.
 */
function defaultedParameter(el: ts.BindingElement, module: JsModule, depth: number, budget: Budget): Resolved<unknown> | undefined {
  const pattern = el.parent;
  if (!ts.isObjectBindingPattern(pattern) || !ts.isParameter(pattern.parent) || el.dotDotDotToken || !ts.isIdentifier(el.name)) return undefined;
  const key = el.propertyName !== undefined ? staticPropertyName(el.propertyName) : el.name.text;
  if (key === undefined) return undefined;
  const param = pattern.parent;
  const fn = param.parent;
  const def = resolveIn(el.initializer!, module, depth + 1, budget);
  let name: ts.Identifier | undefined;
  if (ts.isFunctionDeclaration(fn)) name = fn.name;
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name)) name = fn.parent.name;
  const fnName = name?.text ?? 'the function';
  const defText = def.provenance.kind === 'env' ? `env ${def.provenance.envVar}${def.provenance.fallback !== undefined ? ` (fallback ${JSON.stringify(def.provenance.fallback)})` : ''}` : isKnown(def) ? JSON.stringify(def.value) : exprText(el.initializer!);
  const unknownWhy = (why: string): Resolved<unknown> => ({ value: undefined, provenance: { kind: 'unknown', reason: `${el.name.getText()} of ${fnName}() is ${defText} unless the caller gives it (${why})` } });
  if (name === undefined) return unknownWhy('callers not found');
  const stmt = ts.isFunctionDeclaration(fn) ? fn : fn.parent.parent.parent;
  if (module.exportNames().includes(name.text) || (ts.canHaveModifiers(stmt) && ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))) {
    return unknownWhy('exported: callers in other files are not followed');
  }
  const index = fn.parameters.indexOf(param);
  const calls: ts.CallExpression[] = [];
  let other = false;
  forEachNodeOfKinds(module.sourceFile, IDENTIFIER_KINDS, (n) => {
    if (other || !ts.isIdentifier(n) || n === name || n.text !== name!.text) return;
    const d = module.lookup(n);
    const same = (d?.kind === 'function' && d.node === fn) || (d?.kind === 'var' && d.element === undefined && d.declaration.initializer === fn);
    if (!same) return;
    if (ts.isCallExpression(n.parent) && n.parent.expression === n) calls.push(n.parent);
    else other = true;
  });
  if (other || calls.length === 0 || calls.length > 8) return unknownWhy(other ? 'the function is passed around' : calls.length === 0 ? 'no call found' : 'more than 8 calls');
  const values: Resolved<unknown>[] = [];
  for (const c of calls) {
    const arg = c.arguments[index];
    if (c.arguments.some((a) => ts.isSpreadElement(a))) return unknownWhy('a call spreads its arguments');
    let r: Resolved<unknown>;
    if (arg === undefined) r = def;
    else {
      const obj = unwrapExpression(arg);
      if (!ts.isObjectLiteralExpression(obj) || obj.properties.some((p) => ts.isSpreadAssignment(p))) return unknownWhy(`the call at line ${module.rangeOf(c).line} passes options that are not an object literal`);
      const prop = literalProperty(obj, key, module);
      r = prop === undefined ? def : resolveIn(prop.node, prop.module, depth + 1, budget);
    }
    if (!isKnown(r) && r.provenance.kind !== 'env') return unknownWhy(`the call at line ${module.rangeOf(c).line} gives a value that is not known`);
    values.push(r);
  }
  const first = values[0]!;
  if (values.every((v) => v.value === first.value && JSON.stringify(v.provenance) === JSON.stringify(first.provenance))) return first;
  if (values.every((v) => isKnown(v) && typeof v.value === 'number')) {
    const nums = values.map((v) => v.value as number);
    return { ...values[nums.indexOf(Math.max(...nums))]!, alternatives: nums };
  }
  return unknownWhy('the callers give different values');
}

/**
 * `env.X` where `env = new Proxy(process.env, { get(target, prop) { … } })` (directly or returned
 * by a wrapper such as outline's `withFileSecrets(process.env)`). Recognised by the trap's code, not
 * by a name: a single `get` trap that, before anything else, may only pass the raw value through
 * (`return Reflect.get(target, prop, receiver)` / `return target[prop]`), then reads
 * `const value = target[prop]` and returns it when it is not undefined. That makes `env.X` the
 * variable X whenever X is set. What the rest of the trap does when X is unset decides the rest:
 * only `return undefined` → plain env X (the code's fallback applies); a read of
 * `target[`${prop}_FILE`]` (Docker file secrets) → env X with `fileVar: X_FILE` (X unset and X_FILE
 * set: the value is read from a file, unknown); anything else → unknown with this reason.
 * Undefined when the expression is not `new Proxy(process.env, …)`.
 */
const PROXY_READ = 'read through new Proxy(process.env';

function proxyEnvProperty(
  node: ts.NewExpression,
  key: string,
  module: JsModule,
  budget: Budget,
): Resolved<unknown> | undefined {
  const ctor = trace(node.expression, module, [], 'value');
  if (ctor?.kind !== 'global' || ctor.name !== 'Proxy' || ctor.path.length > 0) return undefined;
  const [targetArg, handlerArg] = node.arguments ?? [];
  if (targetArg === undefined || handlerArg === undefined) return undefined;
  let target: { arg: ts.Expression; module: JsModule } = { arg: targetArg, module };
  const tt = trace(unwrapExpression(targetArg), module, [], 'value');
  if (tt?.kind === 'opaque' && tt.path.length === 0 && budget.bindings?.has(tt.node)) target = budget.bindings.get(tt.node)!;
  if (!isProcessEnv(target.arg, target.module)) return undefined;
  const at = module.rangeOf(node);
  const where = `new Proxy(process.env, …) (${at.file.split(/[\\/]/).pop()}:${at.line})`;
  const no = (why: string): Resolved<unknown> => ({ value: undefined, provenance: { kind: 'unknown', reason: `${key}: ${PROXY_READ}${where.slice('new Proxy(process.env'.length)}, ${why}` } });
  const ht = trace(unwrapExpression(handlerArg), module, [], 'value');
  const handler = ht?.kind === 'node' && ht.path.length === 0 && ts.isObjectLiteralExpression(ht.node) ? ht.node : undefined;
  if (handler === undefined) return no('whose handler is not an object literal');
  if (handler.properties.length !== 1 || staticPropertyName(handler.properties[0]!.name) !== 'get') return no('whose handler has traps other than one get');
  const p0 = handler.properties[0]!;
  const fn = ts.isMethodDeclaration(p0) ? p0 : ts.isPropertyAssignment(p0) && (ts.isFunctionExpression(unwrapExpression(p0.initializer)) || ts.isArrowFunction(unwrapExpression(p0.initializer))) ? (unwrapExpression(p0.initializer) as ts.FunctionExpression | ts.ArrowFunction) : undefined;
  const [tp, pp] = fn?.parameters ?? [];
  if (fn === undefined || fn.body === undefined || !ts.isBlock(fn.body) || tp === undefined || pp === undefined || !ts.isIdentifier(tp.name) || !ts.isIdentifier(pp.name)) return no('whose get trap is not a function of (target, prop)');
  const tName = tp.name.text;
  const pName = pp.name.text;
  const isId = (x: ts.Expression, n: string) => ts.isIdentifier(unwrapExpression(x)) && (unwrapExpression(x) as ts.Identifier).text === n;
  // target[prop] or Reflect.get(target, prop, …): the raw value
  const isRaw = (x: ts.Expression | undefined): boolean => {
    if (x === undefined) return false;
    const u = unwrapExpression(x);
    if (ts.isElementAccessExpression(u)) return isId(u.expression, tName) && isId(u.argumentExpression, pName);
    if (ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && isId(u.expression.expression, 'Reflect') && u.expression.name.text === 'get') {
      return u.arguments.length >= 2 && isId(u.arguments[0]!, tName) && isId(u.arguments[1]!, pName);
    }
    return false;
  };
  const stmts = fn.body.statements;
  let i = 0;
  // guards that return the raw value (typeof prop !== 'string', prop.endsWith('_FILE'), …)
  while (i < stmts.length) {
    const s = stmts[i]!;
    if (!ts.isIfStatement(s) || s.elseStatement !== undefined) break;
    const th = ts.isBlock(s.thenStatement) && s.thenStatement.statements.length === 1 ? s.thenStatement.statements[0]! : s.thenStatement;
    if (!ts.isReturnStatement(th) || !isRaw(th.expression)) break;
    i++;
  }
  // const value = target[prop]; if (value !== undefined) return value;  (or return target[prop] when set)
  const decl = stmts[i];
  let valueName: string | undefined;
  if (decl !== undefined && ts.isVariableStatement(decl) && decl.declarationList.declarations.length === 1) {
    const d = decl.declarationList.declarations[0]!;
    if (ts.isIdentifier(d.name) && isRaw(d.initializer)) valueName = d.name.text;
  }
  const guard = stmts[valueName !== undefined ? i + 1 : i];
  const definedTest = (c: ts.Expression): boolean => {
    const u = unwrapExpression(c);
    if (!ts.isBinaryExpression(u)) return false;
    const op = u.operatorToken.kind;
    if (op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return false;
    const isV = (x: ts.Expression) => (valueName !== undefined ? isId(x, valueName) : isRaw(x));
    const isUndef = (x: ts.Expression) => isId(x, 'undefined') || (op === ts.SyntaxKind.ExclamationEqualsToken && unwrapExpression(x).kind === ts.SyntaxKind.NullKeyword);
    return (isV(u.left) && isUndef(u.right)) || (isV(u.right) && isUndef(u.left));
  };
  const guardReturn = guard !== undefined && ts.isIfStatement(guard) && guard.elseStatement === undefined ? (ts.isBlock(guard.thenStatement) && guard.thenStatement.statements.length === 1 ? guard.thenStatement.statements[0]! : guard.thenStatement) : undefined;
  const returnsValue = guardReturn !== undefined && ts.isReturnStatement(guardReturn) && guardReturn.expression !== undefined && (valueName !== undefined ? isId(guardReturn.expression, valueName) : isRaw(guardReturn.expression));
  if (guard === undefined || !ts.isIfStatement(guard) || !definedTest(guard.expression) || !returnsValue) return no('whose get trap does not return the variable when it is set');
  // the rest runs only when X is unset
  const rest = stmts.slice((valueName !== undefined ? i + 2 : i + 1));
  let fileSuffix: string | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isElementAccessExpression(n) && isId(n.expression, tName)) {
      const a = unwrapExpression(n.argumentExpression);
      if (ts.isTemplateExpression(a) && a.head.text === '' && a.templateSpans.length === 1 && isId(a.templateSpans[0]!.expression, pName) && /^[A-Z0-9_]+$/i.test(a.templateSpans[0]!.literal.text)) fileSuffix = a.templateSpans[0]!.literal.text;
      else if (ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PlusToken && isId(a.left, pName) && ts.isStringLiteralLike(a.right) && /^[A-Z0-9_]+$/i.test(a.right.text)) fileSuffix = a.right.text;
    }
    ts.forEachChild(n, visit);
  };
  rest.forEach(visit);
  const onlyUndefined = rest.length === 0 || (rest.length === 1 && ts.isReturnStatement(rest[0]!) && (rest[0].expression === undefined || isId(rest[0].expression, 'undefined')));
  if (onlyUndefined) return { value: undefined, provenance: { kind: 'env', envVar: key } };
  if (fileSuffix !== undefined) return { value: undefined, provenance: { kind: 'env', envVar: key, fileVar: `${key}${fileSuffix}` } };
  return no('whose get trap computes a value when the variable is unset');
}

/** Runs `f` with `fn`'s parameters bound to `call`'s arguments (read in `module`), then restores the bindings. */
function withCallBindings<T>(budget: Budget, fn: ts.SignatureDeclarationBase, call: ts.CallExpression, module: JsModule, f: () => T): T {
  const saved = budget.bindings;
  const bindings = new Map(saved ?? []);
  fn.parameters.forEach((p, i) => {
    const arg = call.arguments[i];
    if (arg !== undefined && ts.isIdentifier(p.name) && !p.dotDotDotToken) bindings.set(p, { arg, module });
  });
  budget.bindings = bindings;
  try {
    return f();
  } finally {
    budget.bindings = saved;
  }
}
