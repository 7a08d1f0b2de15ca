import type { TextFile } from '../../src/core/read-text.js';
import { analyzeJsFiles, type JsAnalysis } from '../../src/sources/js/project.js';
import { toModelJson, type ModelJson, type PoolJson } from '../../src/report/model-json/pools.js';

export const ROOT = '/repo';

/** An in-memory repository: paths relative to /repo. */
export function memRead(files: Record<string, string>): (p: string) => TextFile {
  return (p) => {
    const rel = p.startsWith(`${ROOT}/`) ? p.slice(ROOT.length + 1) : p;
    const text = files[rel];
    return text !== undefined
      ? { ok: true, path: p, text, hasBom: false, problems: [] }
      : { ok: false, path: p, problem: { message: 'File not found.', range: { file: p, line: 1, column: 1, endLine: 1, endColumn: 1 } } };
  };
}

export function analyzeMem(files: Record<string, string>): JsAnalysis {
  const paths = Object.keys(files)
    .filter((f) => /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(f))
    .map((f) => `${ROOT}/${f}`);
  return analyzeJsFiles(paths, { repoRoot: ROOT, readFile: memRead(files) });
}

export function modelOf(files: Record<string, string>): ModelJson {
  return toModelJson(analyzeMem(files).pools, ROOT);
}

/** The pool of a one-pool model. */
export function onlyPool(files: Record<string, string>): PoolJson {
  const m = modelOf(files);
  if (m.pools.length !== 1) throw new Error(`expected one pool, got ${m.pools.length}: ${JSON.stringify(m.pools.map((p) => p.id))}`);
  return m.pools[0]!;
}

/** value + provenance kind, the short form most assertions need. */
export function vp(r: { value: unknown; provenance: { kind: string } } | undefined): [unknown, string] | undefined {
  return r === undefined ? undefined : [r.value, r.provenance.kind];
}
