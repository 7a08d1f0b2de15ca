import { parsePostgresArgs, shellSplit } from './postgres-args.js';
import type { BindMount, EnvVarFact, LocatedString, PgbouncerImageFacts, ServerSettingFact } from './types.js';

/** Last inline value per variable name (later entries override earlier ones, as in compose and Kubernetes). */
export function envLookup(env: EnvVarFact[]): Map<string, EnvVarFact> {
  const m = new Map<string, EnvVarFact>();
  for (const e of env) m.set(e.name, e);
  return m;
}

function valueOf(m: Map<string, EnvVarFact>, name: string): EnvVarFact | undefined {
  const e = m.get(name);
  return e && e.value !== undefined ? e : undefined;
}

/* ---------------- PostgreSQL server images ---------------- */

/**
 * bitnami/postgresql: variables its libpostgresql.sh turns into postgresql.conf settings
 * (postgresql_configure_connections / _logging / _timezone, postgresql_initialize;
 * bitnami/containers bitnami/postgresql/17/debian-12/rootfs/opt/bitnami/scripts/libpostgresql.sh).
 * They apply only when postgresql.conf is not mounted from outside.
 */
const BITNAMI_POSTGRES_ENV: Record<string, string> = {
  POSTGRESQL_MAX_CONNECTIONS: 'max_connections',
  POSTGRESQL_TCP_KEEPALIVES_IDLE: 'tcp_keepalives_idle',
  POSTGRESQL_TCP_KEEPALIVES_INTERVAL: 'tcp_keepalives_interval',
  POSTGRESQL_TCP_KEEPALIVES_COUNT: 'tcp_keepalives_count',
  POSTGRESQL_STATEMENT_TIMEOUT: 'statement_timeout',
  POSTGRESQL_TIMEZONE: 'timezone',
  POSTGRESQL_PORT_NUMBER: 'port',
  POSTGRESQL_SHARED_PRELOAD_LIBRARIES: 'shared_preload_libraries',
  POSTGRESQL_LOG_CONNECTIONS: 'log_connections',
  POSTGRESQL_LOG_DISCONNECTIONS: 'log_disconnections',
  POSTGRESQL_LOG_HOSTNAME: 'log_hostname',
  POSTGRESQL_CLIENT_MIN_MESSAGES: 'client_min_messages',
  POSTGRESQL_LOG_LINE_PREFIX: 'log_line_prefix',
  POSTGRESQL_LOG_TIMEZONE: 'log_timezone',
  POSTGRESQL_PGAUDIT_LOG: 'pgaudit.log',
  POSTGRESQL_PGAUDIT_LOG_CATALOG: 'pgaudit.log_catalog',
  POSTGRESQL_PGAUDIT_LOG_PARAMETER: 'pgaudit.log_parameter',
  POSTGRESQL_DEFAULT_TOAST_COMPRESSION: 'default_toast_compression',
  POSTGRESQL_PASSWORD_ENCRYPTION: 'password_encryption',
};

export function bitnamiPostgresSettings(env: EnvVarFact[]): ServerSettingFact[] {
  const out: ServerSettingFact[] = [];
  const m = envLookup(env);
  for (const [name, e] of m) {
    if (e.value === undefined || e.value === '') continue;
    const key = BITNAMI_POSTGRES_ENV[name];
    if (key) out.push(fromEnv(key, e.value, e));
    else if (name === 'POSTGRESQL_EXTRA_FLAGS') {
      // Extra postgres arguments (bitnami/postgresql README: "Extra flags for PostgreSQL initialization").
      const words = shellSplit(e.value).map((w) => ({ value: w.word, range: e.range }));
      for (const s of parsePostgresArgs(words).settings) out.push(fromEnv(s.name, s.value, e));
    }
  }
  return out;
}

function fromEnv(name: string, value: string, e: EnvVarFact): ServerSettingFact {
  const s: ServerSettingFact = { name, value, range: e.range, source: 'image-env', envVar: e.name };
  if (e.raw !== undefined) s.raw = e.raw;
  if (e.unresolved) s.unresolved = e.unresolved;
  if (e.via) s.via = e.via;
  return s;
}

/* ---------------- PgBouncer images ---------------- */

/**
 * edoburu/pgbouncer entrypoint.sh (github.com/edoburu/docker-pgbouncer @ 91a581b): each
 * variable below, when non-empty, becomes the lower-cased key in the generated
 * [pgbouncer] section. The file is generated only when /etc/pgbouncer/pgbouncer.ini
 * does not exist (`if [ ! -f "${PG_CONFIG_FILE}" ]`).
 */
