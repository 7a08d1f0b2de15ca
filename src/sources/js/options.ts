import ts from './typescript.cjs';
import type { SourceRange } from '../../core/location.js';
import type { JsModule } from './module.js';
import { trace } from './module.js';
import type { Provenance, Resolved } from './types.js';
import { resolveValue } from './values.js';
import { returnExpressions, staticPropertyName, unwrapExpression } from './walk.js';

/** One option as written: `pool.max` → the resolved value and where it is written. */
export interface OptionEntry {
  name: string;
  value: Resolved<unknown>;
  range: SourceRange;
  node: ts.Expression;
  module: JsModule;
  /** An object of nested options (`pool: { … }`): its entries follow under `pool.`. */
  container?: true;
  /** Position in the object as written: a spread written after an option may override it. */
  order?: number;
}

/** Options a spread or a non-literal object hides. */
export interface OpaqueOptions {
  prefix: string;
  reason: string;
  range?: SourceRange;
  /** Position in the object as written (absent: before every option). */
  order?: number;
}

export type OptionLookup =
  | { state: 'set'; entry: OptionEntry }
  | { state: 'unknown'; reason: string; range?: SourceRange }
  | { state: 'absent' };

/** An object literal (or nothing) of options, flattened to dotted names, with what could not be read. */
export class OptionBag {
  readonly entries: OptionEntry[] = [];
  /** Dotted prefixes (`''` = everything) under which a spread or a non-literal object hides options. */
  readonly opaque: OpaqueOptions[] = [];
  private nextOrder = 0;

  /** The next position in the object as written. */
  order(): number {
    return this.nextOrder++;
  }
  /** Array-valued options (`replication.slaves`): their elements. */
  readonly arrays = new Map<string, { elements: ts.Expression[]; module: JsModule; range: SourceRange }>();
  /** Object-valued options by name (`pool`, `extra`), to hand nested objects to another reader. */
  readonly objects = new Map<string, { node: ts.ObjectLiteralExpression; module: JsModule }>();

  lookup(name: string): OptionLookup {
    const hides = (o: OpaqueOptions) => o.prefix === '' || name === o.prefix || name.startsWith(`${o.prefix}.`);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.name !== name) continue;
      // `{ max: 2, ...opts }`: the spread, written later, may override max
      const later = this.opaque.find((o) => hides(o) && (o.order ?? -1) > (e.order ?? -1));
      if (later !== undefined) return { state: 'unknown', reason: `${later.reason}, and written after ${name} it may override it`, ...(later.range ? { range: later.range } : {}) };
      return { state: 'set', entry: e };
    }
    // `pool: cfg` that could not be read hides `pool.max`
    const parts = name.split('.');
    for (let k = parts.length - 1; k >= 1; k--) {
      const parent = parts.slice(0, k).join('.');
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const e = this.entries[i]!;
        if (e.name === parent && e.value.provenance.kind !== 'literal') {
          return { state: 'unknown', reason: `${parent} is not statically known`, range: e.range };
        }
      }
    }
    for (const o of this.opaque) {
      if (hides(o)) {
        return { state: 'unknown', reason: o.reason, ...(o.range ? { range: o.range } : {}) };
      }
    }
    return { state: 'absent' };
  }

  /** The entries under a prefix (`connection.` …), with the prefix removed. */
  under(prefix: string): OptionEntry[] {
    const p = `${prefix}.`;
    return this.entries.filter((e) => e.name.startsWith(p)).map((e) => ({ ...e, name: e.name.slice(p.length) }));
  }

  has(name: string): boolean {
    return this.lookup(name).state !== 'absent';
  }

  /** A copy with only the options under `prefix`, renamed without it (TypeORM `extra` → pg Pool options). */
  sub(prefix: string): OptionBag {
    const b = new OptionBag();
    b.entries.push(...this.under(prefix));
    for (const o of this.opaque) {
      if (o.prefix === prefix || o.prefix.startsWith(`${prefix}.`)) b.opaque.push({ ...o, prefix: o.prefix.slice(prefix.length + 1) });
      else if (o.prefix === '') b.opaque.push(o);
    }
    const parent = this.lookup(prefix);
    if (parent.state === 'set' && parent.entry.value.provenance.kind !== 'literal') {
      b.opaque.push({ prefix: '', reason: `${prefix} is not statically known`, range: parent.entry.range });
    }
    for (const [k, v] of this.arrays) if (k.startsWith(`${prefix}.`)) b.arrays.set(k.slice(prefix.length + 1), v);
    for (const [k, v] of this.objects) if (k.startsWith(`${prefix}.`)) b.objects.set(k.slice(prefix.length + 1), v);
    return b;
  }
}

