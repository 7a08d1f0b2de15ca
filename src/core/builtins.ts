/**
 * Node's built-in modules that only some runs need, loaded on first use: an `import` of them is
 * evaluated when the CLI loads, in every run. `process.getBuiltinModule` (Node 20.16, 22.3; our
 * engines field is >=20.19: https://nodejs.org/api/process.html#processgetbuiltinmoduleid) loads
 * one synchronously from an ES module.
 *
 * `node:worker_threads` (~3.5 ms to load on the bench machine): the tree-sitter parser's worker and
 * the git status taken without the entry point (the API, the unbundled CLI); a pre-commit run
 * whose report is reused starts neither (D56).
 */
import type * as WorkerThreads from 'node:worker_threads';

export function workerThreads(): typeof WorkerThreads {
  return process.getBuiltinModule('node:worker_threads');
}
