import ts from './typescript.cjs';
import type { SourceRange } from '../../core/location.js';
import { libraryOf } from './libraries.js';
import { isLazySingleton } from './libraries/common.js';
import type { ConnectionObjectRef, JsLibrary, JsModuleContext, PoolDefinition } from './types.js';
import { forEachNodeOfKinds, isFunctionLike, kindMask, returnExpressions, staticPropertyName, unwrapExpression, walk } from './walk.js';

/** What the project offers a module: other modules, and the definitions found in them. */
export interface ModuleHost {
  /** `'./db'` from `/repo/src/a.ts` → the parsed module, a package name, or nothing known. */
  resolveImport(fromFile: string, specifier: string): { kind: 'local'; module: JsModule } | { kind: 'external'; specifier: string } | { kind: 'missing' };
  /** The pool definition created by this node (a `new Pool()` …), extracting the node's module on demand. */
  definitionAt(node: ts.Node, module: JsModule): PoolDefinition | undefined;
  /**
   * The factory of `registerAs('<namespace>', () => ({ … }))` from '@nestjs/config' anywhere in the
   * repository (what `configService.get('<namespace>.key')` reads), when exactly one defines it.
   */
  configFactory?(namespace: string): { node: ts.FunctionLikeDeclaration; module: JsModule } | { reason: string };
}

/** A name in scope. */
export type Declaration =
  | { kind: 'var'; declaration: ts.VariableDeclaration; element?: ts.BindingElement; flags: 'const' | 'let' | 'var' }
  | { kind: 'import'; node: ts.ImportSpecifier | ts.ImportClause | ts.NamespaceImport | ts.ImportEqualsDeclaration }
  | { kind: 'function'; node: ts.FunctionDeclaration }
  | { kind: 'class'; node: ts.ClassDeclaration }
  | { kind: 'param'; node: ts.ParameterDeclaration; element?: ts.BindingElement }
  | { kind: 'other'; node: ts.Node };

/**
 * Where an expression's value comes from, as far as static analysis follows it.
 * `path` is what is still to be read from that value (`db.pool` → node `db`'s
 * value, path `['pool']`) when the value could not be taken apart.
 */
export type Trace =
  | { kind: 'node'; module: JsModule; node: ts.Node; path: readonly string[]; merged?: readonly MergePart[] }
  | { kind: 'external'; module: JsModule; specifier: string; path: readonly string[]; at: ts.Node }
  | { kind: 'module'; module: JsModule; target: JsModule }
  | { kind: 'global'; module: JsModule; name: string; path: readonly string[]; at: ts.Node }
  | { kind: 'opaque'; module: JsModule; node: ts.Node; reason: string; path: readonly string[] };

/**
 * One argument of a deepmerge call, read at the path still to be read (`merge.all([defaults, user])`
 * read at `pool`): the object literal it writes there, or why what it writes there is unknown.
 * Arguments that write nothing there are left out; the parts are in argument order (later wins).
 */
export type MergePart =
  | { node: ts.ObjectLiteralExpression; module: JsModule }
  | { reason: string; module: JsModule; at: ts.Node };

/**
 * `value`: only bindings that are never reassigned, no calls (option values).
 * `object`: also `let` bindings through their assignments and calls of local
 * functions through their return value (pools, ORM objects).
 */
export type TraceMode = 'value' | 'object';

const MAX_TRACE_DEPTH = 48;

type ExportTarget =
  | { kind: 'expr'; expr: ts.Expression }
  | { kind: 'local'; name: ts.Identifier }
  | { kind: 'decl'; node: ts.FunctionDeclaration | ts.ClassDeclaration }
  | { kind: 'reexport'; specifier: string; name: string };

interface ExportTable {
  named: Map<string, ExportTarget>;
  stars: string[];
  /** CommonJS `module.exports = x` or TypeScript `export = x`. */
  moduleExports?: ts.Expression;
}

/** A parsed module: scopes, imports, exports, and the tracer every analysis uses. */
export class JsModule implements JsModuleContext {
  private readonly scopeTables = new WeakMap<ts.Node, Map<string, Declaration>>();
  private exportTable: ExportTable | undefined;
  private assignmentIndex: Map<string, ts.Expression[]> | undefined;
  private readonly classAssignments = new WeakMap<ts.ClassLikeDeclaration, Map<string, ts.Expression[]>>();

  constructor(
    readonly file: string,
    readonly sourceFile: ts.SourceFile,
    readonly host: ModuleHost,
  ) {}

  libraryOf(moduleSpecifier: string): JsLibrary | undefined {
    return libraryOf(moduleSpecifier);
  }

