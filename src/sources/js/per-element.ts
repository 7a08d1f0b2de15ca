/**
 * A pool per element of a collection: `readReplicas.map((r) => new Pool(r))`,
 * `Array.from(urls, (u) => postgres(u))`. One construction site, one pool per element: the
 * connections a process opens are the element count × max, with the count when the code shows it
 * (an array literal, directly or through a `const`), else unknown with one element as the lower bound.
 */
import ts from './typescript.cjs';
import { trace, type JsModule } from './module.js';
import type { PoolDefinition } from './types.js';
import { unwrapExpression } from './walk.js';

export function applyPerElement(def: PoolDefinition, node: ts.Node, module: JsModule): void {
  if (def.scope.kind !== 'function' || def.scope.lazySingleton || def.connectionsPerProcess !== undefined) return;
  const each = perElementCall(node);
  if (each === undefined) return;
  const count = elementCount(each.collection, module);
  const max = def.max.value;
  const name = each.collection.getText(module.sourceFile).replace(/\s+/g, ' ');
  const shown = name.length > 40 ? `${name.slice(0, 39)}…` : name;
  def.connectionsPerProcess =
    count !== undefined
      ? {
          value: max !== undefined ? count * max : undefined,
          explanation: `one per element of ${shown}: ${count} × max ${max ?? '?'}`,
        }
      : { value: undefined, explanation: `one per element of ${shown} (how many is not known from the code: at least 1) × max ${max ?? '?'}` };
}

/** The `.map`/`.flatMap`/`Array.from` whose callback returns `node` (directly, or as its only `return`). */
function perElementCall(node: ts.Node): { collection: ts.Expression } | undefined {
  let e: ts.Node = node;
  while (e.parent !== undefined && (ts.isParenthesizedExpression(e.parent) || ts.isAsExpression(e.parent) || ts.isSatisfiesExpression(e.parent) || ts.isAwaitExpression(e.parent))) e = e.parent;
  let fn: ts.Node | undefined = e.parent;
  if (fn !== undefined && ts.isReturnStatement(fn)) {
    const block = fn.parent;
    fn = block !== undefined && ts.isBlock(block) ? block.parent : undefined;
  } else if (fn !== undefined && ts.isArrowFunction(fn) && fn.body !== e) fn = undefined;
  if (fn === undefined || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
  const call = fn.parent;
  if (call === undefined || !ts.isCallExpression(call)) return undefined;
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if ((method === 'map' || method === 'flatMap') && call.arguments[0] === fn) return { collection: callee.expression };
  // Array.from(collection, fn)
  if (method === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && call.arguments[1] === fn && call.arguments[0] !== undefined) {
    return { collection: call.arguments[0] };
  }
  return undefined;
}

function elementCount(collection: ts.Expression, module: JsModule): number | undefined {
  let e = unwrapExpression(collection);
  if (!ts.isArrayLiteralExpression(e)) {
    const t = trace(e, module, [], 'value');
    if (t?.kind !== 'node' || t.path.length > 0 || !ts.isExpression(t.node)) return undefined;
    e = unwrapExpression(t.node);
  }
  if (!ts.isArrayLiteralExpression(e) || e.elements.some((x) => ts.isSpreadElement(x) || ts.isOmittedExpression(x))) return undefined;
  return e.elements.length;
}
