/**
 * The one tree-sitter loader of pgconn-lint: the grammars of the languages it reads besides JS/TS
 * (Python, Ruby, Java), run by web-tree-sitter (WASM, as shipped by @vscode/tree-sitter-wasm: no
 * native build, no install script).
 *
 * web-tree-sitter can only be initialised asynchronously (WebAssembly instantiation and a grammar's
 * dynamic linking return promises), while pgconn-lint builds its facts synchronously: `lint()`, the
 * CLI, `budget`, the ESLint plugin (a rule cannot await) and the tests share one synchronous
 * `buildProjectFacts`. So the runtime lives in one worker thread per process, started on the first
 * parse (a tree without Python, Ruby or Java configuration never starts it), kept for the next ones
 * and `unref`'d (it never keeps a process alive). The caller posts the texts and blocks on
 * `Atomics.wait` until the worker flags its answer, then takes it with `receiveMessageOnPort`: a
 * synchronous call. Grammars are loaded in the worker on first use. Trees come back in a flat
 * encoding (syntax.ts `decodeTree`) and are plain objects on this side: no WASM memory to free.
 * (docs/decisions.md D37.1: an in-process loader needs an async front end and a re-run
 * of discovery, and leaves the ESLint plugin without these facts.)
 *
 * Offsets: web-tree-sitter parses a JavaScript string as UTF-16, so `startIndex`/`endIndex` are
 * UTF-16 code units of the text (not UTF-8 bytes as in the C API), the unit of every position we
 * report; test/python/parse.test.ts proves it on text with non-ASCII characters before a call.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import { workerThreads } from '../../core/builtins.js';
import { decodeTree, type SyntaxNode, type TreeParse } from './syntax.js';

export type { SyntaxNode, TreeParse } from './syntax.js';

/** The grammars @vscode/tree-sitter-wasm ships that pgconn-lint reads. */
export type GrammarName = 'python' | 'ruby' | 'java';

/** Wall-clock budget of one file's parse; a pathological input is cancelled, not waited for. */
export const PARSE_FILE_MS = 10_000;
/** Budget of one request (start-up + all its files); past it the worker is stopped and the files are unknown. */
const PARSE_BATCH_MS = 120_000;

