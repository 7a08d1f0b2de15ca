import ts from '../typescript.cjs';
import type { JsLibrary, JsModuleContext } from '../types.js';

/** `(x)`, `x as T`, `<T>x`, `x!`, `x satisfies T` → `x`. */
export function unwrap(node: ts.Expression): ts.Expression {
  let n = node;
  for (;;) {
    if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isTypeAssertionExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n)) {
      n = n.expression;
    } else return n;
  }
}

/** The outermost node that is only a wrapper around `node` (parentheses, casts, `!`). */
export function outerOf(node: ts.Node): ts.Node {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isTypeAssertionExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p))) n = p;
    else return n;
  }
}

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

/** The nearest enclosing function of a node, or undefined at module scope. */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) return n;
    // Class field initialisers and static blocks run once per instance/class, like module code.
    if (ts.isSourceFile(n)) return undefined;
  }
  return undefined;
}

/**
 * Every node of a subtree, parents before children, without recursion (5,000-line files
 * and deeply nested expressions must not overflow the stack).
 */
export function descendants(root: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  forEachDescendant(root, (n) => {
    out.push(n);
  });
  return out;
}

/** Calls `visit` on every node of a subtree (parents before children, siblings in reverse order), iteratively. */
export function forEachDescendant(root: ts.Node, visit: (n: ts.Node) => void): void {
  const stack: ts.Node[] = [root];
  const push = (c: ts.Node): void => {
    stack.push(c);
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    visit(n);
    ts.forEachChild(n, push);
  }
}

/** Name of a property access / call callee: `a.b.c` → `c`. */
export function memberName(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

/** The receiver of `a.b` / `a?.b` / `a['b']`. */
export function memberObject(expr: ts.Expression): ts.Expression | undefined {
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return e.expression;
  return undefined;
}

/** Source text of an expression on one line, shortened for messages. */
export function shortText(node: ts.Node, sf: ts.SourceFile, max = 60): string {
  const t = node.getText(sf).replace(/\s+/g, ' ').replace(/\s*\.\s*/g, '.');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Local name → the module it is imported or required from (`import { Pool } from 'pg'`, `const pg = require('pg')`). */
export interface ImportedBinding {
  module: string;
  /** Imported name; `default` for default imports, `*` for namespaces and whole-module requires. */
  imported: string;
}

export function importedBindings(sf: ts.SourceFile): Map<string, ImportedBinding> {
  const out = new Map<string, ImportedBinding>();
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.importClause) {
      const module = st.moduleSpecifier.text;
      const c = st.importClause;
      if (c.name) out.set(c.name.text, { module, imported: 'default' });
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) out.set(nb.name.text, { module, imported: '*' });
      if (nb && ts.isNamedImports(nb)) for (const s of nb.elements) out.set(s.name.text, { module, imported: (s.propertyName ?? s.name).text });
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
      out.set(st.name.text, { module: st.moduleReference.expression.text, imported: '*' });
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer ? unwrap(d.initializer) : undefined;
        const module = init ? requiredModule(init) : undefined;
        if (module === undefined) continue;
        if (ts.isIdentifier(d.name)) out.set(d.name.text, { module, imported: '*' });
        else if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            out.set(el.name.text, { module, imported: prop });
          }
        }
      }
    }
  }
  return out;
}

/** `require('x')` (also `require('x').default`) → 'x'. */
function requiredModule(e: ts.Expression): string | undefined {
  let n = e;
  if (ts.isPropertyAccessExpression(n) && n.name.text === 'default') n = unwrap(n.expression);
  if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && n.arguments.length === 1) {
    const a = n.arguments[0]!;
    if (ts.isStringLiteralLike(a)) return a.text;
  }
  return undefined;
}

/** The libraries this module imports (used where a receiver cannot be resolved). */
export function importedLibraries(ctx: JsModuleContext, imports: Map<string, ImportedBinding>): Set<JsLibrary> {
  const out = new Set<JsLibrary>();
  for (const b of imports.values()) {
    const lib = ctx.libraryOf(b.module);
    if (lib) out.add(lib);
  }
  return out;
}

/** Is `name` a parameter of a function enclosing `node` (so it shadows a module-level binding)? */
export function isShadowedByParameter(node: ts.Node, name: string): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunctionLike(n)) {
      for (const p of n.parameters) if (bindsName(p.name, name)) return true;
    }
  }
  return false;
}

export function bindsName(b: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(b)) return b.text === name;
  for (const el of b.elements) if (!ts.isOmittedExpression(el) && bindsName(el.name, name)) return true;
  return false;
}
