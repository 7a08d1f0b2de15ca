import { Composer, isMap, isScalar, isSeq, Lexer, Parser, YAMLParseError, type CST, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions, type YAMLError } from 'yaml';
import { MAX_NESTING_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_TOKENS } from '../../core/limits.js';

/**
 * The `yaml` package's parseAllDocuments/parseDocument with three caps applied between its
 * stages (the lexer and the CST parser are iterative, the composer recursive): lexing stops after
 * `maxTokens` tokens (the CST of a document is built whole before it is composed, at about 130
 * bytes a token: an 8 MiB file of short keys needed 540 MB), and only the documents complete by
 * then are read; a document whose collections nest deeper than `maxDepth` is not composed (it stays
 * empty, with a RESOURCE_EXHAUSTION error at the collection that crosses the limit); documents
 * after the first `maxDocuments` are neither parsed nor composed. Otherwise the result is exactly
 * what parseAllDocuments gives.
 *
 * Duplicate keys are checked here too, in one pass over each map with a hash set: the package's own
 * `uniqueKeys` compares every key with every earlier key of its map (80,000 keys: 40 s). Same rule
 * (two scalar keys are duplicates when their values are ===; `<<` merge keys are exempt), same
 * error, located at the duplicate key (the package sometimes points at the end of the line before it).
 */
export type YamlParseOptions = ParseOptions & DocumentOptions & SchemaOptions;

export interface YamlStreamLimits {
  /** Deepest nesting of collections composed (default MAX_NESTING_DEPTH). */
  maxDepth?: number;
  /** Documents composed (default MAX_YAML_DOCUMENTS). */
  maxDocuments?: number;
  /** Lexical tokens read (default MAX_YAML_TOKENS). */
  maxTokens?: number;
  /** Called with each line start offset, as a LineCounter's addNewLine. */
  onNewLine?: (offset: number) => void;
}

export interface YamlStream {
  documents: Document.Parsed[];
  /** Errors of a stream without documents (only comments or directives). */
  streamErrors: YAMLError[];
  /** Offset of the first document that was not read because of `maxDocuments`. */
  documentsCutAt?: number;
  /** Offset where lexing stopped because of `maxTokens`; the document in progress there was not read. */
  tokensCutAt?: number;
}

export const TOO_DEEP_CODE = 'RESOURCE_EXHAUSTION';

export function parseYamlStream(text: string, options: YamlParseOptions, limits: YamlStreamLimits = {}): YamlStream {
  const maxDepth = limits.maxDepth ?? MAX_NESTING_DEPTH;
  const maxDocuments = limits.maxDocuments ?? MAX_YAML_DOCUMENTS;
  const maxTokens = limits.maxTokens ?? MAX_YAML_TOKENS;
  const uniqueKeys = options.uniqueKeys !== false;
  const parser = new Parser(limits.onNewLine);
  // Duplicates are found below in linear time; the composer's own check is quadratic.
  const composer = new Composer({ ...options, uniqueKeys: false });
  const tooDeep = new Map<number, number>();
  let documents = 0;
  let documentsCutAt: number | undefined;
  let tokensCutAt: number | undefined;

  /** Parser.parse, with a count of the lexer's tokens. */
  function* parse(): Generator<CST.Token> {
    if (limits.onNewLine) limits.onNewLine(0);
    let count = 0;
    for (const lexeme of new Lexer().lex(text)) {
      if (++count > maxTokens) {
        tokensCutAt = parser.offset;
        return;
      }
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }

  function* bounded(tokens: Iterable<CST.Token>): Generator<CST.Token> {
    for (const token of tokens) {
      if (token.type === 'document') {
        if (documents++ >= maxDocuments) {
          documentsCutAt = token.offset;
          return;
        }
        const at = token.value ? deeperThan(token.value, maxDepth) : undefined;
        if (at !== undefined) {
          tooDeep.set(token.offset, at);
          delete token.value;
        }
      }
      yield token;
    }
  }

  const docs = Array.from(composer.compose(bounded(parse())));
  for (const doc of docs) {
    const added: YAMLParseError[] = [];
    const at = tooDeep.get(doc.range[0]);
    if (at !== undefined) {
      doc.contents = null;
      added.push(
        new YAMLParseError(
          [at, at + 1],
          TOO_DEEP_CODE,
          `Collections nest more than ${maxDepth} levels deep here (pgconn-lint's limit for YAML and JSON input); this document was not read`,
        ),
      );
    }
    if (uniqueKeys && doc.contents) for (const e of duplicateKeyErrors(doc, text)) added.push(e);
    if (added.length > 0) {
      // In source order among the composer's own errors, as the package reports them.
      for (const e of added) doc.errors.push(e);
      doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
    }
  }
  const out: YamlStream = { documents: docs, streamErrors: docs.length === 0 ? composer.streamInfo().errors : [] };
  if (documentsCutAt !== undefined) out.documentsCutAt = documentsCutAt;
  if (tokensCutAt !== undefined) out.tokensCutAt = tokensCutAt;
  return out;
}

/** Offset of the first collection nested deeper than `max` (the outermost collection is level 1); iterative. */
function deeperThan(root: CST.Token, max: number): number | undefined {
  const stack: Array<{ token: CST.Token; depth: number }> = [{ token: root, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const t = top.token;
    if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue;
    if (top.depth > max) return t.offset;
    for (const item of t.items as Array<{ key?: CST.Token | null; value?: CST.Token }>) {
      if (item.key) stack.push({ token: item.key, depth: top.depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: top.depth + 1 });
    }
  }
  return undefined;
}

/**
 * yaml's DUPLICATE_KEY check (compose/util-map-includes.ts: keys equal when === or when both are
 * scalars with === values; reported at the later key), with a Map per mapping. NaN never equals
 * itself under ===, so NaN keys are skipped; merge keys (`<<` is a fresh symbol each time with
 * `merge: true`) never match. Flow-sequence pairs (`[a: 1, a: 2]`) are one-pair maps: never duplicates.
 */
function duplicateKeyErrors(doc: Document.Parsed, text: string): YAMLParseError[] {
  const found: YAMLParseError[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isSeq(n)) {
      for (const item of n.items) stack.push(item);
    } else if (isMap(n)) {
      const keys = new Set<unknown>();
      for (const pair of n.items) {
        const k = pair.key;
        if (isScalar(k) && typeof k.value !== 'symbol' && !(typeof k.value === 'number' && Number.isNaN(k.value))) {
          if (keys.has(k.value)) {
            let at = k.range?.[0] ?? 0;
            // An empty key (`: v`) is placed at its line start; the package reports where the key would be, at the `:`.
            if (k.value === null && k.source === '') while (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9) at++;
            found.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          } else keys.add(k.value);
        }
        stack.push(pair.value, pair.key);
      }
    }
  }
  return found;
}
