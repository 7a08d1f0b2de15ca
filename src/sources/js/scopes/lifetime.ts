import ts from '../typescript.cjs';
import type { SourceRange } from '../../../core/location.js';
import type { ScopeClose, ScopeCloseTarget, ScopeKeep } from '../types.js';
import { calledName, forEachDescendant, unwrap } from './ast.js';

/**
 * Methods that close a connection object: pg/neon `Pool#end` and `Client#end`,
 * postgres.js `sql.end()`, Prisma `$disconnect()`, knex `destroy()`, TypeORM
 * `DataSource#destroy()`, Sequelize/MikroORM `close()`, Kysely `destroy()`.
 */
const CLOSE_METHODS = new Set(['end', '$disconnect', 'destroy', 'close', 'dispose']);

/** What a request scope does with the connection objects it creates: closes them, or keeps them beyond the call. */
export function scopeLifetime(
  scope: ts.Node,
  rangeOf: (node: ts.Node) => SourceRange,
  closeTarget?: (receiver: ts.Expression, method: string) => ScopeCloseTarget | undefined,
): { closes: ScopeClose[]; keeps: ScopeKeep[] } {
  const closes: ScopeClose[] = [];
  const keeps: ScopeKeep[] = [];
  const locals = declaredWithin(scope);
  forEachDescendant(scope, (node) => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && CLOSE_METHODS.has(callee.name.text)) {
        const close: ScopeClose = { receiver: receiverText(callee.expression), method: callee.name.text, range: rangeOf(node), via: closeVia(node, scope) };
        const target = closeTarget?.(callee.expression, callee.name.text);
        if (target !== undefined) close.target = target;
        closes.push(close);
      } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'set' && node.arguments.length >= 2) {
        // `cache.set(key, pool)`: a per-key cache (Map, WeakMap, LRU).
        const value = node.arguments[1]!;
        if (!locals.has(rootName(callee.expression) ?? '')) keeps.push(keep(value, `${receiverText(callee.expression)}.set`, rangeOf));
      }
    } else if (ts.isBinaryExpression(node) && isStoreOperator(node.operatorToken.kind)) {
      const left = unwrap(node.left);
      if ((ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) && storesBeyondCall(left, locals)) {
        keeps.push(keep(node.right, left.getText(), rangeOf));
      }
    } else if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Using) !== 0) {
      // `await using pool = …` / `using client = …`: disposed when the block ends.
      for (const d of node.declarations) {
        if (ts.isIdentifier(d.name)) closes.push({ receiver: d.name.text, method: 'Symbol.asyncDispose', range: rangeOf(d), via: 'using' });
      }
    }
  });
  const byPosition = (a: { range: SourceRange }, b: { range: SourceRange }) => a.range.line - b.range.line || a.range.column - b.range.column;
  closes.sort(byPosition);
  keeps.sort((a, b) => byPosition({ range: a.value }, { range: b.value }));
  return { closes, keeps };
}

function isStoreOperator(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

/**
 * `pools[key] = …`, `globalThis.db = …`, `cache.pool = …` outlive the call. `this.pool = …`
 * does not decide anything by itself: a request-scoped instance dies with the request,
 * and a guarded `this.pool ??=` is the extractor's lazy-singleton case.
 */
function storesBeyondCall(left: ts.PropertyAccessExpression | ts.ElementAccessExpression, locals: Set<string>): boolean {
  let e: ts.Expression = left;
  let keyed = false;
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isElementAccessExpression(e)) keyed = true;
    e = unwrap(e.expression);
  }
  // `ctx.db = …`, `req.pool = …`, `const m = new Map(); m[k] = …`: objects of this call die with it.
  if (ts.isIdentifier(e) && locals.has(e.text)) return false;
  return keyed || e.kind !== ts.SyntaxKind.ThisKeyword;
}

/** The leftmost name of `a.b.c` / `a[k].b`. */
function rootName(expr: ts.Expression): string | undefined {
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) e = unwrap(e.expression);
  return ts.isIdentifier(e) ? e.text : undefined;
}

/** Names declared inside a scope (its parameters included): objects bound to them do not outlive the call. */
function declaredWithin(scope: ts.Node): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (ts.isBindingElement(el)) addBinding(el.name);
  };
  if (ts.isFunctionLike(scope)) for (const p of scope.parameters) addBinding(p.name);
  forEachDescendant(scope, (node) => {
    if (ts.isVariableDeclaration(node) || ts.isParameter(node)) addBinding(node.name);
  });
  return names;
}

function keep(value: ts.Expression, into: string, rangeOf: (node: ts.Node) => SourceRange): ScopeKeep {
  const v = unwrap(value);
  const out: ScopeKeep = { value: rangeOf(value), into };
  if (ts.isIdentifier(v)) out.name = v.text;
  return out;
}

/** The receiver as written, without a leading `this.` and without `await`/parentheses. */
function receiverText(expr: ts.Expression): string {
  let e = unwrap(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  return e.getText().replace(/^this\./, '');
}

/** How a close call runs: deferred to `waitUntil`, in a `finally`, or inline. */
function closeVia(call: ts.CallExpression, scope: ts.Node): ScopeClose['via'] {
  let via: ScopeClose['via'] = 'inline';
  let child: ts.Node = call;
  for (let p = call.parent; p && p !== scope; child = p, p = p.parent) {
    if (ts.isCallExpression(p) && p.arguments.some((a) => a === child)) {
      const name = calledName(p);
      // Cloudflare `ctx.waitUntil(p)`, Vercel `waitUntil(p)` (@vercel/functions), Netlify `context.waitUntil(p)`.
      if (name === 'waitUntil') return 'wait-until';
      if (name === 'finally') via = 'finally';
    }
    if (ts.isTryStatement(p) && p.finallyBlock === child) via = 'finally';
  }
  return via;
}
