/**
 * What pgconn-lint knows of each Python PostgreSQL client: the callables that open pools, their
 * defaults (each cited to the library's source or docs) and how their pools are used. The extractor
 * (extract.ts) and the rules ask this profile instead of keeping their own tables.
 */
import type { AppLibrary, AppPool, AppSetting, PoolUse } from '../app/types.js';

export interface PythonPoolCallable {
  library: AppLibrary;
  /** As reported: `create_engine`, `psycopg_pool.ConnectionPool`. */
  construct: string;
  /** An asyncio client: one process can check out its whole pool at once. */
  async: boolean;
}

/** Fully qualified callables (through imports: `from sqlalchemy import create_engine`, `import sqlalchemy as sa`). */
export const POOL_CALLABLES: ReadonlyMap<string, PythonPoolCallable> = new Map([
  ['sqlalchemy.create_engine', { library: 'sqlalchemy', construct: 'create_engine', async: false }],
  ['sqlalchemy.engine.create_engine', { library: 'sqlalchemy', construct: 'create_engine', async: false }],
  // SQLModel re-exports SQLAlchemy's create_engine (sqlmodel/__init__.py).
  ['sqlmodel.create_engine', { library: 'sqlalchemy', construct: 'create_engine', async: false }],
  ['sqlalchemy.ext.asyncio.create_async_engine', { library: 'sqlalchemy', construct: 'create_async_engine', async: true }],
  ['sqlalchemy.ext.asyncio.engine.create_async_engine', { library: 'sqlalchemy', construct: 'create_async_engine', async: true }],
  ['psycopg_pool.ConnectionPool', { library: 'psycopg-pool', construct: 'ConnectionPool', async: false }],
  ['psycopg_pool.AsyncConnectionPool', { library: 'psycopg-pool', construct: 'AsyncConnectionPool', async: true }],
  ['asyncpg.create_pool', { library: 'asyncpg', construct: 'asyncpg.create_pool', async: true }],
  ['asyncpg.pool.create_pool', { library: 'asyncpg', construct: 'asyncpg.create_pool', async: true }],
  ['psycopg2.pool.SimpleConnectionPool', { library: 'psycopg2', construct: 'SimpleConnectionPool', async: false }],
  ['psycopg2.pool.ThreadedConnectionPool', { library: 'psycopg2', construct: 'ThreadedConnectionPool', async: false }],
]);

export function poolUse(c: PythonPoolCallable): PoolUse {
  return c.async ? 'whole-pool' : 'per-thread';
}

/**
 * SQLAlchemy QueuePool (the default pool of create_engine for PostgreSQL; AsyncAdaptedQueuePool for
 * create_async_engine, same arguments): `pool_size=5, max_overflow=10, timeout=30.0`
 * (lib/sqlalchemy/pool/impl.py, QueuePool.__init__, SQLAlchemy 2.0). `pool_size=0` means no size
 * limit and `max_overflow=-1` no overflow limit (same docstring).
 */
export const SQLALCHEMY = {
  poolSize: 5,
  maxOverflow: 10,
  poolTimeoutSeconds: 30,
  source: 'lib/sqlalchemy/pool/impl.py QueuePool.__init__',
  /** asyncpg dialect: its own prepared-statement cache, `prepared_statement_cache_size` (URL query), default 100 (SQLAlchemy docs, dialects/postgresql "asyncpg: Prepared Statement Cache"). */
  asyncpgPreparedCacheSize: 100,
} as const;

/**
 * psycopg_pool ConnectionPool / AsyncConnectionPool: `min_size=4, max_size=None, timeout=30.0`;
 * `max_size` None means a fixed-size pool of `min_size` (psycopg docs, api/pool.html "The
 * ConnectionPool class"; psycopg_pool/base.py `if max_size is None: max_size = min_size`).
 */
export const PSYCOPG_POOL = { minSize: 4, timeoutSeconds: 30, source: 'psycopg docs api/pool.html (ConnectionPool)' } as const;

/**
 * psycopg 3 prepares a query on the server once it ran `prepare_threshold` times on a connection,
 * default 5; `None` disables it (psycopg docs, advanced/prepare.html "Prepared statements"; also the
 * psycopg docs on using PgBouncer in transaction mode: set prepare_threshold=None before PgBouncer
 * 1.21). Only server-side-binding cursors prepare (psycopg's ClientCursor never does).
 */
export const PSYCOPG = { prepareThreshold: 5, source: 'psycopg docs advanced/prepare.html' } as const;

/**
 * asyncpg: `create_pool(dsn=None, *, min_size=10, max_size=10, …)` (asyncpg/pool.py create_pool);
 * every connection caches prepared statements, `statement_cache_size=100` (asyncpg/connection.py
 * connect); `Pool.acquire(timeout=None)` waits without limit (asyncpg/pool.py Pool.acquire).
 */
export const ASYNCPG = { minSize: 10, maxSize: 10, statementCacheSize: 100, source: 'asyncpg/pool.py create_pool' } as const;

