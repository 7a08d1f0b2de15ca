import module from 'node:module';
import { join } from 'node:path';
import { cacheDir } from '../core/code-cache.cjs';

/**
 * V8's compile cache for the CLI's own modules (issue 11, start-up). Node 22.1+ has
 * `module.enableCompileCache(dir)`: every module loaded after the call (ESM and CommonJS,
 * TypeScript's 9 MB included) is compiled once and read back from the cache in later runs.
 * Node 20 has no such API for ES modules (`NODE_COMPILE_CACHE` and `enableCompileCache` are
 * 22.1+, https://nodejs.org/api/module.html#moduleenablecompilecachecachedir); there the bundled
 * CLI and TypeScript are compiled from a code cache of their own (src/core/code-cache.cjs), which
 * steps aside when Node's cache is on.
 *
 * The directory is the one the TypeScript loader uses (src/core/code-cache.cjs `cacheDir`): the
 * user's own under the OS temp dir, never one another user could have written (V8 would run the
 * code it holds).
 * `PGCONN_LINT_NO_CACHE=1` turns both caches off. Returns the directory used, or undefined.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const enable = (module as { enableCompileCache?: (dir?: string) => { status: number; directory?: string } }).enableCompileCache;
  if (typeof enable !== 'function' || env['PGCONN_LINT_NO_CACHE']) return undefined;
  let dir: string | undefined;
  try {
    dir = cacheDir();
  } catch {
    return undefined;
  }
  if (dir === undefined) return undefined;
  try {
    const r = enable(join(dir, 'node-compile-cache'));
    return r.directory;
  } catch {
    return undefined; // a cache that cannot be used is only slower
  }
}