const EDOBURU_KEYS = [
  'LISTEN_ADDR', 'LISTEN_PORT', 'UNIX_SOCKET_DIR', 'AUTH_HBA_FILE', 'AUTH_TYPE', 'AUTH_USER', 'AUTH_QUERY', 'AUTH_DBNAME',
  'POOL_MODE', 'MAX_CLIENT_CONN', 'POOL_SIZE', 'DEFAULT_POOL_SIZE', 'MIN_POOL_SIZE', 'RESERVE_POOL_SIZE', 'RESERVE_POOL_TIMEOUT',
  'MAX_DB_CONNECTIONS', 'MAX_USER_CONNECTIONS', 'SERVER_ROUND_ROBIN', 'IGNORE_STARTUP_PARAMETERS', 'DISABLE_PQEXEC',
  'APPLICATION_NAME_ADD_HOST', 'TIMEZONE', 'MAX_PREPARED_STATEMENTS', 'LOG_CONNECTIONS', 'LOG_DISCONNECTIONS',
  'LOG_POOLER_ERRORS', 'LOG_STATS', 'STATS_PERIOD', 'VERBOSE', 'ADMIN_USERS', 'STATS_USERS', 'LOGFILE',
  'SERVER_RESET_QUERY', 'SERVER_RESET_QUERY_ALWAYS', 'SERVER_CHECK_DELAY', 'SERVER_CHECK_QUERY', 'SERVER_LIFETIME',
  'SERVER_IDLE_TIMEOUT', 'SERVER_CONNECT_TIMEOUT', 'SERVER_LOGIN_RETRY', 'CLIENT_LOGIN_TIMEOUT', 'AUTODB_IDLE_TIMEOUT',
  'DNS_MAX_TTL', 'DNS_NXDOMAIN_TTL', 'CLIENT_TLS_SSLMODE', 'CLIENT_TLS_KEY_FILE', 'CLIENT_TLS_CERT_FILE', 'CLIENT_TLS_CA_FILE',
  'CLIENT_TLS_PROTOCOLS', 'CLIENT_TLS_CIPHERS', 'CLIENT_TLS_ECDHCURVE', 'CLIENT_TLS_DHEPARAMS', 'SERVER_TLS_SSLMODE',
  'SERVER_TLS_CA_FILE', 'SERVER_TLS_KEY_FILE', 'SERVER_TLS_CERT_FILE', 'SERVER_TLS_PROTOCOLS', 'SERVER_TLS_CIPHERS',
  'QUERY_TIMEOUT', 'QUERY_WAIT_TIMEOUT', 'CLIENT_IDLE_TIMEOUT', 'IDLE_TRANSACTION_TIMEOUT', 'PKT_BUF', 'MAX_PACKET_SIZE',
  'LISTEN_BACKLOG', 'SBUF_LOOPCNT', 'SUSPEND_TIMEOUT', 'TCP_DEFER_ACCEPT', 'TCP_KEEPALIVE', 'TCP_KEEPCNT', 'TCP_KEEPIDLE',
  'TCP_KEEPINTVL', 'TCP_USER_TIMEOUT',
];

// entrypoint.sh writes these with a default when the variable is unset or empty (`${X:-default}`).
const EDOBURU_DEFAULTS: Array<[string, string, string]> = [
  ['LISTEN_ADDR', 'listen_addr', '0.0.0.0'],
  ['LISTEN_PORT', 'listen_port', '5432'],
  ['AUTH_TYPE', 'auth_type', 'md5'],
  ['IGNORE_STARTUP_PARAMETERS', 'ignore_startup_parameters', 'extra_float_digits'],
  ['ADMIN_USERS', 'admin_users', 'postgres'],
];

/**
 * bitnami/pgbouncer libpgbouncer.sh pgbouncer_initialize (bitnami/containers
 * bitnami/pgbouncer/1/debian-12/rootfs/opt/bitnami/scripts/libpgbouncer.sh): env var → key
 * written with `ini-file set` when non-empty. Skipped when /bitnami/pgbouncer/conf/pgbouncer.ini is mounted.
 */
