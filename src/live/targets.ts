/**
 * The servers and poolers `pgconn-lint live` reads: named by `--url` (a URL or a libpq conninfo
 * string), `--url-env NAME`, the libpq `PG*` environment, or the model (`--from-model`). Strings
 * are read by the project's libpq-faithful parser (src/sources/connection-url), so the host shown
 * is the host connected to. A target never carries a password: it travels apart, in ConnectParams,
 * straight to the client library.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isParseError, libpqConnectOptions, parseConnectionString } from '../sources/connection-url/parse.js';
import type { LiveTarget } from './types.js';

/** What the client library is given. `password` is the only secret and is never printed. */
export interface ConnectParams {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
  /** libpq sslmode as written (URL, conninfo or PGSSLMODE). */
  sslmode?: string;
}

export interface ResolvedTarget {
  target: LiveTarget;
  connect: ConnectParams;
  /** Things the user should know about how the string was read (a second host not tried). */
  notes: string[];
}

/** A target that cannot be used, worded without any value of the string. */
export interface TargetError {
  error: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** libpq's port when none is given (pg_config_manual.h DEF_PGPORT). */
export const DEFAULT_PORT = 5432;

/**
 * libpq's socket directory when no host is given: compiled in (pg_config_manual.h
 * DEFAULT_PGSOCKET_DIR is /tmp upstream; Debian's and Red Hat's libpq use /var/run/postgresql).
 * We are not libpq: the first of those directories that holds the server's socket is used, else
 * Debian's, and the target shows which one.
 */
export function defaultSocketDir(port: number): string {
  for (const dir of ['/var/run/postgresql', '/tmp']) if (existsSync(`${dir}/.s.PGSQL.${port}`)) return dir;
  return '/var/run/postgresql';
}

/** libpq's default user: the operating-system user (fe-auth.c pg_fe_getauthname). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/** TLS files and other options the live client does not support; refused rather than ignored. */
const UNSUPPORTED = ['sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'sslpassword', 'service', 'passfile', 'gssencmode', 'krbsrvname', 'requirepeer'];

/** `postgresql://user@host:port/db`: what a finding names; never a password. */
export function targetDisplay(host: string, port: number, user: string, database: string): string {
  let h: string;
  if (host.startsWith('/') || /[^A-Za-z0-9._:-]/.test(host)) h = encodeURIComponent(host);
  else if (host.includes(':')) h = `[${host}]`;
  else h = host;
  return `postgresql://${encodeURIComponent(user)}@${h}:${port}/${encodeURIComponent(database)}`;
}

/**
 * A target from a URL or conninfo string. Options the string leaves out come from the `PG*`
 * environment, then libpq's defaults, as libpq does (fe-connect.c conninfo_add_defaults).
 */
export function targetFromString(text: string, origin: string, env: Env): ResolvedTarget | TargetError {
  const parsed = parseConnectionString(text.trim());
  if (isParseError(parsed)) return { error: `${origin}: ${parsed.error}` };
  if (parsed.scheme === 'npgsql') return { error: `${origin}: an Npgsql (ADO.NET) connection string; give a postgresql:// URL or a libpq key=value string` };
  const opts = libpqConnectOptions(text.trim());
  if ('error' in opts) return { error: `${origin}: ${opts.error}` };
  const o = opts.options;
  for (const k of UNSUPPORTED) if (o.has(k)) return { error: `${origin}: the connection option "${k}" is not supported by pgconn-lint live; connect without it (or through an SSH tunnel)` };
  const notes: string[] = [];
  const first = parsed.hosts[0];
  if (parsed.hosts.length > 1) notes.push(`${origin} names ${parsed.hosts.length} hosts: only the first is read`);
  const port = first && !first.defaultPort ? first.port : portFromEnv(env);
  const host = first && !first.defaultHost ? first.host : hostFromEnv(env, port);
  return build({ host, port, user: o.get('user'), database: o.get('dbname'), password: o.get('password'), sslmode: o.get('sslmode') }, origin, env, notes);
}

/** The libpq `PG*` environment as a target, when it names at least a host, port, user or database. */
export function targetFromEnvironment(env: Env): ResolvedTarget | undefined {
  if (!['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].some((k) => (env[k] ?? '') !== '')) return undefined;
  const port = portFromEnv(env);
  const r = build({ host: hostFromEnv(env, port), port, user: undefined, database: undefined, password: undefined, sslmode: undefined }, 'PG* environment', env, []);
  return 'error' in r ? undefined : r;
}

function portFromEnv(env: Env): number {
  const p = Number(env.PGPORT);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : DEFAULT_PORT;
}

function hostFromEnv(env: Env, port: number): string {
  const h = (env.PGHOST ?? '').split(',')[0]!.trim();
  return h !== '' ? h : defaultSocketDir(port);
}

function build(
  p: { host: string; port: number; user: string | undefined; database: string | undefined; password: string | undefined; sslmode: string | undefined },
  origin: string,
  env: Env,
  notes: string[],
): ResolvedTarget | TargetError {
  const user = p.user ?? (env.PGUSER || osUser());
  const database = p.database ?? (env.PGDATABASE || user);
  const password = p.password ?? (env.PGPASSWORD || undefined);
  const sslmode = p.sslmode ?? (env.PGSSLMODE || undefined);
  const kind: LiveTarget['kind'] = database === 'pgbouncer' ? 'pgbouncer' : 'postgresql';
  const target: LiveTarget = { display: targetDisplay(p.host, p.port, user, database), kind, origin, host: p.host, port: p.port, user, database };
  const connect: ConnectParams = { host: p.host, port: p.port, user, database };
  if (password !== undefined && password !== '') connect.password = password;
  if (sslmode !== undefined) connect.sslmode = sslmode;
  return { target, connect, notes };
}

/** The same server read twice (two flags naming it): kept once. */
export function sameTarget(a: LiveTarget, b: LiveTarget): boolean {
  return a.host === b.host && a.port === b.port && a.user === b.user && a.database === b.database;
}