const MAX_DEPTH = 12;

/**
 * Reads an options argument: follows it to an object literal (through consts,
 * imports, config modules, `() => ({ … })` factories) and flattens it. When it is
 * not an object literal, every option is unknown.
 */
export function readOptions(expr: ts.Expression | undefined, module: JsModule, depth = 0): OptionBag {
  const bag = new OptionBag();
  if (expr === undefined) return bag;
  // new Pool(isDev ? devConfig : prodConfig): both branches, merged
  const cond = depth < 4 ? conditionalOf(expr, module) : undefined;
  if (cond !== undefined) return mergeBranches(readOptions(cond.node.whenTrue, cond.module, depth + 1), readOptions(cond.node.whenFalse, cond.module, depth + 1), cond.node);
  addObject(expr, module, '', bag, 0);
  return bag;
}

function conditionalOf(expr: ts.Expression, module: JsModule): { node: ts.ConditionalExpression; module: JsModule } | undefined {
  const u = unwrapExpression(expr);
  if (ts.isConditionalExpression(u)) return { node: u, module };
  if (!ts.isIdentifier(u) && !ts.isPropertyAccessExpression(u)) return undefined;
  const t = trace(u, module, [], 'object');
  return t?.kind === 'node' && t.path.length === 0 && ts.isConditionalExpression(t.node) ? { node: t.node, module: t.module } : undefined;
}

function sameValue(a: Resolved<unknown>, b: Resolved<unknown>): boolean {
  const known = (r: Resolved<unknown>) => r.provenance.kind === 'literal' || r.provenance.kind === 'constant' || r.provenance.kind === 'env';
  return known(a) && known(b) && a.value === b.value && JSON.stringify({ ...a.provenance, definedAt: undefined, fallbackAt: undefined }) === JSON.stringify({ ...b.provenance, definedAt: undefined, fallbackAt: undefined });
}

/**
 * The options of `cond ? a : b`: an option both branches set alike keeps its value; known numbers
 * that differ give the larger (the peak), with both; anything else is unknown, with the reason.
 */