  rangeOf(node: ts.Node): SourceRange {
    const sf = this.sourceFile;
    const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const end = sf.getLineAndCharacterOfPosition(node.end);
    return { file: this.file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  }

  resolveConnectionObject(expr: ts.Expression): ConnectionObjectRef | undefined {
    return connectionObjectOf(expr, this, 0);
  }

  calleeTarget(callee: ts.Expression): { node: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration; module: JsModule } | undefined {
    const t = trace(callee, this, [], 'object');
    if (t?.kind !== 'node' || t.path.length > 0) return undefined;
    const n = t.node;
    return isFunctionLike(n) || ts.isClassLike(n) ? { node: n, module: t.module } : undefined;
  }

  definitionAt(node: ts.Node): PoolDefinition | undefined {
    return this.host.definitionAt(node, this);
  }

  storedOnce(node: ts.Node): boolean {
    for (let p = node.parent; p !== undefined; p = p.parent) if (isFunctionLike(p)) return isLazySingleton(node, p, this);
    return false;
  }

  // ---- scopes ------------------------------------------------------------

  /** The declaration an identifier refers to, by lexical scope (no hoisting of `var` out of blocks). */
  lookup(id: ts.Identifier): Declaration | undefined {
    return this.lookupName(id.text, id);
  }

  lookupName(name: string, from: ts.Node): Declaration | undefined {
    // A name no declaration of the file carries (`console`, `JSON`, `describe`, a global) is in no
    // scope table: answered without looking into the scopes (issue 11: a third of the callees the
    // pool readers trace are globals). The file is the node's own: the tracer follows identifiers
    // into other modules' trees and may ask this module about them.
    if (declaredNamesOf(this.sourceFile).has(name)) return this.lookupInScopes(name, from);
    let root: ts.Node = from;
    while (root.parent !== undefined) root = root.parent;
    if (root === this.sourceFile || (root.kind === K_SOURCE_FILE && !declaredNamesOf(root as ts.SourceFile).has(name))) return undefined;
    return this.lookupInScopes(name, from);
  }

  /** `lookupName` by walking up the scopes, each scope's table built on first use. */
  lookupInScopes(name: string, from: ts.Node): Declaration | undefined {
    let n: ts.Node | undefined = from.parent ?? from;
    while (n !== undefined) {
      if (isScope(n)) {
        const d = this.scopeTable(n).get(name);
        if (d !== undefined) return d;
      }
      n = n.parent;
    }
    return undefined;
  }

  private scopeTable(scope: ts.Node): Map<string, Declaration> {
    let t = this.scopeTables.get(scope);
    if (t !== undefined) return t;
    t = new Map();
    const table = t;
    const addStatements = (stmts: readonly ts.Statement[]) => {
      for (const s of stmts) declareStatement(s, table);
    };
    if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope)) addStatements(scope.statements);
    else if (ts.isCaseBlock(scope)) for (const c of scope.clauses) addStatements(c.statements);
    else if (isFunctionLike(scope)) {
      for (const p of scope.parameters) declareBinding(p.name, table, (element) => ({ kind: 'param', node: p, ...(element ? { element } : {}) }));
      if ((ts.isFunctionExpression(scope) || ts.isFunctionDeclaration(scope)) && scope.name && !table.has(scope.name.text)) {
        table.set(scope.name.text, { kind: 'other', node: scope });
      }
    } else if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
      const init = scope.initializer;
      if (init && ts.isVariableDeclarationList(init)) declareList(init, table);
    } else if (ts.isCatchClause(scope) && scope.variableDeclaration) {
      const v = scope.variableDeclaration;
      declareBinding(v.name, table, () => ({ kind: 'other', node: v }));
    }
    this.scopeTables.set(scope, table);
    return table;
  }

  // ---- assignments -------------------------------------------------------

  /** Right-hand sides of `name = x`, `name ??= x`, `name ||= x` that assign this declaration. */
  assignmentsTo(decl: ts.VariableDeclaration, name: string): ts.Expression[] {
    if (this.assignmentIndex === undefined) {
      const idx = new Map<string, ts.Expression[]>();
      forEachNodeOfKinds(this.sourceFile, BINARY_KINDS, (n) => {
        if (n.kind === K_BINARY && isAssignmentOperator((n as ts.BinaryExpression).operatorToken.kind)) {
          const a = n as ts.BinaryExpression;
          const left = unwrapExpression(a.left);
          if (ts.isIdentifier(left)) {
            const list = idx.get(left.text) ?? [];
            list.push(a.right);
            idx.set(left.text, list);
          }
        }
      });
      this.assignmentIndex = idx;
    }
    const out: ts.Expression[] = [];
    for (const rhs of this.assignmentIndex.get(name) ?? []) {
      const assign = rhs.parent as ts.BinaryExpression;
      const left = unwrapExpression(assign.left) as ts.Identifier;
      const d = this.lookup(left);
      if (d?.kind === 'var' && d.declaration === decl) out.push(rhs);
    }
    return out;
  }

  /** Right-hand sides of `this.name = x` in the class's members (arrow functions keep `this`). */
  thisAssignments(cls: ts.ClassLikeDeclaration, name: string): ts.Expression[] {
    let idx = this.classAssignments.get(cls);
    if (idx === undefined) {
      const table = new Map<string, ts.Expression[]>();
      for (const member of cls.members) {
        walk(member, (n) => {
          if (n !== member && (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n))) return false;
          if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) {
            const left = unwrapExpression(n.left);
            if ((ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) && unwrapExpression(left.expression).kind === ts.SyntaxKind.ThisKeyword) {
              const key = ts.isPropertyAccessExpression(left) ? left.name.text : staticKey(left.argumentExpression);
              if (key !== undefined) {
                const list = table.get(key) ?? [];
                list.push(n.right);
                table.set(key, list);
              }
            }
          }
          return undefined;
        });
      }
      idx = table;
      this.classAssignments.set(cls, idx);
    }
    return idx.get(name) ?? [];
  }

  // ---- exports -----------------------------------------------------------

  exports(): ExportTable {
    if (this.exportTable !== undefined) return this.exportTable;
    const table: ExportTable = { named: new Map(), stars: [] };
    for (const s of this.sourceFile.statements) collectExports(s, table);
    this.exportTable = table;
    return table;
  }

  /** Every name this module exports (CommonJS `module.exports = x` counts as `default`). */
  exportNames(): string[] {
    const t = this.exports();
    const names = new Set(t.named.keys());
    if (t.moduleExports !== undefined) {
      names.add('default');
      const obj = unwrapExpression(t.moduleExports);
      if (ts.isObjectLiteralExpression(obj)) {
        for (const p of obj.properties) {
          const n = staticPropertyName(p.name);
          if (n !== undefined) names.add(n);
        }
      }
    }
    return [...names];
  }

  /** Where an export of this module comes from. */
  traceExport(name: string, path: readonly string[], mode: TraceMode, depth = 0): Trace | undefined {
    if (depth > MAX_TRACE_DEPTH) return undefined;
    const t = this.exports();
    const target = t.named.get(name);
    if (target !== undefined) {
      switch (target.kind) {
        case 'expr':
          return trace(target.expr, this, path, mode, depth + 1);
        case 'local':
          return trace(target.name, this, path, mode, depth + 1);
        case 'decl':
          return { kind: 'node', module: this, node: target.node, path };
        case 'reexport':
          return this.traceImported(target.specifier, target.name, path, mode, depth + 1, target.name === '*' ? undefined : this.sourceFile);
      }
    }
    if (t.moduleExports !== undefined) {
      return trace(t.moduleExports, this, name === 'default' ? path : [name, ...path], mode, depth + 1);
    }
    if (name !== 'default') {
      for (const spec of t.stars) {
        const r = this.host.resolveImport(this.file, spec);
        if (r.kind === 'local') {
          if (!r.module.exportNames().includes(name) && r.module.exports().stars.length === 0) continue;
          const found = r.module.traceExport(name, path, mode, depth + 1);
          if (found !== undefined) return found;
        } else if (r.kind === 'external') {
          return { kind: 'external', module: this, specifier: r.specifier, path: [name, ...path], at: this.sourceFile };
        }
      }
    }
    return undefined;
  }

  /** `import { name } from specifier` (name `default`, or `*` for the namespace) as seen from this module. */
  traceImported(specifier: string, name: string, path: readonly string[], mode: TraceMode, depth: number, at: ts.Node = this.sourceFile): Trace | undefined {
    const r = this.host.resolveImport(this.file, specifier);
    if (r.kind === 'external') {
      return { kind: 'external', module: this, specifier: r.specifier, path: name === '*' ? path : [name, ...path], at };
    }
    if (r.kind === 'missing') return { kind: 'opaque', module: this, node: at, reason: `module '${specifier}' is not in the analysed files`, path };
    if (name === '*') {
      if (path.length === 0) return { kind: 'module', module: this, target: r.module };
      return r.module.traceExport(path[0]!, path.slice(1), mode, depth + 1);
    }
    return r.module.traceExport(name, path, mode, depth + 1);
  }

  /** `require(specifier)`: module.exports of a CommonJS module, the namespace of an ES module. */
  traceRequired(specifier: string, path: readonly string[], mode: TraceMode, depth: number, at: ts.Node): Trace | undefined {
    const r = this.host.resolveImport(this.file, specifier);
    if (r.kind === 'external') return { kind: 'external', module: this, specifier: r.specifier, path, at };
    if (r.kind === 'missing') return { kind: 'opaque', module: this, node: at, reason: `module '${specifier}' is not in the analysed files`, path };
    const m = r.module;
    const t = m.exports();
    if (t.moduleExports !== undefined) return trace(t.moduleExports, m, path, mode, depth + 1);
    if (path.length === 0) return { kind: 'module', module: this, target: m };
    return m.traceExport(path[0]!, path.slice(1), mode, depth + 1);
  }
}

