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
 * order), with `end[i]` = the index just past node i's subtree and `kinds[i]` = node i's kind.
 * Built once by `bindParents`; a walk over the whole file then is a loop over an array instead of
 * a `forEachChild` per node, and a look for some kinds (`forEachNodeOfKinds`) a loop over 2 bytes
 * per node, which touches only the nodes of those kinds: the nodes lie scattered in the heap, and
 * reading each one's `kind` was a cache miss per node and per look (six looks per file; issue 11).
 */
interface TreeOrder {
  nodes: ts.Node[];
  end: Int32Array;
  kinds: Uint16Array;
}

/**
 * Where `bindParents` leaves a file's order: on its SourceFile, which it lives and dies with. Not
 * in a WeakMap: V8 11's scavenger keeps a WeakMap's value alive while its key is in the young
 * generation, even when nothing else reaches the key, and the order holds every node of the tree,
 * so every tree was copied and promoted by the scavenges until a full collection (docs/decisions.md
 * D53). A symbol of this module: another copy of the module binds its own.
 */
const ORDER = Symbol('pgconn-lint.tree-order');
type Ordered = ts.SourceFile & { [ORDER]?: TreeOrder };
const orderOf = (sf: ts.SourceFile): TreeOrder | undefined => (sf as Ordered)[ORDER];

/**
 * Sets `parent` on every node of a freshly parsed file, as `createSourceFile(…, setParentNodes:
 * true)` does (TypeScript 5.9 parser.ts `fixupParentReferences`), except on JSDoc nodes, which
 * are not parsed (`JSDocParsingMode.ParseNone`). One iterative pass (no recursion: a
 * 100,000-term `1 + 1 + …` is a 100,000-deep tree) that also records the pre-order for `walk`.
 */
export function bindParents(sf: ts.SourceFile): void {
  // A tree reused across analyses (the ESLint plugin keeps the trees of unchanged files) is bound once.
  if (orderOf(sf) !== undefined) return;
  // The pass works in scratch arrays kept between files (`Scratch`): growing fresh arrays for each
  // file was ~100 MB of garbage on the 50,000-file bench tree. Only `nodes`, `end` and `kinds` are kept.
  const w = scratch;
  let n = 0; // nodes visited: w.nodes[0..n), w.parent[0..n)
  let top = 0; // the stack: w.stack[0..top), w.stackParent[0..top)
  let count = 0; // the current node's children: w.children[0..count)
  let current: ts.Node = sf;
  const collect = (c: ts.Node): undefined => {
    (c as { parent: ts.Node }).parent = current;
    w.children[count++] = c;
    return undefined;
  };
  // The scratch stack starts with room for 256 entries: the root always fits.
  w.stack[top] = sf;
  w.stackParent[top++] = -1;
  let maxTop = top;
  while (top > 0) {
    current = w.stack[--top]!;
    const parentOfCurrent = w.stackParent[top]!;
    const index = n++;
    w.nodes[index] = current;
    if (index >= w.parent.length) {
      w.parent = ensureRoom(w.parent, index + 1);
      w.kinds = ensureRoom(w.kinds, w.parent.length);
    }
    w.parent[index] = parentOfCurrent;
    w.kinds[index] = current.kind;
    count = 0;
    ts.forEachChild(current, collect);
    if (top + count > w.stackParent.length) w.stackParent = ensureRoom(w.stackParent, top + count);
    for (let i = count - 1; i >= 0; i--) {
      w.stack[top] = w.children[i]!;
      w.stackParent[top++] = index;
    }
    if (top > maxTop) maxTop = top;
  }
  const nodes = w.nodes.slice(0, n) as ts.Node[];
  // In pre-order a subtree is contiguous; its end is its last descendant's index + 1.
  const end = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (end[i] === 0) end[i] = i + 1;
    const p = w.parent[i]!;
    if (p >= 0 && end[i]! > end[p]!) end[p] = end[i]!;
  }
  // The scratch arrays must not keep this file's tree alive.
  w.nodes.fill(undefined, 0, n);
  w.stack.fill(undefined, 0, maxTop);
  w.children.fill(undefined);
  Object.defineProperty(sf, ORDER, { value: { nodes, end, kinds: w.kinds.slice(0, n) }, configurable: true });
}

/** `bindParents`' working arrays, reused from file to file (emptied of nodes after each). */
interface Scratch {
  nodes: Array<ts.Node | undefined>;
  parent: Int32Array;
  kinds: Uint16Array;
  stack: Array<ts.Node | undefined>;
  stackParent: Int32Array;
  children: Array<ts.Node | undefined>;
}
const scratch: Scratch = { nodes: [], parent: new Int32Array(1024), kinds: new Uint16Array(1024), stack: [], stackParent: new Int32Array(256), children: [] };

/** `a`, or a copy of the same type with room for at least `size` entries (doubling). */
function ensureRoom<A extends Int32Array | Uint16Array>(a: A, size: number): A {
  if (size <= a.length) return a;
  const b = new (a.constructor as new (length: number) => A)(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Visits `root` and its descendants in source order without recursion (a
 * 100,000-term `1 + 1 + …` is a 100,000-deep tree). `visit` returning `false`
 * skips the node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  if (root.kind === K_SOURCE_FILE) {
    const order = orderOf(root as ts.SourceFile);
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

/**
 * Return expressions of a function (not of functions nested in it). Expression-bodied arrows return their body.
 * Not kept by function in a WeakMap: the tracer asks again at each call it follows, but the map's entries
 * kept trees past the young generation's collections (7 MB more peak at 10,000 files, issue 11).
 */
export function returnExpressions(fn: ts.FunctionLikeDeclaration): readonly ts.Expression[] {
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
  const order = orderOf(sf);
  if (order !== undefined) {
    const { nodes, kinds } = order;
    for (let i = 0; i < kinds.length; i++) if (mask[kinds[i]!] === 1) visit(nodes[i]!);
    return;
  }
  walk(sf, (n) => {
    if (mask[n.kind] === 1) visit(n);
  });
}