function mergeBranches(a: OptionBag, b: OptionBag, cond: ts.ConditionalExpression): OptionBag {
  const out = new OptionBag();
  const text = cond.condition.getText().replace(/\s+/g, ' ').slice(0, 60);
  const names = [...new Set([...a.entries, ...b.entries].map((e) => e.name))];
  for (const name of names) {
    const la = a.lookup(name);
    const lb = b.lookup(name);
    const set = la.state === 'set' ? la.entry : lb.state === 'set' ? lb.entry : undefined;
    if (set === undefined) continue; // hidden in both: the opaque parts below say why
    const unknownEntry = (reason: string): OptionEntry => ({ ...set, value: { value: undefined, provenance: { kind: 'unknown', reason }, range: set.value.range ?? set.range }, order: out.order() });
    if (la.state !== 'set' || lb.state !== 'set') {
      const hidden = la.state === 'unknown' ? la : lb.state === 'unknown' ? lb : undefined;
      out.entries.push(unknownEntry(hidden ? hidden.reason : `${name} is set in only one branch of ${text} ? … : …`));
      continue;
    }
    const ea = la.entry;
    const eb = lb.entry;
    if (ea.container && eb.container) out.entries.push({ ...ea, order: out.order() });
    else if (sameValue(ea.value, eb.value)) out.entries.push({ ...ea, order: out.order() });
    else if (typeof ea.value.value === 'number' && typeof eb.value.value === 'number' && sameValue({ ...ea.value, value: 0 }, { ...eb.value, value: 0 })) {
      const peak = ea.value.value >= eb.value.value ? ea : eb;
      out.entries.push({ ...peak, value: { ...peak.value, alternatives: [ea.value.value, eb.value.value] }, order: out.order() });
    } else out.entries.push(unknownEntry(`${name} differs between the branches of ${text} ? … : …`));
  }
  // what a branch hides stays hidden (before every option: an option set in both branches wins)
  for (const o of [...a.opaque, ...b.opaque]) out.opaque.push({ ...o, order: -1 });
  for (const [k, v] of a.arrays) if (b.arrays.has(k)) out.arrays.set(k, v);
  for (const [k, v] of a.objects) if (b.objects.has(k)) out.objects.set(k, v);
  return out;
}

/** Follows an expression to an object literal, if it is one. */
export function objectLiteralOf(expr: ts.Expression, module: JsModule): { node: ts.ObjectLiteralExpression; module: JsModule } | { reason: string } {
  const t = trace(expr, module, [], 'object');
  if (t === undefined) return { reason: 'cannot be followed' };
  if (t.kind === 'node' && t.path.length === 0) {
    const n = t.node;
    if (ts.isObjectLiteralExpression(n)) return { node: n, module: t.module };
    // useFactory: () => ({ … }), async (config) => { …; return { … } }
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) {
      for (const r of returnExpressions(n)) {
        const inner = trace(r, t.module, [], 'object');
        if (inner?.kind === 'node' && inner.path.length === 0 && ts.isObjectLiteralExpression(inner.node)) return { node: inner.node, module: inner.module };
      }
      return { reason: 'a function whose returned options are not an object literal' };
    }
    if (ts.isStringLiteralLike(n)) return { reason: 'a string, not an object' };
    return { reason: `${ts.SyntaxKind[n.kind]}` };
  }
  if (t.kind === 'opaque') return { reason: t.reason };
  if (t.kind === 'external') return { reason: `comes from '${t.specifier}'` };
  if (t.kind === 'global') return { reason: `global ${t.name}` };
  return { reason: 'not an object' };
}

function addObject(expr: ts.Expression, module: JsModule, prefix: string, bag: OptionBag, depth: number): void {
  const found = objectLiteralOf(expr, module);
  if ('reason' in found) {
    bag.opaque.push({ prefix, reason: `options ${prefix ? `under ${prefix} ` : ''}are not statically known (${found.reason})`, range: module.rangeOf(expr), order: bag.order() });
    return;
  }
  if (prefix !== '') bag.objects.set(prefix, found);
  addLiteral(found.node, found.module, prefix, bag, depth);
}

