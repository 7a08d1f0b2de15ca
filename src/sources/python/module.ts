import { dirname, join } from 'node:path';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { child, namedChildren, type PyNode } from '../tree-sitter/syntax.js';

/** One `import` binding: the local name stands for `module` (`import x.y as z`) or for `name` of `module` (`from m import name as z`). */
export interface PyImport {
  /** Dotted module path as written, without the leading dots. */
  module: string;
  /** Leading dots of a relative import (`from ..config import x`: 2). */
  level: number;
  /** The imported name (`from m import name`); undefined for `import m`. */
  name?: string;
}

/** A parsed module with the lookups every extractor needs. */
export class PyModule {
  readonly lines: LineIndex;
  /** Local name → what it imports. */
  readonly imports = new Map<string, PyImport>();
  /** Module-level `NAME = value` (also `NAME: T = value`), every assignment in file order. */
  readonly assignments = new Map<string, PyNode[]>();
  /** Module-level classes and functions by name. */
  readonly classes = new Map<string, PyNode>();
  readonly functions = new Map<string, PyNode>();

  constructor(
    readonly file: string,
    readonly text: string,
    readonly root: PyNode,
  ) {
    this.lines = new LineIndex(text);
    for (const stmt of root.children) this.indexStatement(stmt);
  }

  private indexStatement(stmt: PyNode): void {
    switch (stmt.type) {
      case 'import_statement':
        for (const n of stmt.children.filter((c) => c.field === 'name')) {
          if (n.type === 'aliased_import') {
            const name = child(n, 'name');
            const alias = child(n, 'alias');
            if (name && alias) this.imports.set(this.src(alias), { module: this.src(name), level: 0 });
          } else if (n.type === 'dotted_name') {
            // `import a.b` binds `a` (to the package a).
            const first = this.src(n).split('.')[0]!;
            this.imports.set(first, { module: first, level: 0 });
          }
        }
        return;
      case 'import_from_statement': {
        const m = child(stmt, 'module_name');
        if (!m) return;
        let module = '';
        let level = 0;
        if (m.type === 'relative_import') {
          for (const c of m.children) {
            if (c.type === 'import_prefix') level = this.src(c).length;
            else if (c.type === 'dotted_name') module = this.src(c);
          }
        } else module = this.src(m);
        for (const n of stmt.children.filter((c) => c.field === 'name')) {
          if (n.type === 'aliased_import') {
            const name = child(n, 'name');
            const alias = child(n, 'alias');
            if (name && alias) this.imports.set(this.src(alias), { module, level, name: this.src(name) });
          } else if (n.type === 'dotted_name') this.imports.set(this.src(n), { module, level, name: this.src(n) });
        }
        return;
      }
      case 'expression_statement': {
        const a = stmt.children[0];
        if (a?.type === 'assignment') this.indexAssignment(a);
        return;
      }
      case 'class_definition':
      case 'function_definition': {
        const name = child(stmt, 'name');
        if (name) (stmt.type === 'class_definition' ? this.classes : this.functions).set(this.src(name), stmt);
        return;
      }
      case 'decorated_definition': {
        const d = child(stmt, 'definition');
        if (d) this.indexStatement(d);
        return;
      }
      case 'if_statement':
      case 'try_statement':
      case 'with_statement':
        // Module-level code under `if`/`try` (settings that depend on the environment) still defines names.
        for (const block of walkBlocks(stmt)) for (const s of block.children) this.indexStatement(s);
        return;
      default:
        return;
    }
  }

  private indexAssignment(a: PyNode): void {
    const left = child(a, 'left');
    const right = child(a, 'right');
    if (!left || !right) return;
    if (left.type === 'identifier') {
      const name = this.src(left);
      const list = this.assignments.get(name) ?? [];
      // `A = B = 5`: the right side of the inner assignment is the value.
      list.push(right.type === 'assignment' ? (child(right, 'right') ?? right) : right);
      this.assignments.set(name, list);
      if (right.type === 'assignment') this.indexAssignment(right);
    }
  }

