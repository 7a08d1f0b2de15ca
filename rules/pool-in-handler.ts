import { relative, sep } from 'node:path';
import { defineRule } from '../src/engine/rule.js';
import type { SourceRange } from '../src/core/location.js';
import type { IndirectPool, JsLibrary, PoolDefinition, RequestScope } from '../src/sources/js/types.js';
import { constructionHead, rangeContains, requestScopeAt, wrappersOf, wrapsInlineDefinition } from '../src/sources/js/scopes/lookup.js';

/**
 * Libraries whose pool must live and die within one request: @neondatabase/serverless
 * ("Pool and Client objects must be connected, used and closed within a single request
 * handler", https://neon.com/docs/serverless/serverless-driver#use-the-driver-over-websockets).
 */
const REQUEST_BOUND_LIBRARIES = new Set<JsLibrary>(['neon-serverless']);

/** How each library closes the object (for the help line). */
const CLOSE_CALL: Record<JsLibrary, string> = {
  pg: 'end()',
  postgres: 'end()',
  'neon-serverless': 'end()',
  'vercel-postgres': 'end()',
  'prisma-adapter-pg': 'end()',
  prisma: '$disconnect()',
  knex: 'destroy()',
  kysely: 'destroy()',
  typeorm: 'destroy()',
  sequelize: 'close()',
  'mikro-orm': 'close()',
  drizzle: '$client.end()',
};

/** How a Python pool is closed (for the help line). */
const PY_CLOSE: Partial<Record<string, string>> = {
  sqlalchemy: 'engine.dispose()',
  'psycopg-pool': 'pool.close()',
  asyncpg: 'await pool.close()',
  psycopg2: 'pool.closeall()',
};

function what(def: PoolDefinition): string {
  if (def.kind === 'client') return 'database connection';
  if (def.kind === 'prisma-client') return 'PrismaClient with its own connection pool';
  const size = def.max.value !== undefined ? ` (up to ${def.max.value} connections)` : '';
  if (def.kind === 'orm') return `${def.construct.replace(/^new /, '').replace(/\(\)$/, '')} instance and connection pool${size}`;
  return `connection pool${size}`;
}

/** Is the object (or a wrapper around it: `drizzle(pool)`, `new PrismaClient({ adapter })`) closed in the scope? */
function closeIn(scope: RequestScope, def: PoolDefinition, pools: readonly PoolDefinition[]): RequestScope['closes'] {
  const names = [def, ...wrappersOf(def, pools)].map((d) => d.binding?.replace(/^this\./, '')).filter((n): n is string => n !== undefined);
  return (scope.closes ?? []).filter((c) => names.some((n) => c.receiver === n || c.receiver.startsWith(`${n}.`)));
}

/** Is the object stored somewhere that outlives the call (a per-tenant cache)? */
function keptBeyondCall(scope: RequestScope, def: PoolDefinition, pools: readonly PoolDefinition[]): boolean {
  const all = [def, ...wrappersOf(def, pools)];
  return (scope.keeps ?? []).some((k) => all.some((d) => rangeContains(k.value, d.range) || (k.name !== undefined && k.name === d.binding)));
}