// ---- declarations ---------------------------------------------------------

/** The node kinds that open a scope (read once: `ts.isX` is a lookup on a 2,000-property object). */
const SCOPE_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.SourceFile,
  ts.SyntaxKind.Block,
  ts.SyntaxKind.ModuleBlock,
  ts.SyntaxKind.CaseBlock,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.CatchClause,
]);

/**
 * The nodes whose `name` a scope table can hold (`scopeTable`, `declareStatement`, `declareList`,
 * `declareBinding`): variables and binding elements (also those of parameters, `for` heads and
 * `catch` clauses), parameters, functions, classes, imports, `import x =`, enums and namespaces.
 */
const DECLARATION_KINDS = kindMask([
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.BindingElement,
  ts.SyntaxKind.Parameter,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.ImportClause,
  ts.SyntaxKind.NamespaceImport,
  ts.SyntaxKind.ImportSpecifier,
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
]);

const K_SOURCE_FILE = ts.SyntaxKind.SourceFile;
/** `declaredNamesOf` by file, built on the first lookup in it. */
const declaredNamesByFile = new WeakMap<ts.SourceFile, Set<string>>();

/** The identifier names of every declaration of the file: no scope table holds a name outside them. */
function declaredNamesOf(sf: ts.SourceFile): Set<string> {
  const known = declaredNamesByFile.get(sf);
  if (known !== undefined) return known;
  const names = new Set<string>();
  declaredNamesByFile.set(sf, names);
  forEachNodeOfKinds(sf, DECLARATION_KINDS, (n) => {
    const name = (n as ts.NamedDeclaration).name;
    if (name !== undefined && ts.isIdentifier(name)) names.add(name.text);
  });
  return names;
}

/** Source files, blocks, case blocks, functions (as `isFunctionLike`), `for` heads, `catch` clauses. */
function isScope(n: ts.Node): boolean {
  return SCOPE_KINDS.has(n.kind);
}

function declareBinding(name: ts.BindingName, table: Map<string, Declaration>, make: (element: ts.BindingElement | undefined) => Declaration): void {
  if (ts.isIdentifier(name)) {
    if (!table.has(name.text)) table.set(name.text, make(undefined));
    return;
  }
  const stack: ts.BindingPattern[] = [name];
  while (stack.length > 0) {
    const pattern = stack.pop()!;
    for (const el of pattern.elements) {
      if (ts.isOmittedExpression(el)) continue;
      if (ts.isIdentifier(el.name)) {
        if (!table.has(el.name.text)) table.set(el.name.text, make(el));
      } else stack.push(el.name);
    }
  }
}

function declareList(list: ts.VariableDeclarationList, table: Map<string, Declaration>): void {
  const flags = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing) ? 'let' : 'var';
  for (const d of list.declarations) {
    declareBinding(d.name, table, (element) => ({ kind: 'var', declaration: d, flags, ...(element ? { element } : {}) }));
  }
}

function declareStatement(s: ts.Statement, table: Map<string, Declaration>): void {
  if (ts.isVariableStatement(s)) declareList(s.declarationList, table);
  else if (ts.isFunctionDeclaration(s)) {
    if (s.name && !table.has(s.name.text)) table.set(s.name.text, { kind: 'function', node: s });
  } else if (ts.isClassDeclaration(s)) {
    if (s.name && !table.has(s.name.text)) table.set(s.name.text, { kind: 'class', node: s });
  } else if (ts.isImportDeclaration(s)) {
    const clause = s.importClause;
    if (clause === undefined) return;
    if (clause.name) table.set(clause.name.text, { kind: 'import', node: clause });
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) table.set(nb.name.text, { kind: 'import', node: nb });
    else if (nb) for (const el of nb.elements) table.set(el.name.text, { kind: 'import', node: el });
  } else if (ts.isImportEqualsDeclaration(s)) {
    table.set(s.name.text, { kind: 'import', node: s });
  } else if (ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) {
    if (ts.isIdentifier(s.name) && !table.has(s.name.text)) table.set(s.name.text, { kind: 'other', node: s });
  }
}

const K_EQUALS = ts.SyntaxKind.EqualsToken;
const K_QQ_EQUALS = ts.SyntaxKind.QuestionQuestionEqualsToken;
const K_BARBAR_EQUALS = ts.SyntaxKind.BarBarEqualsToken;
const K_BINARY = ts.SyntaxKind.BinaryExpression;
const BINARY_KINDS = kindMask([K_BINARY]);

function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k === K_EQUALS || k === K_QQ_EQUALS || k === K_BARBAR_EQUALS;
}

