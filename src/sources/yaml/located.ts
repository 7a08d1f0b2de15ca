import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type Scalar } from 'yaml';
import type { InputProblem } from '../../core/diagnostic.js';
import { capProblemsPerFile, MAX_NESTING_DEPTH, MAX_YAML_ALIAS_NODES, MAX_YAML_DOCUMENTS, MAX_YAML_TOKENS } from '../../core/limits.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { parseYamlStream, TOO_DEEP_CODE } from './stream.js';
import type { EmbeddedLineMap } from './types.js';

/**
 * A YAML (or JS/JSON literal) value with source ranges, aliases and `<<` merge keys
 * resolved: the one tree every deployment extractor walks. Aliased subtrees are shared
 * (a DAG), so an alias bomb costs memory proportional to the file, not to its expansion;
 * the expansion itself is bounded by `maxExpandedNodes`.
 */
export type LNode = LScalar | LMap | LSeq | LUnknown;

interface LBase {
  range: SourceRange;
  /** The alias (`*a`) or merge key (`<<`) through which this node was reached. */
  via?: SourceRange;
}

export interface LScalar extends LBase {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** The scalar's text as written (without quotes). */
  source: string;
  style: 'plain' | 'single' | 'double' | 'block-literal' | 'block-folded' | 'js';
  lineMap: EmbeddedLineMap;
}

export interface LEntry {
  key: string;
  keyRange: SourceRange;
  value: LNode;
  /** Entry added by a `<<` merge key. */
  merged?: SourceRange;
}

export interface LMap extends LBase {
  kind: 'map';
  entries: LEntry[];
}

export interface LSeq extends LBase {
  kind: 'seq';
  items: LNode[];
}

/** A value that is present but not statically known (JS expression, budget-exceeded alias). */
export interface LUnknown extends LBase {
  kind: 'unknown';
  reason: string;
  /** `process.env.X` (optionally `?? fallback` / `|| fallback`). */
  env?: { name: string; fallback?: string | number | boolean };
}

export interface LDocument {
  index: number;
  root: LNode | null;
  range: SourceRange;
  /** The document could not be parsed (its root is then null or partial). */
  hasErrors: boolean;
}

export interface ParsedYaml {
  documents: LDocument[];
  problems: InputProblem[];
  index: LineIndex;
  /** The text parsed (a leading BOM removed: YAML 1.2 §5.2 allows it, and it is not a column). */
  text: string;
}

export interface ParseYamlOptions {
  /** Most nodes reachable through aliases in one document before expansion stops (default MAX_YAML_ALIAS_NODES). */
  maxExpandedNodes?: number;
  /** Stop after this many documents (default MAX_YAML_DOCUMENTS). */
  maxDocuments?: number;
  /** Deepest nesting of collections read, aliases expanded (default MAX_NESTING_DEPTH). */
  maxDepth?: number;
}

/** The part of a `yaml` error message before its code frame (the frame would echo the source, which may hold secrets). */
function errorHeadline(message: string): string {
  const at = message.search(/ at line \d+, column \d+/);
  return (at === -1 ? message.split('\n')[0] ?? message : message.slice(0, at)).trim();
}

