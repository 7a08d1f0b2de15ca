import ts from './typescript.cjs';

// Kind numbers read once: `ts.isX(node)` looks `isX` up on the `ts` namespace object (2,000+
// properties, a dictionary in V8) at every call, which shows in walks over every node.
const SK = ts.SyntaxKind;
const K_SOURCE_FILE = SK.SourceFile;
const K_PARENTHESIZED = SK.ParenthesizedExpression;
const K_AS = SK.AsExpression;
const K_NON_NULL = SK.NonNullExpression;
const K_TYPE_ASSERTION = SK.TypeAssertionExpression;
const K_SATISFIES = SK.SatisfiesExpression;
const K_FUNCTION_DECLARATION = SK.FunctionDeclaration;
const K_FUNCTION_EXPRESSION = SK.FunctionExpression;
const K_ARROW_FUNCTION = SK.ArrowFunction;
const K_METHOD_DECLARATION = SK.MethodDeclaration;
const K_CONSTRUCTOR = SK.Constructor;
const K_GET_ACCESSOR = SK.GetAccessor;
const K_SET_ACCESSOR = SK.SetAccessor;
const K_BLOCK = SK.Block;
const K_RETURN = SK.ReturnStatement;
const K_CLASS_DECLARATION = SK.ClassDeclaration;
const K_CLASS_EXPRESSION = SK.ClassExpression;

/**
 * A parsed file's nodes in the order `walk` visits them (pre-order, children in source
 * order), with `end[i]` = the index just past node i's subtree. Built once by `bindParents`;
 * a walk over the whole file then is a loop over an array instead of a `forEachChild` per node.
 */
interface TreeOrder {
  nodes: ts.Node[];
  end: Int32Array;
}

const orders = new WeakMap<ts.SourceFile, TreeOrder>();

/**
 * Sets `parent` on every node of a freshly parsed file, as `createSourceFile(…, setParentNodes:
 * true)` does (TypeScript 5.9 parser.ts `fixupParentReferences`), except on JSDoc nodes, which
 * are not parsed (`JSDocParsingMode.ParseNone`). One iterative pass (no recursion: a
 * 100,000-term `1 + 1 + …` is a 100,000-deep tree) that also records the pre-order for `walk`.
 */
export function bindParents(sf: ts.SourceFile): void {
  // A tree reused across analyses (the ESLint plugin keeps the trees of unchanged files) is bound once.
  if (orders.has(sf)) return;
  const nodes: ts.Node[] = [];
  const parentIndex: number[] = [];
  const stack: ts.Node[] = [sf];
  const stackParent: number[] = [-1];
  // `children` is reused with a count of its own: `children.length = 0` would drop V8's backing
  // store, and each node's children would allocate a new one (28 MB on the 10,000-file bench tree).
  const children: ts.Node[] = [];
  let count = 0;
  let current: ts.Node = sf;
  const collect = (c: ts.Node): undefined => {
    (c as { parent: ts.Node }).parent = current;
    children[count++] = c;
    return undefined;
  };
  while (stack.length > 0) {
    current = stack.pop()!;
    const index = nodes.length;
    nodes.push(current);
    parentIndex.push(stackParent.pop()!);
    count = 0;
    ts.forEachChild(current, collect);
    for (let i = count - 1; i >= 0; i--) {
      stack.push(children[i]!);
      stackParent.push(index);
    }
  }
  // In pre-order a subtree is contiguous; its end is its last descendant's index + 1.
  const end = new Int32Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (end[i] === 0) end[i] = i + 1;
    const p = parentIndex[i]!;
    if (p >= 0 && end[i]! > end[p]!) end[p] = end[i]!;
  }
  orders.set(sf, { nodes, end });
}

/**
 * Visits `root` and its descendants in source order without recursion (a
 * 100,000-term `1 + 1 + …` is a 100,000-deep tree). `visit` returning `false`
 * skips the node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  if (root.kind === K_SOURCE_FILE) {
    const order = orders.get(root as ts.SourceFile);
    if (order !== undefined) {
      const { nodes, end } = order;
      for (let i = 0; i < nodes.length; ) i = visit(nodes[i]!) === false ? end[i]! : i + 1;
      return;
    }
  }
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  let count = 0;
  const collect = (c: ts.Node): undefined => {
    children[count++] = c;
    return undefined;
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    count = 0;
    ts.forEachChild(node, collect);
    for (let i = count - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/** Strips `( )`, `as T`, `<T>x`, `x!`, `x satisfies T`. */
export function unwrapExpression(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (let i = 0; i < 64; i++) {
    const k = e.kind;
    if (k === K_PARENTHESIZED || k === K_AS || k === K_NON_NULL || k === K_TYPE_ASSERTION || k === K_SATISFIES) {
      e = (e as ts.ParenthesizedExpression | ts.AsExpression | ts.NonNullExpression | ts.TypeAssertion | ts.SatisfiesExpression).expression;
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
  const k = node.kind;
  return (
    k === K_FUNCTION_DECLARATION ||
    k === K_FUNCTION_EXPRESSION ||
    k === K_ARROW_FUNCTION ||
    k === K_METHOD_DECLARATION ||
    k === K_CONSTRUCTOR ||
    k === K_GET_ACCESSOR ||
    k === K_SET_ACCESSOR
  );
}

/** Return expressions of a function (not of functions nested in it). Expression-bodied arrows return their body. */
export function returnExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (body === undefined) return [];
  if (body.kind !== K_BLOCK) return [body as ts.Expression];
  const out: ts.Expression[] = [];
  walk(body, (n) => {
    if (n !== body && (isFunctionLike(n) || n.kind === K_CLASS_DECLARATION || n.kind === K_CLASS_EXPRESSION)) return false;
    if (n.kind === K_RETURN && (n as ts.ReturnStatement).expression) out.push((n as ts.ReturnStatement).expression!);
    return undefined;
  });
  return out;
}

/** A set of node kinds for `forEachNodeOfKinds`: `mask[kind] === 1`. */
export function kindMask(kinds: readonly ts.SyntaxKind[]): Uint8Array {
  const mask = new Uint8Array(SK.Count + 1);
  for (const k of kinds) mask[k] = 1;
  return mask;
}

/**
 * Calls `visit` on every node of the file whose kind is in `mask`, in source order (the order
 * `walk` visits them). Analyses that look only at calls, `new`, classes… use this rather than a
 * walk: over the order recorded by `bindParents` it is a loop over an array with no call per node.
 */
export function forEachNodeOfKinds(sf: ts.SourceFile, mask: Uint8Array, visit: (node: ts.Node) => void): void {
  const order = orders.get(sf);
  if (order !== undefined) {
    const nodes = order.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (mask[n.kind] === 1) visit(n);
    }
    return;
  }
  walk(sf, (n) => {
    if (mask[n.kind] === 1) visit(n);
  });
}
