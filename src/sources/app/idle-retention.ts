/**
 * What each non-JS client library does with a connection that sits unused in its pool: how long it
 * keeps it, and whether it checks it before handing it out again. The one place this knowledge lives
 * (every default cited); `pool-idle-exceeds-server-timeout` asks it and compares the answer with the
 * server's `idle_session_timeout` or PgBouncer's `client_idle_timeout`.
 */
import type { SourceRange } from '../../core/location.js';
import type { AppPool, AppSetting } from './types.js';

export type IdleRetention =
  /** The pool keeps an idle connection this long at most (`seconds`), or with no limit (`undefined`), and hands it out unchecked. */
  | { kind: 'keeps'; seconds: number | undefined; describe: string; setting?: string; range?: SourceRange; byDefault: boolean }
  /** The client finds a closed connection before the application uses it (a ping, a validation, an event loop that sees the close). */
  | { kind: 'checks'; why: string }
  /** No connection outlives its checkout (NullPool, CONN_MAX_AGE 0). */
  | { kind: 'none'; why: string }
  /** The files do not say (a value from a variable, options passed through `**kwargs`, a library not judged). */
  | { kind: 'unknown'; reason: string };

/** The error the application meets on a connection the server or pooler closed while it was idle. */
export function closedConnectionError(pool: AppPool): string {
  switch (pool.library) {
    case 'sqlalchemy':
      return 'sqlalchemy.exc.OperationalError ("server closed the connection unexpectedly"); SQLAlchemy then discards the whole pool';
    case 'django':
      return 'django.db.utils.OperationalError or InterfaceError ("connection already closed"): the request fails';
    case 'psycopg-pool':
      return 'psycopg.OperationalError ("the connection is lost" / "server closed the connection unexpectedly")';
    case 'psycopg2':
      return 'psycopg2.OperationalError ("server closed the connection unexpectedly")';
    default:
      return 'a "server closed the connection unexpectedly" error';
  }
}

/** The change that makes the pool safe, for the help line. */
export function retentionFix(pool: AppPool, timeoutSeconds: number): string {
  const below = Math.max(1, Math.floor(timeoutSeconds * 0.9));
  switch (pool.library) {
    case 'sqlalchemy':
      return `pass pool_pre_ping=True to ${pool.construct} (a SELECT 1 on checkout; a dead connection is replaced without an error), or pool_recycle=${below} (below the timeout)`;
    case 'django':
      return `set "CONN_HEALTH_CHECKS": True (Django 4.1+; a closed connection is replaced before the request uses it), or CONN_MAX_AGE ≤ ${below}`;
    case 'psycopg-pool':
      return `pass check=${pool.construct}.check_connection (psycopg_pool 3.2+; a closed connection is replaced before it is handed out), or max_idle below the timeout with min_size=0`;
    case 'psycopg2':
      return 'check a connection after getconn() (or move to psycopg_pool with check=ConnectionPool.check_connection), or raise the timeout';
    default:
      return 'check connections before use, or keep them for less than the timeout';
  }
}

function option(pool: AppPool, name: string): { value: AppSetting<unknown>; range: SourceRange } | undefined {
  return pool.options.find((o) => o.name === name);
}

/** A setting whose value the files give: a literal, a constant, a library default (not a variable, which the environment may change). */
function known(s: AppSetting<unknown> | undefined): s is AppSetting<unknown> {
  return s !== undefined && s.provenance.kind !== 'env' && s.provenance.kind !== 'unknown' && s.value !== undefined;
}

const truthy = (v: unknown): boolean => v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v));

