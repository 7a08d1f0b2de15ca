/**
 * A small path analysis over one function body: which states (not acquired, held, released)
 * the tracked connection can be in when the function returns, throws or ends.
 * Statements, if/else, switch, loops (to a fixed point), try/catch/finally, labels,
 * return/throw/break/continue, short-circuit operators and awaits are modelled; nested
 * functions are not entered. Throw points are `await`s, `for await` and `throw`: a synchronous
 * call may throw too, but counting those would report code nobody considers wrong.
 */
import ts from '../typescript.cjs';
import { unwrap, memberName, memberObject } from './ast.js';

/** Not acquired yet (or known not to be), held, given back. */
export const S = { None: 0, Held: 1, Released: 2 } as const;
export type S = (typeof S)[keyof typeof S];

export interface Path {
  s: S;
  /** Abrupt completions: the await, throw or return that ends the path. */
  at?: ts.Node;
  /** The throw point whose exception a catch clause caught on this path. */
  cause?: ts.Node;
  /** That catch clause. */
  catchClause?: ts.CatchClause;
}

interface Out {
  returns: Path[];
  throws: Path[];
  breaks: Map<string, Path[]>;
  continues: Map<string, Path[]>;
}

export interface PathModel {
  /** Nodes after which the connection is held. */
  acquire: ReadonlySet<ts.Node>;
  /** Acquiring again after a release holds it again (a loop); false for TypeORM's lazy runners. */
  reacquire: boolean;
  /** Calls that give it back. */
  release: ReadonlySet<ts.Node>;
  /** Awaited calls that are not throw points (release calls, lifecycle calls). */
  quietAwaits: ReadonlySet<ts.Node>;
  /** The variable holding the connection: when falsy, nothing is held. */
  resourceName: string;
  /** Callback style: when this parameter is truthy, nothing was handed over. */
  errorParam?: string;
  /** Boolean flag variables of the function (`released = true`). */
  flags: ReadonlySet<string>;
  /** Synchronous calls counted as throw points (the statements between an acquire and the `try` that releases it). */
  syncThrows?: ReadonlySet<ts.Node>;
}

export interface PathResult {
  /** Paths that fall off the end of the function. */
  end: Path[];
  returns: Path[];
  throws: Path[];
}

const MAX_LOOP_ROUNDS = 4;

function key(p: Path): string {
  return `${p.s}${p.cause ? 'c' : ''}`;
}

/** Adds paths, keeping the first of each (state, caught) pair: the earliest origin is reported. */
function addAll(into: Path[], more: readonly Path[]): Path[] {
  for (const p of more) if (!into.some((q) => key(q) === key(p))) into.push(p);
  return into;
}

function merge(...lists: ReadonlyArray<readonly Path[]>): Path[] {
  const out: Path[] = [];
  for (const l of lists) addAll(out, l);
  return out;
}

function mapState(paths: readonly Path[], f: (s: S) => S): Path[] {
  return merge(paths.map((p) => ({ ...p, s: f(p.s) })));
}

function newOut(): Out {
  return { returns: [], throws: [], breaks: new Map(), continues: new Map() };
}

function addTo(map: Map<string, Path[]>, label: string, paths: readonly Path[]): void {
  map.set(label, merge(map.get(label) ?? [], paths));
}

function take(map: Map<string, Path[]>, labels: readonly string[]): Path[] {
  const out: Path[] = [];
  for (const l of labels) {
    const v = map.get(l);
    if (v) {
      addAll(out, v);
      map.delete(l);
    }
  }
  return out;
}

function copyOut(from: Out, to: Out): void {
  addAll(to.returns, from.returns);
  addAll(to.throws, from.throws);
  for (const [l, v] of from.breaks) addTo(to.breaks, l, v);
  for (const [l, v] of from.continues) addTo(to.continues, l, v);
}

function sameKeys(a: readonly Path[], b: readonly Path[]): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => key(q) === key(p)));
}

