/**
 * Node's built-in modules that only some runs need, loaded on first use: an `import` of them is
 * evaluated when the CLI loads, in every run. `process.getBuiltinModule` (Node 20.16, 22.3:
 * https://nodejs.org/api/process.html#processgetbuiltinmoduleid) loads one synchronously from an ES
 * module; our engines field is >=20.19, but the ESLint plugin runs in its host's Node (an editor's),
 * so an older one gets the module through `require`.
 *
 * `node:worker_threads` (~3.5 ms to load on the bench machine): the tree-sitter parser's worker and
 * the git status taken without the entry point (the API, the unbundled CLI, the plugin); a pre-commit
 * run whose report is reused starts neither (D56).
 */
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';

export function workerThreads(): typeof WorkerThreads {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule('node:worker_threads');
  return createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
}
