/**
 * The CLI's modules, loaded by the entry point (bin.ts) once git is started. Unbundled (dist/src), an
 * import. The bundled entry (dist/bundle/pgconn-lint.cjs) has this module replaced by one that loads
 * the bundled CLI, dist/bundle/cli.cjs, through V8's code cache (scripts/bundle.mjs,
 * src/core/code-cache.cjs).
 */
export function loadMain(): Promise<typeof import('./main.js')> {
  return import('./main.js');
}
