/**
 * Pools created one or two calls away from a request scope: a handler calls `createDb(url)` or
 * `new PostgresMeta(config)`, whose body or constructor creates a pool each time it runs.
 * Followed only within the analysed modules of the repository, and only through functions and
 * classes the callee resolves to statically. A factory that caches what it creates (a lazily
 * created singleton, a per-key cache) is not per request, nor is a call whose result the handler
 * stores once (`db ??= createDb()`).
 */
import ts from '../typescript.cjs';
import type { IndirectPool, JsModuleContext, PoolDefinition } from '../types.js';
import { forEachDescendant, isFunctionNode, nodeContains } from './ast.js';
import { scopeLifetime } from './lifetime.js';

/** Levels of calls followed below the handler: `handler → createDb → new Pool` is one, `handler → getRepo → createDb → new Pool` two. */
const MAX_LEVELS = 2;

interface Found {
  def: PoolDefinition;
  via: Array<{ name: string; range: IndirectPool['via'][number]['range'] }>;
}

export function indirectPools(scope: ts.Node, ctx: JsModuleContext): IndirectPool[] {
  if (ctx.calleeTarget === undefined || ctx.definitionAt === undefined) return [];
  const out: IndirectPool[] = [];
  forEachDescendant(scope, (node) => {
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return;
    if (ctx.definitionAt!(node) !== undefined) return; // created right here: pool-in-handler's direct case
    const target = safe(() => ctx.calleeTarget!(node.expression));
    if (target === undefined || nodeContains(scope, target.node)) return;
    if (ctx.storedOnce?.(node) === true) return;
    for (const f of poolsCreatedBy(target.node, target.module, 1, new Set())) {
      out.push({
        call: ctx.rangeOf(node),
        callee: ts.isNewExpression(node) ? `new ${node.expression.getText(ctx.sourceFile)}` : `${node.expression.getText(ctx.sourceFile)}()`,
        poolId: f.def.id,
        poolRange: f.def.range,
        via: f.via,
        ...assignedName(node),
      });
    }
  });
  return out;
}

/** `db = createDb(…)`, `const db = await createDb(…)`: the local the result goes to. */
function assignedName(call: ts.Node): { assignedTo?: string } {
  let n: ts.Node = call;
  while (n.parent !== undefined && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (p !== undefined && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) return { assignedTo: p.name.text };
  if (p !== undefined && ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return { assignedTo: p.left.text };
  return {};
}

/** Does calling this function or constructing this class create a pool (itself or one or two calls down)? */
export function createsPoolWhenCalled(target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration, module: JsModuleContext): boolean {
  return poolsCreatedBy(target, module, 1, new Set()).length > 0;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/** The code that runs when the target is called: a function's body, a class's constructor and instance field initialisers. */
function runsOnCall(target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration): ts.Node[] {
  if (!ts.isClassLike(target)) return target.body !== undefined ? [target.body] : [];
  const out: ts.Node[] = [];
  for (const m of target.members) {
    if (ts.isConstructorDeclaration(m) && m.body !== undefined) out.push(m.body);
    else if (ts.isPropertyDeclaration(m) && m.initializer !== undefined && !(ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) out.push(m.initializer);
  }
  return out;
}

/**
 * Calls that run their callback before they return: `Sentry.startSpan(opts, () => …)`,
 * OpenTelemetry `tracer.startActiveSpan(name, (span) => …)`, `context.with(ctx, fn)`.
 */
const RUNS_CALLBACK_NOW = new Set(['startSpan', 'startActiveSpan', 'startSpanManual', 'withSpan', 'withScope']);

function runsNow(fn: ts.Node): boolean {
  let e: ts.Node = fn;
  while (e.parent !== undefined && ts.isParenthesizedExpression(e.parent)) e = e.parent;
  const call = e.parent;
  if (call === undefined || !ts.isCallExpression(call)) return false;
  if (call.expression === e) return true; // (() => { … })()
  if (!call.arguments.includes(e as ts.Expression)) return false;
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name !== undefined && RUNS_CALLBACK_NOW.has(name);
}

function nameOf(target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration): string {
  if (ts.isClassLike(target)) return target.name?.text ?? 'class';
  if (target.name !== undefined && ts.isIdentifier(target.name)) return target.name.text;
  const p = target.parent;
  if (p !== undefined && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return 'function';
}

function poolsCreatedBy(target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration, module: JsModuleContext, level: number, seen: Set<ts.Node>): Found[] {
  if (seen.has(target) || module.definitionAt === undefined) return [];
  seen.add(target);
  // Where the call went, for a pool found (most functions asked about create none): made once, when needed.
  let at: Found['via'][number] | undefined;
  const here = () => (at ??= { name: nameOf(target), range: module.rangeOf(ts.isClassLike(target) || target.name === undefined ? target : target.name) });
  const found: Found[] = [];
  const defs: PoolDefinition[] = [];
  const calls: Array<ts.CallExpression | ts.NewExpression> = [];
  for (const root of runsOnCall(target)) {
    const visit = (n: ts.Node): void => {
      // A function written inside the factory runs later (a getter, a callback), not when it is
      // called, unless it is called right there: an IIFE, or a tracing wrapper that runs its callback now.
      if (isFunctionNode(n) && !runsNow(n)) return;
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const def = safe(() => module.definitionAt!(n));
        if (def !== undefined) defs.push(def);
        else calls.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(root);
  }
  // Kept beyond the call (a per-key cache, `globalThis.db = …`): created once per key, not per call.
  // Looked for only when a construction is left to check: most functions asked about create none.
  let keeps: ReturnType<typeof scopeLifetime>['keeps'] | undefined;
  for (const def of defs) {
    // The connections belong to the innermost construction: a wrapper (drizzle(pool), PrismaClient({ adapter })) opens none of its own.
    if (def.wraps !== undefined || def.connectionsPerProcess?.value === 0) continue;
    if (defs.some((o) => o !== def && o.file === def.file && o.range.line >= def.range.line && contains(def, o))) continue;
    if (def.scope.kind === 'module' || def.scope.lazySingleton) continue;
    keeps ??= ts.isClassLike(target) ? [] : scopeLifetime(target, (n) => module.rangeOf(n)).keeps;
    if (keeps.some((k) => (k.name !== undefined && k.name === def.binding) || (k.value.line <= def.range.line && def.range.endLine <= k.value.endLine))) continue;
    found.push({ def, via: [here()] });
  }
  if (level < MAX_LEVELS && module.calleeTarget !== undefined) {
    for (const c of calls) {
      const t = safe(() => module.calleeTarget!(c.expression));
      if (t === undefined || module.storedOnce?.(c) === true) continue;
      for (const f of poolsCreatedBy(t.node, t.module, level + 1, seen)) found.push({ def: f.def, via: [here(), ...f.via] });
    }
  }
  return found;
}

/** Is `inner` written inside `outer`'s construction expression? */
function contains(outer: PoolDefinition, inner: PoolDefinition): boolean {
  const o = outer.range;
  const i = inner.range;
  const before = (al: number, ac: number, bl: number, bc: number) => al < bl || (al === bl && ac <= bc);
  return before(o.line, o.column, i.line, i.column) && before(i.endLine, i.endColumn, o.endLine, o.endColumn) && (o.line !== i.line || o.column !== i.column || o.endColumn !== i.endColumn);
}