function staticKey(e: ts.Expression): string | undefined {
  const u = unwrapExpression(e);
  return ts.isStringLiteralLike(u) || ts.isNumericLiteral(u) ? u.text : undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** `module.exports`, `exports`: the CommonJS export objects. */
function commonJsExportKey(left: ts.Expression): { whole: true } | { name: string } | undefined {
  const l = unwrapExpression(left);
  const isModuleExports = (e: ts.Expression) => {
    const u = unwrapExpression(e);
    return ts.isPropertyAccessExpression(u) && ts.isIdentifier(u.expression) && u.expression.text === 'module' && u.name.text === 'exports';
  };
  if (isModuleExports(l)) return { whole: true };
  if (ts.isPropertyAccessExpression(l) || ts.isElementAccessExpression(l)) {
    const obj = unwrapExpression(l.expression);
    const name = ts.isPropertyAccessExpression(l) ? l.name.text : staticKey(l.argumentExpression);
    if (name === undefined) return undefined;
    if (isModuleExports(obj) || (ts.isIdentifier(obj) && obj.text === 'exports')) return { name };
  }
  return undefined;
}

function collectExports(s: ts.Statement, t: ExportTable): void {
  if (ts.isVariableStatement(s) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
    for (const d of s.declarationList.declarations) {
      const names: ts.Identifier[] = [];
      collectBindingIdentifiers(d.name, names);
      for (const id of names) t.named.set(id.text, { kind: 'local', name: id });
    }
  } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
    const name = hasModifier(s, ts.SyntaxKind.DefaultKeyword) ? 'default' : s.name?.text;
    if (name !== undefined) t.named.set(name, { kind: 'decl', node: s });
  } else if (ts.isExportAssignment(s)) {
    if (s.isExportEquals) t.moduleExports = s.expression;
    else t.named.set('default', { kind: 'expr', expr: s.expression });
  } else if (ts.isExportDeclaration(s)) {
    const spec = s.moduleSpecifier && ts.isStringLiteralLike(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    const clause = s.exportClause;
    if (clause === undefined) {
      if (spec !== undefined) t.stars.push(spec);
    } else if (ts.isNamespaceExport(clause)) {
      if (spec !== undefined) t.named.set(clause.name.text, { kind: 'reexport', specifier: spec, name: '*' });
    } else {
      for (const el of clause.elements) {
        const exported = el.name.text;
        const local = el.propertyName ?? el.name;
        if (spec !== undefined) t.named.set(exported, { kind: 'reexport', specifier: spec, name: local.text });
        else if (ts.isIdentifier(local)) t.named.set(exported, { kind: 'local', name: local });
      }
    }
  } else if (ts.isExpressionStatement(s)) {
    // module.exports = x; exports.a = x; module.exports.a = x; (also chained `module.exports = exports = x`)
    let e = unwrapExpression(s.expression);
    while (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const key = commonJsExportKey(e.left);
      if (key === undefined) break;
      const right = unwrapExpression(e.right);
      const value = ts.isBinaryExpression(right) && right.operatorToken.kind === ts.SyntaxKind.EqualsToken ? right.right : e.right;
      if ('whole' in key) t.moduleExports = value;
      else t.named.set(key.name, { kind: 'expr', expr: value });
      e = right;
    }
  }
}

function collectBindingIdentifiers(name: ts.BindingName, out: ts.Identifier[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name);
    return;
  }
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) collectBindingIdentifiers(el.name, out);
}

/** The property path a destructured binding reads: `const { a: { b } } = x` → b reads `['a', 'b']`. */
function bindingPath(element: ts.BindingElement): string[] | undefined {
  const path: string[] = [];
  let el: ts.Node = element;
  while (ts.isBindingElement(el)) {
    const pattern: ts.BindingPattern = el.parent;
    if (ts.isObjectBindingPattern(pattern)) {
      if (el.dotDotDotToken === undefined) {
        const key = staticPropertyName(el.propertyName ?? el.name);
        if (key === undefined) return undefined;
        path.unshift(key);
      }
    } else {
      if (el.dotDotDotToken !== undefined) return undefined;
      path.unshift(String(pattern.elements.indexOf(el)));
    }
    el = pattern.parent;
  }
  return path;
}

// ---- tracing --------------------------------------------------------------

/** An expression's text for a reason, shortened. */
function shortExprText(e: ts.Node): string {
  const t = e.getText().replace(/\s+/g, ' ');
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

function isUndefinedValue(e: ts.Expression): boolean {
  const u = unwrapExpression(e);
  return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || ts.isVoidExpression(u);
}

/** Identity helpers whose result is their first argument (`defineConfig({...})`). */
const IDENTITY_HELPERS = new Set(['defineConfig', 'freeze']);

/**
 * Follows an expression to the expression that produces its value: through
 * `const` bindings, destructuring, imports and re-exports (ESM and CommonJS),
 * object literals, `this.x` fields and (in object mode) `let` assignments and
 * local function returns. Never executes anything.
 */
export function trace(expr: ts.Node, module: JsModule, path: readonly string[] = [], mode: TraceMode = 'object', depth = 0): Trace | undefined {
  if (depth > MAX_TRACE_DEPTH) return { kind: 'opaque', module, node: expr, reason: 'too many indirections', path };
  // What unwrapExpression takes apart (parentheses, `as`, `!`, `<T>x`, `satisfies`) is always an
  // expression, and any other node comes back as it is: no `ts.isExpression` first (a chain of
  // switches, at every step of every trace).
  const e = unwrapExpression(expr as ts.Expression);

  if (ts.isIdentifier(e)) {
    if (e.text === 'undefined') return { kind: 'node', module, node: e, path };
    const d = module.lookup(e);
    if (d === undefined) return { kind: 'global', module, name: e.text, path, at: e };
    return traceDeclaration(d, e, module, path, mode, depth);
  }
  if (ts.isPropertyAccessExpression(e)) return trace(e.expression, module, [e.name.text, ...path], mode, depth + 1);
  if (ts.isElementAccessExpression(e)) {
    const key = staticKey(e.argumentExpression);
    if (key === undefined) return { kind: 'opaque', module, node: e, reason: 'computed property', path };
    return trace(e.expression, module, [key, ...path], mode, depth + 1);
  }
  if (e.kind === ts.SyntaxKind.ThisKeyword) return traceThis(e, module, path, mode, depth);
  if (ts.isAwaitExpression(e)) return trace(e.expression, module, path, mode, depth + 1);
  if (ts.isCallExpression(e)) {
    const callee = unwrapExpression(e.expression);
    const arg0 = e.arguments[0];
    const spec = arg0 && ts.isStringLiteralLike(arg0) ? arg0.text : undefined;
    if (callee.kind === ts.SyntaxKind.ImportKeyword && spec !== undefined) return module.traceImported(spec, '*', path, mode, depth + 1, e);
    if (ts.isIdentifier(callee) && callee.text === 'require' && spec !== undefined && module.lookup(callee) === undefined) {
      return module.traceRequired(spec, path, mode, depth + 1, e);
    }
    const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (calleeName !== undefined && IDENTITY_HELPERS.has(calleeName) && arg0 !== undefined) return trace(arg0, module, path, mode, depth + 1);
    if (path.length > 0) {
      const merged = deepmergeParts(e, module, path, depth);
      if (merged !== undefined) return { kind: 'node', module, node: e, path, merged };
    }
    if (mode === 'object') {
      const fn = trace(callee, module, [], mode, depth + 1);
      if (fn?.kind === 'node' && fn.path.length === 0 && isFunctionLike(fn.node)) {
        // the returned expression with the function's parameters bound to this call's arguments
        const site: CallSite = { call: e, module };
        for (const r of returnExpressions(fn.node)) {
          const t = traceBound(fn.node as ts.SignatureDeclaration, site, r, fn.module, path, mode, depth + 1);
          if (t !== undefined && !(t.kind === 'node' && isUndefinedValue(t.node as ts.Expression))) return t;
        }
      }
    }
    return { kind: 'node', module, node: e, path };
  }
  if (ts.isObjectLiteralExpression(e) && path.length > 0) {
    const key = path[0]!;
    const rest = path.slice(1);
    for (let i = e.properties.length - 1; i >= 0; i--) {
      const p = e.properties[i]!;
      if (ts.isSpreadAssignment(p)) {
        const t = trace(p.expression, module, path, mode, depth + 1);
        if (t !== undefined && !(t.kind === 'opaque')) return t;
        continue;
      }
      if (staticPropertyName(p.name) !== key) continue;
      if (ts.isPropertyAssignment(p)) return trace(p.initializer, module, rest, mode, depth + 1);
      if (ts.isShorthandPropertyAssignment(p)) return trace(p.name, module, rest, mode, depth + 1);
      if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p)) {
        if (ts.isGetAccessorDeclaration(p)) {
          const r = returnExpressions(p)[0];
          return r ? trace(r, module, rest, mode, depth + 1) : undefined;
        }
        return { kind: 'node', module, node: p, path: rest };
      }
    }
    return { kind: 'opaque', module, node: e, reason: `no property '${key}'`, path };
  }
  if (ts.isArrayLiteralExpression(e) && path.length > 0) {
    const idx = Number(path[0]);
    const el = Number.isInteger(idx) ? e.elements[idx] : undefined;
    if (el === undefined || ts.isSpreadElement(el)) return { kind: 'opaque', module, node: e, reason: 'array element', path };
    return trace(el, module, path.slice(1), mode, depth + 1);
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (isAssignmentOperator(op)) return trace(e.right, module, path, mode, depth + 1);
    if (op === ts.SyntaxKind.CommaToken) return trace(e.right, module, path, mode, depth + 1);
    if (mode === 'object' && (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken)) {
      // `globalThis.prisma ?? new PrismaClient()`: the left side is a cache; the right side creates.
      const left = trace(e.left, module, path, mode, depth + 1);
      if (left !== undefined && left.kind === 'node' && !isUndefinedValue(left.node as ts.Expression) && (ts.isNewExpression(left.node) || ts.isCallExpression(left.node))) return left;
      // `this.poolOptions ?? { connectionString }`: the options are what the caller passes; the literal is only the fallback.
      const right = trace(e.right, module, [], mode, depth + 1);
      if (right?.kind === 'node' && right.path.length === 0 && ts.isObjectLiteralExpression(right.node)) {
        const whole = trace(e.left, module, [], mode, depth + 1);
        if (whole?.kind === 'node' && whole.path.length === 0) {
          if (isUndefinedValue(whole.node as ts.Expression)) return trace(e.right, module, path, mode, depth + 1);
          if (ts.isObjectLiteralExpression(whole.node)) return trace(e.left, module, path, mode, depth + 1);
        }
        // `options.db || {}` with options an object literal without db: undefined, so the fallback
        if (whole?.kind === 'opaque' && whole.reason.startsWith('no property ')) return trace(e.right, module, path, mode, depth + 1);
        const why = whole?.kind === 'opaque' ? ` (${whole.reason})` : '';
        const op = e.operatorToken.getText();
        return { kind: 'opaque', module, node: e.left, reason: `${shortExprText(e.left)} is supplied by the caller${why}; the object after ${op} is only its fallback`, path };
      }
      return trace(e.right, module, path, mode, depth + 1);
    }
  }
  return { kind: 'node', module, node: e, path };
}