function isFunctionNode(n: ts.Node): boolean {
  return ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isFunctionDeclaration(n) || ts.isClassLike(n) || ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n) || ts.isConstructorDeclaration(n);
}

function isLiteralTrue(e: ts.Expression): boolean {
  const u = unwrap(e);
  return u.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(u) && u.text !== '0');
}

function isNullish(e: ts.Expression): boolean {
  const u = unwrap(e);
  return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || ts.isVoidExpression(u);
}

class Interpreter {
  constructor(private readonly m: PathModel) {}

  // ---- conditions ---------------------------------------------------------------------------

  /** Paths where `cond` is truthy, and where it is falsy. */
  narrow(cond: ts.Expression, paths: readonly Path[]): [Path[], Path[]] {
    const c = unwrap(cond);
    const notHeld = (ps: readonly Path[]) => mapState(ps, (s) => (s === S.Held ? S.None : s));
    if (ts.isIdentifier(c)) {
      if (c.text === this.m.resourceName) return [[...paths], notHeld(paths)];
      if (c.text === this.m.errorParam) return [notHeld(paths), [...paths]];
      return [[...paths], [...paths]];
    }
    if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
      const [t, f] = this.narrow(c.operand, paths);
      return [f, t];
    }
    if (ts.isBinaryExpression(c)) {
      const op = c.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
        const [t1, f1] = this.narrow(c.left, paths);
        const [t2, f2] = this.narrow(c.right, t1);
        return [t2, merge(f1, f2)];
      }
      if (op === ts.SyntaxKind.BarBarToken) {
        const [t1, f1] = this.narrow(c.left, paths);
        const [t2, f2] = this.narrow(c.right, f1);
        return [merge(t1, t2), f2];
      }
      const eq = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken;
      const ne = op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
      if (eq || ne) {
        const other = isNullish(c.right) ? c.left : isNullish(c.left) ? c.right : undefined;
        if (other) {
          const [t, f] = this.narrow(other, paths);
          return ne ? [t, f] : [f, t];
        }
      }
    }
    return [[...paths], [...paths]];
  }

  /**
   * A condition we cannot evaluate but that is about the connection (`!t.finished`,
   * `queryRunner.isReleased`, a `released` flag): assume the code knows whether it still holds it.
   */
  isOpaqueAboutResource(cond: ts.Expression): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && (this.m.flags.has(n.text) || (n.text === this.m.resourceName && !this.isPlainTest(cond)))) {
        found = true;
        return;
      }
      if (!isFunctionNode(n)) ts.forEachChild(n, visit);
    };
    visit(cond);
    return found;
  }

  /** `client`, `!client`, `client != null`: handled exactly by narrow(). */
  private isPlainTest(cond: ts.Expression): boolean {
    const c = unwrap(cond);
    if (ts.isIdentifier(c)) return true;
    if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) return this.isPlainTest(c.operand);
    if (ts.isBinaryExpression(c)) {
      const op = c.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) return this.isPlainTest(c.left) && this.isPlainTest(c.right);
      if (isNullish(c.left) || isNullish(c.right)) return true;
    }
    return false;
  }

  /** After a branch on an opaque condition about the connection: if one side released it, so did the other. */
  optimistic(cond: ts.Expression, paths: Path[]): Path[] {
    if (!this.isOpaqueAboutResource(cond) || !paths.some((p) => p.s === S.Released)) return paths;
    return mapState(paths, (s) => (s === S.Held ? S.Released : s));
  }

  // ---- expressions --------------------------------------------------------------------------

  expr(node: ts.Node | undefined, paths: Path[], out: Out): Path[] {
    if (!node || paths.length === 0) return paths;
    if (isFunctionNode(node) || ts.isTypeNode(node)) return paths;
    let ps = paths;
    if (ts.isAwaitExpression(node)) {
      ps = this.expr(node.expression, ps, out);
      if (!this.m.quietAwaits.has(node)) this.throwAt(node, ps, out);
    } else if (ts.isBinaryExpression(node) && this.isShortCircuit(node.operatorToken.kind)) {
      const op = node.operatorToken.kind;
      ps = this.expr(node.left, ps, out);
      let taken: Path[];
      let skipped: Path[];
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken) [taken, skipped] = this.narrow(node.left, ps);
      else if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.BarBarEqualsToken) [skipped, taken] = this.narrow(node.left, ps);
      else [taken, skipped] = [ps, ps];
      ps = this.optimistic(node.left, merge(this.expr(node.right, taken, out), skipped));
    } else if (ts.isBinaryExpression(node) && ts.isBinaryExpression(node.left)) {
      // `a + b + c + …` nests to the left: walk the chain in a loop, not by recursion.
      const chain: ts.BinaryExpression[] = [];
      let n: ts.Expression = node;
      while (ts.isBinaryExpression(n) && !this.isShortCircuit(n.operatorToken.kind)) {
        chain.push(n);
        n = n.left;
      }
      ps = this.expr(n, ps, out);
      for (let i = chain.length - 1; i >= 0; i--) {
        const b = chain[i]!;
        ps = this.expr(b.right, ps, out);
        if (i > 0) ps = this.apply(b, ps);
      }
    } else if (ts.isConditionalExpression(node)) {
      ps = this.expr(node.condition, ps, out);
      const [t, f] = this.narrow(node.condition, ps);
      ps = this.optimistic(node.condition, merge(this.expr(node.whenTrue, t, out), this.expr(node.whenFalse, f, out)));
    } else {
      ts.forEachChild(node, (c) => {
        ps = this.expr(c, ps, out);
      });
      if (this.m.syncThrows?.has(node)) this.throwAt(node, ps, out);
    }
    return this.apply(node, ps);
  }

  private isShortCircuit(op: ts.SyntaxKind): boolean {
    return (
      op === ts.SyntaxKind.AmpersandAmpersandToken ||
      op === ts.SyntaxKind.BarBarToken ||
      op === ts.SyntaxKind.QuestionQuestionToken ||
      op === ts.SyntaxKind.AmpersandAmpersandEqualsToken ||
      op === ts.SyntaxKind.BarBarEqualsToken ||
      op === ts.SyntaxKind.QuestionQuestionEqualsToken
    );
  }

  private apply(node: ts.Node, ps: Path[]): Path[] {
    if (this.m.acquire.has(node)) return mapState(ps, (s) => (s === S.None || this.m.reacquire ? S.Held : s));
    if (this.m.release.has(node)) return mapState(ps, (s) => (s === S.Held ? S.Released : s));
    return ps;
  }

  private throwAt(at: ts.Node, ps: readonly Path[], out: Out): void {
    // A new exception replaces one a catch is handling: report it at its own throw point.
    addAll(out.throws, ps.map((p) => ({ s: p.s, at })));
  }

  // ---- statements ---------------------------------------------------------------------------

  stmts(list: readonly ts.Statement[], paths: Path[], out: Out): Path[] {
    let ps = paths;
    for (const s of list) {
      if (ps.length === 0) break;
      ps = this.stmt(s, ps, out);
    }
    return ps;
  }

  stmt(s: ts.Statement, paths: Path[], out: Out, label?: string): Path[] {
    if (paths.length === 0) return paths;
    if (ts.isBlock(s)) return this.stmts(s.statements, paths, out);
    if (ts.isExpressionStatement(s)) {
      const ps = this.expr(s.expression, paths, out);
      return isProcessExit(s.expression) ? [] : ps;
    }
    if (ts.isVariableStatement(s)) {
      let ps = paths;
      for (const d of s.declarationList.declarations) ps = this.expr(d.initializer, ps, out);
      return ps;
    }
    if (ts.isIfStatement(s)) {
      const ps = this.expr(s.expression, paths, out);
      const [t, f] = this.narrow(s.expression, ps);
      const a = this.stmt(s.thenStatement, t, out);
      const b = s.elseStatement ? this.stmt(s.elseStatement, f, out) : f;
      return this.optimistic(s.expression, merge(a, b));
    }
    if (ts.isReturnStatement(s)) {
      const ps = this.expr(s.expression, paths, out);
      addAll(out.returns, ps.map((p) => ({ ...p, at: s })));
      return [];
    }
    if (ts.isThrowStatement(s)) {
      const ps = this.expr(s.expression, paths, out);
      // A rethrow keeps the exception the catch caught (its origin explains the leak).
      addAll(out.throws, ps.map((p) => ({ ...p, at: s })));
      return [];
    }
    if (ts.isTryStatement(s)) return this.tryStmt(s, paths, out);
    if (ts.isBreakStatement(s)) {
      addTo(out.breaks, s.label?.text ?? '', paths);
      return [];
    }
    if (ts.isContinueStatement(s)) {
      addTo(out.continues, s.label?.text ?? '', paths);
      return [];
    }
    if (ts.isLabeledStatement(s)) {
      const inner = newOut();
      const ps = this.stmt(s.statement, paths, inner, s.label.text);
      const brk = take(inner.breaks, [s.label.text]);
      copyOut(inner, out);
      return merge(ps, brk);
    }
    if (ts.isWhileStatement(s) || ts.isDoStatement(s) || ts.isForStatement(s) || ts.isForOfStatement(s) || ts.isForInStatement(s)) return this.loop(s, paths, out, label);
    if (ts.isSwitchStatement(s)) return this.switchStmt(s, paths, out);
    if (isFunctionNode(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isImportDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) return paths;
    // Anything else (with, export =, …): evaluate its expressions in order.
    let ps = paths;
    ts.forEachChild(s, (c) => {
      ps = ts.isStatement(c) ? this.stmt(c, ps, out) : this.expr(c, ps, out);
    });
    return ps;
  }

  private tryStmt(s: ts.TryStatement, paths: Path[], out: Out): Path[] {
    const tryOut = newOut();
    let normal = this.stmts(s.tryBlock.statements, paths, tryOut);
    const pending = newOut();
    addAll(pending.returns, tryOut.returns);
    for (const [l, v] of tryOut.breaks) addTo(pending.breaks, l, v);
    for (const [l, v] of tryOut.continues) addTo(pending.continues, l, v);
    if (s.catchClause) {
      const cc = s.catchClause;
      const caught = tryOut.throws.map((p): Path => ({ s: p.s, ...(p.at ? { cause: p.cause ?? p.at } : {}), catchClause: p.catchClause ?? cc }));
      normal = merge(normal, this.stmts(cc.block.statements, merge(caught), pending));
    } else addAll(pending.throws, tryOut.throws);
    if (!s.finallyBlock) {
      copyOut(pending, out);
      return normal;
    }
    const fin = s.finallyBlock.statements;
    // The finally block runs on every way out of try/catch; each resumes as it was after it.
    const resume = (ps: readonly Path[]): Path[] => this.stmts(fin, [...ps], out);
    addAll(out.returns, resume(pending.returns));
    addAll(out.throws, resume(pending.throws));
    for (const [l, v] of pending.breaks) addTo(out.breaks, l, resume(v));
    for (const [l, v] of pending.continues) addTo(out.continues, l, resume(v));
    return resume(normal).map((p) => ({ s: p.s, ...(p.cause ? { cause: p.cause, catchClause: p.catchClause! } : {}) }));
  }

  private switchStmt(s: ts.SwitchStatement, paths: Path[], out: Out): Path[] {
    const ps = this.expr(s.expression, paths, out);
    const inner = newOut();
    let fall: Path[] = [];
    let hasDefault = false;
    for (const clause of s.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      let entry = merge(ps, fall);
      if (ts.isCaseClause(clause)) entry = this.expr(clause.expression, entry, inner);
      fall = this.stmts(clause.statements, entry, inner);
    }
    const exit = merge(fall, take(inner.breaks, ['']), hasDefault ? [] : ps);
    copyOut(inner, out);
    return exit;
  }

  private loop(s: ts.IterationStatement, paths: Path[], out: Out, label?: string): Path[] {
    const labels = label ? ['', label] : [''];
    let entry = paths;
    if (ts.isForStatement(s) && s.initializer) {
      entry = ts.isVariableDeclarationList(s.initializer) ? s.initializer.declarations.reduce((ps, d) => this.expr(d.initializer, ps, out), entry) : this.expr(s.initializer, entry, out);
    }
    let head = entry;
    if (ts.isForOfStatement(s) || ts.isForInStatement(s)) head = this.expr(s.expression, entry, out);
    const start = head;
    for (let round = 0; ; round++) {
      const iter = newOut();
      let body: Path[];
      let exit: Path[];
      if (ts.isDoStatement(s)) {
        const b = this.stmt(s.statement, head, iter);
        const afterBody = this.expr(s.expression, merge(b, take(iter.continues, labels)), iter);
        const [t, f] = this.narrow(s.expression, afterBody);
        body = isLiteralTrue(s.expression) ? afterBody : t;
        exit = merge(isLiteralTrue(s.expression) ? [] : f, take(iter.breaks, labels));
        const next = merge(start, body);
        if (sameKeys(next, head) || round >= MAX_LOOP_ROUNDS) {
          copyOut(iter, out);
          return exit;
        }
        head = next;
        continue;
      }
      let taken = head;
      let skipped: Path[] = [];
      if (ts.isWhileStatement(s) || (ts.isForStatement(s) && s.condition)) {
        const cond = ts.isWhileStatement(s) ? s.expression : s.condition!;
        const c = this.expr(cond, head, iter);
        [taken, skipped] = this.narrow(cond, c);
        if (isLiteralTrue(cond)) skipped = [];
      } else if (ts.isForOfStatement(s) || ts.isForInStatement(s)) {
        // Zero or more iterations; `for await` awaits each element.
        skipped = head;
        if (ts.isForOfStatement(s) && s.awaitModifier) this.throwAt(s, head, iter);
      }
      body = this.stmt(s.statement, taken, iter);
      let back = merge(body, take(iter.continues, labels));
      if (ts.isForStatement(s) && s.incrementor) back = this.expr(s.incrementor, back, iter);
      exit = merge(skipped, take(iter.breaks, labels));
      const next = merge(start, back);
      if (sameKeys(next, head) || round >= MAX_LOOP_ROUNDS) {
        copyOut(iter, out);
        return exit;
      }
      head = next;
    }
  }
}

function isProcessExit(e: ts.Expression): boolean {
  const c = unwrap(e);
  if (!ts.isCallExpression(c) || memberName(c.expression) !== 'exit') return false;
  const o = memberObject(c.expression);
  return !!o && ts.isIdentifier(unwrap(o)) && (unwrap(o) as ts.Identifier).text === 'process';
}

/** Runs the analysis over a function body; `heldAtEntry` for callback parameters. */
export function analyseFunction(fn: ts.FunctionLikeDeclaration, model: PathModel, heldAtEntry: boolean): PathResult {
  const it = new Interpreter(model);
  const out = newOut();
  const start: Path[] = [{ s: heldAtEntry ? S.Held : S.None }];
  let end: Path[];
  const body = fn.body;
  if (!body) end = start;
  else if (ts.isBlock(body)) end = it.stmts(body.statements, start, out);
  else {
    // Arrow function with an expression body: `client => client.query(…)` returns its value.
    const ps = it.expr(body, start, out);
    addAll(out.returns, ps.map((p) => ({ ...p, at: body })));
    end = [];
  }
  return { end, returns: out.returns, throws: out.throws };
}