const BITNAMI_KEYS: Record<string, string> = {
  PGBOUNCER_PORT: 'listen_port',
  PGBOUNCER_LISTEN_ADDRESS: 'listen_addr',
  PGBOUNCER_SOCKET_DIR: 'unix_socket_dir',
  PGBOUNCER_SOCKET_MODE: 'unix_socket_mode',
  PGBOUNCER_SOCKET_GROUP: 'unix_socket_group',
  PGBOUNCER_AUTH_TYPE: 'auth_type',
  PGBOUNCER_AUTH_HBA_FILE: 'auth_hba_file',
  PGBOUNCER_AUTH_IDENT_FILE: 'auth_ident_file',
  PGBOUNCER_AUTH_QUERY: 'auth_query',
  PGBOUNCER_LOG_FILE: 'logfile',
  PGBOUNCER_STATS_USERS: 'stats_users',
  PGBOUNCER_CLIENT_TLS_SSLMODE: 'client_tls_sslmode',
  PGBOUNCER_SERVER_TLS_SSLMODE: 'server_tls_sslmode',
  PGBOUNCER_SERVER_TLS_CA_FILE: 'server_tls_ca_file',
  PGBOUNCER_SERVER_TLS_CERT_FILE: 'server_tls_cert_file',
  PGBOUNCER_SERVER_TLS_KEY_FILE: 'server_tls_key_file',
  PGBOUNCER_QUERY_WAIT_TIMEOUT: 'query_wait_timeout',
  PGBOUNCER_POOL_MODE: 'pool_mode',
  PGBOUNCER_MAX_CLIENT_CONN: 'max_client_conn',
  PGBOUNCER_MAX_DB_CONNECTIONS: 'max_db_connections',
  PGBOUNCER_IDLE_TRANSACTION_TIMEOUT: 'idle_transaction_timeout',
  PGBOUNCER_SERVER_IDLE_TIMEOUT: 'server_idle_timeout',
  PGBOUNCER_SERVER_RESET_QUERY: 'server_reset_query',
  PGBOUNCER_DEFAULT_POOL_SIZE: 'default_pool_size',
  PGBOUNCER_MIN_POOL_SIZE: 'min_pool_size',
  PGBOUNCER_RESERVE_POOL_SIZE: 'reserve_pool_size',
  PGBOUNCER_RESERVE_POOL_TIMEOUT: 'reserve_pool_timeout',
  PGBOUNCER_IGNORE_STARTUP_PARAMETERS: 'ignore_startup_parameters',
  PGBOUNCER_LOG_CONNECTIONS: 'log_connections',
  PGBOUNCER_LOG_DISCONNECTIONS: 'log_disconnections',
  PGBOUNCER_LOG_POOLER_ERRORS: 'log_pooler_errors',
  PGBOUNCER_LOG_STATS: 'log_stats',
  PGBOUNCER_STATS_PERIOD: 'stats_period',
  PGBOUNCER_SERVER_ROUND_ROBIN: 'server_round_robin',
  PGBOUNCER_SERVER_FAST_CLOSE: 'server_fast_close',
  PGBOUNCER_SERVER_LIFETIME: 'server_lifetime',
  PGBOUNCER_SERVER_CONNECT_TIMEOUT: 'server_connect_timeout',
  PGBOUNCER_SERVER_LOGIN_RETRY: 'server_login_retry',
  PGBOUNCER_CLIENT_LOGIN_TIMEOUT: 'client_login_timeout',
  PGBOUNCER_AUTODB_IDLE_TIMEOUT: 'autodb_idle_timeout',
  PGBOUNCER_QUERY_TIMEOUT: 'query_timeout',
  PGBOUNCER_CLIENT_IDLE_TIMEOUT: 'client_idle_timeout',
  PGBOUNCER_MAX_PREPARED_STATEMENTS: 'max_prepared_statements',
  PGBOUNCER_APPLICATION_NAME_ADD_HOST: 'application_name_add_host',
};

// bitnami pgbouncer-env.sh defaults (`${X:-default}`) that reach pgbouncer.ini.
const BITNAMI_DEFAULTS: Array<[string, string, string]> = [
  ['PGBOUNCER_PORT', 'listen_port', '6432'],
  ['PGBOUNCER_LISTEN_ADDRESS', 'listen_addr', '0.0.0.0'],
  ['PGBOUNCER_AUTH_TYPE', 'auth_type', 'scram-sha-256'],
  ['PGBOUNCER_IGNORE_STARTUP_PARAMETERS', 'ignore_startup_parameters', 'extra_float_digits'],
  ['PGBOUNCER_STATS_PERIOD', 'stats_period', '60'],
  ['PGBOUNCER_SERVER_ROUND_ROBIN', 'server_round_robin', '0'],
  ['PGBOUNCER_SERVER_FAST_CLOSE', 'server_fast_close', '0'],
  ['PGBOUNCER_CLIENT_TLS_SSLMODE', 'client_tls_sslmode', 'disable'],
  ['PGBOUNCER_SERVER_TLS_SSLMODE', 'server_tls_sslmode', 'disable'],
];