export function parseYaml(rawText: string, file: string, options: ParseYamlOptions = {}): ParsedYaml {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const index = new LineIndex(text);
  const problems: InputProblem[] = [];
  const maxExpanded = options.maxExpandedNodes ?? MAX_YAML_ALIAS_NODES;
  const maxDocuments = options.maxDocuments ?? MAX_YAML_DOCUMENTS;
  const maxDepth = options.maxDepth ?? MAX_NESTING_DEPTH;
  // YAML 1.2 core schema; merge keys on (compose and Kubernetes YAML use them, yaml.v3 and
  // sigs.k8s.io/yaml accept them). Duplicate keys are errors, as in yaml.v3.
  // Aliases are expanded by our own walk below (never by toJS), under `maxExpandedNodes`.
  const stream = parseYamlStream(text, { merge: true, uniqueKeys: true, version: '1.2', prettyErrors: false }, { maxDepth, maxDocuments });
  // A stream with no document (only comments/directives): errors there are stream-level.
  for (const e of stream.streamErrors) problems.push({ message: `Invalid YAML: ${errorHeadline(e.message)}.`, range: index.range(file, e.pos[0], e.pos[1]) });
  const documents: LDocument[] = [];
  for (const [i, doc] of stream.documents.entries()) {
    for (const e of doc.errors) {
      // A cap of pgconn-lint, not an error in the file.
      const capped = e.code === TOO_DEEP_CODE;
      problems.push({
        message: capped ? `${errorHeadline(e.message)}.` : `Invalid YAML: ${errorHeadline(e.message)}.`,
        ...(capped ? { severity: 'warning' as const } : {}),
        range: index.range(file, e.pos[0], Math.max(e.pos[1], e.pos[0])),
      });
    }
    for (const w of doc.warnings) {
      problems.push({ message: `YAML: ${errorHeadline(w.message)}.`, severity: 'warning', range: index.range(file, w.pos[0], Math.max(w.pos[1], w.pos[0])) });
    }
    const conv = new Converter(doc, file, index, text, maxExpanded, maxDepth, problems);
    const root = doc.contents ? conv.convert(doc.contents as YamlNode) : null;
    documents.push({ index: i, root, range: index.range(file, doc.range[0], doc.range[1]), hasErrors: doc.errors.length > 0 });
  }
  if (stream.tokensCutAt !== undefined) {
    problems.push({
      message: `File has more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} YAML tokens (pgconn-lint's limit per file); from the document that holds this point on, it was not read.`,
      severity: 'warning',
      range: index.range(file, stream.tokensCutAt, stream.tokensCutAt),
    });
  }
  if (stream.documentsCutAt !== undefined) {
    problems.push({
      message: `File has more than ${maxDocuments} YAML documents (pgconn-lint's limit per file); the rest were not read.`,
      severity: 'warning',
      range: index.range(file, stream.documentsCutAt, stream.documentsCutAt),
    });
  }
  return { documents, problems: capProblemsPerFile(problems), index, text };
}

