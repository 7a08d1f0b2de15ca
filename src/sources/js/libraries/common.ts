import { relative, sep } from 'node:path';
import ts from '../typescript.cjs';
import type { JsModule } from '../module.js';
import { trace } from '../module.js';
import type { OptionBag } from '../options.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../types.js';
import { isFunctionLike, staticPropertyName, unwrapExpression, walk } from '../walk.js';

/** What a library reader gets: the construction and the project around it. */
export interface Site {
  module: JsModule;
  node: ts.NewExpression | ts.CallExpression | ts.ClassDeclaration;
  /** The arguments of the construction (for a class: of its `super(…)` call). */
  args: readonly ts.Expression[];
  construct: string;
  /** Import path of the library as written (`drizzle-orm/node-postgres`). */
  specifier: string;
  project: ExtractContext;
}

export interface ExtractContext {
  repoRoot: string;
  /** Does the package that holds this file depend on a PostgreSQL driver (`pg`, `postgres`)? */
  usesPostgresDriver(file: string): boolean;
  /** The definition created at a node (wrapped pools), extracting its module when needed. */
  definitionAt(node: ts.Node, module: JsModule): PoolDefinition | undefined;
}

export function definitionId(repoRoot: string, file: string, line: number, column: number): string {
  const rel = relative(repoRoot, file).split(sep).join('/');
  return `${rel}:${line}:${column}`;
}

/** The common part of every definition: where, what, bound to what, in which scope. */
export function baseDefinition(site: Site, library: JsLibrary, kind: PoolDefinition['kind'], max: Resolved<number>): PoolDefinition {
  const range = site.module.rangeOf(site.node);
  const def: PoolDefinition = {
    id: definitionId(site.project.repoRoot, site.module.file, range.line, range.column),
    library,
    kind,
    construct: site.construct,
    file: site.module.file,
    range,
    exportedAs: [],
    scope: scopeOf(site.node, site.module),
    max,
    startupParameters: [],
    options: [],
  };
  const b = bindingOf(site.node);
  if (b !== undefined) def.binding = b;
  return def;
}

/** Copies the options as written into the definition (containers such as `pool: {…}` are implied by their entries). */
export function recordOptions(def: PoolDefinition, bag: OptionBag, prefix = ''): void {
  for (const e of bag.entries) {
    if (e.container) continue;
    def.options.push({ name: prefix + e.name, value: e.value, range: e.range });
  }
  for (const o of bag.opaque) {
    const name = prefix === '' ? o.prefix : o.prefix === '' ? prefix.replace(/\.$/, '') : prefix + o.prefix;
    (def.opaqueOptions ??= []).push({ prefix: name, reason: o.reason, ...(o.range ? { range: o.range } : {}) });
  }
}

// ---- binding and scope ----------------------------------------------------

/** Climbs through expressions that pass the value on unchanged (`(x)`, `x as T`, `await x`, `a ?? x`, `c ? x : y`). */
export function climbValue(node: ts.Node): ts.Node {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (p === undefined) return n;
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p) || ts.isTypeAssertionExpression(p) || ts.isAwaitExpression(p)) {
      n = p;
      continue;
    }
    if (ts.isBinaryExpression(p) && p.right === n && (p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      n = p;
      continue;
    }
    if (ts.isConditionalExpression(p) && p.condition !== n) {
      n = p;
      continue;
    }
    return n;
  }
}

function isAssignment(p: ts.Node): p is ts.BinaryExpression {
  if (!ts.isBinaryExpression(p)) return false;
  const k = p.operatorToken.kind;
  return k === ts.SyntaxKind.EqualsToken || k === ts.SyntaxKind.QuestionQuestionEqualsToken || k === ts.SyntaxKind.BarBarEqualsToken;
}

function enclosingClass(n: ts.Node): ts.ClassLikeDeclaration | undefined {
  let p: ts.Node | undefined = n.parent;
  while (p !== undefined && !ts.isClassLike(p)) p = p.parent;
  return p;
}