/** Where each image's entrypoint looks for a user-supplied pgbouncer.ini. */
const MOUNTED_CONFIG: Record<'edoburu' | 'bitnami', { file: string; dir: string }> = {
  edoburu: { file: '/etc/pgbouncer/pgbouncer.ini', dir: '/etc/pgbouncer' },
  bitnami: { file: '/bitnami/pgbouncer/conf/pgbouncer.ini', dir: '/bitnami/pgbouncer/conf' },
};

/** A mount point inside the container, with the compose bind mount when there is one. */
export interface ContainerMount {
  containerPath: string;
  bind?: BindMount;
}

export function pgbouncerImageFacts(kind: 'edoburu' | 'bitnami', env: EnvVarFact[], mounts: ContainerMount[], version?: PgbouncerImageFacts['version']): PgbouncerImageFacts {
  const m = envLookup(env);
  const settings: PgbouncerImageFacts['settings'] = [];
  const defaults: PgbouncerImageFacts['defaults'] = [];
  const add = (envVar: string, key: string): void => {
    const e = valueOf(m, envVar);
    if (!e || e.value === '') return;
    const s: PgbouncerImageFacts['settings'][number] = { key, value: e.value!, envVar, range: e.range };
    if (e.unresolved) s.unresolved = e.unresolved;
    if (e.via) s.via = e.via;
    settings.push(s);
  };
  if (kind === 'edoburu') for (const name of EDOBURU_KEYS) add(name, name.toLowerCase());
  else for (const [name, key] of Object.entries(BITNAMI_KEYS)) add(name, key);
  for (const [envVar, key, value] of kind === 'edoburu' ? EDOBURU_DEFAULTS : BITNAMI_DEFAULTS) {
    if (!valueOf(m, envVar)?.value) defaults.push({ key, value, note: `${kind}/pgbouncer entrypoint default when ${envVar} is unset` });
  }
  const databases = kind === 'edoburu' ? edoburuDatabases(m) : bitnamiDatabases(m);
  const where = MOUNTED_CONFIG[kind];
  const mount = mounts.find((x) => trimSlash(x.containerPath) === where.file) ?? mounts.find((x) => trimSlash(x.containerPath) === where.dir);
  const out: PgbouncerImageFacts = { image: kind, settings, defaults, databases, envSettingsIgnored: mount !== undefined };
  if (mount?.bind) out.mountedConfig = mount.bind;
  if (version) out.version = version;
  return out;
}

/** `p.replace(/\/+$/, '')` without the regex, which is quadratic on a long run of slashes followed by anything else. */
export function trimTrailingSlashes(p: string): string {
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 47) end--;
  return end === p.length ? p : p.slice(0, end);
}

function trimSlash(p: string): string {
  return p.length > 1 ? trimTrailingSlashes(p) : p;
}

/**
 * The parts of a postgres:// URL the edoburu entrypoint's parse_url() extracts. The password is
 * deliberately not returned.
 */