  src(node: PyNode): string {
    return this.text.slice(node.start, node.end);
  }

  rangeOf(node: Pick<PyNode, 'start' | 'end'>): SourceRange {
    return this.lines.range(this.file, node.start, node.end);
  }

  /**
   * The dotted name an expression stands for through imports: `create_engine` after
   * `from sqlalchemy import create_engine` → `sqlalchemy.create_engine`; `sa.create_engine` after
   * `import sqlalchemy as sa` → the same. A local name stays as it is.
   */
  qualifiedName(expr: PyNode): string | undefined {
    if (expr.type === 'identifier') {
      const name = this.src(expr);
      const imp = this.imports.get(name);
      if (!imp) return name;
      const mod = `${'.'.repeat(imp.level)}${imp.module}`;
      return imp.name !== undefined ? `${mod}.${imp.name}` : mod;
    }
    if (expr.type === 'attribute') {
      const obj = child(expr, 'object');
      const attr = child(expr, 'attribute');
      if (!obj || !attr) return undefined;
      const base = this.qualifiedName(obj);
      return base === undefined ? undefined : `${base}.${this.src(attr)}`;
    }
    return undefined;
  }

  /** Candidate files of an imported module, nearest first (a relative import is exact; an absolute one is tried from each ancestor folder). */
  moduleFiles(imp: PyImport, stopAt: string): string[] {
    const parts = imp.module === '' ? [] : imp.module.split('.');
    const out: string[] = [];
    const add = (dir: string) => {
      const base = join(dir, ...parts);
      out.push(`${base}.py`, join(base, '__init__.py'));
      // `from pkg import mod`: the name may be a submodule.
      if (imp.name !== undefined) out.push(join(base, `${imp.name}.py`), join(base, imp.name, '__init__.py'));
    };
    if (imp.level > 0) {
      let dir = dirname(this.file);
      for (let k = 1; k < imp.level; k++) dir = dirname(dir);
      add(dir);
      return out;
    }
    let dir = dirname(this.file);
    for (let guard = 0; guard < 32; guard++) {
      add(dir);
      if (dir === stopAt || dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    return out;
  }
}

/** The blocks of a compound statement (if/elif/else, try/except/else/finally, with). */
function walkBlocks(stmt: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const visit = (n: PyNode) => {
    for (const c of n.children) {
      if (c.type === 'block') out.push(c);
      else if (c.type === 'elif_clause' || c.type === 'else_clause' || c.type === 'except_clause' || c.type === 'finally_clause') visit(c);
    }
  };
  visit(stmt);
  return out;
}

/** The positional arguments and keyword arguments of a call. `splat` is set when `*args`/`**kwargs` may hide more. */
export interface CallArgs {
  positional: PyNode[];
  keywords: Map<string, { name: PyNode; value: PyNode }>;
  splat: PyNode[];
}

export function callArgs(call: PyNode, mod: PyModule): CallArgs {
  const out: CallArgs = { positional: [], keywords: new Map(), splat: [] };
  const list = child(call, 'arguments');
  if (!list) return out;
  for (const a of namedChildren(list)) {
    if (a.type === 'keyword_argument') {
      const name = child(a, 'name');
      const value = child(a, 'value');
      if (name && value) out.keywords.set(mod.src(name), { name, value });
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') out.splat.push(a);
    else out.positional.push(a);
  }
  return out;
}

/** The innermost function a node is inside (undefined at module level), and the decorators of that function. */
export function enclosingFunction(node: PyNode): { fn: PyNode; decorators: PyNode[] } | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') {
      const decorated = p.parent?.type === 'decorated_definition' ? p.parent : undefined;
      return { fn: p, decorators: decorated ? decorated.children.filter((c) => c.type === 'decorator') : [] };
    }
    if (p.type === 'lambda') return { fn: p, decorators: [] };
  }
  return undefined;
}