/**
 * `trace` of a returned expression with the function's parameters bound to a call's arguments. A
 * function of its own so that `trace` itself creates no closure: one capturing its parameters
 * made V8 allocate a context at every call (with the closure, 84 MB of the 1.3 GB a cold run
 * allocates on the 50,000-file bench tree).
 */
function traceBound(fn: ts.SignatureDeclaration, site: CallSite, r: ts.Expression, module: JsModule, path: readonly string[], mode: TraceMode, depth: number): Trace | undefined {
  return withCallBound(fn, site, () => trace(r, module, path, mode, depth));
}

/**
 * `deepmerge(a, b)` and `deepmerge.all([a, b, …])` read at `path` (deepmerge 4.3.1, index.js
 * `mergeObject`: the target's keys are copied, then each source key replaces the target's unless
 * the target has it and the source value is a mergeable object, which merges key by key;
 * `deepmerge.all` reduces the array with `deepmerge`, so later objects win). Computed here, while the parameters of a wrapper such as
 * `function mergeAll(objects) { return merge.all(objects.filter((i) => i)) }` are bound to its call.
 * Undefined when the call is not a deepmerge call.
 */
function deepmergeParts(call: ts.CallExpression, module: JsModule, path: readonly string[], depth: number): MergePart[] | undefined {
  const ct = trace(unwrapExpression(call.expression), module, [], 'value', depth + 1);
  if (ct?.kind !== 'external' || ct.specifier !== 'deepmerge') return undefined;
  const rest = ct.path.filter((k) => k !== 'default');
  let objects: { node: ts.Expression; module: JsModule }[] | undefined;
  if (rest.length === 0) objects = call.arguments.slice(0, 2).map((a) => ({ node: a, module }));
  else if (rest.length === 1 && rest[0] === 'all' && call.arguments[0] !== undefined) objects = mergedList(call.arguments[0], module, depth);
  else return undefined;
  if (objects === undefined || call.arguments.some((a) => ts.isSpreadElement(a))) return [{ reason: `the objects ${shortExprText(call)} merges are not statically known`, module, at: call }];
  // its options (customMerge, isMergeableObject, arrayMerge) may change how the objects merge
  const options = call.arguments[rest.length === 0 ? 2 : 1];
  if (options !== undefined) return [{ reason: `${shortExprText(call)} passes deepmerge options, which may change how the objects merge`, module, at: options }];
  return objects.flatMap((o) => mergePartsOf(o.node, o.module, path, depth));
}

/** The elements of `[a, b, c]` or `[a, b, c].filter((i) => i)` (an object is never falsy: all kept). */
function mergedList(expr: ts.Expression, module: JsModule, depth: number): { node: ts.Expression; module: JsModule }[] | undefined {
  const e = unwrapExpression(expr);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'filter' && e.arguments.length === 1) {
    const f = unwrapExpression(e.arguments[0]!);
    const identity = (ts.isArrowFunction(f) && f.parameters.length === 1 && ts.isIdentifier(f.parameters[0]!.name) && ts.isIdentifier(f.body) && f.body.text === f.parameters[0]!.name.text) || (ts.isIdentifier(f) && f.text === 'Boolean');
    return identity ? mergedList(e.expression.expression, module, depth) : undefined;
  }
  const t = trace(e, module, [], 'object', depth + 1);
  if (t?.kind !== 'node' || t.path.length > 0 || !ts.isArrayLiteralExpression(t.node) || t.node.elements.some((x) => ts.isSpreadElement(x))) return undefined;
  return t.node.elements.map((x) => ({ node: x, module: t.module }));
}

