import ts from './typescript.cjs';

/**
 * Visits `root` and its descendants in source order without recursion (a
 * 100,000-term `1 + 1 + …` is a 100,000-deep tree). `visit` returning `false`
 * skips the node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    children.length = 0;
    ts.forEachChild(node, (c) => {
      children.push(c);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/** Strips `( )`, `as T`, `<T>x`, `x!`, `x satisfies T`. */
export function unwrapExpression(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (let i = 0; i < 64; i++) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) {
      e = e.expression;
    } else break;
  }
  return e;
}

/** The text of a property name when it is static (`a`, `'a'`, `0`, `['a']`). */
export function staticPropertyName(name: ts.PropertyName | ts.BindingName | ts.MemberName | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const e = unwrapExpression(name.expression);
    if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e)) return e.text;
  }
  return undefined;
}

/** Functions, methods, accessors, constructors: the nodes whose body runs per call. */
export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** Return expressions of a function (not of functions nested in it). Expression-bodied arrows return their body. */
export function returnExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (body === undefined) return [];
  if (!ts.isBlock(body)) return [body];
  const out: ts.Expression[] = [];
  walk(body, (n) => {
    if (n !== body && (isFunctionLike(n) || ts.isClassLike(n))) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return undefined;
  });
  return out;
}
