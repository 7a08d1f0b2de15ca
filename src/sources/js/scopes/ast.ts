import ts from '../typescript.cjs';

/** A function whose body runs when it is called. */
export type FunctionNode = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/** Kind numbers read once: `ts.isX(node)` looks the guard up on the large `ts` namespace object at every call, which dominates a walk over every node. */
export const SK = {
  FunctionDeclaration: ts.SyntaxKind.FunctionDeclaration,
  FunctionExpression: ts.SyntaxKind.FunctionExpression,
  ArrowFunction: ts.SyntaxKind.ArrowFunction,
  MethodDeclaration: ts.SyntaxKind.MethodDeclaration,
  VariableDeclaration: ts.SyntaxKind.VariableDeclaration,
  CallExpression: ts.SyntaxKind.CallExpression,
  ClassDeclaration: ts.SyntaxKind.ClassDeclaration,
  ClassExpression: ts.SyntaxKind.ClassExpression,
  Block: ts.SyntaxKind.Block,
  Identifier: ts.SyntaxKind.Identifier,
  PropertyAccessExpression: ts.SyntaxKind.PropertyAccessExpression,
} as const;

export function isFunctionNode(node: ts.Node): node is FunctionNode {
  const k = node.kind;
  return k === SK.FunctionDeclaration || k === SK.FunctionExpression || k === SK.ArrowFunction || k === SK.MethodDeclaration;
}

/** Strips parentheses and type-only wrappers: `(x as Handler)`, `x satisfies T`, `x!`, `<T>x`. */
export function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

/** `a`, `a.b.c` as text; undefined for anything else (calls, element access). */
export function dottedName(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(e)) {
    const left = dottedName(e.expression);
    return left === undefined ? undefined : `${left}.${e.name.text}`;
  }
  return undefined;
}

/** The called name: `get` for `app.get(...)`, `createServer` for `createServer(...)`. */
export function calledName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** The text of a property name when it is static: `fetch`, `'fetch'`, `["fetch"]`. */
export function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

/** The value of a string literal or a template without substitutions (or its head). */
export function stringPrefix(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text;
  return undefined;
}

export function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

export function hasDefaultModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** The directive prologue of a block or source file: `'use server'`, `'use strict'`. */
export function directives(statements: ts.NodeArray<ts.Statement>): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) out.push(s.expression.text);
    else break;
  }
  return out;
}

/** Visits every descendant of `root` (not `root` itself) without recursion, so deeply nested code cannot overflow the stack. */
export function forEachDescendant(root: ts.Node, visit: (node: ts.Node) => void | 'skip'): void {
  const stack: ts.Node[] = [];
  const push = (n: ts.Node) => {
    stack.push(n);
  };
  const forEachChild = ts.forEachChild;
  forEachChild(root, push);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === 'skip') continue;
    forEachChild(node, push);
  }
}

/** Is `inner` inside `outer` (by position in the same file)? */
export function nodeContains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}