function addLiteral(obj: ts.ObjectLiteralExpression, module: JsModule, prefix: string, bag: OptionBag, depth: number): void {
  if (depth > MAX_DEPTH) {
    bag.opaque.push({ prefix, reason: 'options nested too deeply', range: module.rangeOf(obj) });
    return;
  }
  const join = (k: string) => (prefix === '' ? k : `${prefix}.${k}`);
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) {
      const found = objectLiteralOf(p.expression, module);
      if (!('reason' in found)) addLiteral(found.node, found.module, prefix, bag, depth + 1);
      else if (!addConditionalSpread(p, module, prefix, bag, depth)) bag.opaque.push({ prefix, reason: `spread of ${p.expression.getText()} is not statically known`, range: module.rangeOf(p), order: bag.order() });
      continue;
    }
    const key = staticPropertyName(p.name);
    if (key === undefined) {
      bag.opaque.push({ prefix, reason: 'computed property name', range: module.rangeOf(p), order: bag.order() });
      continue;
    }
    const name = join(key);
    let valueExpr: ts.Expression | undefined;
    if (ts.isPropertyAssignment(p)) valueExpr = p.initializer;
    else if (ts.isShorthandPropertyAssignment(p)) valueExpr = p.name;
    if (valueExpr === undefined) {
      bag.entries.push({ name, value: unknownAt(module, p, 'method'), range: module.rangeOf(p), node: p.name as ts.Expression, module, order: bag.order() });
      continue;
    }
    const inner = unwrapExpression(valueExpr);
    const t = ts.isObjectLiteralExpression(inner) ? undefined : trace(inner, module, [], 'object');
    if (t?.kind === 'node' && t.merged !== undefined) {
      // deepmerge: each merged object's options in argument order, later ones win key by key
      for (const part of t.merged) {
        if ('node' in part) {
          bag.objects.set(name, part);
          addLiteral(part.node, part.module, name, bag, depth + 1);
        } else bag.opaque.push({ prefix: name, reason: part.reason, range: part.module.rangeOf(part.at), order: bag.order() });
      }
      bag.entries.push({ name, value: { value: undefined, provenance: { kind: 'literal' }, range: module.rangeOf(valueExpr) }, range: module.rangeOf(p), node: valueExpr, module, container: true, order: bag.order() });
      continue;
    }
    const target = ts.isObjectLiteralExpression(inner)
      ? { node: inner, module }
      : t?.kind === 'node' && t.path.length === 0 && ts.isObjectLiteralExpression(t.node)
        ? { node: t.node, module: t.module }
        : undefined;
    if (target !== undefined) {
      bag.objects.set(name, target);
      addLiteral(target.node, target.module, name, bag, depth + 1);
      // the object itself, so that `pool` is known to be set
      bag.entries.push({ name, value: { value: undefined, provenance: { kind: 'literal' }, range: module.rangeOf(valueExpr) }, range: module.rangeOf(p), node: valueExpr, module, container: true, order: bag.order() });
      continue;
    }
    const arr = ts.isArrayLiteralExpression(inner) ? { node: inner, module } : t?.kind === 'node' && t.path.length === 0 && ts.isArrayLiteralExpression(t.node) ? { node: t.node, module: t.module } : undefined;
    if (arr !== undefined) {
      bag.arrays.set(name, { elements: [...arr.node.elements], module: arr.module, range: arr.module.rangeOf(arr.node) });
    }
    bag.entries.push({ name, value: resolveValue(valueExpr, module), range: module.rangeOf(p), node: valueExpr, module, order: bag.order() });
  }
}

/**
 * `...(timeout !== undefined && { query_timeout: t })`, `...(ssl ? { ssl } : {})`: a spread of an
 * object literal under a condition (a falsy value spreads nothing). The options it writes are
 * unknown (set only when the condition holds); every other option is untouched by it. False when
 * the spread is not of that form.
 */
function addConditionalSpread(p: ts.SpreadAssignment, module: JsModule, prefix: string, bag: OptionBag, depth: number): boolean {
  const e = unwrapExpression(p.expression);
  let cond: ts.Expression;
  let branches: ts.Expression[];
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    cond = e.left;
    branches = [e.right];
  } else if (ts.isConditionalExpression(e)) {
    cond = e.condition;
    branches = [e.whenTrue, e.whenFalse];
  } else return false;
  const objects: Array<{ node: ts.ObjectLiteralExpression; module: JsModule }> = [];
  for (const b of branches) {
    const u = unwrapExpression(b);
    if (u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || u.kind === ts.SyntaxKind.FalseKeyword) continue;
    const found = objectLiteralOf(b, module);
    if ('reason' in found) return false;
    objects.push(found);
  }
  const text = cond.getText().replace(/\s+/g, ' ');
  const when = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  for (const o of objects) {
    const inner = new OptionBag();
    addLiteral(o.node, o.module, prefix, inner, depth + 1);
    for (const x of inner.opaque) bag.opaque.push({ ...x, order: bag.order() });
    for (const entry of inner.entries) {
      if (entry.container) continue;
      bag.entries.push({ ...entry, value: { value: undefined, provenance: { kind: 'unknown', reason: `${entry.name} is written only when ${when}` }, range: entry.range }, order: bag.order() });
    }
  }
  return true;
}