/** What one merged argument writes at `path`. */
function mergePartsOf(expr: ts.Expression, module: JsModule, path: readonly string[], depth: number): MergePart[] {
  const e = unwrapExpression(expr);
  const where = path.join('.');
  if (ts.isConditionalExpression(e)) {
    const a = mergePartsOf(e.whenTrue, module, path, depth);
    const b = mergePartsOf(e.whenFalse, module, path, depth);
    if (a.length === 0 && b.length === 0) return [];
    return [{ reason: `${where} is written only when ${shortExprText(e.condition)}`, module, at: e }];
  }
  const t = trace(e, module, path, 'object', depth + 1);
  if (t === undefined) return [{ reason: `${shortExprText(e)} cannot be followed`, module, at: e }];
  // an object literal without that key writes nothing there
  if (t.kind === 'opaque' && t.reason.startsWith('no property ')) return [];
  if (t.kind === 'node' && t.merged !== undefined) return [...t.merged];
  if (t.kind === 'node' && ts.isConditionalExpression(t.node) && t.path.length > 0) return mergePartsOf(t.node, t.module, t.path, depth + 1);
  if (t.kind === 'node' && t.path.length === 0 && ts.isObjectLiteralExpression(t.node)) return [{ node: t.node, module: t.module }];
  if (t.kind === 'node' && t.path.length > 0 && t.path[0] !== 'ssl' && ts.isCallExpression(t.node) && isConnectionStringParse(t.node, t.module, depth)) return [];
  const why = t.kind === 'opaque' ? ` (${t.reason})` : '';
  return [{ reason: `the deepmerge argument ${shortExprText(e)} may write ${where}${why}`, module, at: e }];
}

/**
 * `parse(url)` of pg-connection-string (2.x, packages/pg-connection-string/index.js: every query
 * parameter copied as `config[key] = value`, then user/password/host/port/database): strings,
 * booleans and null, and one nested object, `ssl` (built from sslcert/sslkey/sslrootcert/sslmode).
 * Read at a nested path other than `ssl` (`pool.max`), it writes nothing there: only a `?pool=…`
 * query parameter could, and it would replace the object by a string, which is no pool size
 * (decision in the merge notes: ignored, not unknown).
 */
function isConnectionStringParse(call: ts.CallExpression, module: JsModule, depth: number): boolean {
  const ct = trace(unwrapExpression(call.expression), module, [], 'value', depth + 1);
  return ct?.kind === 'external' && ct.specifier === 'pg-connection-string' && ct.path[ct.path.length - 1] === 'parse';
}

function traceDeclaration(d: Declaration, at: ts.Identifier, module: JsModule, path: readonly string[], mode: TraceMode, depth: number): Trace | undefined {
  switch (d.kind) {
    case 'var': {
      const decl = d.declaration;
      let prefix: string[] = [];
      if (d.element !== undefined) {
        const bp = bindingPath(d.element);
        if (bp === undefined) return { kind: 'opaque', module, node: d.element, reason: 'destructuring', path };
        prefix = bp;
      }
      const full = [...prefix, ...path];
      const name = at.text;
      const assigned = d.flags === 'const' || !ts.isIdentifier(decl.name) ? [] : module.assignmentsTo(decl, name);
      const init = decl.initializer;
      // for (const x of …) has no initializer of its own
      if (ts.isForOfStatement(decl.parent.parent) || ts.isForInStatement(decl.parent.parent)) {
        return { kind: 'opaque', module, node: decl, reason: 'loop variable', path };
      }
      if (assigned.length > 0) {
        if (mode === 'value') return { kind: 'opaque', module, node: decl, reason: `'${name}' is reassigned`, path };
        const candidates = [...(init && !isUndefinedValue(init) ? [init] : []), ...assigned];
        for (const c of candidates) {
          const t = trace(c, module, full, mode, depth + 1);
          if (t !== undefined && !(t.kind === 'node' && isUndefinedValue(t.node as ts.Expression))) return t;
        }
        return { kind: 'opaque', module, node: decl, reason: `'${name}' is assigned values that cannot be followed`, path };
      }
      if (init === undefined) return { kind: 'opaque', module, node: decl, reason: `'${name}' is never initialised`, path };
      return trace(init, module, full, mode, depth + 1);
    }
    case 'import': {
      const n = d.node;
      if (ts.isImportEqualsDeclaration(n)) {
        const ref = n.moduleReference;
        if (ts.isExternalModuleReference(ref) && ts.isStringLiteralLike(ref.expression)) return module.traceRequired(ref.expression.text, path, mode, depth + 1, n);
        return { kind: 'opaque', module, node: n, reason: 'import alias', path };
      }
      const decl = ts.isImportSpecifier(n) ? n.parent.parent.parent : ts.isNamespaceImport(n) ? n.parent.parent : n.parent;
      const spec = ts.isStringLiteralLike(decl.moduleSpecifier) ? decl.moduleSpecifier.text : undefined;
      if (spec === undefined) return undefined;
      const name = ts.isImportSpecifier(n) ? (n.propertyName ?? n.name).text : ts.isNamespaceImport(n) ? '*' : 'default';
      return module.traceImported(spec, name, path, mode, depth + 1, n);
    }
    case 'function':
    case 'class':
      return { kind: 'node', module, node: d.node, path };
    case 'param':
      return traceParameter(d.node, d.element, module, path, mode, depth);
    case 'other':
      return { kind: 'opaque', module, node: d.node, reason: 'not a constant', path };
  }
}

// ---- parameters bound to one call ------------------------------------------

/** A call of a function of the analysed files, in the module it is written in. */
export interface CallSite {
  call: ts.CallExpression | ts.NewExpression;
  module: JsModule;
}

/** A function (or constructor) whose parameters take the arguments of one call while a value is read. */
type BoundFunction = ts.SignatureDeclaration;

let boundCalls: ReadonlyMap<BoundFunction, CallSite> | undefined;
let unboundParameters: Set<BoundFunction> | undefined;

/**
 * Runs `f` with each function's parameters bound to the arguments of one call of it (`init(config)`
 * inside `new PostgresMeta(cfg)`: `config` is `cfg`), so that every trace reads through them; the
 * functions whose parameters are reached unbound are added to `unbound` (the next callers to follow,
 * `callers.ts`). Nested calls restore the outer bindings.
 */
export function withBoundCalls<T>(bindings: ReadonlyMap<BoundFunction, CallSite>, unbound: Set<BoundFunction> | undefined, f: () => T): T {
  const savedCalls = boundCalls;
  const savedUnbound = unboundParameters;
  boundCalls = bindings;
  unboundParameters = unbound;
  try {
    return f();
  } finally {
    boundCalls = savedCalls;
    unboundParameters = savedUnbound;
  }
}