class Converter {
  private readonly memo = new Map<YamlNode, LNode>();
  private readonly inProgress = new Set<YamlNode>();
  private readonly sizes = new Map<YamlNode, number>();
  private expanded = 0;
  private budgetExceeded = false;
  /** Nesting of the node being converted, aliases expanded: an alias can place a deep subtree deep inside another. */
  private depth = 0;
  private tooDeep = false;
  /** Anchor name → its definitions in document order (`Alias.resolve` would walk the whole document per alias). */
  private readonly anchors = new Map<string, Array<{ offset: number; node: YamlNode }>>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly file: string,
    private readonly index: LineIndex,
    private readonly text: string,
    private readonly maxExpanded: number,
    private readonly maxDepth: number,
    private readonly problems: InputProblem[],
  ) {
    if (doc.contents) this.collectAnchors(doc.contents as YamlNode);
    for (const list of this.anchors.values()) list.sort((a, b) => a.offset - b.offset);
  }

  /** Iterative: the document's depth is bounded, but nothing here needs the stack. */
  private collectAnchors(root: unknown): void {
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const n = stack.pop();
      if (!n || typeof n !== 'object') continue;
      if (isPair(n)) {
        stack.push(n.value, n.key);
        continue;
      }
      const node = n as YamlNode & { anchor?: string };
      if (typeof node.anchor === 'string' && node.anchor !== '' && !isAlias(node)) {
        const list = this.anchors.get(node.anchor) ?? [];
        list.push({ offset: node.range?.[0] ?? 0, node });
        this.anchors.set(node.anchor, list);
      }
      if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }

  /**
   * The node an alias refers to: the latest definition of its anchor before the alias (YAML 1.2 §3.2.2.2).
   * Definitions are sorted by offset: a binary search, so a file that redefines one anchor many times stays linear.
   */
  private resolveAlias(a: YamlNode & { source: string }): YamlNode | undefined {
    const list = this.anchors.get(a.source);
    if (!list) return undefined;
    const at = a.range?.[0] ?? Number.MAX_SAFE_INTEGER;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.offset < at) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1]!.node : undefined;
  }

  private rangeOf(n: { range?: [number, number, number] | null }): SourceRange {
    const r = n.range;
    if (!r) return this.index.range(this.file, 0, 0);
    return this.index.range(this.file, r[0], r[1]);
  }

  /**
   * Nodes an alias to `n` stands for once expanded (memoised; capped to stay a finite number). Sizes
   * are usually known before they are needed (anchors precede their aliases); a chain of aliases
   * that was never converted (inside complex keys) is followed at most 1,000 links deep, and counts
   * as too big past that.
   */
  private expandedSize(n: YamlNode, depth = 0): number {
    const known = this.sizes.get(n);
    if (known !== undefined) return known;
    if (depth > 1000) return 1e12;
    this.sizes.set(n, 1); // cycle guard
    let size = 1;
    if (isMap(n) || isSeq(n)) {
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          if (item.value && typeof item.value === 'object') size += this.expandedSize(item.value as YamlNode, depth + 1);
          size += 1;
        } else if (item && typeof item === 'object') size += this.expandedSize(item as YamlNode, depth + 1);
        if (size > 1e12) break;
      }
    } else if (isAlias(n)) {
      const target = this.resolveAlias(n);
      if (target) size += this.expandedSize(target, depth + 1);
    }
    this.sizes.set(n, size);
    return size;
  }

  convert(n: YamlNode): LNode {
    if (isAlias(n)) return this.convertAlias(n);
    const memo = this.memo.get(n);
    if (memo) return memo;
    if ((isMap(n) || isSeq(n)) && this.depth >= this.maxDepth) return this.tooDeepNode(n);
    this.inProgress.add(n);
    this.depth++;
    let out: LNode;
    if (isScalar(n)) out = this.convertScalar(n);
    else if (isMap(n)) out = this.convertMap(n);
    else if (isSeq(n)) out = { kind: 'seq', range: this.rangeOf(n), items: n.items.map((it) => this.convertItem(it)) };
    else out = { kind: 'unknown', range: this.rangeOf(n as { range?: [number, number, number] }), reason: 'unsupported YAML node' };
    this.depth--;
    this.inProgress.delete(n);
    this.memo.set(n, out);
    return out;
  }

  /** Aliases placed inside aliased collections nest deeper than the text does: the same cap as the parse. */
  private tooDeepNode(n: YamlNode): LNode {
    const range = this.rangeOf(n as { range?: [number, number, number] });
    if (!this.tooDeep) {
      this.tooDeep = true;
      this.problems.push({
        message: `Collections nest more than ${this.maxDepth} levels deep here once aliases are expanded (pgconn-lint's limit for YAML and JSON input); what is nested deeper was not read.`,
        severity: 'warning',
        range,
      });
    }
    return { kind: 'unknown', range, reason: `nested more than ${this.maxDepth} levels deep` };
  }

  private convertItem(it: unknown): LNode {
    if (it && typeof it === 'object' && !isPair(it)) return this.convert(it as YamlNode);
    // A flow-sequence pair (`[a: b]`) or a null item.
    return { kind: 'scalar', value: null, source: '', style: 'plain', range: this.index.range(this.file, 0, 0), lineMap: { kind: 'approximate', line: 1, column: 1 } };
  }

  private convertAlias(a: YamlNode & { source: string }): LNode {
    const range = this.rangeOf(a);
    const target = this.resolveAlias(a);
    if (!target) return { kind: 'unknown', range, reason: `unknown anchor *${a.source}` };
    if (this.inProgress.has(target)) {
      this.problems.push({ message: `Alias *${a.source} refers to a node that contains it (a recursive alias).`, range });
      return { kind: 'unknown', range, reason: 'recursive alias' };
    }
    if (this.budgetExceeded) return { kind: 'unknown', range, reason: 'alias expansion limit reached' };
    this.expanded += this.expandedSize(target);
    if (this.expanded > this.maxExpanded) {
      this.budgetExceeded = true;
      this.problems.push({
        message: `Aliases in this document expand to more than ${this.maxExpanded} nodes (an "alias bomb"); the alias *${a.source} and the ones after it were not expanded.`,
        help: 'Reduce the nesting of aliases; no deployment file needs this many nodes.',
        range,
      });
      return { kind: 'unknown', range, reason: 'alias expansion limit reached' };
    }
    const node = this.convert(target);
    return { ...node, via: range };
  }

  private convertScalar(s: Scalar): LScalar {
    const range = this.rangeOf(s);
    const type = s.type;
    const style: LScalar['style'] =
      type === 'QUOTE_SINGLE' ? 'single' : type === 'QUOTE_DOUBLE' ? 'double' : type === 'BLOCK_LITERAL' ? 'block-literal' : type === 'BLOCK_FOLDED' ? 'block-folded' : 'plain';
    let value: LScalar['value'];
    const v: unknown = s.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') value = v;
    else if (typeof v === 'bigint') value = Number(v);
    else value = String(v as string);
    const source = typeof s.source === 'string' ? s.source : String(value);
    return { kind: 'scalar', value, source, style, range, lineMap: this.lineMapOf(s, style, range) };
  }

  private lineMapOf(s: Scalar, style: LScalar['style'], range: SourceRange): EmbeddedLineMap {
    const approx: EmbeddedLineMap = { kind: 'approximate', line: range.line, column: range.column };
    const value = typeof s.value === 'string' ? s.value : undefined;
    if (value === undefined) return approx;
    if (style === 'block-literal') return this.literalBlockMap(s, value) ?? approx;
    if (range.line !== range.endLine || value.includes('\n')) return approx;
    const quote = style === 'single' || style === 'double' ? 1 : 0;
    const map: EmbeddedLineMap = { kind: 'exact', firstLine: range.line, columnOffset: range.column - 1 + quote };
    // Exact only when the text appears verbatim (no escapes).
    return this.index.lineText(range.line).slice(range.column - 1 + quote).startsWith(value) ? map : approx;
  }

  /** Literal block scalar: content starts on the line after the header; verify every line against the source. */
  private literalBlockMap(s: Scalar, value: string): EmbeddedLineMap | undefined {
    const start = s.range?.[0];
    if (start === undefined) return undefined;
    const headerLine = this.index.position(start).line;
    const firstLine = headerLine + 1;
    const lines = value.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let indent: number | undefined;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      if (l === '') continue;
      const src = this.index.lineText(firstLine + k);
      const at = src.length - l.length;
      if (at < 0 || src.slice(at) !== l || src.slice(0, at).trim() !== '') return undefined;
      if (indent === undefined) indent = at;
      else if (indent !== at) return undefined;
    }
    return { kind: 'exact', firstLine, columnOffset: indent ?? 0 };
  }

  private convertMap(m: YamlNode & { items: unknown[] }): LMap {
    const range = this.rangeOf(m);
    const entries: LEntry[] = [];
    const byKey = new Map<string, number>();
    const merges: Array<{ value: unknown; at: SourceRange }> = [];
    for (const item of m.items) {
      if (!isPair(item)) continue;
      const k = item.key as unknown;
      if (isScalar(k) && (typeof k.value === 'symbol' || (k.value === '<<' && k.type === 'PLAIN'))) {
        merges.push({ value: item.value, at: this.rangeOf(k) });
        continue;
      }
      let key: string | undefined;
      let keyRange: SourceRange;
      if (isScalar(k)) {
        key = k.value === null ? '' : String(k.value as string);
        keyRange = this.rangeOf(k);
      } else if (k === null || k === undefined) {
        key = '';
        keyRange = range;
      } else {
        keyRange = this.rangeOf(k as YamlNode);
        continue; // complex keys: not used by any deployment format
      }
      const value: LNode = item.value
        ? this.convert(item.value as YamlNode)
        : { kind: 'scalar', value: null, source: '', style: 'plain', range: keyRange, lineMap: { kind: 'approximate', line: keyRange.line, column: keyRange.column } };
      const prev = byKey.get(key);
      if (prev !== undefined) entries[prev] = { key, keyRange, value };
      else {
        byKey.set(key, entries.length);
        entries.push({ key, keyRange, value });
      }
    }
    // YAML merge key (https://yaml.org/type/merge.html): explicit keys win; among merged
    // mappings, the earlier one in the list wins.
    for (const { value, at } of merges) {
      const sources: LNode[] = [];
      if (value && typeof value === 'object') {
        if (isSeq(value)) for (const it of value.items) sources.push(this.convertItem(it));
        else sources.push(this.convert(value as YamlNode));
      }
      for (const src of sources) {
        if (src.kind === 'unknown') continue;
        if (src.kind !== 'map') {
          this.problems.push({ message: 'A `<<` merge key must refer to a mapping (or a list of mappings).', range: src.via ?? src.range });
          continue;
        }
        for (const e of src.entries) {
          if (byKey.has(e.key)) continue;
          byKey.set(e.key, entries.length);
          entries.push({ ...e, value: e.value.via ? e.value : { ...e.value, via: at }, merged: at });
        }
      }
    }
    return { kind: 'map', range, entries };
  }
}