function unknownAt(module: JsModule, node: ts.Node, reason: string): Resolved<unknown> {
  return { value: undefined, provenance: { kind: 'unknown', reason }, range: module.rangeOf(node) };
}

/** A library default: no range, provenance `default` with the cited note. */
export function libraryDefault<T>(value: T | undefined, note: string): Resolved<T> {
  return { value, provenance: { kind: 'default', note } };
}

/** Coerces a resolved option to a number (env fallbacks written as strings, `'10'`). */
export function asNumber(r: Resolved<unknown>): Resolved<number> {
  const v = r.value;
  if (v === undefined || typeof v === 'number') return r as Resolved<number>;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return { ...r, value: Number(v) };
  return { value: undefined, provenance: notANumber(r.provenance, v), ...(r.range ? { range: r.range } : {}) };
}

function notANumber(p: Provenance, v: unknown): Provenance {
  if (p.kind === 'env') return p;
  return { kind: 'unknown', reason: `${JSON.stringify(v) ?? String(v)} is not a number` };
}

export function asString(r: Resolved<unknown>): Resolved<string> {
  const v = r.value;
  if (v === undefined || typeof v === 'string') return r as Resolved<string>;
  if (typeof v === 'number' || typeof v === 'boolean') return { ...r, value: String(v) };
  return { value: undefined, provenance: r.provenance.kind === 'env' ? r.provenance : { kind: 'unknown', reason: 'not a string' }, ...(r.range ? { range: r.range } : {}) };
}

export function asBoolean(r: Resolved<unknown>): Resolved<boolean> {
  const v = r.value;
  if (v === undefined || typeof v === 'boolean') return r as Resolved<boolean>;
  if (v === 'true' || v === 'false') return { ...r, value: v === 'true' };
  return { value: undefined, provenance: r.provenance.kind === 'env' ? r.provenance : { kind: 'unknown', reason: 'not a boolean' }, ...(r.range ? { range: r.range } : {}) };
}

/**
 * A numeric option: the value as written, the library default when absent
 * (or explicitly `undefined`), unknown when hidden behind a spread.
 */
export function numberOption(bag: OptionBag, names: string | string[], dflt: { value: number | undefined; note: string } | undefined): Resolved<number> | undefined {
  for (const name of typeof names === 'string' ? [names] : names) {
    const l = bag.lookup(name);
    if (l.state === 'set') {
      if (l.entry.container) return { value: undefined, provenance: { kind: 'unknown', reason: `${name} is an object, not a number` }, range: l.entry.range };
      if (l.entry.value.provenance.kind === 'literal' && l.entry.value.value === undefined && dflt !== undefined) return libraryDefault(dflt.value, dflt.note);
      return asNumber(l.entry.value);
    }
    if (l.state === 'unknown') return { value: undefined, provenance: { kind: 'unknown', reason: l.reason }, ...(l.range ? { range: l.range } : {}) };
  }
  return dflt === undefined ? undefined : libraryDefault(dflt.value, dflt.note);
}

/** Scales a time option written in seconds to milliseconds, keeping its provenance. */
export function secondsToMs(r: Resolved<number> | undefined): Resolved<number> | undefined {
  if (r === undefined || r.value === undefined) return r;
  return { ...r, value: r.value * 1000 };
}