/** Binds `fn`'s parameters to `site` on top of the active bindings (a local function's return read in object mode). */
function withCallBound<T>(fn: BoundFunction, site: CallSite, f: () => T): T {
  const next = new Map(boundCalls ?? []);
  next.set(fn, site);
  return withBoundCalls(next, unboundParameters, f);
}

/**
 * A parameter: opaque, unless its function is bound to a call (`withBoundCalls`). Then it is the
 * argument the call passes, or the parameter's default when the call passes none (`undefined`
 * included, as JavaScript does); a destructured property (`{ connectionLimit = env.X }`) is that
 * property of the argument, or its default when the argument is an object literal that does not
 * write it.
 */
function traceParameter(param: ts.ParameterDeclaration, element: ts.BindingElement | undefined, module: JsModule, path: readonly string[], mode: TraceMode, depth: number): Trace | undefined {
  const fn = param.parent;
  const opaque = (reason: string): Trace => ({ kind: 'opaque', module, node: element ?? param, reason, path });
  const site = boundCalls?.get(fn);
  if (site === undefined) {
    unboundParameters?.add(fn);
    return opaque('function parameter');
  }
  const index = fn.parameters.indexOf(param);
  const args = site.call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  if (param.dotDotDotToken !== undefined || args.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return opaque('rest or spread arguments');
  let arg: ts.Expression | undefined = args[index];
  let argModule = site.module;
  if (arg === undefined || isUndefinedValue(arg)) {
    if (param.initializer === undefined) return opaque(`the call at line ${site.module.rangeOf(site.call).line} passes no value`);
    arg = param.initializer;
    argModule = module;
  }
  if (element === undefined) return trace(arg, argModule, path, mode, depth + 1);
  const inPattern = bindingPath(element);
  if (inPattern === undefined) return opaque('destructuring');
  // { key = fallback }: the fallback when the object literal passed does not write key
  if (element.initializer !== undefined && ts.isObjectBindingPattern(element.parent) && element.parent.parent === param && inPattern.length === 1) {
    const obj = trace(arg, argModule, [], mode, depth + 1);
    if (obj?.kind === 'node' && obj.path.length === 0 && ts.isObjectLiteralExpression(obj.node)) {
      const props = obj.node.properties;
      const writes = props.some((p) => p.name !== undefined && staticPropertyName(p.name) === inPattern[0]);
      if (!writes && !props.some((p) => ts.isSpreadAssignment(p))) return trace(element.initializer, module, path, mode, depth + 1);
    }
  }
  return trace(arg, argModule, [...inPattern, ...path], mode, depth + 1);
}

function traceThis(e: ts.Node, module: JsModule, path: readonly string[], mode: TraceMode, depth: number): Trace | undefined {
  let n: ts.Node | undefined = e.parent;
  while (n !== undefined && !ts.isClassLike(n)) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) {
      // function connect(this: Adapter) { new this.pg.Pool() } with Adapter = { pg: typeof pg }: the library the declared type names
      const self = n.parameters[0];
      if (path.length > 0 && self !== undefined && ts.isIdentifier(self.name) && self.name.text === 'this' && self.type !== undefined) {
        const member = typeMember(self.type, module, path[0]!, 0);
        const q = member && typeQueryOf(member.type, member.module, 0);
        if (q !== undefined) return trace(q.name, q.module, path.slice(1), mode, depth + 1);
      }
      return { kind: 'opaque', module, node: e, reason: '`this` of a function', path };
    }
    n = n.parent;
  }
  if (n === undefined || path.length === 0) return { kind: 'opaque', module, node: e, reason: '`this`', path };
  const cls = n;
  const key = path[0]!;
  const rest = path.slice(1);
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && staticPropertyName(m.name) === key && m.initializer) return trace(m.initializer, module, rest, mode, depth + 1);
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === key && ts.getModifiers(p)?.length) {
          return { kind: 'opaque', module, node: p, reason: 'constructor parameter (injected)', path: rest };
        }
      }
    }
  }
  const assigned = module.thisAssignments(cls, key);
  for (const a of assigned) {
    const t = trace(a, module, rest, mode, depth + 1);
    if (t !== undefined && !(t.kind === 'node' && isUndefinedValue(t.node as ts.Expression))) return t;
  }
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && staticPropertyName(m.name) === key) return { kind: 'opaque', module, node: m, reason: 'class field without a known value', path: rest };
  }
  return { kind: 'opaque', module, node: e, reason: `no field '${key}'`, path };
}

// ---- connection objects ---------------------------------------------------

/** Type names that identify a connection object when the value itself cannot be followed (injected, typed parameters). */
const TYPE_KINDS: Record<string, Record<string, ConnectionObjectRef['kind']>> = {
  pg: { Pool: 'pool', Client: 'client', PoolClient: 'pool-client' },
  'neon-serverless': { Pool: 'pool', Client: 'client', PoolClient: 'pool-client' },
  'vercel-postgres': { VercelPool: 'pool', VercelClient: 'client', VercelPoolClient: 'pool-client' },
  typeorm: { DataSource: 'pool', Connection: 'pool', QueryRunner: 'query-runner' },
  sequelize: { Sequelize: 'pool', Transaction: 'transaction' },
  knex: { Knex: 'pool' },
  postgres: { Sql: 'pool', ReservedSql: 'reserved' },
  prisma: { PrismaClient: 'pool' },
};

function refFromTypeAnnotation(node: ts.Node, module: JsModule): ConnectionObjectRef | undefined {
  const typeNode =
    ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node) ? node.type : ts.isBindingElement(node) ? undefined : undefined;
  if (typeNode === undefined || !ts.isTypeReferenceNode(typeNode)) return undefined;
  const tn = typeNode.typeName;
  const first = ts.isIdentifier(tn) ? tn : tn.left;
  const member = ts.isQualifiedName(tn) ? tn.right.text : undefined;
  if (!ts.isIdentifier(first)) return undefined;
  const d = module.lookup(first);
  if (d?.kind !== 'import' || ts.isImportEqualsDeclaration(d.node)) return undefined;
  const decl = ts.isImportSpecifier(d.node) ? d.node.parent.parent.parent : ts.isNamespaceImport(d.node) ? d.node.parent.parent : d.node.parent;
  if (!ts.isStringLiteralLike(decl.moduleSpecifier)) return undefined;
  const lib = libraryOf(decl.moduleSpecifier.text);
  const imported = ts.isImportSpecifier(d.node) ? (d.node.propertyName ?? d.node.name).text : first.text;
  if (lib === undefined) {
    // `private prisma: PrismaService`: a repository class that extends PrismaClient (NestJS's documented PrismaService).
    if (member !== undefined || ts.isNamespaceImport(d.node)) return undefined;
    const t = module.traceImported(decl.moduleSpecifier.text, ts.isImportClause(d.node) ? 'default' : imported, [], 'object', 0);
    if (t?.kind !== 'node' || t.path.length > 0 || !ts.isClassDeclaration(t.node)) return undefined;
    const def = t.module.host.definitionAt(t.node, t.module);
    return def === undefined ? undefined : { library: def.library, kind: def.kind === 'client' ? 'client' : 'pool', definition: def };
  }
  // Knex.Transaction, pg.PoolClient …
  const typeName = member !== undefined ? (imported === 'Knex' && member === 'Transaction' ? 'Transaction' : member) : imported;
  if (lib === 'knex' && typeName === 'Transaction') return { library: lib, kind: 'transaction' };
  const kind = TYPE_KINDS[lib]?.[typeName];
  return kind === undefined ? undefined : { library: lib, kind };
}