export function urlParts(url: string): { user?: string; host?: string; port?: number; dbname?: string } {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:([^@/]*)@)?([^/?#]*)(?:\/([^?#]*))?/.exec(url.trim());
  if (!m) return {};
  const out: { user?: string; host?: string; port?: number; dbname?: string } = {};
  const userinfo = m[1];
  if (userinfo !== undefined) {
    const user = userinfo.split(':')[0];
    if (user) out.user = safeDecode(user);
  }
  const hostport = m[2] ?? '';
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostport);
  if (hp) {
    if (hp[1]) out.host = hp[1];
    if (hp[2]) out.port = Number(hp[2]);
  }
  if (m[3]) out.dbname = safeDecode(m[3]);
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function edoburuDatabases(m: Map<string, EnvVarFact>): PgbouncerImageFacts['databases'] {
  // entrypoint.sh generate_config_db_entry: `${DB_NAME:-*} = host=${DB_HOST} port=${DB_PORT:-5432} auth_user=${DB_USER:-postgres}`;
  // DATABASE_URLS (comma-separated) or DATABASE_URL, when set, are parsed by parse_url and replace DB_*.
  const urls = valueOf(m, 'DATABASE_URLS') ?? valueOf(m, 'DATABASE_URL');
  if (urls) {
    const list = urls.name === 'DATABASE_URLS' ? urls.value!.split(',') : [urls.value!];
    return list.map((u) => {
      const p = urlParts(u);
      const entry: PgbouncerImageFacts['databases'][number] = { name: p.dbname || '*', from: [urls.name], range: urls.range };
      if (p.host) entry.host = p.host;
      entry.port = p.port ?? 5432;
      entry.user = p.user ?? 'postgres';
      if (p.dbname) entry.dbname = p.dbname;
      return entry;
    });
  }
  const host = valueOf(m, 'DB_HOST');
  if (!host) return [];
  const from = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER'].filter((n) => valueOf(m, n));
  const port = Number(valueOf(m, 'DB_PORT')?.value ?? '5432');
  const entry: PgbouncerImageFacts['databases'][number] = {
    name: valueOf(m, 'DB_NAME')?.value || '*',
    host: host.value!,
    user: valueOf(m, 'DB_USER')?.value || 'postgres',
    from,
    range: host.range,
  };
  if (Number.isInteger(port)) entry.port = port;
  return [entry];
}

function bitnamiDatabases(m: Map<string, EnvVarFact>): PgbouncerImageFacts['databases'] {
  // libpgbouncer.sh: `[databases] ${PGBOUNCER_DATABASE:-postgres} = host=$POSTGRESQL_HOST port=$POSTGRESQL_PORT
  // [dbname=$POSTGRESQL_DATABASE unless PGBOUNCER_DATABASE is "*"]`, defaults postgresql / 5432 (pgbouncer-env.sh).
  const name = valueOf(m, 'PGBOUNCER_DATABASE')?.value || 'postgres';
  const hostE = valueOf(m, 'POSTGRESQL_HOST');
  const entry: PgbouncerImageFacts['databases'][number] = {
    name,
    host: hostE?.value || 'postgresql',
    port: Number(valueOf(m, 'POSTGRESQL_PORT')?.value || '5432'),
    from: ['PGBOUNCER_DATABASE', 'POSTGRESQL_HOST', 'POSTGRESQL_PORT', 'POSTGRESQL_DATABASE'].filter((n) => valueOf(m, n)),
  };
  if (name !== '*') entry.dbname = valueOf(m, 'POSTGRESQL_DATABASE')?.value || name;
  if (hostE) entry.range = hostE.range;
  const out = [entry];
  // PGBOUNCER_DSN_0, _1, … : `name=connstring` entries, read until the first missing index.
  for (let i = 0; ; i++) {
    const dsn = valueOf(m, `PGBOUNCER_DSN_${i}`);
    if (!dsn) break;
    const eq = dsn.value!.indexOf('=');
    const dsnEntry: PgbouncerImageFacts['databases'][number] = { name: eq === -1 ? dsn.value! : dsn.value!.slice(0, eq).trim(), from: [dsn.name], range: dsn.range };
    const conn = eq === -1 ? '' : dsn.value!.slice(eq + 1);
    const host = /(?:^|\s)host=(\S+)/.exec(conn)?.[1];
    const port = /(?:^|\s)port=(\d+)/.exec(conn)?.[1];
    const dbname = /(?:^|\s)dbname=(\S+)/.exec(conn)?.[1];
    if (host) dsnEntry.host = host;
    if (port) dsnEntry.port = Number(port);
    if (dbname) dsnEntry.dbname = dbname;
    out.push(dsnEntry);
  }
  return out;
}

/**
 * The superuser the official postgres image creates: POSTGRES_USER, default `postgres`
 * (docker-library/postgres docker-entrypoint.sh: `CREATE USER "$POSTGRES_USER" WITH SUPERUSER`).
 * bitnami's POSTGRESQL_USERNAME is an ordinary owner role unless it is `postgres`, so it is not returned.
 */
export function officialImageSuperuser(env: EnvVarFact[]): LocatedString | undefined {
  const e = valueOf(envLookup(env), 'POSTGRES_USER');
  if (!e) return undefined;
  const out: LocatedString = { value: e.value!, range: e.range };
  if (e.raw !== undefined) out.raw = e.raw;
  if (e.unresolved) out.unresolved = e.unresolved;
  if (e.via) out.via = e.via;
  return out;
}
