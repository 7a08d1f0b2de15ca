/**
 * A tree-sitter syntax tree as extractors read it: the grammar's node types and field names
 * (tree-sitter-python 0.25 …, shipped as WASM by @vscode/tree-sitter-wasm), with offsets in UTF-16
 * code units of the file's text, the unit of every position pgconn-lint reports. Plain objects,
 * decoded from the parse worker's answer (parse.ts): no WASM memory to free.
 */
export interface SyntaxNode {
  type: string;
  /** The field this node fills in its parent (`function`, `arguments`, `left`, `right`, `name`, `value`, `key` …). */
  field: string | undefined;
  /** Offsets in the text, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
  /** A named node (`call`, `identifier`) rather than a token (`(`, `=`, `or`). */
  named: boolean;
  /** Inserted by the parser where a token was missing (error recovery). */
  missing: boolean;
  children: SyntaxNode[];
  parent: SyntaxNode | undefined;
}

/** What the parser gives back for one file. */
export type TreeParse = { ok: true; root: SyntaxNode } | { ok: false; reason: string };

const FLAG_NAMED = 1;
const FLAG_MISSING = 2;

/**
 * Rebuilds a tree from the flat encoding the parse worker sends (parse.ts): per node, in pre-order,
 * type id, field id + 1 (0 = none), start, end, flags, child count.
 */
export function decodeTree(types: readonly string[], fields: readonly (string | null)[], data: Int32Array): SyntaxNode | undefined {
  if (data.length < 6) return undefined;
  let i = 0;
  const read = (parent: SyntaxNode | undefined): SyntaxNode => {
    const typeId = data[i]!;
    const fieldId = data[i + 1]!;
    const flags = data[i + 4]!;
    const node: SyntaxNode = {
      type: types[typeId] ?? 'ERROR',
      field: fieldId > 0 ? (fields[fieldId - 1] ?? undefined) : undefined,
      start: data[i + 2]!,
      end: data[i + 3]!,
      named: (flags & FLAG_NAMED) !== 0,
      missing: (flags & FLAG_MISSING) !== 0,
      children: [],
      parent,
    };
    const count = data[i + 5]!;
    i += 6;
    for (let k = 0; k < count && i < data.length; k++) node.children.push(read(node));
    return node;
  };
  return read(undefined);
}

export function child(node: SyntaxNode, field: string): SyntaxNode | undefined {
  return node.children.find((c) => c.field === field);
}

export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  return node.children.filter((c) => c.named && c.type !== 'comment');
}

export function textOf(text: string, node: SyntaxNode): string {
  return text.slice(node.start, node.end);
}

/** Every node of the tree, depth first (iterative: a deeply nested expression does not overflow the stack). */
export function* walk(root: SyntaxNode): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (let k = n.children.length - 1; k >= 0; k--) stack.push(n.children[k]!);
  }
}

/** ERROR and MISSING nodes: where the parser recovered from a syntax error. */
export function syntaxErrors(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.missing) {
      out.push(n);
      continue; // one error per recovered region
    }
    for (let k = n.children.length - 1; k >= 0; k--) stack.push(n.children[k]!);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Python's trees are tree-sitter trees. */
export type PyNode = SyntaxNode;