/**
 * Django: `CONN_MAX_AGE` default 0 (close the connection at the end of each request),
 * `CONN_HEALTH_CHECKS` default False; without `OPTIONS["pool"]` each thread opens its own
 * connection per database alias; `OPTIONS["pool"]` (Django 5.1+, psycopg 3) is True for psycopg_pool's
 * defaults or a dict passed to `ConnectionPool` (Django docs, ref/databases "Persistent connections",
 * "Connection pool"; ref/settings CONN_MAX_AGE, CONN_HEALTH_CHECKS).
 */
export const DJANGO = { connMaxAge: 0, source: 'Django docs ref/databases' } as const;

/** The ENGINE values of Django's PostgreSQL backends (and PostGIS, which extends it). */
export function isDjangoPostgresEngine(engine: string): boolean {
  return /(^|\.)(postgresql(_psycopg2)?|postgis)$/.test(engine) || engine.includes('postgres');
}

/**
 * dj-database-url: `config(env="DATABASE_URL", default=None, engine=None, conn_max_age=0,
 * conn_health_checks=False, …)` and `parse(url, …)` with the same options (dj_database_url/__init__.py).
 * django-environ: `env.db(var="DATABASE_URL", default=NOTSET)` / `env.db_url` (environ/environ.py Env.db_url).
 */
export const DJ_DATABASE_URL = { envVar: 'DATABASE_URL', connMaxAge: 0 } as const;

/**
 * gunicorn settings (docs, "Settings"): `workers` default `int(os.environ.get("WEB_CONCURRENCY", 1))`,
 * `threads` default 1, `worker_class` default "sync"; a sync worker with threads > 1 runs as gthread.
 */
export const GUNICORN = { workers: 1, threads: 1, workersEnv: 'WEB_CONCURRENCY', source: 'gunicorn docs, Settings' } as const;

/**
 * Prepared statements by SQLAlchemy driver (`postgresql+asyncpg://` …): asyncpg's statement cache,
 * psycopg 3's prepare_threshold; psycopg2 (SQLAlchemy's default PostgreSQL driver) and pg8000 prepare
 * nothing that outlives a query. The model asks it again with the URL a service resolves.
 */
export function preparedByDriver(driver: string | undefined, options: AppPool['options'], params: Map<string, string> | undefined): (AppSetting<boolean> & { why: string }) | undefined {
  const opt = (name: string) => options.find((o) => o.name === name)?.value;
  if (driver === 'asyncpg') {
    const cache = opt('connect_args.statement_cache_size');
    const saCache = params?.get('prepared_statement_cache_size');
    if (cache && cache.value === 0 && (saCache === '0' || saCache === undefined)) return { ...(cache as AppSetting<boolean>), value: false, why: 'connect_args statement_cache_size=0' };
    if (cache && typeof cache.value !== 'number') return { ...(cache as AppSetting<boolean>), value: undefined, why: 'connect_args statement_cache_size is not known' };
    return { value: true, provenance: { kind: 'default', note: `asyncpg statement_cache_size default ${ASYNCPG.statementCacheSize} (asyncpg/connection.py connect)` }, why: `the asyncpg driver prepares every query as a named statement (statement_cache_size default ${ASYNCPG.statementCacheSize}; SQLAlchemy's prepared_statement_cache_size default ${SQLALCHEMY.asyncpgPreparedCacheSize})` };
  }
  if (driver === 'psycopg') {
    const t = opt('connect_args.prepare_threshold');
    if (t) return { ...(t as AppSetting<boolean>), value: t.value === undefined ? undefined : t.value !== null, why: `connect_args prepare_threshold=${t.value === null ? 'None' : (t.value ?? '?')}` };
    return { value: true, provenance: { kind: 'default', note: `psycopg 3 prepare_threshold default ${PSYCOPG.prepareThreshold} (${PSYCOPG.source})` }, why: `psycopg 3 prepares a statement on the server after it ran ${PSYCOPG.prepareThreshold} times on a connection (prepare_threshold default)` };
  }
  return undefined;
}


/** What to change, per library, when a client's prepared statements meet a transaction pooler. */
export const PREPARED_FIX: Partial<Record<AppLibrary | 'sqlalchemy+asyncpg' | 'sqlalchemy+psycopg', string>> = {
  'sqlalchemy+asyncpg': 'Disable asyncpg\'s statement cache: connect_args={"statement_cache_size": 0} and ?prepared_statement_cache_size=0 in the URL (SQLAlchemy docs, asyncpg "Prepared Statement Cache"), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  'sqlalchemy+psycopg': 'Pass connect_args={"prepare_threshold": None} (psycopg 3 then never prepares), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  asyncpg: 'Pass statement_cache_size=0 to asyncpg (SQLAlchemy: connect_args={"statement_cache_size": 0} and prepared_statement_cache_size=0 in the URL), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  sqlalchemy: 'Disable the driver\'s prepared statements (asyncpg: connect_args={"statement_cache_size": 0} and ?prepared_statement_cache_size=0; psycopg 3: connect_args={"prepare_threshold": None}), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  'psycopg-pool': 'Pass kwargs={"prepare_threshold": None} to the pool (psycopg 3 then never prepares), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  psycopg: 'Connect with prepare_threshold=None (psycopg 3 then never prepares), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
  django: 'Set OPTIONS "prepare_threshold": None (or drop "server_side_binding"), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
};
