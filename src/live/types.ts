/**
 * What `pgconn-lint live` reads from running servers and poolers, and how each reading is joined
 * with the repository's model. Produced by src/live/read.ts (the only code that opens
 * connections) and src/live/join.ts; judged by the `live-*` rules as `ctx.live`. A recorded reading
 * (a fixture, a doc example) is the same JSON, so the rules are tested without a server.
 */
import type { SourceRange } from '../core/location.js';

/** One server or pooler to read. Never holds a password (see ConnectParams). */
export interface LiveTarget {
  /** The URL without the password: `postgresql://app@db:5432/app`. Where its findings are reported. */
  display: string;
  /** 'pgbouncer': the admin console (database `pgbouncer`), read with SHOW commands. */
  kind: 'postgresql' | 'pgbouncer';
  /** How it was named: `--url #1`, `--url-env DATABASE_URL`, `PG* environment`, `--from-model: DATABASE_URL of service api`. */
  origin: string;
  /** Host (a socket directory for a Unix socket) and port it connects to. */
  host: string;
  port: number;
  user: string;
  database: string;
  /** With `--from-model`: the model node the URL reaches, and why (the model's own link). */
  modelNode?: { kind: 'server' | 'pooler'; id: string; why: string };
}

/** One row of pg_stat_activity that is a client connection (the session of this check excluded). */
export interface LiveSession {
  pid: number;
  /** pg_stat_activity.usename (visible to every role). */
  user: string | null;
  database: string | null;
  applicationName: string | null;
  /** `host(client_addr)`; null for a Unix-socket client, or when not visible (another role's session, without pg_read_all_stats). */
  clientAddr: string | null;
  /** 'active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'fastpath function call', 'disabled'; null when not visible. */
  state: string | null;
  /** Seconds since the state changed (null when not visible). */
  stateSeconds: number | null;
  /** Seconds since the transaction began (null outside a transaction or when not visible). */
  transactionSeconds: number | null;
  /** pg_stat_activity.backend_type (`client backend`); null when not visible. */
  backendType: string | null;
  /** The query text, masked and cut (only with `--show-queries`). */
  query?: string;
}

/** One setting as pg_settings shows it. */
export interface LiveSetting {
  name: string;
  /** pg_settings.setting: in the parameter's base unit. */
  setting: string;
  unit: string | null;
  vartype: string;
  /** pg_settings.source: 'default', 'configuration file', 'command line', 'client', 'user', … */
  source: string;
  /** Readable only with pg_read_all_settings (superuser, pg_monitor). */
  sourcefile: string | null;
  sourceline: number | null;
  pendingRestart: boolean;
}

export interface PostgresReading {
  kind: 'postgresql';
  /** `SHOW server_version`, e.g. "15.14 (Debian 15.14-0+deb12u1)". */
  version: string;
  versionNum: number;
  currentUser: string;
  superuser: boolean;
  /** Member (with its privileges) of pg_read_all_stats (pg_monitor includes it), or superuser: sees every session's state. */
  seesAllSessions: boolean;
  settings: LiveSetting[];
  /** Client connections (backend_type 'client backend', or not visible), the check's own excluded. */
  sessions: LiveSession[];
  /** Sessions of other roles whose state, query and backend type were hidden from this role. */
  hiddenSessions: number;
}

export interface PgbouncerReading {
  kind: 'pgbouncer';
  /** `SHOW VERSION`: "PgBouncer 1.18.0". */
  version: string;
  /** `SHOW CONFIG`: key → value as PgBouncer prints it. */
  config: Record<string, string>;
  /** `SHOW POOLS`, `SHOW DATABASES`, `SHOW CLIENTS`: every column as text (NULL → ''). */
  pools: Array<Record<string, string>>;
  databases: Array<Record<string, string>>;
  clients: Array<Record<string, string>>;
}

/** Why a target could not be read. */
export interface LiveFailure {
  /** 'too-many-clients' (SQLSTATE 53300), 'timeout', 'refused', 'auth', 'pooler-in-between', 'other'. */
  kind: 'too-many-clients' | 'timeout' | 'refused' | 'auth' | 'pooler-in-between' | 'other';
  /** SQLSTATE when the server sent one. */
  code?: string;
  /** One line, without any secret. */
  message: string;
}

export interface LiveReading {
  target: LiveTarget;
  result: PostgresReading | PgbouncerReading | undefined;
  failure?: LiveFailure;
  /** Wall-clock milliseconds the reading took (connect to close). */
  elapsedMs?: number;
}

/* ---------------- joined with the model (src/live/join.ts) ---------------- */

/** Which model server or pooler a target is, and by which rule. */
export interface TargetMatch {
  kind: 'server' | 'pooler';
  /** The deployment model's node id. */
  id: string;
  name: string;
  /** 'server-flag' (--server NAME), 'model-url' (--from-model), 'host-port', 'only-one'. */
  rule: 'server-flag' | 'model-url' | 'host-port' | 'only-one';
  /** "--server db", "host/port db:5432 of compose service db", "the only server of the repository". */
  why: string;
  /** Where the node is defined. */
  range: SourceRange;
}

/** A group of sessions and the model client(s) it was matched to. */
export interface SessionGroup {
  /** "api", or "user app, database app". */
  label: string;
  /** How its sessions were matched: by application_name, by user and database, some each ('both'); 'none' for sessions that matched no client of the model. */
  matchedBy: 'application_name' | 'user+database' | 'both' | 'none';
  byApplicationName: number;
  byUserDatabase: number;
  /** The model's services (names) whose clients these sessions are. */
  services: string[];
  pids: number[];
  count: number;
  /** The model's peak for those clients on this server: Σ peak instances × pool max; undefined = unknown. */
  modelPeak: number | undefined;
  /** "2 replicas (deploy.replicas) × max 10 (pg pool max)". */
  modelPeakSource: string;
  /** Why the peak is unknown, when it is. */
  unknownReason?: string;
  /** The pools in code / environment entries behind the peak. */
  related: Array<{ range: SourceRange; message: string }>;
}

export interface JoinedReading extends LiveReading {
  /** The model node, or why none matched (then drift and model checks are skipped). */
  match?: TargetMatch;
  noMatch?: string;
  /** Sessions grouped by the model client they belong to (PostgreSQL targets with a match). */
  groups?: SessionGroup[];
}

export interface LiveOptions {
  /** Show (masked, cut) query text of idle-in-transaction sessions. */
  showQueries: boolean;
}

/** What the `live-*` rules read: `ctx.live`. Absent in a static run. */
export interface LiveContext {
  readings: JoinedReading[];
  options: LiveOptions;
}
