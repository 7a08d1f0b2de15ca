import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Language as TsLanguage, Node as TsNode, Parser as TsParser, Tree as TsTree } from '@vscode/tree-sitter-wasm';

/**
 * The tree-sitter runtime (web-tree-sitter, WASM: no native build) and the grammars of the
 * languages pgconn-lint reads besides JS/TS, from `@vscode/tree-sitter-wasm`. Loading is
 * asynchronous (WebAssembly compilation), the rest of a run is synchronous: a front end loads the
 * grammars a tree needs once, before facts are built (`loadGrammars`), and extractors ask
 * `parserFor` (undefined when the grammar was not loaded). Loading costs ~0.1–0.3 s, so a run whose
 * tree has no such file never loads anything (`grammarsFor` in src/engine/lint.ts decides).
 */
export type GrammarName = 'ruby' | 'python' | 'java';

export type SyntaxNode = TsNode;
export type SyntaxTree = TsTree;

interface Runtime {
  Parser: typeof TsParser;
  Language: typeof TsLanguage;
}

const require = createRequire(import.meta.url);
let runtime: Promise<Runtime> | undefined;
const languages = new Map<GrammarName, TsLanguage>();
const parsers = new Map<GrammarName, TsParser>();

function wasmDir(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm'));
}

function loadRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    const mod = require('@vscode/tree-sitter-wasm') as Runtime;
    await mod.Parser.init();
    return mod;
  })();
  return runtime;
}

/** Loads the grammars (idempotent). */
export async function loadGrammars(names: readonly GrammarName[]): Promise<void> {
  const missing = [...new Set(names)].filter((n) => !languages.has(n));
  if (missing.length === 0) return;
  const rt = await loadRuntime();
  for (const n of missing) {
    const lang = await rt.Language.load(join(wasmDir(), `tree-sitter-${n}.wasm`));
    languages.set(n, lang);
    const p = new rt.Parser();
    p.setLanguage(lang);
    parsers.set(n, p);
  }
}

export function grammarLoaded(name: GrammarName): boolean {
  return languages.has(name);
}

/** Thrown by `lint()` when asked to require grammars it does not have: the front end loads them and runs again. */
export class GrammarsNeeded extends Error {
  constructor(readonly grammars: GrammarName[]) {
    super(`tree-sitter grammars needed: ${grammars.join(', ')}`);
  }
}

/** Most time one file's parse may take before it is abandoned (a located problem, never a hang). */
export const MAX_PARSE_MS = 2_000;

/**
 * Parses `text` with a loaded grammar; undefined when the grammar is not loaded, 'timeout' when the
 * parse took longer than MAX_PARSE_MS. The caller must `tree.delete()` when done (WASM memory).
 */
export function parseWith(name: GrammarName, text: string): SyntaxTree | 'timeout' | undefined {
  const p = parsers.get(name);
  if (!p) return undefined;
  const deadline = Date.now() + MAX_PARSE_MS;
  let timedOut = false;
  const tree = p.parse(text, null, {
    progressCallback: () => {
      if (Date.now() > deadline) timedOut = true;
      return timedOut;
    },
  } as never);
  if (timedOut || !tree) {
    tree?.delete();
    p.reset();
    return 'timeout';
  }
  return tree;
}
