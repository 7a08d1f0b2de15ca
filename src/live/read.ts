/**
 * The only code of pgconn-lint that opens connections. One connection per target, opened, read,
 * and closed on every path (error included); never more than one open at a time. Every session is
 * read-only and bounded in time:
 *
 * - PostgreSQL: startup options `-c default_transaction_read_only=on` and `statement_timeout`
 *   (sent in the startup packet, so no SET runs through a pooler that could pass it on to a shared
 *   server connection), `application_name = pgconn-lint`;
 * - PgBouncer's admin console: only `application_name` (it refuses other startup parameters) and
 *   SHOW commands, which change nothing;
 * - both: a connect timeout (node-postgres `connectionTimeoutMillis` runs from the socket's connect
 *   to ReadyForQuery, pg/lib/client.js `_connect` … `_handleReadyForQuery`, so a host that accepts
 *   the TCP connection and never answers is bounded too) and a client-side `query_timeout`.
 *
 * Queries go through node-postgres without parameters, which sends them with the simple query
 * protocol (pg/lib/query.js `requiresPreparation`: no values, no name → simple Query message), the
 * only one PgBouncer's admin console speaks. `pg` is loaded on first use: a plain lint never pays for it.
 */
import { createRequire } from 'node:module';
import type { ConnectParams } from './targets.js';
import type { LiveFailure, LiveSession, LiveSetting, LiveTarget, PgbouncerReading, PostgresReading } from './types.js';
import { maskQuery } from './mask-query.js';

/** What every session of pgconn-lint calls itself (pg_stat_activity.application_name, SHOW CLIENTS). */
export const APPLICATION_NAME = 'pgconn-lint';

export interface ReadOptions {
  /** Seconds to wait for the connection to be ready (default 5). */
  connectTimeoutSeconds: number;
  /** Server-side statement_timeout and client-side query timeout, ms. */
  statementTimeoutMs: number;
  /** Read query text (masked and cut) for `--show-queries`. */
  showQueries: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/** Rows kept per SHOW or pg_stat_activity read: a pooler with 100,000 clients stays bounded in memory. */
export const MAX_ROWS = 20_000;
/** Query text read per session (server-side `left`), before masking and cutting to what is shown. */
const QUERY_READ_CHARS = 2000;

/** The settings read from pg_settings: those the model and the rules know about, plus every pending restart. */
export const READ_SETTINGS = [
  'max_connections', 'superuser_reserved_connections', 'reserved_connections', 'shared_buffers', 'work_mem',
  'maintenance_work_mem', 'effective_cache_size', 'idle_in_transaction_session_timeout', 'idle_session_timeout',
  'statement_timeout', 'lock_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count',
  'max_prepared_transactions', 'max_worker_processes', 'max_parallel_workers', 'huge_pages', 'max_locks_per_transaction',
  'client_connection_check_interval', 'authentication_timeout', 'port',
];

type PgModule = typeof import('pg');
let pgModule: Promise<PgModule> | undefined;
async function loadPg(): Promise<PgModule> {
  // node-postgres is CommonJS: required, not imported. The bundled CLI is a script compiled from its
  // code cache (scripts/bundle.mjs), where Node 20 allows no dynamic import().
  pgModule ??= Promise.resolve().then(() => createRequire(import.meta.url)('pg') as PgModule);
  return pgModule;
}

/** The part of a node-postgres client this module uses. */
interface Session {
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** node-postgres' `ssl` for a libpq sslmode. libpq's default `prefer` tries TLS first; node-postgres has no fallback, so prefer/allow read as plaintext. */
function sslFor(mode: string | undefined): false | { rejectUnauthorized: boolean; checkServerIdentity?: () => undefined } {
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  if (mode === 'verify-full') return { rejectUnauthorized: true };
  return false;
}

async function open(target: LiveTarget, c: ConnectParams, o: ReadOptions, passwordAsked: { asked: boolean }): Promise<Session> {
  const pg = await loadPg();
  const password = c.password;
  const config: import('pg').ClientConfig = {
    host: c.host,
    port: c.port,
    user: c.user,
    database: c.database,
    // A function: node-postgres then never falls back to ~/.pgpass (nothing outside the command line is read).
    password: () => {
      passwordAsked.asked = true;
      return Promise.resolve(password ?? '');
    },
    ssl: sslFor(c.sslmode),
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: o.connectTimeoutSeconds * 1000,
    query_timeout: o.statementTimeoutMs + 2000,
    keepAlive: false,
  };
  if (target.kind === 'postgresql') {
    config.statement_timeout = o.statementTimeoutMs;
    config.options = '-c default_transaction_read_only=on';
  }
  const client = new pg.Client(config);
  // An error after connect (the server going away) must not crash the process: the pending query rejects.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    query: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
    close: () => client.end().catch(() => undefined),
  };
}

/** Reads one target. Never throws: a failure is data. */
export async function readTarget(target: LiveTarget, c: ConnectParams, o: ReadOptions): Promise<{ result?: PostgresReading | PgbouncerReading; failure?: LiveFailure; elapsedMs: number }> {
  const started = Date.now();
  const asked = { asked: false };
  let session: Session | undefined;
  try {
    session = await open(target, c, o, asked);
    const result = target.kind === 'pgbouncer' ? await readPgbouncer(session) : await readPostgres(session, o);
    return { result, elapsedMs: Date.now() - started };
  } catch (err) {
    return { failure: classify(err, target, c, o, asked.asked, session !== undefined), elapsedMs: Date.now() - started };
  } finally {
    await session?.close();
  }
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

async function readPostgres(s: Session, o: ReadOptions): Promise<PostgresReading> {
  const who = (
    await s.query(
      // pg_has_role(…, 'USAGE') is has_privs_of_role: what pg_stat_activity checks (pgstatfuncs.c HAS_PGSTAT_PERMISSIONS: pg_read_all_stats, which pg_monitor includes). A superuser passes it.
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num, current_user AS me, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su, pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS stats",
    )
  )[0]!;
  const names = READ_SETTINGS.map((n) => `'${n}'`).join(', ');
  const settingRows = await s.query(`SELECT name, setting, unit, vartype, source, sourcefile, sourceline, pending_restart FROM pg_settings WHERE pending_restart OR name IN (${names}) ORDER BY name`);
  const settings: LiveSetting[] = settingRows.map((r) => ({
    name: text(r.name),
    setting: text(r.setting),
    unit: textOrNull(r.unit),
    vartype: text(r.vartype),
    source: text(r.source),
    sourcefile: textOrNull(r.sourcefile),
    sourceline: numOrNull(r.sourceline),
    pendingRestart: r.pending_restart === true,
  }));
  // Rows of other roles' sessions show no state, query, client address or backend type without
  // pg_read_all_stats (pgstatfuncs.c pg_stat_get_activity); user, database and application_name stay
  // visible. Such a row with a user and a database is a client connection (background processes have
  // no user, or no database): kept, counted, and said to be hidden.
  const query = o.showQueries ? `, left(query, ${QUERY_READ_CHARS}) AS query` : '';
  const rows = await s.query(
    `SELECT pid, usename, datname, application_name, host(client_addr) AS client_addr, state, backend_type, EXTRACT(EPOCH FROM now() - state_change)::float8 AS state_seconds, EXTRACT(EPOCH FROM now() - xact_start)::float8 AS xact_seconds${query} FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL AND datid IS NOT NULL)) ORDER BY pid LIMIT ${MAX_ROWS}`,
  );
  const sessions: LiveSession[] = rows.map((r) => {
    const x: LiveSession = {
      pid: Number(r.pid),
      user: textOrNull(r.usename),
      database: textOrNull(r.datname),
      applicationName: textOrNull(r.application_name),
      clientAddr: textOrNull(r.client_addr),
      state: textOrNull(r.state),
      stateSeconds: numOrNull(r.state_seconds),
      transactionSeconds: numOrNull(r.xact_seconds),
      backendType: textOrNull(r.backend_type),
    };
    if (o.showQueries && typeof r.query === 'string' && x.backendType !== null) x.query = maskQuery(r.query);
    return x;
  });
  return {
    kind: 'postgresql',
    version: text(who.version),
    versionNum: Number(who.num),
    currentUser: text(who.me),
    superuser: who.su === true,
    seesAllSessions: who.su === true || who.stats === true,
    settings,
    sessions,
    hiddenSessions: sessions.filter((x) => x.backendType === null).length,
  };
}

async function readPgbouncer(s: Session): Promise<PgbouncerReading> {
  const rows = async (cmd: string) => (await s.query(cmd)).slice(0, MAX_ROWS).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text(v)])));
  const version = (await rows('SHOW VERSION'))[0];
  const config: Record<string, string> = {};
  for (const r of await rows('SHOW CONFIG')) config[r.key ?? ''] = r.value ?? '';
  return {
    kind: 'pgbouncer',
    version: version ? (version.version ?? Object.values(version)[0] ?? '') : '',
    config,
    pools: await rows('SHOW POOLS'),
    databases: await rows('SHOW DATABASES'),
    clients: await rows('SHOW CLIENTS'),
  };
}