/** How `pool` keeps idle connections, from its options and the library's defaults. */
export function idleRetention(pool: AppPool): IdleRetention {
  const splat = option(pool, '**');
  switch (pool.library) {
    case 'sqlalchemy': {
      if (pool.peak.unbounded !== undefined && /NullPool/.test(pool.peak.unbounded)) return { kind: 'none', why: 'NullPool closes each connection when it is returned' };
      // pool_pre_ping: "tests connections for liveness upon each checkout" (SQLAlchemy docs, core/pooling.html
      // "Disconnect Handling - Pessimistic"); a dead connection is replaced, the statement runs on a new one.
      const ping = option(pool, 'pool_pre_ping');
      if (ping) {
        if (!known(ping.value)) return { kind: 'unknown', reason: `pool_pre_ping comes from ${describeUnknown(ping.value)}` };
        if (truthy(ping.value.value)) return { kind: 'checks', why: 'pool_pre_ping=True tests each connection on checkout' };
      }
      // pool_recycle: default -1, "no timeout"; a connection older than it is replaced on checkout
      // (create_engine docs; lib/sqlalchemy/pool/base.py _ConnectionRecord.__connect / checkout).
      // The age counts from the connect, so an idle time above pool_recycle always means an age above it.
      const recycle = option(pool, 'pool_recycle');
      if (recycle) {
        if (!known(recycle.value)) return { kind: 'unknown', reason: `pool_recycle comes from ${describeUnknown(recycle.value)}` };
        const v = recycle.value.value;
        if (typeof v === 'number' && v >= 0) return { kind: 'keeps', seconds: v, describe: `pool_recycle=${v}: a connection is replaced once it is ${v} s old`, setting: 'pool_recycle', range: recycle.range, byDefault: false };
      }
      if (splat) return { kind: 'unknown', reason: `options passed through ${describeUnknown(splat.value)} may set pool_pre_ping` };
      return {
        kind: 'keeps',
        seconds: undefined,
        describe: 'QueuePool keeps pool_size connections open and hands them out unchecked: pool_recycle -1 and pool_pre_ping False by default',
        byDefault: true,
      };
    }
    case 'django': {
      // Django's own pool (OPTIONS["pool"], 5.1+) is psycopg_pool under Django: not judged here yet.
      if (pool.use !== 'per-thread-per-alias') return { kind: 'unknown', reason: "Django's OPTIONS[\"pool\"] is not judged yet" };
      // CONN_HEALTH_CHECKS (4.1+): "existing persistent database connections will be health checked before
      // they are reused in each request" (Django docs, ref/settings CONN_HEALTH_CHECKS).
      const health = option(pool, 'CONN_HEALTH_CHECKS');
      if (health) {
        if (!known(health.value)) return { kind: 'unknown', reason: `CONN_HEALTH_CHECKS comes from ${describeUnknown(health.value)}` };
        if (truthy(health.value.value)) return { kind: 'checks', why: 'CONN_HEALTH_CHECKS=True checks a persistent connection before a request reuses it' };
      }
      // CONN_MAX_AGE: default 0 (closed at the end of each request), None unlimited, N seconds; "If your
      // database terminates idle connections after some time, you should set CONN_MAX_AGE to a lower
      // value, so that Django doesn't attempt to use a connection that has been terminated by the
      // database server" (Django docs, ref/databases "Connection management").
      const age = option(pool, 'CONN_MAX_AGE');
      if (!age) return { kind: 'none', why: 'CONN_MAX_AGE 0 (default) closes the connection at the end of each request' };
      if (!known(age.value)) return { kind: 'unknown', reason: `CONN_MAX_AGE comes from ${describeUnknown(age.value)}` };
      const v = age.value.value;
      const byDefault = age.value.provenance.kind === 'default';
      if (v === null) return { kind: 'keeps', seconds: undefined, describe: 'CONN_MAX_AGE=None: each thread keeps its connection for ever', setting: 'CONN_MAX_AGE', range: age.range, byDefault };
      if (typeof v === 'number' && v > 0) return { kind: 'keeps', seconds: v, describe: `CONN_MAX_AGE=${v}: each thread keeps its connection ${v} s between requests`, setting: 'CONN_MAX_AGE', range: age.range, byDefault };
      if (v === 0) return { kind: 'none', why: 'CONN_MAX_AGE 0 closes the connection at the end of each request' };
      return { kind: 'unknown', reason: `CONN_MAX_AGE is ${JSON.stringify(v)}` };
    }
    case 'psycopg-pool': {
      // check (psycopg_pool 3.2+): "a callback to check that a connection is working correctly when
      // obtained by a client", ConnectionPool.check_connection for the usual one (psycopg docs, api/pool.html).
      const check = option(pool, 'check');
      if (check) return { kind: 'checks', why: 'check= tests each connection before the pool hands it out' };
      if (splat) return { kind: 'unknown', reason: `options passed through ${describeUnknown(splat.value)} may set check` };
      // max_idle (default 600 s) closes only connections above min_size; max_lifetime (3600 s) is applied
      // when a connection comes back to the pool, so the min_size connections stay open, idle, unchecked
      // (psycopg docs, api/pool.html: max_idle "This only happens to connections more than min_size";
      // advanced/pool.html "Connection quality": "the pool doesn't actively check the state of the
      // connections held in its state").
      return { kind: 'keeps', seconds: undefined, describe: 'psycopg_pool keeps min_size connections open with no idle limit (max_idle closes only those above min_size) and hands them out unchecked without check=', byDefault: true };
    }
    case 'psycopg2':
      // SimpleConnectionPool/ThreadedConnectionPool keep returned connections and getconn() hands them out
      // without a check (psycopg2 lib/pool.py AbstractConnectionPool._getconn; psycopg/psycopg2 PR 974).
      return { kind: 'keeps', seconds: undefined, describe: 'psycopg2 pools keep returned connections with no idle limit and getconn() hands them out unchecked', byDefault: true };
    case 'asyncpg':
      // The event loop reads every idle socket: the server's close marks the connection closed, and
      // Pool.acquire() replaces a closed one (asyncpg/pool.py PoolConnectionHolder.acquire:
      // `if self._con is None or self._con.is_closed()`); idle ones close after
      // max_inactive_connection_lifetime (300 s by default).
      return { kind: 'checks', why: 'asyncpg sees the close while the connection is idle and acquire() replaces a closed connection' };
    case 'hikaricp':
      // HikariPool.getConnection validates a connection idle longer than aliveBypassWindowMs (500 ms) with
      // Connection.isValid() and replaces a dead one (HikariCP src/main/java/com/zaxxer/hikari/pool/HikariPool.java);
      // its docs still ask for maxLifetime "several seconds shorter than any database or infrastructure
      // imposed connection time limit", which only spares that validation.
      return { kind: 'checks', why: 'HikariCP validates a connection that sat idle before handing it out' };
    case 'activerecord':
      // ActiveRecord verifies a connection on checkout (verify!, lazily before its first query since Rails 7.1)
      // and reconnects; idle ones are reaped after idle_timeout 300 s (reaping_frequency 60 s).
      return { kind: 'checks', why: 'ActiveRecord verifies a checked-out connection before using it and reconnects' };
    default:
      return { kind: 'unknown', reason: `${pool.library} is not judged` };
  }
}

function describeUnknown(s: AppSetting<unknown>): string {
  if (s.provenance.kind === 'env') return `the variable ${s.provenance.envVar}`;
  if (s.provenance.kind === 'unknown') return s.provenance.reason;
  return 'a value the files do not give';
}
