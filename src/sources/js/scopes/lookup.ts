import type { SourceRange } from '../../../core/location.js';
import type { PoolDefinition, RequestScope } from '../types.js';

/** Pure lookups over request-scope facts, shared by the rules that read them. */

function before(aLine: number, aCol: number, bLine: number, bCol: number): boolean {
  return aLine < bLine || (aLine === bLine && aCol <= bCol);
}

/** Is `inner` within `outer` (same file)? */
export function rangeContains(outer: SourceRange, inner: SourceRange): boolean {
  return (
    outer.file === inner.file &&
    before(outer.line, outer.column, inner.line, inner.column) &&
    before(inner.endLine, inner.endColumn, outer.endLine, outer.endColumn)
  );
}

/** The innermost request scope that contains `range`, if any. */
export function requestScopeAt(scopes: readonly RequestScope[], range: SourceRange): RequestScope | undefined {
  let best: RequestScope | undefined;
  for (const s of scopes) {
    if (!rangeContains(s.range, range)) continue;
    if (!best || rangeContains(best.range, s.range)) best = s;
  }
  return best;
}

/**
 * Scopes whose module is deployed as a function (one process per concurrent invocation):
 * Lambda/Netlify/Vercel handlers, Next.js routes and API routes, edge handlers.
 */
export function isServerlessScope(scope: RequestScope): boolean {
  return scope.kind === 'serverless-handler' || scope.kind === 'next-route' || scope.kind === 'next-api' || scope.kind === 'edge-fetch';
}

/**
 * Where to underline a construction: `new Pool` of `new Pool({ … })` on its first line,
 * rather than the whole (often multi-line) expression.
 */
export function constructionHead(def: Pick<PoolDefinition, 'range' | 'construct'>): SourceRange {
  const r = def.range;
  const head = def.construct.replace(/\(\)$/, '');
  const end = r.column + head.length;
  if (head.length === 0 || (r.endLine === r.line && r.endColumn <= end)) return r;
  return { file: r.file, line: r.line, column: r.column, endLine: r.line, endColumn: end };
}

/** Definitions of the same file that wrap `def` (a Drizzle or Kysely instance around a pg Pool, PrismaClient around its adapter). */
export function wrappersOf(def: PoolDefinition, pools: readonly PoolDefinition[]): PoolDefinition[] {
  return pools.filter((p) => p.wraps === def.id);
}

/**
 * Is `def` a wrapper around another construction written inside it (`drizzle(new Pool())`,
 * `new Kysely({ dialect: new PostgresDialect({ pool: new Pool() }) })`)? The inner one holds
 * the connections; report that one only, whether or not `wraps` could be linked.
 */
export function wrapsInlineDefinition(def: PoolDefinition, pools: readonly PoolDefinition[]): boolean {
  return pools.some((p) => p !== def && p.file === def.file && rangeContains(def.range, p.range));
}