/** The variable or property the new instance is assigned to. */
export function bindingOf(node: ts.Node): string | undefined {
  if (ts.isClassDeclaration(node)) return node.name?.text;
  const top = climbValue(node);
  const p = top.parent;
  if (p === undefined) return undefined;
  if (ts.isVariableDeclaration(p) && p.initializer === top) return ts.isIdentifier(p.name) ? p.name.text : undefined;
  if (isAssignment(p) && p.right === top) return unwrapExpression(p.left).getText().replace(/\s+/g, '');
  if (ts.isPropertyDeclaration(p) && p.initializer === top) {
    const name = staticPropertyName(p.name);
    if (name === undefined) return undefined;
    const isStatic = ts.getModifiers(p)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false;
    return isStatic ? `${enclosingClass(p)?.name?.text ?? 'class'}.${name}` : `this.${name}`;
  }
  if (ts.isPropertyAssignment(p) && p.initializer === top) return staticPropertyName(p.name);
  return undefined;
}

function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  if (ts.isFunctionDeclaration(fn)) return 'default';
  if (ts.isConstructorDeclaration(fn)) return `${enclosingClass(fn)?.name?.text ?? 'class'} constructor`;
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const n = staticPropertyName(fn.name);
    const cls = ts.isClassLike(fn.parent) ? fn.parent.name?.text : undefined;
    return n === undefined ? undefined : cls ? `${cls}.${n}` : n;
  }
  const top = climbValue(fn);
  const p = top.parent;
  if (p !== undefined) {
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return staticPropertyName(p.name);
    if (isAssignment(p)) return unwrapExpression(p.left).getText().replace(/\s+/g, '');
    if (ts.isExportAssignment(p)) return 'default';
  }
  return undefined;
}

/** Created once at module scope, or per call of a function (with the lazy-singleton patterns recognised). */
export function scopeOf(node: ts.Node, module: JsModule): PoolDefinition['scope'] {
  if (ts.isClassDeclaration(node)) return { kind: 'module' };
  let n: ts.Node | undefined = node.parent;
  let prev: ts.Node = node;
  while (n !== undefined && !ts.isSourceFile(n)) {
    if (isFunctionLike(n)) {
      const name = functionName(n);
      return { kind: 'function', ...(name !== undefined ? { name } : {}), range: module.rangeOf(n), lazySingleton: isLazySingleton(node, n, module) };
    }
    if (ts.isClassStaticBlockDeclaration(n)) return { kind: 'module' };
    if (ts.isPropertyDeclaration(n) && n.initializer === prev) {
      const isStatic = ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false;
      if (!isStatic) {
        const cls = enclosingClass(n);
        return { kind: 'function', name: `${cls?.name?.text ?? 'class'} constructor`, range: module.rangeOf(cls ?? n), lazySingleton: false };
      }
    }
    prev = n;
    n = n.parent;
  }
  return { kind: 'module' };
}

/** Is this node a module-level binding (or a property of the global object, or a static field)? */
function isProcessWideTarget(target: ts.Expression, module: JsModule): boolean {
  const t = unwrapExpression(target);
  if (ts.isIdentifier(t)) {
    const d = module.lookup(t);
    return d?.kind === 'var' && ts.isVariableStatement(d.declaration.parent.parent) && ts.isSourceFile(d.declaration.parent.parent.parent);
  }
  if (ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) {
    const obj = unwrapExpression(t.expression);
    if (ts.isIdentifier(obj) && (obj.text === 'globalThis' || obj.text === 'global' || obj.text === 'window') && module.lookup(obj) === undefined) return true;
    const tr = trace(obj, module, [], 'object');
    if (tr?.kind === 'global' && tr.path.length === 0 && (tr.name === 'globalThis' || tr.name === 'global')) return true;
    if (tr?.kind === 'node' && tr.path.length === 0 && ts.isClassDeclaration(tr.node)) return true; // static field: Database.instance
    if (ts.isIdentifier(obj)) return isProcessWideTarget(obj, module); // cache.pool with a module-level cache object
  }
  return false;
}

