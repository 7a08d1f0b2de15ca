import { defineRule } from '../src/engine/rule.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../src/sources/js/types.js';
import { constructionHead, isServerlessScope, requestScopeAt, wrapsInlineDefinition } from '../src/sources/js/scopes/lookup.js';
import type { ProjectModel } from '../src/model/project-model.js';
import { serverlessScopeRuntime } from '../src/model/deployment/runtime.js';
import { LIBRARY_NAME } from '../src/sources/js/libraries.js';

function prismaClientsWithDatasource(model: ProjectModel): Set<string> {
  return new Set(model.connections.prisma.flatMap((p) => p.clients));
}

/** How to write a pool size of `n` for each library (the help line). */
function sizeOption(library: JsLibrary, n: number): string {
  switch (library) {
    case 'knex':
      return `pool: { min: 0, max: ${n} }`;
    case 'sequelize':
    case 'mikro-orm':
      return `pool: { max: ${n} }`;
    case 'typeorm':
      return `poolSize: ${n}`;
    case 'drizzle':
      return `connection: { max: ${n} }`;
    default:
      return `max: ${n}`;
  }
}

/** Where the number comes from, when it is not written at the report location: ` (POOL_MAX)`, ` (the pg default)`. */
function source(def: PoolDefinition, max: Resolved<number>): string {
  const p = max.provenance;
  if (p.kind === 'constant') return ` (${p.name})`;
  if (p.kind === 'default') return ` (the ${LIBRARY_NAME[def.library]} default)`;
  return '';
}

export default defineRule({
  meta: {
    id: 'serverless-pool-size',
    description: 'Report a connection pool larger than a serverless function needs: every concurrent invocation holds its own copy.',
    type: 'suggestion',
    category: 'capacity',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'Test code is not deployed as a function, so no concurrent invocations multiply its pool.',
    },
    messages: {
      tooLarge:
        '{{construct}} allows up to {{max}} connections{{source}} in serverless code ({{scope}}; run as a function: {{runtime}}): each concurrent invocation runs its own copy of this pool, so 100 concurrent invocations can hold {{total}} connections.',
      prismaDefault:
        '{{construct}} in serverless code ({{scope}}; run as a function: {{runtime}}) uses Prisma\'s default pool of num_cpus × 2 + 1 connections per instance (the URL in code sets no connection_limit): each concurrent invocation holds its own pool.',
      help: 'Set `{{option}}` (one invocation rarely needs more) and put a pooler between the functions and PostgreSQL (PgBouncer, RDS Proxy or your provider\'s pooled endpoint).',
      helpPrisma: 'Add `connection_limit=1` to the connection URL (for example in DATABASE_URL) and connect through a pooler (PgBouncer with `pgbouncer=true`, Prisma Accelerate, your provider\'s pooled endpoint).',
    },
    options: {
      max: { type: 'integer', description: 'The largest pool size accepted in serverless code.', default: 2, minimum: 1 },
    },
  },
  check(ctx) {
    const limit = Number(ctx.options.max);
    for (const file of ctx.facts.js) {
      const serverless = file.requestScopes.find(isServerlessScope);
      if (!serverless) continue;
      // Serverless is how the code runs (the deployment model's runtime), not the shape of a route file.
      const runtime = serverlessScopeRuntime(ctx.model.deployment, file.file, serverless);
      if (!runtime.serverless) continue;
      const related = runtime.range ? [{ range: runtime.range, message: `how this code runs: ${runtime.evidence}` }] : [];
      for (const def of file.pools) {
        if (def.kind === 'client' || def.wraps !== undefined || wrapsInlineDefinition(def, file.pools)) continue;
        // Created per request: that is pool-in-handler's finding, not a sizing question.
        const inScope = requestScopeAt(file.requestScopes, def.range);
        if (inScope && !(def.scope.kind === 'function' && def.scope.lazySingleton)) continue;
        const data = { construct: def.construct, scope: serverless.description, runtime: runtime.evidence };
        // Prisma (query engine): connection_limit defaults to num_physical_cpus * 2 + 1
        // (https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool#default-connection-pool-size).
        if (def.kind === 'prisma-client' && def.max.provenance.kind === 'default') {
          // When the repository holds the datasource, its URL decides (per environment, through .env files):
          // prisma-connection-limit judges that at the URL, so only a client whose URL is unknown is reported here.
          if (prismaClientsWithDatasource(ctx.model).has(def.id)) continue;
          ctx.report({ messageId: 'prismaDefault', helpId: 'helpPrisma', data, range: constructionHead(def), related });
          continue;
        }
        const max = def.max;
        const kind = max.provenance.kind;
        // An env var (even with a fallback) is decided at deploy time; unknown values are not guessed.
        if (max.value === undefined || (kind !== 'literal' && kind !== 'constant' && kind !== 'default')) continue;
        if (max.value <= limit) continue;
        ctx.report({
          messageId: 'tooLarge',
          helpId: 'help',
          data: { ...data, max: max.value, source: source(def, max), total: max.value * 100, option: sizeOption(def.library, 1) },
          range: max.range ?? constructionHead(def),
          related,
        });
      }
    }
  },
});
