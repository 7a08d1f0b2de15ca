import type { SourceRange } from '../../core/location.js';

/**
 * Facts read from one connection string. The password is never kept: only
 * `hasPassword`, and `redacted` shows the text with every secret replaced.
 */
export type ConnectionScheme = 'url' | 'conninfo' | 'npgsql' | 'jdbc';

/** Offsets into the parsed text, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface ConnectionHost {
  /**
   * Host as the client uses it: percent-decoded, IPv6 without brackets, or a
   * socket directory. '' when none was given (`defaultHost`).
   */
  host: string;
  port: number;
  kind: 'tcp' | 'unix';
  /** libpq `hostaddr` for this slot (then libpq connects to it and uses `host` only for TLS/pgpass). */
  hostaddr?: string;
  /**
   * No host given: libpq uses its compiled-in socket directory (upstream
   * `/tmp`, Debian `/var/run/postgresql`; pg_config_manual.h
   * DEFAULT_PGSOCKET_DIR), node-postgres uses `localhost` over TCP.
   */
  defaultHost?: true;
  /** No port given: 5432 (libpq DEF_PGPORT; node-postgres lib/defaults.js). */
  defaultPort?: true;
}

/** One `-c name=value` / `--name=value` from libpq `options` (sent to the server at startup). */
export interface StartupOption {
  name: string;
  value: string;
}

/**
 * Client-side pool parameters Prisma ORM 5/6 reads from the URL query
 * (prisma-engines quaint `PostgresUrl`). Absent when not written or not valid
 * for Prisma (see `warnings`).
 */
export interface PrismaUrlParams {
  connectionLimit?: number;
  /** Seconds; 0 = no timeout. */
  poolTimeout?: number;
  pgbouncer?: boolean;
  statementCacheSize?: number;
  schema?: string;
  /** Seconds. */
  socketTimeout?: number;
  /** Seconds (Prisma's own reading of `connect_timeout`). */
  connectTimeout?: number;
}

/** Npgsql (ADO.NET) connection string settings that matter for pooling. */
export interface NpgsqlSettings {
  /** `Pooling` (default true). */
  pooling?: boolean;
  /** `Maximum Pool Size` (Npgsql default 100). */
  poolMax?: number;
  /** `Minimum Pool Size` (default 0). */
  poolMin?: number;
  multiplexing?: boolean;
  /** `Timeout` in seconds (connect timeout, default 15). */
  timeoutSeconds?: number;
  /** `Command Timeout` in seconds (default 30). */
  commandTimeoutSeconds?: number;
}

/** How libpq (PQconnectdb, psql, psycopg, libpq-based drivers) takes the string. */
export interface LibpqReading {
  /** false when libpq rejects the string before connecting. */
  accepts: boolean;
  /** libpq's reason, worded without any value from the string. */
  error?: string;
  /** Lowest libpq major version that knows every keyword used (16 for `load_balance_hosts`, …). */
  minMajorVersion?: number;
  /** libpq from this major version on rejects a string that older versions accept (18: spaces inside URI parts). */
  rejectedFromMajorVersion?: number;
  /** Why the newer libpq rejects it. */
  laterError?: string;
}

/**
 * How node-postgres (`pg` with pg-connection-string 2.x) takes the string.
 * `ssl` is what `pg` does: `verify-full` = TLS with certificate and host name
 * verification (Node's default), `no-verify` = TLS without verification,
 * `unset` = TLS only if PGSSLMODE says so.
 */
export interface NodePostgresReading {
  accepts: boolean;
  error?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  ssl: 'unset' | 'off' | 'verify-full' | 'verify-ca' | 'no-verify';
  /** Where `pg` reads this string differently from libpq, one sentence each. */
  differences: string[];
}

export interface ParsedConnection {
  scheme: ConnectionScheme;
  /**
   * The driver of a SQLAlchemy URL (`postgresql+asyncpg://` → `asyncpg`, `postgresql+psycopg://` →
   * `psycopg`). SQLAlchemy reads the rest as a `postgresql://` URL and hands its parts to that driver
   * (SQLAlchemy docs, "Database URLs": `dialect+driver://username:password@host:port/database`).
   */
  sqlalchemyDriver?: string;
  user?: string;
  hasPassword: boolean;
  /** Hosts in the order the client tries them (libpq multi-host semantics). */
  hosts: ConnectionHost[];
  database?: string;
  /**
   * Every query/conninfo/Npgsql parameter by its key as written (decoded value,
   * last occurrence wins). Secrets (`password`, `sslpassword`, …) hold `***`.
   */
  params: Map<string, string>;
  startupOptions: StartupOption[];
  sslmode?: string;
  connectTimeoutSeconds?: number;
  applicationName?: string;
  targetSessionAttrs?: string;
  prisma: PrismaUrlParams;
  npgsql?: NpgsqlSettings;
  /** The text with every secret replaced by `***`. */
  redacted: string;
  libpq: LibpqReading;
  nodePostgres: NodePostgresReading;
  /** Things a reader should know (ambiguous '@', invalid Prisma values, …); never contain secrets. */
  warnings: string[];
  /** Where parts sit in the text (for precise diagnostics). */
  spans: { hosts?: Span; database?: Span; params: Map<string, Span> };
  /** Where the whole string sits in its file, when the caller knows it. */
  range?: SourceRange;
  /** Length of the parsed text (to map spans to ranges). */
  textLength: number;
}

export interface ConnectionParseError {
  /** Worded without any value from the string (it may contain a password). */
  error: string;
  range?: SourceRange;
}
