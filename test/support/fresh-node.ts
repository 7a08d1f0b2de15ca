/**
 * Code run in a fresh Node, as the CLI runs: for the tests of what the CLI sets in V8 for its own
 * process (src/core/gc.ts, src/core/v8-flags.ts), which must not leak into the test runner's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

/** TypeScript's loader (the code cache's user the tests watch). */
export const TYPESCRIPT_SHIM = resolve(__dirname, '../../src/sources/js/typescript.cjs');

/**
 * `code` as an ES module in a fresh Node (the code caches on unless `env` says otherwise), with
 * Node's `flags` and `input` on its stdin; its stdout, trimmed. Fails on any stderr or exit code.
 */
export function runInFreshNode(code: string, env: Record<string, string> = {}, { flags = [], input = '' }: { flags?: readonly string[]; input?: string } = {}): string {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', input, env: { ...process.env, PGCONN_LINT_NO_CACHE: '', ...env }, maxBuffer: 64 * 1024 * 1024 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

/**
 * A prelude for `runInFreshNode` that records whether V8 rejected the last code cache given to a
 * `vm.Script` (in `rejected`: 'none' when none was given), with `require` defined.
 */
export const CODE_CACHE_SPY = `import vm from 'node:vm'; import v8 from 'node:v8'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
  const S = vm.Script; let rejected = 'none';
  vm.Script = class extends S { constructor(src, o) { super(src, o); if (o && o.cachedData) rejected = String(this.cachedDataRejected); } };`;

/** Loads TypeScript through its loader and parses a line (after `CODE_CACHE_SPY`). */
export const LOAD_TYPESCRIPT = `const ts = require(${JSON.stringify(TYPESCRIPT_SHIM)}); ts.createSourceFile('a.ts', '1', 99);`;

/** Prints what `CODE_CACHE_SPY` recorded. */
export const PRINT_REJECTED = 'console.log(rejected);';

/**
 * `scripts` run one after the other, each in a fresh Node (`runInFreshNode`), all with one new
 * directory as `TMPDIR` (so one code cache of their own), removed after; what each printed.
 */
export function runSharingOneCache(scripts: readonly string[]): string[] {
  const own = mkdtempSync(join(tmpdir(), 'pgconn-lint-code-cache-'));
  try {
    return scripts.map((script) => runInFreshNode(script, { TMPDIR: own }));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
}
