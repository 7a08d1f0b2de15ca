import { defineRule, type RuleContext } from '../src/engine/rule.js';
import type { JsLibrary, RequestScope, ScopeClose } from '../src/sources/js/types.js';
import { isServerlessScope } from '../src/sources/js/scopes/lookup.js';

/**
 * What a query sees once the shared object is closed, per library (source cited):
 * - pg-pool 3.14 index.js connect(): "Cannot use a pool after calling end on the pool";
 * - pg 8.23 lib/client.js query(): "Client was closed and is not queryable";
 * - postgres.js 3.4 src/index.js handler(): CONNECTION_ENDED;
 * knex, Sequelize, TypeORM, MikroORM and Kysely refuse queries once destroyed/closed too.
 * Prisma reconnects on the next query ($connect is implicit), so it is the cost, not an error.
 */
const AFTER_CLOSE: Partial<Record<JsLibrary, string>> = {
  pg: 'every later query through it fails with "Cannot use a pool after calling end on the pool"',
  'neon-serverless': 'every later query through it fails with "Cannot use a pool after calling end on the pool"',
  'vercel-postgres': 'every later query through it fails with "Cannot use a pool after calling end on the pool"',
  postgres: 'every later query through it fails with CONNECTION_ENDED',
};

function afterClose(library: JsLibrary, kind: 'pool' | 'client'): string {
  if (kind === 'client' && (library === 'pg' || library === 'neon-serverless')) return 'every later query through it fails with "Client was closed and is not queryable"';
  return AFTER_CLOSE[library] ?? 'every later query through it fails until the process restarts';
}

function closeCall(c: ScopeClose): string {
  return `${c.receiver}.${c.method}()`;
}

export default defineRule({
  meta: {
    id: 'close-in-handler',
    description: 'Report a shared pool or client closed inside a function that runs per request.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: false,
    nonProduction: {
      action: 'skip',
      reason: 'A test server handles its requests one at a time and tears its pool down on purpose; the harm, a shared pool closed under concurrent requests and a reconnect storm, is production\'s.',
    },
    since: '0.2.0',
    messages: {
      closed:
        '{{call}} in the {{scope}} closes {{receiver}}, which every request shares ({{because}}): requests running at the same time lose their connections, and {{after}}.',
      prisma:
        '{{call}} in the {{scope}} disconnects {{receiver}}, which every request shares ({{because}}): each following request opens a new pool and pays its connection handshakes, and queries of requests running at the same time can fail.',
      serverless:
        '{{call}} in the {{scope}} closes {{receiver}}, which the function instance keeps between invocations ({{because}}): every invocation opens its connections again instead of reusing them, and where one instance serves several invocations at once (Vercel Fluid compute) it closes them under the others.',
      help: 'Remove {{call}} from the handler: create {{receiver}} once and close it only when the process shuts down (a SIGTERM handler, NestJS onModuleDestroy/enableShutdownHooks, Fastify onClose).',
      helpPrisma:
        'Remove {{call}} from the handler: Prisma keeps its pool for the life of the process and reconnects on demand; disconnect only on shutdown (a SIGTERM handler or NestJS onModuleDestroy).',
      helpServerless: 'Remove {{call}} and let the instance keep its connections between invocations (Prisma: "Do not explicitly $disconnect()" in serverless functions); size the pool small (max 1–2) instead.',
    },
    options: {},
  },
  check(ctx) {
    for (const file of ctx.facts.js) {
      for (const scope of file.requestScopes) {
        // On an edge runtime a connection cannot outlive the request: closing is the documented pattern there.
        if (scope.edge) continue;
        for (const c of scope.closes ?? []) {
          const t = c.target;
          if (t === undefined || !t.shared) continue;
          report(ctx, scope, c);
        }
      }
    }
  },
});

function report(ctx: RuleContext, scope: RequestScope, c: ScopeClose): void {
  const t = c.target!;
  const data = { call: closeCall(c), receiver: c.receiver, because: t.sharedBecause ?? 'created once', scope: scope.description, after: afterClose(t.library, t.kind) };
  const related = [{ range: scope.range, message: `${scope.description} runs once per request` }];
  if (t.definedAt !== undefined) related.push({ range: t.definedAt, message: `${c.receiver} is created here, once` });
  // A Lambda-style function instance serves one invocation at a time: the cost is a reconnect per
  // invocation, a warning; everywhere else concurrent requests share the object.
  if (scope.kind === 'serverless-handler' && isServerlessScope(scope)) {
    ctx.report({ messageId: 'serverless', helpId: 'helpServerless', severity: 'warning', data, range: c.range, related });
    return;
  }
  const prisma = t.library === 'prisma';
  ctx.report({ messageId: prisma ? 'prisma' : 'closed', helpId: prisma ? 'helpPrisma' : 'help', data, range: c.range, related });
}
