/**
 * A tree-sitter syntax tree as extractors read it: the grammar's node types and field names
 * (tree-sitter-python 0.25 …, shipped as WASM by @vscode/tree-sitter-wasm), with offsets in UTF-16
 * code units of the file's text, the unit of every position pgconn-lint reports. Plain objects
 * decoded from the parse worker's answer (runtime.ts), with the web-tree-sitter `Node` getters the
 * Ruby extractors read: no WASM memory to free.
 */
/** The text a tree was parsed from, with its line starts (for `startPosition`/`endPosition`). */
class TreeText {
  private lineStarts: number[] | undefined;
  constructor(readonly text: string) {}
  position(offset: number): { row: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - starts[lo]! };
  }
}

export class SyntaxNode {
  /** The field this node fills in its parent (`function`, `arguments`, `left`, `right`, `name`, `value`, `key` …). */
  field: string | undefined;
  children: SyntaxNode[] = [];
  private errorInside: boolean | undefined;
  constructor(
    private readonly source: TreeText,
    readonly type: string,
    field: string | undefined,
    /** Offsets in the text, UTF-16 code units, end exclusive. */
    readonly start: number,
    readonly end: number,
    /** A named node (`call`, `identifier`) rather than a token (`(`, `=`, `or`). */
    readonly named: boolean,
    /** Inserted by the parser where a token was missing (error recovery). */
    readonly missing: boolean,
    readonly parent: SyntaxNode | undefined,
  ) {
    this.field = field;
  }

  // The web-tree-sitter `Node` API the Ruby extractors read (same meaning; positions in UTF-16 code units).
  get text(): string {
    return this.source.text.slice(this.start, this.end);
  }
  get startIndex(): number {
    return this.start;
  }
  get endIndex(): number {
    return this.end;
  }
  get startPosition(): { row: number; column: number } {
    return this.source.position(this.start);
  }
  get endPosition(): { row: number; column: number } {
    return this.source.position(this.end);
  }
  get isNamed(): boolean {
    return this.named;
  }
  get isMissing(): boolean {
    return this.missing;
  }
  get isError(): boolean {
    return this.type === 'ERROR';
  }
  get namedChildren(): SyntaxNode[] {
    return this.children.filter((c) => c.named);
  }
  childForFieldName(name: string): SyntaxNode | null {
    return this.children.find((c) => c.field === name) ?? null;
  }
  /** An ERROR or MISSING node in this subtree. */
  get hasError(): boolean {
    if (this.errorInside === undefined) {
      let found = false;
      const stack: SyntaxNode[] = [this];
      while (stack.length > 0 && !found) {
        const n = stack.pop()!;
        if (n.type === 'ERROR' || n.missing) found = true;
        else for (const c of n.children) stack.push(c);
      }
      this.errorInside = found;
    }
    return this.errorInside;
  }
}

/** What the parser gives back for one file. */
export type TreeParse = { ok: true; root: SyntaxNode } | { ok: false; reason: string; timeout?: true };

const FLAG_NAMED = 1;
const FLAG_MISSING = 2;

/**
 * Rebuilds a tree from the flat encoding the parse worker sends (parse.ts): per node, in pre-order,
 * type id, field id + 1 (0 = none), start, end, flags, child count.
 */
export function decodeTree(types: readonly string[], fields: readonly (string | null)[], data: Int32Array, text: string): SyntaxNode | undefined {
  if (data.length < 6) return undefined;
  const source = new TreeText(text);
  let i = 0;
  const read = (parent: SyntaxNode | undefined): SyntaxNode => {
    const typeId = data[i]!;
    const fieldId = data[i + 1]!;
    const flags = data[i + 4]!;
    const node = new SyntaxNode(source, types[typeId] ?? 'ERROR', fieldId > 0 ? (fields[fieldId - 1] ?? undefined) : undefined, data[i + 2]!, data[i + 3]!, (flags & FLAG_NAMED) !== 0, (flags & FLAG_MISSING) !== 0, parent);
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
