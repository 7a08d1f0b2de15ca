import { defineRule } from '../src/engine/rule.js';
import type { JsLibrary } from '../src/sources/js/types.js';
import { constructionHead, wrapsInlineDefinition } from '../src/sources/js/scopes/lookup.js';
import { addOptionEdit, replaceValueEdit } from '../src/sources/js/edits.js';

/**
 * Libraries whose pool waits forever for a free connection unless told otherwise, all
 * through pg-pool: brianc/node-postgres pg-pool 3.14.0 index.js `connect()` queues the
 * caller with no timer when `connectionTimeoutMillis` is 0 or unset (docs: "By default
 * this is 0 which means no timeout", docs/pages/apis/pool.mdx). The others hand their
 * options to a pg Pool unchanged:
 * - @neondatabase/serverless src/pool.ts `NeonPool extends Pool`;
 * - @vercel/postgres src/create-pool.ts `VercelPool extends` neon's Pool;
 * - @prisma/adapter-pg src/pg.ts `new pg.Pool(this.config)`;
 * - TypeORM 0.3.x src/driver/postgres/PostgresDriver.ts createPool(): `connectionTimeoutMillis: options.connectTimeoutMS`, then `extra` spread over;
 * - Drizzle and Kysely build or wrap a pg Pool (the extractor decides and gives the default).
 * Not here, because their wait is bounded by default: knex 3.3 lib/client.js
 * (`acquireConnectionTimeout` 60000), Sequelize 6.37 connection-manager.js (`pool.acquire`
 * 60000), Prisma's engine (`pool_timeout` 10 s), MikroORM (knex). postgres.js 3.4 has
 * no option to bound the queue at all, so there is nothing to suggest.
 */
const WAITS_FOREVER_BY_DEFAULT = new Set<JsLibrary>(['pg', 'neon-serverless', 'vercel-postgres', 'prisma-adapter-pg', 'typeorm', 'drizzle', 'kysely']);
/** Libraries where a written 0 also means "no timeout": the above, and Prisma's `pool_timeout=0` (https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool#disabling-the-pool-timeout). */
const ZERO_WAITS_FOREVER = new Set<JsLibrary>([...WAITS_FOREVER_BY_DEFAULT, 'prisma']);

function fix(library: JsLibrary, ms: number): string {
  switch (library) {
    case 'typeorm':
      return `connectTimeoutMS: ${ms}`;
    case 'prisma':
      return `pool_timeout=${Math.max(1, Math.round(ms / 1000))} in the connection URL`;
    case 'drizzle':
      return `connectionTimeoutMillis: ${ms} in the pg Pool options`;
    default:
      return `connectionTimeoutMillis: ${ms}`;
  }
}

/**
 * Libraries whose timeout option is a top-level property of the construction's options, so
 * `--fix` can write it there: pg's Pool and those that hand their options to one unchanged
 * (see above), and TypeORM's DataSource (`connectTimeoutMS`). Drizzle and Kysely take it inside
 * the pg Pool they wrap, Prisma in the URL: those stay findings to act on by hand.
 */
const FIX_IN_OPTIONS = new Set<JsLibrary>(['pg', 'neon-serverless', 'vercel-postgres', 'prisma-adapter-pg', 'typeorm']);

function optionName(library: JsLibrary): string {
  if (library === 'typeorm') return 'connectTimeoutMS';
  if (library === 'prisma') return 'pool_timeout';
  return 'connectionTimeoutMillis';
}

export default defineRule({
  meta: {
    id: 'missing-connection-timeout',
    description: 'Report a pool that lets callers wait forever for a free connection.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: true,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test that waits forever is stopped by the test runner\'s own timeout; the harm, every request of a service queueing forever under load, is production\'s.',
    },
    messages: {
      unset:
        '{{construct}} sets no {{option}}, so when all {{max}} connections are busy (a slow query, a leaked client, a database failover) every further request waits forever instead of failing.',
      zero: '{{written}} disables the timeout: when all {{max}} connections are busy (a slow query, a leaked client, a database failover) every further request waits forever instead of failing.',
      help: 'Set `{{fix}}`, so a request gets an error after {{seconds}} s and the service can shed load, retry or report it.',
    },
    options: {
      suggested: { type: 'integer', description: 'The timeout suggested in the help line, in milliseconds.', default: 5000, minimum: 1 },
    },
  },
  check(ctx) {
    const ms = Number(ctx.options.suggested);
    for (const file of ctx.facts.js) {
      for (const def of file.pools) {
        // A single Client never waits for a free connection; a wrapper's pool is judged where it is created.
        if (def.kind === 'client' || def.wraps !== undefined || wrapsInlineDefinition(def, file.pools)) continue;
        const wait = def.acquireTimeoutMs;
        if (!wait || wait.value !== 0) continue;
        const p = wait.provenance.kind;
        const isDefault = p === 'default';
        if (isDefault ? !WAITS_FOREVER_BY_DEFAULT.has(def.library) : !((p === 'literal' || p === 'constant') && ZERO_WAITS_FOREVER.has(def.library))) continue;
        const data = {
          construct: def.construct,
          option: optionName(def.library),
          max: def.max.value ?? 'its',
          fix: fix(def.library, ms),
          seconds: ms / 1000,
          written:
            def.library === 'prisma'
              ? 'pool_timeout=0'
              : wait.provenance.kind === 'constant'
                ? `${optionName(def.library)}: ${wait.provenance.name} (0)`
                : `${optionName(def.library)}: 0`,
        };
        // --fix: the option with the suggested timeout, added to the inline options, or the written 0 replaced.
        const fixEdits = !FIX_IN_OPTIONS.has(def.library)
          ? undefined
          : isDefault
            ? addOptionEdit(def, ctx.facts.sources.get(def.file)?.text, `${optionName(def.library)}: ${ms}`)
            : p === 'literal' && wait.range?.file === def.file
              ? replaceValueEdit(wait.range, String(ms))
              : undefined;
        ctx.report({
          messageId: isDefault ? 'unset' : 'zero',
          helpId: 'help',
          data,
          range: !isDefault && wait.range ? wait.range : constructionHead(def),
          ...(fixEdits ? { fix: fixEdits } : {}),
        });
      }
    }
  },
});