/* ---------------- helpers for walking the tree ---------------- */

export function entry(node: LNode | null | undefined, key: string): LEntry | undefined {
  if (!node || node.kind !== 'map') return undefined;
  return node.entries.find((e) => e.key === key);
}

export function get(node: LNode | null | undefined, ...path: string[]): LNode | undefined {
  let cur: LNode | undefined = node ?? undefined;
  for (const k of path) {
    cur = entry(cur, k)?.value;
    if (!cur) return undefined;
  }
  return cur;
}

export function isNullish(node: LNode | undefined): boolean {
  return !node || (node.kind === 'scalar' && node.value === null);
}

/** A scalar's value as a string (numbers and booleans as written); undefined for collections/null. */
export function scalarString(node: LNode | undefined): string | undefined {
  if (!node || node.kind !== 'scalar' || node.value === null) return undefined;
  if (typeof node.value === 'string') return node.value;
  return node.style === 'js' ? String(node.value) : node.source;
}

export function mapEntries(node: LNode | undefined): LEntry[] {
  return node && node.kind === 'map' ? node.entries : [];
}

export function seqItems(node: LNode | undefined): LNode[] {
  return node && node.kind === 'seq' ? node.items : [];
}

/** `{ key: "string" }` maps (labels, selectors). Non-scalar values are skipped. */
export function stringRecord(node: LNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of mapEntries(node)) {
    const v = scalarString(e.value);
    if (v !== undefined) out[e.key] = v;
  }
  return out;
}

/** Maps a range in an embedded text (1-based line/column of the value) onto the YAML file. */
export function mapEmbeddedRange(lineMap: EmbeddedLineMap, yamlFile: string, r: { line: number; column: number; endLine: number; endColumn: number }): SourceRange {
  if (lineMap.kind === 'approximate') {
    return { file: yamlFile, line: lineMap.line, column: lineMap.column, endLine: lineMap.line, endColumn: lineMap.column };
  }
  return {
    file: yamlFile,
    line: lineMap.firstLine + r.line - 1,
    column: r.column + lineMap.columnOffset,
    endLine: lineMap.firstLine + r.endLine - 1,
    endColumn: r.endColumn + lineMap.columnOffset,
  };
}