/** One line on what went wrong, without any secret (a server's message never holds the password; it is redacted again when printed). */
function classify(err: unknown, target: LiveTarget, c: ConnectParams, o: ReadOptions, passwordAsked: boolean, connected: boolean): LiveFailure {
  const e = err as { code?: string; message?: string } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const msg = oneLine(e?.message ?? String(err));
  const sqlstate = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const withCode = (m: string): LiveFailure => ({ ...(sqlstate ? { code: sqlstate } : {}), kind: 'other', message: m });
  if (sqlstate === '53300') return { kind: 'too-many-clients', code: sqlstate, message: msg };
  if (sqlstate === '28P01' || sqlstate === '28000') {
    const hint = passwordAsked && c.password === undefined ? ' (the server asks for a password and none was given: put it in the URL or PGPASSWORD; ~/.pgpass is not read)' : '';
    return { kind: 'auth', code: sqlstate, message: `${msg}${hint}` };
  }
  if (sqlstate === '08P01' && /unsupported startup parameter/i.test(msg)) {
    return { kind: 'pooler-in-between', code: sqlstate, message: `${msg}: this is a PgBouncer, which refuses the read-only startup options; name the PostgreSQL server itself, or PgBouncer's admin console (database pgbouncer)` };
  }
  if (/timeout|timed out/i.test(msg) && !connected) return { kind: 'timeout', message: `no answer within the connect timeout of ${o.connectTimeoutSeconds} s (${msg})` };
  if (/Query read timeout/i.test(msg)) return { kind: 'timeout', message: `a query got no answer within ${o.statementTimeoutMs + 2000} ms` };
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENETUNREACH') {
    return { kind: 'refused', message: `cannot reach ${target.host}:${target.port} (${code})` };
  }
  if (/terminated unexpectedly/i.test(msg) && !connected) return { kind: 'other', message: `the server closed the connection during startup (${msg})` };
  return withCode(sqlstate ? `${msg} (SQLSTATE ${sqlstate})` : msg);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
