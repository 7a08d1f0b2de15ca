import ts from '../typescript.cjs';
import { directives, dottedName, hasDefaultModifier, hasExportModifier, isFunctionNode, propertyNameText, unwrap, type FunctionNode } from './ast.js';

/** What a module exports, imports and declares at the top level: the lookups the scope detectors share. */
export interface ModuleIndex {
  sourceFile: ts.SourceFile;
  /** Top-level function declarations, `const`/`let` initialisers and classes, by name. */
  topLevel: Map<string, ts.Node>;
  /** Exported name (`default` for the default export, CommonJS included) → the exported declaration or expression. */
  exports: Map<string, ts.Node>;
  /** Local name → module specifier, for ES imports and `require` (type-only imports included). */
  imports: Map<string, string>;
  importedModules: Set<string>;
  /** The file starts with `'use server'` (Next.js Server Actions). */
  useServer: boolean;
}

export function indexModule(sf: ts.SourceFile): ModuleIndex {
  const index: ModuleIndex = {
    sourceFile: sf,
    topLevel: new Map(),
    exports: new Map(),
    imports: new Map(),
    importedModules: new Set(),
    useServer: directives(sf.statements).includes('use server'),
  };
  const reexports: Array<[string, string]> = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const from = st.moduleSpecifier.text;
      index.importedModules.add(from);
      const clause = st.importClause;
      if (clause?.name) index.imports.set(clause.name.text, from);
      const nb = clause?.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) index.imports.set(nb.name.text, from);
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) index.imports.set(el.name.text, from);
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
      index.importedModules.add(st.moduleReference.expression.text);
      index.imports.set(st.name.text, st.moduleReference.expression.text);
    } else if (ts.isFunctionDeclaration(st)) {
      if (st.name) index.topLevel.set(st.name.text, st);
      if (hasExportModifier(st)) index.exports.set(hasDefaultModifier(st) ? 'default' : (st.name?.text ?? 'default'), st);
    } else if (ts.isClassDeclaration(st)) {
      if (st.name) index.topLevel.set(st.name.text, st);
      if (hasExportModifier(st)) index.exports.set(hasDefaultModifier(st) ? 'default' : (st.name?.text ?? 'default'), st);
    } else if (ts.isVariableStatement(st)) {
      const exported = hasExportModifier(st);
      for (const d of st.declarationList.declarations) {
        const required = requiredModule(d.initializer);
        if (required !== undefined) {
          index.importedModules.add(required);
          if (ts.isIdentifier(d.name)) index.imports.set(d.name.text, required);
          else if (ts.isObjectBindingPattern(d.name)) for (const el of d.name.elements) if (ts.isIdentifier(el.name)) index.imports.set(el.name.text, required);
        }
        if (!ts.isIdentifier(d.name)) continue;
        if (d.initializer) index.topLevel.set(d.name.text, d.initializer);
        if (exported && d.initializer) index.exports.set(d.name.text, d);
      }
    } else if (ts.isExportAssignment(st)) {
      // `export default expr`, and TypeScript's CommonJS `export = expr`.
      index.exports.set('default', st.expression);
      if (st.isExportEquals) collectObjectExports(st.expression, index);
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) reexports.push([el.name.text, (el.propertyName ?? el.name).text]);
    } else if (ts.isExpressionStatement(st)) {
      collectCommonJsExport(st.expression, index);
    }
  }
  for (const [exported, local] of reexports) {
    const target = index.topLevel.get(local);
    if (target) index.exports.set(exported, target);
  }
  return index;
}

/** `require('m')`, `require('m').x` → 'm'. */
function requiredModule(init: ts.Expression | undefined): string | undefined {
  if (!init) return undefined;
  let e = unwrap(init);
  // `require('m').x`, `await import('m')`, `require('fastify')({ logger: true })`
  for (;;) {
    if (ts.isPropertyAccessExpression(e) || ts.isAwaitExpression(e)) e = unwrap(e.expression);
    else if (ts.isCallExpression(e) && ts.isCallExpression(unwrap(e.expression))) e = unwrap(e.expression);
    else break;
  }
  if (ts.isCallExpression(e) && (ts.isIdentifier(e.expression) && e.expression.text === 'require' || e.expression.kind === ts.SyntaxKind.ImportKeyword)) {
    const arg = e.arguments[0];
    if (arg && ts.isStringLiteralLike(arg)) return arg.text;
  }
  return undefined;
}

/** `exports.x = …`, `module.exports.x = …`, `module.exports = { … }` or `module.exports = fn`. */
function collectCommonJsExport(expr: ts.Expression, index: ModuleIndex): void {
  if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = dottedName(expr.left);
  if (target === undefined) return;
  if (target === 'module.exports') {
    index.exports.set('default', expr.right);
    collectObjectExports(expr.right, index);
    return;
  }
  const m = /^(?:module\.exports|exports)\.([A-Za-z_$][\w$]*)$/.exec(target);
  if (m) index.exports.set(m[1]!, expr.right);
}

function collectObjectExports(value: ts.Expression, index: ModuleIndex): void {
  const obj = unwrap(value);
  if (!ts.isObjectLiteralExpression(obj)) return;
  for (const p of obj.properties) {
    if (ts.isShorthandPropertyAssignment(p)) {
      const target = index.topLevel.get(p.name.text);
      index.exports.set(p.name.text, target ?? p.name);
    } else if (ts.isPropertyAssignment(p)) {
      const name = propertyNameText(p.name);
      if (name !== undefined) index.exports.set(name, p.initializer);
    } else if (ts.isMethodDeclaration(p)) {
      const name = propertyNameText(p.name);
      if (name !== undefined) index.exports.set(name, p);
    }
  }
}

/**
 * The functions an exported or registered value runs when called: the function itself,
 * a local function it names, or the function arguments of a wrapper call
 * (`middy(handler)`, `withAuth(async (req, res) => …)`, `handle(fn).use(…)`).
 */
export function resolveFunctions(index: ModuleIndex, node: ts.Node | undefined, depth = 0): FunctionNode[] {
  if (!node || depth > 4) return [];
  if (isFunctionNode(node)) return [node];
  if (ts.isVariableDeclaration(node)) return resolveFunctions(index, node.initializer, depth + 1);
  if (!isExpressionNode(node)) return [];
  const e = unwrap(node);
  if (isFunctionNode(e)) return [e];
  if (ts.isIdentifier(e)) {
    const target = index.topLevel.get(e.text);
    return target && target !== node ? resolveFunctions(index, target, depth + 1) : [];
  }
  if (ts.isCallExpression(e)) {
    const out: FunctionNode[] = [];
    for (const arg of e.arguments) out.push(...resolveFunctions(index, arg, depth + 1));
    // `middy(base).use(x)`: the wrapped function is in the inner call.
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(unwrap(callee.expression))) out.push(...resolveFunctions(index, callee.expression, depth + 1));
    return out;
  }
  return [];
}

function isExpressionNode(node: ts.Node): node is ts.Expression {
  return ts.isExpression(node) || ts.isIdentifier(node);
}

/** Does the module import something from a module matching `test`? */
export function importsFrom(index: ModuleIndex, test: (specifier: string) => boolean): boolean {
  for (const m of index.importedModules) if (test(m)) return true;
  return false;
}

/** Names imported from modules matching `test` (type names included). */
export function namesImportedFrom(index: ModuleIndex, test: (specifier: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const [name, from] of index.imports) if (test(from)) out.add(name);
  return out;
}