export default defineRule({
  meta: {
    id: 'pool-in-handler',
    description: 'Report a pool, client or ORM instance created inside a function that runs per request, instead of once per process.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'python'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test\'s handler serves a handful of requests; the harm, connections piling up per request under load, is production\'s.',
    },
    messages: {
      perRequest:
        '{{construct}} runs on every call of the {{scope}}, so each request opens its own {{what}} and never closes it: under load the open connections add up until PostgreSQL refuses new ones ("too many clients").',
      perRequestClosed:
        '{{construct}} runs on every call of the {{scope}}, so each request opens and closes its own {{what}}: every request pays a new connection handshake and concurrent requests multiply the connections.',
      edgeNeverClosed:
        '{{construct}} creates a {{what}} per request in the {{scope}}, which is right on an edge runtime, but nothing closes it: each request leaves its connections open until the runtime kills them.',
      perRequestIndirect:
        '{{callee}} runs on every call of the {{scope}}, and {{via}} creates a {{what}} each time ({{construct}} at {{poolAt}}): each request opens its own connections, concurrent requests multiply them, and under load PostgreSQL refuses new ones ("too many clients").',
      perRequestIndirectClosed:
        '{{callee}} runs on every call of the {{scope}}, and {{via}} creates a {{what}} each time ({{construct}} at {{poolAt}}), closed when the request is done: every request pays new connection handshakes and concurrent requests multiply the connections.',
      perRequestIndirectMany:
        '{{callee}} runs per request at {{count}} calls (in the {{scope}} and {{more}} more, listed below), and {{via}} creates a {{what}} each time ({{construct}} at {{poolAt}}): each request opens its own connections, concurrent requests multiply them, and under load PostgreSQL refuses new ones ("too many clients").',
      perRequestIndirectManyClosed:
        '{{callee}} runs per request at {{count}} calls (in the {{scope}} and {{more}} more, listed below), and {{via}} creates a {{what}} each time ({{construct}} at {{poolAt}}), closed when the request is done: every request pays new connection handshakes and concurrent requests multiply the connections.',
      helpIndirect: 'Create it once and share it: call {{callee}} once at module scope and reuse the result, or make {{factory}} return one cached instance (`{{variable}} ??= …`).',
      help: 'Create it once at module scope and reuse it in every request (or create it lazily in a module-level variable: `{{variable}} ??= {{ctor}}(…)`).',
      helpPrisma: 'Create one PrismaClient per process at module scope and import it (in development: `globalThis.prisma ??= new PrismaClient()`).',
      helpPython: 'Create the {{kind}} once at module scope (or in the application factory / lifespan) and use it in every request; {{close}} releases its connections when the process stops.',
      helpEdge: 'Close it when the response is done: `ctx.waitUntil({{binding}}.{{close}})` on Cloudflare Workers, or `await {{binding}}.{{close}}` in a `finally` block.',
    },
    options: {},
  },
  check(ctx) {
    const poolsById = new Map(ctx.facts.js.flatMap((f) => f.pools.map((p) => [p.id, p] as const)));
    // Python (and other non-JS code): a pool built inside a view or route function (AppPool scope per-request).
    for (const pool of ctx.facts.app.pools) {
      if (pool.scope.kind !== 'per-request') continue;
      const peak = pool.peak.unbounded === undefined && pool.peak.terms.every((t) => typeof t.value.value === 'number') ? pool.peak.terms.reduce((n, t) => n + (t.value.value as number), 0) : undefined;
      const kind = pool.library === 'sqlalchemy' ? 'engine and connection pool' : 'connection pool';
      ctx.report({
        messageId: 'perRequest',
        helpId: 'helpPython',
        data: {
          construct: `${pool.construct}()`,
          scope: `request handler \`${pool.scope.name ?? 'function'}\``,
          what: `${kind}${peak !== undefined ? ` (up to ${peak} connections)` : ''}`,
          kind,
          close: PY_CLOSE[pool.library] ?? 'closing it',
        },
        range: pool.range,
        related: [{ range: pool.scope.range, message: `${pool.scope.name ?? 'the function'} runs once per request` }],
      });
    }
    // A factory called by many handlers (`new PostgresMeta(config)` in every route) is one finding, at
    // its first call in path order, with every other handler's call as a related location: one cause,
    // one fix (in the factory), not one near-identical finding per route.
    const indirect = new Map<string, Array<{ ind: IndirectPool; scope: RequestScope; def: PoolDefinition; closedHere: boolean }>>();
    for (const file of ctx.facts.js) {
      for (const scope of file.requestScopes) {
        // On an edge runtime a pool per request is the documented pattern (createDb(env) per fetch).
        if (scope.edge) continue;
        const reported = new Set<string>();
        for (const ind of scope.indirectPools ?? []) {
          const def = poolsById.get(ind.poolId);
          if (def === undefined || REQUEST_BOUND_LIBRARIES.has(def.library)) continue;
          // Only for the innermost scope of the call, once per call and pool.
          if (requestScopeAt(file.requestScopes, ind.call) !== scope) continue;
          const key = `${ind.call.line}:${ind.call.column}:${ind.poolId}`;
          if (reported.has(key)) continue;
          reported.add(key);
          // The handler stores what it gets in a cache that outlives the call (`pools.set(tenant, createPool(t))`).
          if ((scope.keeps ?? []).some((k) => rangeContains(k.value, ind.call) || (k.name !== undefined && k.name === ind.assignedTo))) continue;
          const closedHere = ind.assignedTo !== undefined && (scope.closes ?? []).some((c) => c.receiver === ind.assignedTo || c.receiver.startsWith(`${ind.assignedTo}.`));
          const group = `${ind.poolId}\0${ind.callee}\0${ind.via.map((v) => `${v.name}@${v.range.file}:${v.range.line}:${v.range.column}`).join('>')}`;
          const list = indirect.get(group) ?? [];
          list.push({ ind, scope, def, closedHere });
          indirect.set(group, list);
        }
      }
      if (file.requestScopes.length === 0) continue;
      for (const def of file.pools) {
        // A wrapper (`drizzle(pool)`, Kysely's dialect, PrismaClient around an adapter) opens no
        // connections of its own: the wrapped definition is judged where it is created.
        if (def.wraps !== undefined || wrapsInlineDefinition(def, file.pools)) continue;
        // Created once (module scope, static field) or once per process (lazy singleton).
        if (def.scope.kind === 'module' || def.scope.lazySingleton) continue;
        const scope = requestScopeAt(file.requestScopes, def.range);
        if (!scope) continue;
        if (/^(?:globalThis|global|window)\./.test(def.binding ?? '') || keptBeyondCall(scope, def, file.pools)) continue;
        const closes = closeIn(scope, def, file.pools) ?? [];
        const edge = scope.edge || REQUEST_BOUND_LIBRARIES.has(def.library) || closes.some((c) => c.via === 'wait-until');
        const binding = def.binding?.replace(/^this\./, '') ?? 'pool';
        const data = {
          construct: def.construct,
          ctor: def.construct.replace(/\(\)$/, ''),
          scope: scope.description,
          what: what(def),
          binding,
          variable: /^[A-Za-z_$][\w$]*$/.test(binding) ? binding : def.kind === 'orm' || def.kind === 'prisma-client' ? 'db' : 'pool',
          close: CLOSE_CALL[def.library],
        };
        const related = [{ range: scope.range, message: `${scope.description} runs once per request` }];
        const range = constructionHead(def);
        if (edge) {
          if (closes.length === 0) ctx.report({ messageId: 'edgeNeverClosed', helpId: 'helpEdge', data, range, related });
          continue;
        }
        ctx.report({
          messageId: closes.length > 0 ? 'perRequestClosed' : 'perRequest',
          helpId: def.library === 'prisma' ? 'helpPrisma' : 'help',
          data,
          range,
          related,
        });
      }
    }
    const rel = (r: { file: string; line: number }) => `${relative(ctx.facts.root, r.file).split(sep).join('/')}:${r.line}`;
    const byPlace = (a: SourceRange, b: SourceRange) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
    for (const calls of indirect.values()) {
      calls.sort((a, b) => byPlace(a.ind.call, b.ind.call));
      const { ind, scope, def } = calls[0]!;
      const factory = ind.via[0]!.name;
      const closed = calls.every((c) => c.closedHere);
      const many = calls.length > 1;
      ctx.report({
        messageId: many ? (closed ? 'perRequestIndirectManyClosed' : 'perRequestIndirectMany') : closed ? 'perRequestIndirectClosed' : 'perRequestIndirect',
        helpId: 'helpIndirect',
        data: {
          callee: ind.callee,
          scope: scope.description,
          count: calls.length,
          more: calls.length - 1,
          via: ind.via.map((v) => v.name).join(' → '),
          what: what(def),
          construct: def.construct,
          poolAt: rel(ind.poolRange),
          factory,
          variable: def.kind === 'orm' || def.kind === 'prisma-client' ? 'db' : 'pool',
        },
        range: ind.call,
        related: [
          { range: constructionHead(def), message: `${def.construct} runs each time ${factory} is called` },
          ...ind.via.map((v) => ({ range: v.range, message: `${v.name} is called per request` })),
          { range: scope.range, message: `${scope.description} runs once per request` },
          ...calls.slice(1).map((c) => ({ range: c.ind.call, message: `${c.ind.callee} is also called per request here, in the ${c.scope.description}` })),
        ],
      });
    }
  },
});