function lastName(target: ts.Expression): string | undefined {
  const t = unwrapExpression(target);
  if (ts.isIdentifier(t)) return t.text;
  if (ts.isPropertyAccessExpression(t)) return t.name.text;
  if (ts.isElementAccessExpression(t)) {
    const a = unwrapExpression(t.argumentExpression);
    return ts.isStringLiteralLike(a) ? a.text : undefined;
  }
  return undefined;
}

function mentions(cond: ts.Expression, name: string): boolean {
  let found = false;
  walk(cond, (n) => {
    if (found) return false;
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && n.text === name) found = true;
    if (ts.isStringLiteralLike(n) && n.text === name) found = true;
    return undefined;
  });
  return found;
}

/**
 * `if (!pool) pool = new Pool()`, `pool ??= new Pool()`, `globalThis.prisma ??= new PrismaClient()`,
 * `if (!cache.has(k)) cache.set(k, new Pool())` with a module-level `let`/cache: created once per process.
 */
/**
 * Is the value of `node` (a construction, or a call returning one) stored once in a process-wide
 * binding under a guard (`pool ??= …`, `if (!pool) pool = …`, `cache.set(key, …)`)?
 */
export function isLazySingleton(node: ts.Node, fn: ts.FunctionLikeDeclaration, module: JsModule): boolean {
  const top = climbValue(node);
  const p = top.parent;
  let target: ts.Expression | undefined;
  let guardedByOperator = false;
  if (p !== undefined && isAssignment(p) && p.right === top) {
    target = p.left;
    guardedByOperator = p.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
    // pool = pool ?? new Pool()
    const rhs = unwrapExpression(p.right);
    if (ts.isBinaryExpression(rhs) && unwrapExpression(rhs.left).getText() === unwrapExpression(p.left).getText()) guardedByOperator = true;
  } else if (p !== undefined && ts.isCallExpression(p) && p.arguments.includes(top as ts.Expression)) {
    const callee = unwrapExpression(p.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'set') target = callee.expression;
  } else if (p !== undefined && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
    // const pool = new Pool(); cached = pool; — the local is stored in a process-wide binding under a guard
    const local = p.name.text;
    let stored: ts.Expression | undefined;
    walk(fn, (n) => {
      if (stored) return false;
      if (isAssignment(n) && ts.isIdentifier(unwrapExpression(n.right)) && (unwrapExpression(n.right) as ts.Identifier).text === local) stored = n.left;
      return undefined;
    });
    target = stored;
  }
  if (target === undefined || !isProcessWideTarget(target, module)) return false;
  if (guardedByOperator) return true;
  const name = lastName(target);
  if (name === undefined) return false;
  let guarded = false;
  walk(fn.body ?? fn, (n) => {
    if (guarded) return false;
    if (n !== fn && isFunctionLike(n)) return false;
    if ((ts.isIfStatement(n) || ts.isConditionalExpression(n)) && mentions(ts.isIfStatement(n) ? n.expression : n.condition, name)) guarded = true;
    return undefined;
  });
  return guarded;
}

/** The package export a callee refers to: `Pool` from 'pg' → `{ specifier: 'pg', path: ['Pool'] }` (a leading `default` dropped). */
export function calleeOrigin(callee: ts.Expression, module: JsModule): { specifier: string; path: string[] } | undefined {
  let t = trace(callee, module, [], 'object');
  // constructor(private readonly pg = pgModule) / function make(Ctor = Pool): a constructor is known by its default
  if (t?.kind === 'opaque' && ts.isParameter(t.node) && t.node.initializer !== undefined) t = trace(t.node.initializer, t.module, t.path, 'object');
  if (t?.kind !== 'external') return undefined;
  const path = t.path[0] === 'default' ? t.path.slice(1) : [...t.path];
  return { specifier: t.specifier, path };
}
