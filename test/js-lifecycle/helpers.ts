import { dirname } from 'node:path';
import type { TextFile } from '../../src/core/read-text.js';
import { findConnectionLeaks, findPoolTransactions } from '../../src/sources/js/lifecycle/index.js';
import { analyzeJsFiles } from '../../src/sources/js/project.js';
import type { ConnectionLeak, JsModuleContext, PoolTransactionStatement } from '../../src/sources/js/types.js';

/**
 * The real module context of one in-memory file (the JS extractor's own parse and resolver);
 * undefined when the pre-filter decides the file cannot matter (then there is nothing to find).
 */
export function contextFor(code: string, file = '/project/src/db.ts'): JsModuleContext | undefined {
  const readFile = (p: string): TextFile =>
    p === file
      ? { ok: true, path: p, text: code, hasBom: false, problems: [] }
      : { ok: false, path: p, problem: { message: 'File not found.', range: { file: p, line: 1, column: 1, endLine: 1, endColumn: 1 } } };
  const analysis = analyzeJsFiles([file], { repoRoot: dirname(file), readFile });
  return analysis.modules.find((m) => m.file === file);
}

export function leaksIn(code: string, file?: string): ConnectionLeak[] {
  const ctx = contextFor(code, file);
  return ctx ? findConnectionLeaks(ctx) : [];
}

export function poolTransactionsIn(code: string, file?: string): PoolTransactionStatement[] {
  const ctx = contextFor(code, file);
  return ctx ? findPoolTransactions(ctx) : [];
}

/** `reason line:col detail` of each leak, for compact assertions. */
export function describeLeaks(code: string, file?: string): string[] {
  return leaksIn(code, file).map((l) => `${l.reason} ${l.acquire.line}:${l.acquire.column} leakAt ${l.leakAt.line} | ${l.detail}`);
}

export const PG = `import { Pool, Client } from 'pg';\nconst pool = new Pool();\n`;
