import { defineRule } from '../src/engine/rule.js';
import type { JsLibrary } from '../src/sources/js/types.js';
import { constructionHead, wrapsInlineDefinition } from '../src/sources/js/scopes/lookup.js';
import { addOptionEdit, replaceValueEdit } from '../src/sources/js/edits.js';
import type { AppPool } from '../src/sources/app/types.js';
import type { SourceRange } from '../src/core/location.js';

/** The callee of a call (`asyncpg.create_pool` of `await asyncpg.create_pool(dsn, …)`): the call up to its `(` on the first line. */
function callHead(r: SourceRange, text: string | undefined): SourceRange {
  const line = text?.split(/\r\n|\n|\r/)[r.line - 1];
  const open = line?.indexOf('(', r.column - 1) ?? -1;
  return open > r.column - 1 ? { ...r, endLine: r.line, endColumn: open + 1 } : r;
}

/** The pool's peak for messages: Σ of its terms when all are known (SQLAlchemy pool_size + max_overflow), else "its". */
function peakOf(app: AppPool): number | string {
  if (app.peak.unbounded) return 'its';
  let sum = 0;
  for (const t of app.peak.terms) {
    if (typeof t.value.value !== 'number') return 'its';
    sum += t.value.value;
  }
  return app.peak.terms.length > 0 ? sum : 'its';
}

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
/*
 * Python (issue 14), each verified in the library's source:
 * - asyncpg: reported by default (asyncpg/pool.py, see reportPython). Evidence that it matters: an
 *   exhausted asyncpg pool hung requests for six hours in hushh-labs/hushh-research#5871.
 * - SQLAlchemy QueuePool: `pool_timeout` default 30 s (lib/sqlalchemy/pool/impl.py QueuePool.__init__
 *   `timeout: float = 30.0`); only `pool_timeout=None` waits forever (util/queue.py), `0` fails at once.
 * - psycopg_pool (and Django's OPTIONS["pool"], which builds one): `timeout` default 30 s
 *   (psycopg_pool/pool.py `timeout: float = 30.0`); getconn computes `monotonic() + timeout`, so None
 *   raises TypeError rather than waiting, and `<= 0` raises PoolTimeout at once (_get_ready_connection,
 *   psycopg/psycopg c079c37c): never forever.
 * - psycopg2 SimpleConnectionPool/ThreadedConnectionPool: `getconn` raises PoolError("connection pool
 *   exhausted") instead of waiting (psycopg2 lib/pool.py AbstractConnectionPool._getconn).
 * - libpq `connect_timeout` unset ("Zero, negative, or not specified means wait indefinitely",
 *   libpq-connect.html): bounds opening a connection, not the wait for a free one, and the kernel's
 *   SYN retries end an unanswered connect after about 2 minutes (Linux tcp_syn_retries 6 = 127 s): not
 *   this rule's harm, and reporting every Django/psycopg2 project without it would be noise.
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
    inputs: ['js', 'spring', 'rails', 'python'],
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
      zeroApp: '{{written}} disables the timeout ({{why}}): when all {{max}} connections are busy (a slow query, a leaked connection, a database failover) every further request waits forever instead of failing.',
      asyncpg:
        '{{construct}} has no pool-wide timeout: `pool.acquire()` without `timeout=`, and `pool.fetch()`/`pool.execute()`, which acquire that way, wait forever when all {{max}} connections are busy (a slow query, a leaked connection, a database failover) instead of failing.',
      helpAsyncpg:
        'Acquire with a deadline, `async with pool.acquire(timeout={{seconds}})` (or wrap the call in `asyncio.timeout({{seconds}})`), so a request gets an error after {{seconds}} s and the service can shed load, retry or report it.',
    },
    options: {
      suggested: { type: 'integer', description: 'The timeout suggested in the help line, in milliseconds.', default: 5000, minimum: 1 },
    },
  },
  check(ctx) {
    const ms = Number(ctx.options.suggested);
    const seconds = ms / 1000;
    /**
     * Python pools whose wait for a free connection has no bound (verified in each library's source;
     * see PYTHON_WAITS below for the ones that do not wait forever).
     */
    const reportPython = (app: AppPool): void => {
      const wait = app.acquireTimeoutMs;
      if (!wait) return; // NullPool/StaticPool, Django without OPTIONS.pool: no queue to wait in.
      const max = peakOf(app);
      if (app.library === 'asyncpg' && wait.provenance.kind === 'default' && wait.value === 0) {
        // asyncpg/pool.py (MagicStack/asyncpg db8ecc2): `Pool.acquire(self, *, timeout=None)`; `_acquire`
        // awaits `self._queue.get()` without a deadline when timeout is None, and Pool.execute/fetch/
        // fetchrow/fetchval/executemany/copy_* all do `async with self.acquire()` (their `timeout` is the
        // query's). create_pool has no option for it: its `timeout` keyword goes to connect(), where it
        // bounds opening a connection (connect(timeout=60)), not the wait for a free one.
        ctx.report({ messageId: 'asyncpg', helpId: 'helpAsyncpg', data: { construct: app.construct, max, seconds }, range: callHead(app.range, ctx.facts.sources.get(app.file)?.text) });
        return;
      }
      // SQLAlchemy QueuePool/AsyncAdaptedQueuePool: `pool_timeout=None` reaches util/queue.py `get(block,
      // timeout=None)`, which waits on the queue without a deadline (sync: `self.not_empty.wait()`; async:
      // `await self._queue.get()`, since 1.4). `pool_timeout=0` does not wait at all (sync: `remaining <= 0`
      // raises Empty at once; async: `asyncio.wait_for(..., 0)`): fail-fast, not reported.
      const p = wait.provenance;
      if (app.library === 'sqlalchemy' && wait.value === null && (p.kind === 'literal' || p.kind === 'constant')) {
        // At the keyword as written (`pool_timeout=POOL_TIMEOUT`), the constant's definition related.
        const at = app.options.find((o) => o.name === 'pool_timeout')?.range ?? wait.range ?? app.range;
        const key = `${at.file}:${at.line}:${at.column}`;
        if (seen.has(key)) return;
        seen.add(key);
        ctx.report({
          ...(p.kind === 'constant' ? { related: [{ range: p.definedAt, message: `${p.name} = None is defined here` }] } : {}),
          messageId: 'zeroApp',
          helpId: 'help',
          data: {
            written: p.kind === 'constant' ? `pool_timeout=${p.name} (None)` : 'pool_timeout=None',
            why: "SQLAlchemy's pool then waits on its queue without a deadline",
            max,
            fix: `pool_timeout=${seconds}`,
            seconds,
          },
          range: at,
        });
      }
    };
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
    // Spring Boot's HikariCP: connection-timeout 0 is Integer.MAX_VALUE ms (HikariConfig#setConnectionTimeout).
    // Its default (30 s) and ActiveRecord's checkout_timeout (5 s) do time out: nothing to report.
    const seen = new Set<string>();
    for (const app of ctx.facts.app.pools) {
      const wait = app.acquireTimeoutMs;
      if (app.language === 'python') {
        reportPython(app);
        continue;
      }
      if (app.library !== 'hikaricp' || !wait || wait.value !== 0 || wait.provenance.kind !== 'literal' || !wait.range) continue;
      const key = `${wait.range.file}:${wait.range.line}:${wait.range.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId: 'zeroApp',
        helpId: 'help',
        data: {
          written: 'spring.datasource.hikari.connection-timeout: 0',
          why: 'HikariCP waits Integer.MAX_VALUE ms',
          max: app.peak.terms[0]?.value.value ?? 'its',
          fix: `spring.datasource.hikari.connection-timeout=${Math.max(ms, 250)}`,
          seconds: Math.max(ms, 250) / 1000,
        },
        range: wait.range,
      });
    }
  },
});