const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { port, flag, tsPath, wasmDir } = workerData;
const { Parser, Language } = require(tsPath);
let ready;
const parsers = new Map();
const done = (msg) => { port.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
async function parserFor(grammar) {
  ready ??= Parser.init();
  await ready;
  let p = parsers.get(grammar);
  if (!p) {
    const language = await Language.load(wasmDir + '/tree-sitter-' + grammar + '.wasm');
    const parser = new Parser();
    parser.setLanguage(language);
    p = { parser, fields: language.fields };
    parsers.set(grammar, p);
  }
  return p;
}
port.on('message', async ({ grammar, files, fileMs }) => {
  let p;
  try {
    p = await parserFor(grammar);
  } catch (e) {
    done({ ok: false, reason: String((e && e.message) || e) });
    return;
  }
  const { parser, fields } = p;
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
      results.push({ ok: false, reason: 'the parser failed: ' + String((e && e.message) || e) });
      parser.reset();
      continue;
    }
    if (!tree || cancelled) {
      tree?.delete();
      parser.reset();
      results.push({ ok: false, timeout: cancelled, reason: cancelled ? 'parsing took longer than ' + fileMs / 1000 + ' s and was stopped' : 'the parser returned no tree' });
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
});
`;

/** Counts worker start-ups and requests, so tests and the bench can prove a tree without such files starts none. */
export const parserStats = { workersStarted: 0, requests: 0 };

interface Channel {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let channel: Channel | undefined;

function startWorker(): Channel | string {
  let tsPath: string;
  try {
    tsPath = createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm');
  } catch (e) {
    return `the tree-sitter grammars (@vscode/tree-sitter-wasm) could not be found: ${(e as Error).message}`;
  }
  const { MessageChannel, Worker } = workerThreads();
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  try {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, flag, tsPath, wasmDir: dirname(tsPath) },
      transferList: [port2],
      // The worker holds one request's texts and trees; it never needs more than the main heap's share.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
      stdout: true,
      stderr: true,
    });
    worker.unref();
    parserStats.workersStarted++;
    return { worker, port: port1, flag };
  } catch (e) {
    port1.close();
    return `the parser could not be started: ${(e as Error).message}`;
  }
}

function stopWorker(c: Channel): void {
  void c.worker.terminate();
  c.port.close();
  if (channel === c) channel = undefined;
}

type WireResult = { ok: true; types: string[]; data: Int32Array } | { ok: false; reason: string; timeout?: boolean };

/**
 * Parses each text with the grammar; the result at index i belongs to texts[i]. Synchronous, never
 * throws: a parser that cannot be loaded, a worker that dies or a request over its time budget gives
 * every file `{ ok: false, reason }`.
 */
export function parseTexts(grammar: GrammarName, texts: readonly string[], fileMs = PARSE_FILE_MS): TreeParse[] {
  if (texts.length === 0) return [];
  const fail = (reason: string): TreeParse[] => texts.map(() => ({ ok: false as const, reason }));
  if (!channel) {
    const c = startWorker();
    if (typeof c === 'string') return fail(c);
    channel = c;
  }
  const c = channel;
  parserStats.requests++;
  Atomics.store(c.flag, 0, 0);
  c.port.postMessage({ grammar, files: texts, fileMs });
  const waited = Atomics.wait(c.flag, 0, 0, PARSE_BATCH_MS);
  const msg = workerThreads().receiveMessageOnPort(c.port)?.message as { ok: true; fields: Array<string | null>; results: WireResult[] } | { ok: false; reason: string } | undefined;
  if (!msg) {
    stopWorker(c);
    return fail(waited === 'timed-out' ? `parsing the ${grammar} files took longer than ${PARSE_BATCH_MS / 1000} s and was stopped` : `the ${grammar} parser stopped without an answer`);
  }
  if (!msg.ok) return fail(`the ${grammar} grammar could not be loaded: ${msg.reason}`);
  // language.fields is indexed by field id (index 0 is null); the encoding stores the id, 0 = none.
  const fields = msg.fields.slice(1);
  return msg.results.map((r, i) => {
    if (!r.ok) return { ok: false as const, reason: r.reason, ...(r.timeout ? { timeout: true } : {}) };
    const root = decodeTree(r.types, fields, r.data, texts[i]!);
    return root ? { ok: true as const, root } : { ok: false as const, reason: 'the parser returned an empty tree' };
  });
}

/** One parsed text, in the shape of a web-tree-sitter `Tree` (Ruby's extractors read `rootNode`). */
export interface SyntaxTree {
  rootNode: SyntaxNode;
  /** Nothing to free (the tree is plain objects); kept so callers read like web-tree-sitter code. */
  delete(): void;
}

/** Most time one small file's parse (config/puma.rb, an ERB tag) may take before it is abandoned. */
export const MAX_PARSE_MS = 2_000;

/** Why the last `parseWith` gave no tree (for the located problem the caller reports). */
export let lastParseFailure = '';

/**
 * Parses one text: the tree, 'timeout' when the parse took longer than MAX_PARSE_MS, undefined when
 * the parser could not be loaded (`lastParseFailure` says why).
 */
export function parseWith(grammar: GrammarName, text: string): SyntaxTree | 'timeout' | undefined {
  const [r] = parseTexts(grammar, [text], MAX_PARSE_MS);
  if (r?.ok) return { rootNode: r.root, delete() {} };
  lastParseFailure = r?.reason ?? 'no answer';
  return r && 'timeout' in r && r.timeout ? 'timeout' : undefined;
}
