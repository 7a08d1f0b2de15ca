import { relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import { isSecretOptionName, REDACTED, redactSecrets } from '../../core/redact.js';
import type { PoolDefinition, Provenance, Resolved } from '../../sources/js/types.js';

/** `--print-model` output: documented in docs/model.md. Bump `version` on any incompatible change. */
export interface ModelJson {
  version: 1;
  pools: PoolJson[];
}

type JsonValue = string | number | boolean | null;
export interface RangeJson {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}
export type ProvenanceJson =
  | { kind: 'literal' }
  | { kind: 'constant'; name: string; definedAt: RangeJson & { file: string } }
  | { kind: 'env'; envVar: string; urlParam?: string; fileVar?: string; orEnv?: string[]; fallback?: JsonValue; fallbackAt?: RangeJson & { file: string } }
  | { kind: 'default'; note: string }
  | { kind: 'unknown'; reason: string };
export interface ResolvedJson {
  value: JsonValue;
  provenance: ProvenanceJson;
  range?: RangeJson & { file?: string };
  /** The values a condition chooses between; `value` is the largest. */
  alternatives?: JsonValue[];
}
export interface PoolJson {
  id: string;
  library: string;
  kind: string;
  construct: string;
  file: string;
  range: RangeJson;
  binding?: string;
  exportedAs: string[];
  scope: { kind: 'module' } | { kind: 'function'; name?: string; range: RangeJson; lazySingleton: boolean };
  max: ResolvedJson;
  min?: ResolvedJson;
  idleTimeoutMs?: ResolvedJson;
  acquireTimeoutMs?: ResolvedJson;
  connectTimeoutMs?: ResolvedJson;
  preparedStatements?: ResolvedJson;
  connectionString?: ResolvedJson;
  startupParameters: Array<{ name: string; value: ResolvedJson; range: RangeJson }>;
  connectionsPerProcess?: { value: number | null; explanation: string };
  options: Array<{ name: string; value: ResolvedJson; range: RangeJson }>;
  wraps?: string;
  /** One pool per call site of the function that constructs it: the chain of calls, the outermost first. */
  calledFrom?: Array<RangeJson & { file: string }>;
  /** Every chain of callers gave the same size: the outermost calls that gave it. */
  sizedBy?: Array<RangeJson & { file: string }>;
}

function rel(repoRoot: string, file: string): string {
  const r = relative(repoRoot, file);
  return (r === '' ? file : r).split(sep).join('/');
}

function rangeJson(r: SourceRange): RangeJson {
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

/** A value as JSON: strings redacted (connection strings carry passwords), non-JSON values (functions, NaN) → null. */
function jsonValue(v: unknown): JsonValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return redactSecrets(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  return null;
}

function provenanceJson(p: Provenance, repoRoot: string): ProvenanceJson {
  switch (p.kind) {
    case 'constant':
      return { kind: 'constant', name: p.name, definedAt: { file: rel(repoRoot, p.definedAt.file), ...rangeJson(p.definedAt) } };
    case 'env':
      if (p.fallback === undefined) return { kind: 'env', envVar: p.envVar, ...(p.urlParam !== undefined ? { urlParam: p.urlParam } : {}), ...(p.fileVar !== undefined ? { fileVar: p.fileVar } : {}), ...(p.orEnv !== undefined ? { orEnv: p.orEnv } : {}) };
      return {
        kind: 'env',
        envVar: p.envVar,
        ...(p.urlParam !== undefined ? { urlParam: p.urlParam } : {}),
        ...(p.fileVar !== undefined ? { fileVar: p.fileVar } : {}),
        ...(p.orEnv !== undefined ? { orEnv: p.orEnv } : {}),
        fallback: jsonValue(p.fallback),
        ...(p.fallbackAt ? { fallbackAt: { file: rel(repoRoot, p.fallbackAt.file), ...rangeJson(p.fallbackAt) } } : {}),
      };
    case 'unknown':
      return { kind: 'unknown', reason: redactSecrets(p.reason) };
    default:
      return p;
  }
}

/**
 * An option that holds a secret (password, TLS key material, a token): its value, its fallback and
 * any literal quoted in the reason are masked; where it comes from (literal, constant, env) stays.
 */
function secretJson(r: Resolved<unknown>, file: string, repoRoot: string): ResolvedJson {
  const out = resolvedJson(r, file, repoRoot);
  if (out.value !== null) out.value = REDACTED;
  if (out.alternatives !== undefined) out.alternatives = out.alternatives.map(() => REDACTED);
  const p = out.provenance;
  if (p.kind === 'env' && p.fallback !== undefined && p.fallback !== null) p.fallback = REDACTED;
  if (p.kind === 'unknown') p.reason = maskQuoted(p.reason);
  return out;
}

/** `"…"`, `'…'` and `` `…` `` in a text → `"***"`; an unterminated quote masks the rest. One forward pass. */
function maskQuoted(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const q = s[i]!;
    if (q !== '"' && q !== "'" && q !== '`') {
      out += q;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < s.length && s[j] !== q) j += s[j] === '\\' ? 2 : 1;
    out += `${q}${REDACTED}${q}`;
    i = j + 1;
  }
  return out;
}

function resolvedJson(r: Resolved<unknown>, file: string, repoRoot: string): ResolvedJson {
  const out: ResolvedJson = { value: jsonValue(r.value), provenance: provenanceJson(r.provenance, repoRoot) };
  if (r.range !== undefined) out.range = r.range.file === file ? rangeJson(r.range) : { file: rel(repoRoot, r.range.file), ...rangeJson(r.range) };
  if (r.alternatives !== undefined) out.alternatives = r.alternatives.map(jsonValue);
  return out;
}

/** The JSON of `pgconn-lint --print-model`: file paths relative to the repository root, secrets redacted. */
export function toModelJson(pools: readonly PoolDefinition[], repoRoot: string): ModelJson {
  return {
    version: 1,
    pools: pools.map((d) => {
      const r = (x: Resolved<unknown>) => resolvedJson(x, d.file, repoRoot);
      const option = (name: string, x: Resolved<unknown>) => (isSecretOptionName(name) ? secretJson(x, d.file, repoRoot) : r(x));
      const p: PoolJson = {
        id: d.id,
        library: d.library,
        kind: d.kind,
        construct: d.construct,
        file: rel(repoRoot, d.file),
        range: rangeJson(d.range),
        exportedAs: [...d.exportedAs],
        scope:
          d.scope.kind === 'module'
            ? { kind: 'module' }
            : { kind: 'function', ...(d.scope.name !== undefined ? { name: d.scope.name } : {}), range: rangeJson(d.scope.range), lazySingleton: d.scope.lazySingleton },
        max: r(d.max),
        startupParameters: d.startupParameters.map((s) => ({ name: s.name, value: option(s.name, s.value), range: rangeJson(s.range) })),
        options: d.options.map((o) => ({ name: o.name, value: option(o.name, o.value), range: rangeJson(o.range) })),
      };
      if (d.binding !== undefined) p.binding = d.binding;
      if (d.min) p.min = r(d.min);
      if (d.idleTimeoutMs) p.idleTimeoutMs = r(d.idleTimeoutMs);
      if (d.acquireTimeoutMs) p.acquireTimeoutMs = r(d.acquireTimeoutMs);
      if (d.connectTimeoutMs) p.connectTimeoutMs = r(d.connectTimeoutMs);
      if (d.preparedStatements) p.preparedStatements = r(d.preparedStatements);
      if (d.connectionString) p.connectionString = r(d.connectionString);
      if (d.connectionsPerProcess) p.connectionsPerProcess = { value: d.connectionsPerProcess.value ?? null, explanation: d.connectionsPerProcess.explanation };
      if (d.wraps !== undefined) p.wraps = d.wraps;
      if (d.calledFrom !== undefined) p.calledFrom = d.calledFrom.map((c) => ({ file: rel(repoRoot, c.file), ...rangeJson(c) }));
      if (d.sizedBy !== undefined) p.sizedBy = d.sizedBy.map((c) => ({ file: rel(repoRoot, c.file), ...rangeJson(c) }));
      // fixed key order for stable output
      return orderKeys(p);
    }),
  };
}

const KEY_ORDER: Array<keyof PoolJson> = [
  'id',
  'library',
  'kind',
  'construct',
  'file',
  'range',
  'binding',
  'exportedAs',
  'scope',
  'max',
  'min',
  'idleTimeoutMs',
  'acquireTimeoutMs',
  'connectTimeoutMs',
  'preparedStatements',
  'connectionString',
  'startupParameters',
  'connectionsPerProcess',
  'wraps',
  'calledFrom',
  'sizedBy',
  'options',
];

function orderKeys(p: PoolJson): PoolJson {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (p[k] !== undefined) out[k] = p[k];
  return out as unknown as PoolJson;
}