/** Libraries whose pool hands out clients with `pool.connect()` that must be released. */
const CONNECT_RETURNS_CLIENT = new Set<JsLibrary>(['pg', 'neon-serverless', 'vercel-postgres', 'prisma-adapter-pg']);

function isFunctionArgument(a: ts.Expression): boolean {
  const u = unwrapExpression(a);
  return ts.isArrowFunction(u) || ts.isFunctionExpression(u);
}

function connectionObjectOf(expr: ts.Expression, module: JsModule, depth: number): ConnectionObjectRef | undefined {
  if (depth > 8) return undefined;
  const t = trace(expr, module, [], 'object');
  if (t === undefined) return undefined;
  if (t.kind === 'external') {
    const lib = libraryOf(t.specifier);
    const p = t.path[0] === 'default' ? t.path.slice(1) : t.path;
    if (lib === 'vercel-postgres' && p.length === 1 && (p[0] === 'sql' || p[0] === 'db')) return { library: lib, kind: 'pool' };
    return undefined;
  }
  if (t.kind === 'opaque') {
    if (t.path.length > 0) return undefined;
    return refFromTypeAnnotation(t.node, t.module);
  }
  if (t.kind !== 'node' || t.path.length > 0) return undefined;
  const node = t.node;
  const m = t.module;
  if (ts.isNewExpression(node) || ts.isCallExpression(node) || ts.isClassDeclaration(node)) {
    const def = m.host.definitionAt(node, m);
    if (def !== undefined) return { library: def.library, kind: def.kind === 'client' ? 'client' : 'pool', definition: def };
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrapExpression(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    const hasCallback = node.arguments.some(isFunctionArgument);
    const receiver = connectionObjectOf(callee.expression, m, depth + 1);
    if (receiver === undefined) return undefined;
    const withDef = (kind: ConnectionObjectRef['kind']): ConnectionObjectRef =>
      receiver.definition !== undefined ? { library: receiver.library, kind, definition: receiver.definition } : { library: receiver.library, kind };
    if (method === 'connect' && !hasCallback && receiver.kind === 'pool' && CONNECT_RETURNS_CLIENT.has(receiver.library)) return withDef('pool-client');
    if (method === 'createQueryRunner' && receiver.library === 'typeorm' && receiver.kind === 'pool') return withDef('query-runner');
    if (method === 'reserve' && receiver.library === 'postgres' && receiver.kind === 'pool') return withDef('reserved');
    if (method === 'transaction' && !hasCallback && receiver.kind === 'pool' && (receiver.library === 'knex' || receiver.library === 'sequelize')) {
      return withDef('transaction');
    }
  }
  return undefined;
}

// ---- declared types (only as far as `this: T` needs) ------------------------

/** The declaration of a type name: a type alias or interface of this module, or one an import names from an analysed file. */
function typeDeclaration(id: ts.Identifier, module: JsModule, depth: number): { node: ts.TypeAliasDeclaration | ts.InterfaceDeclaration; module: JsModule } | undefined {
  if (depth > 8) return undefined;
  for (const st of module.sourceFile.statements) {
    if ((ts.isTypeAliasDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name.text === id.text) return { node: st, module };
  }
  const d = module.lookup(id);
  if (d?.kind !== 'import' || !ts.isImportSpecifier(d.node)) return undefined;
  const decl = d.node.parent.parent.parent;
  if (!ts.isStringLiteralLike(decl.moduleSpecifier)) return undefined;
  const r = module.host.resolveImport(module.file, decl.moduleSpecifier.text);
  if (r.kind !== 'local') return undefined;
  const name = (d.node.propertyName ?? d.node.name).text;
  for (const st of r.module.sourceFile.statements) {
    if ((ts.isTypeAliasDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name.text === name && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return { node: st, module: r.module };
  }
  return undefined;
}

/** The declared type of property `key` of a type (object type, interface, alias, intersection). */
function typeMember(type: ts.TypeNode, module: JsModule, key: string, depth: number): { type: ts.TypeNode; module: JsModule } | undefined {
  if (depth > 8) return undefined;
  if (ts.isParenthesizedTypeNode(type)) return typeMember(type.type, module, key, depth + 1);
  if (ts.isIntersectionTypeNode(type)) {
    for (const t of type.types) {
      const m = typeMember(t, module, key, depth + 1);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  const members = ts.isTypeLiteralNode(type) ? type.members : undefined;
  if (members !== undefined) {
    for (const m of members) if (ts.isPropertySignature(m) && m.type !== undefined && staticPropertyName(m.name) === key) return { type: m.type, module };
    return undefined;
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeArguments === undefined) {
    const d = typeDeclaration(type.typeName, module, depth + 1);
    if (d === undefined) return undefined;
    if (ts.isTypeAliasDeclaration(d.node)) return d.node.typeParameters ? undefined : typeMember(d.node.type, d.module, key, depth + 1);
    if (d.node.typeParameters || d.node.heritageClauses) return undefined;
    for (const m of d.node.members) if (ts.isPropertySignature(m) && m.type !== undefined && staticPropertyName(m.name) === key) return { type: m.type, module: d.module };
  }
  return undefined;
}

/** `typeof x`, also through type aliases (`type PgDependency = typeof pg`): the value x names. */
function typeQueryOf(type: ts.TypeNode, module: JsModule, depth: number): { name: ts.Identifier; module: JsModule } | undefined {
  if (depth > 8) return undefined;
  if (ts.isParenthesizedTypeNode(type)) return typeQueryOf(type.type, module, depth + 1);
  if (ts.isTypeQueryNode(type) && ts.isIdentifier(type.exprName) && type.typeArguments === undefined) return { name: type.exprName, module };
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeArguments === undefined) {
    const d = typeDeclaration(type.typeName, module, depth + 1);
    if (d !== undefined && ts.isTypeAliasDeclaration(d.node) && !d.node.typeParameters) return typeQueryOf(d.node.type, d.module, depth + 1);
  }
  return undefined;
}
