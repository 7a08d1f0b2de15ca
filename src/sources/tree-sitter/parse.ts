/**
 * Parses files of other languages (Python, Ruby, Java) with tree-sitter grammars (WASM, through
 * web-tree-sitter as shipped by @vscode/tree-sitter-wasm: no native build, no install script).
 *
 * web-tree-sitter can only be initialised asynchronously (WebAssembly instantiation and the
 * grammar's dynamic linking return promises), while pgconn-lint builds its facts synchronously
 * (the CLI, the ESLint plugin and the tests share one synchronous `buildProjectFacts`). So the
 * parser runs in a worker thread, started only when at least one Python file passed the
 * pre-filter, and the caller waits for it with `Atomics.wait`: one worker per run, all files in
 * one message, trees sent back in a flat encoding (syntax.ts `decodeTree`). A tree without Python
 * never loads the WASM.
 *
 * Offsets: web-tree-sitter parses a JavaScript string as UTF-16, so `startIndex`/`endIndex` are
 * UTF-16 code units of the text (not UTF-8 bytes as in the C API); test/python/parse.test.ts
 * proves it on text with non-ASCII characters before a call.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { decodeTree, type TreeParse } from './syntax.js';

/** The grammars @vscode/tree-sitter-wasm ships that pgconn-lint reads. */
export type GrammarName = 'python' | 'ruby' | 'java';

/** Wall-clock budget of one file's parse; a pathological input is cancelled, not waited for. */
export const PARSE_FILE_MS = 10_000;
/** Budget of the whole batch (start-up + all files); past it the worker is stopped. */
const PARSE_BATCH_MS = 120_000;

const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { port, flag, tsPath, pyPath, files, fileMs } = workerData;
const done = (msg) => { port.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
(async () => {
  const { Parser, Language } = require(tsPath);
  await Parser.init();
  const language = await Language.load(pyPath);
  const parser = new Parser();
  parser.setLanguage(language);
  const fields = language.fields;
  const results = [];
  for (const text of files) {
    const typeIds = new Map();
    const types = [];
    const started = Date.now();
    let cancelled = false;
    let tree;
    try {
      tree = parser.parse(text, null, { progressCallback: () => { if (Date.now() - started > fileMs) { cancelled = true; return true; } return false; } });
    } catch (e) {
      results.push({ ok: false, reason: 'the parser failed: ' + String(e && e.message || e) });
      parser.reset();
      continue;
    }
    if (!tree) {
      results.push({ ok: false, reason: cancelled ? 'parsing took longer than ' + fileMs / 1000 + ' s and was stopped' : 'the parser returned no tree' });
      parser.reset();
      continue;
    }
    const out = [];
    const cursor = tree.walk();
    // Pre-order walk; the child count of each node is patched in when its children are done.
    const open = [];
    for (;;) {
      const type = cursor.nodeType;
      let id = typeIds.get(type);
      if (id === undefined) { id = types.length; types.push(type); typeIds.set(type, id); }
      const at = out.length;
      out.push(id, cursor.currentFieldId > 0 ? cursor.currentFieldId : 0, cursor.startIndex, cursor.endIndex, (cursor.nodeIsNamed ? 1 : 0) | (cursor.nodeIsMissing ? 2 : 0), 0);
      if (open.length > 0) out[open[open.length - 1] + 5]++;
      if (cursor.gotoFirstChild()) { open.push(at); continue; }
      let moved = false;
      while (!moved) {
        if (cursor.gotoNextSibling()) { moved = true; break; }
        if (!cursor.gotoParent()) break;
        open.pop();
      }
      if (!moved) break;
    }
    cursor.delete();
    tree.delete();
    results.push({ ok: true, types, data: Int32Array.from(out) });
  }
  done({ ok: true, fields, results });
})().catch((e) => done({ ok: false, reason: String(e && e.message || e) }));
`;

/** The paths of the web-tree-sitter runtime and of a grammar. */
function grammarPaths(grammar: GrammarName): { tsPath: string; pyPath: string } {
  const require = createRequire(import.meta.url);
  const tsPath = require.resolve('@vscode/tree-sitter-wasm');
  return { tsPath, pyPath: join(dirname(tsPath), `tree-sitter-${grammar}.wasm`) };
}

/** Counts worker start-ups, so tests and the bench can prove a tree without Python starts none. */
export const parserStats = { workersStarted: 0 };

/**
 * Parses each text; the result at index i belongs to texts[i]. Never throws: a parser that cannot
 * be loaded or a worker that dies gives every file `{ ok: false, reason }`.
 */
export function parseTexts(grammar: GrammarName, texts: readonly string[]): TreeParse[] {
  if (texts.length === 0) return [];
  const fail = (reason: string): TreeParse[] => texts.map(() => ({ ok: false as const, reason }));
  let paths;
  try {
    paths = grammarPaths(grammar);
  } catch (e) {
    return fail(`the ${grammar} grammar (@vscode/tree-sitter-wasm) could not be found: ${(e as Error).message}`);
  }
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  parserStats.workersStarted++;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, flag, ...paths, files: texts, fileMs: PARSE_FILE_MS },
      transferList: [port2],
      // The worker holds the texts and their trees; it never needs more than the main heap's share.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
      stdout: true,
      stderr: true,
    });
  } catch (e) {
    port1.close();
    return fail(`the ${grammar} parser could not be started: ${(e as Error).message}`);
  }
  const waited = Atomics.wait(flag, 0, 0, PARSE_BATCH_MS);
  const msg = receiveMessageOnPort(port1)?.message as
    | { ok: true; fields: Array<string | null>; results: Array<{ ok: true; types: string[]; data: Int32Array } | { ok: false; reason: string }> }
    | { ok: false; reason: string }
    | undefined;
  void worker.terminate();
  port1.close();
  if (!msg) return fail(waited === 'timed-out' ? `parsing the ${grammar} files took longer than ${PARSE_BATCH_MS / 1000} s and was stopped` : `the ${grammar} parser stopped without an answer`);
  if (!msg.ok) return fail(`the ${grammar} parser could not be loaded: ${msg.reason}`);
  // language.fields is indexed by field id (index 0 is null); the encoding stores id, decodeTree reads fields[id - 1 + 1].
  const fields = msg.fields.slice(1);
  return msg.results.map((r) => {
    if (!r.ok) return r;
    const root = decodeTree(r.types, fields, r.data);
    return root ? { ok: true as const, root } : { ok: false as const, reason: 'the parser returned an empty tree' };
  });
}
