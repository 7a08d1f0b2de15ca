import { basename, dirname, relative, sep } from 'node:path';
import { defineRule } from '../src/engine/rule.js';
import { PRISMA_DEFAULT_CONNECTION_LIMIT, type PrismaClientModel, type ResolvedConnection } from '../src/model/connections.js';
import type { ProjectModel } from '../src/model/project-model.js';
import { serverlessScopeRuntime } from '../src/model/deployment/runtime.js';
import { isServerlessScope } from '../src/sources/js/scopes/lookup.js';

function inside(dir: string, file: string): boolean {
  const r = relative(dir, file);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep));
}

/**
 * Serverless code that runs this Prisma setup: a handler (Lambda, Vercel, Netlify, Next.js route,
 * edge) in the Prisma project's directory, or a serverless.yml / vercel.json above or inside it.
 * Only for a project whose PrismaClient was found (query engine, no adapter).
 */
function serverlessUse(model: ProjectModel, p: PrismaClientModel, single: boolean): string | undefined {
  const facts = model.facts;
  if (p.clients.length === 0) return undefined;
  for (const f of facts.js) {
    if (!single && !inside(p.projectDir, f.file)) continue;
    const s = f.requestScopes.find(isServerlessScope);
    if (!s) continue;
    // Serverless is how the code runs (the deployment model's runtime), not the shape of a route file.
    const runtime = serverlessScopeRuntime(model.deployment, f.file, s);
    if (runtime.serverless) return `${s.description} in ${relative(facts.root, f.file).split(sep).join('/')}; run as a function: ${runtime.evidence}`;
  }
  for (const s of facts.serverless) {
    const d = dirname(s.file);
    if (single || inside(d, p.projectDir) || inside(p.projectDir, s.file)) return `deployed by ${basename(s.file)}`;
  }
  return undefined;
}

/** The pooler the URL goes through, when the provider's convention or the repository says so (not port 6432 alone). */
function pooler(c: ResolvedConnection): string | undefined {
  const p = c.endpoint.pooler;
  if (c.endpoint.role === 'pooler' && p && p.confidence !== 'weak') {
    const mode = p.mode ? ` in ${p.mode} mode` : '';
    if (p.declared !== undefined) return `the pooler ${p.declared} (deployment.poolers)${mode}`;
    switch (p.product) {
      case 'supabase-supavisor':
        return `the Supabase pooler (Supavisor)${mode}`;
      case 'supabase-pgbouncer':
        return `Supabase's PgBouncer${mode}`;
      case 'neon':
        return `Neon's pooled endpoint${mode}`;
      case 'rds-proxy':
        return 'RDS Proxy';
      case 'azure-pgbouncer':
        return "Azure's built-in PgBouncer";
      default:
        return `the repository's PgBouncer${mode}`;
    }
  }
  if (c.parsed.prisma.pgbouncer === true) return 'a PgBouncer (pgbouncer=true)';
  return undefined;
}

export default defineRule({
  meta: {
    id: 'prisma-connection-limit',
    description: 'Report a Prisma connection URL without connection_limit in serverless code or behind a pooler.',
    type: 'suggestion',
    category: 'capacity',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['prisma', 'env', 'js'],
    scope: 'project',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test run does not scale out instances, so Prisma\'s default pool size multiplies nothing.',
    },
    messages: {
      pooler:
        '{{what}} sets no connection_limit, so each Prisma Client instance opens up to ' +
        PRISMA_DEFAULT_CONNECTION_LIMIT +
        ' connections to {{pooler}}: that CPU-derived default multiplies with every instance and can exhaust the pooler\'s client or pool limits.',
      serverless:
        '{{what}} sets no connection_limit, and Prisma runs in serverless code ({{scope}}): every concurrent invocation is an instance with its own pool of ' +
        PRISMA_DEFAULT_CONNECTION_LIMIT +
        ' connections, so 100 invocations can hold hundreds of connections.',
      help: 'Add `connection_limit=1` to this URL ({{example}}); raise it only if one instance runs queries in parallel, keeping instances × connection_limit within what the server or pooler accepts.',
    },
    options: {},
  },
  check(ctx) {
    const model = ctx.model.connections;
    const engines = model.prisma.filter((p) => p.generation === 'query-engine');
    const single = engines.filter((p) => p.schema).length <= 1;
    const done = new Set<string>();
    for (const p of engines) {
      const urls = model.strings.filter((c) => (p.schema ? c.origin.prismaId === p.id && c.origin.property === 'url' : c.origin.poolId === p.id));
      if (urls.length === 0) continue;
      const scope = serverlessUse(ctx.model, p, single);
      for (const c of urls) {
        if (c.parsed.prisma.connectionLimit !== undefined) continue;
        // An invalid connection_limit (Prisma refuses the URL) is the parser's warning, not this rule's.
        if (c.parsed.params.has('connection_limit')) continue;
        const key = `${c.range.file}:${c.range.line}:${c.range.column}`;
        if (done.has(key)) continue;
        const via = pooler(c);
        if (via === undefined && scope === undefined) continue;
        done.add(key);
        const what = c.envVar && c.envFile ? `${c.envVar} (${basename(c.envFile)})` : 'This connection URL';
        const example = c.parsed.scheme === 'url' ? (c.parsed.params.size > 0 ? '`&connection_limit=1`' : '`?connection_limit=1`') : '`connection_limit=1`';
        ctx.report({
          messageId: via !== undefined ? 'pooler' : 'serverless',
          helpId: 'help',
          data: { what, pooler: via ?? '', scope: scope ?? '', example },
          range: c.range,
        });
      }
    }
  },
});
