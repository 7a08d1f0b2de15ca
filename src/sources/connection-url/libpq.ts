import type { ConnectionHost, StartupOption } from './types.js';

/**
 * libpq connection keywords and the first major version that accepts each
 * (PostgreSQL src/interfaces/libpq/fe-connect.c PQconninfoOptions[]).
 * `0` = known to every supported version (≤ 15). The differential test checks
 * this table against PQconndefaults() of libpq 15 and 18.
 */
export const LIBPQ_KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['service', 0], ['user', 0], ['password', 0], ['passfile', 0], ['channel_binding', 0],
  ['connect_timeout', 0], ['dbname', 0], ['host', 0], ['hostaddr', 0], ['port', 0],
  ['client_encoding', 0], ['options', 0], ['application_name', 0], ['fallback_application_name', 0],
  ['keepalives', 0], ['keepalives_idle', 0], ['keepalives_interval', 0], ['keepalives_count', 0],
  ['tcp_user_timeout', 0], ['sslmode', 0], ['sslcompression', 0], ['sslcert', 0], ['sslkey', 0],
  ['sslpassword', 0], ['sslrootcert', 0], ['sslcrl', 0], ['sslcrldir', 0], ['sslsni', 0],
  ['requirepeer', 0], ['ssl_min_protocol_version', 0], ['ssl_max_protocol_version', 0],
  ['gssencmode', 0], ['krbsrvname', 0], ['gsslib', 0], ['replication', 0], ['target_session_attrs', 0],
  // PostgreSQL 16
  ['sslcertmode', 16], ['require_auth', 16], ['gssdelegation', 16], ['load_balance_hosts', 16],
  // PostgreSQL 17
  ['sslnegotiation', 17],
  // PostgreSQL 18
  ['min_protocol_version', 18], ['max_protocol_version', 18], ['scram_client_key', 18], ['scram_server_key', 18],
  ['oauth_issuer', 18], ['oauth_client_id', 18], ['oauth_client_secret', 18], ['oauth_scope', 18],
  ['sslkeylogfile', 18],
]);

/** Keywords whose values are secrets (dispchar "*" in PQconninfoOptions, plus the PG 18 key/secret options). */
export const SECRET_KEYWORDS: ReadonlySet<string> = new Set([
  'password', 'sslpassword', 'oauth_client_secret', 'scram_client_key', 'scram_server_key',
]);

/** libpq DEF_PGPORT (pg_config.h, configure default). */
export const DEFAULT_PORT = 5432;

/**
 * fe-connect.c conninfo_storeval: `requiressl` is translated to sslmode
 * (value starting with "1" → require, else prefer); conninfo_uri_parse_params:
 * in URLs only, `ssl=true` → `sslmode=require` (JDBC compatibility).
 */
export function libpqKeyword(key: string, value: string, inUri: boolean): { key: string; value: string } {
  if (key === 'requiressl') return { key: 'sslmode', value: value.startsWith('1') ? 'require' : 'prefer' };
  if (inUri && key === 'ssl' && value === 'true') return { key: 'sslmode', value: 'require' };
  return { key, value };
}

/**
 * fe-connect.c parse_int_param: optional whitespace, strtol (sign allowed),
 * optional trailing whitespace, nothing else; must fit an int.
 */
export function parseLibpqInt(value: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)[ \t\n\v\f\r]*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** libpq is_unixsock_path (src/include/libpq/pqcomm.h): absolute path, or '@' (Linux abstract namespace). */
export function isUnixSocketPath(host: string): boolean {
  return host.startsWith('/') || host.startsWith('@');
}

/**
 * fe-connect.c pqConnectOptions2: split `host`, `hostaddr` and `port` on
 * commas (parse_comma_separated_list: no escapes), give each slot its kind,
 * default an empty host to the socket directory and an empty port to 5432;
 * one port applies to every host, otherwise the counts must match; ports
 * must be 1..65535 (PQconnectPoll).
 */
export function libpqHosts(opts: {
  host?: string | undefined;
  hostaddr?: string | undefined;
  port?: string | undefined;
}): { hosts: ConnectionHost[] } | { error: string } {
  const hostaddrs = opts.hostaddr ? opts.hostaddr.split(',') : undefined;
  const hostnames = opts.host ? opts.host.split(',') : undefined;
  const n = hostaddrs?.length ?? hostnames?.length ?? 1;
  if (hostaddrs && hostnames && hostnames.length !== n) {
    return { error: `libpq cannot match ${hostnames.length} host names to ${n} hostaddr values` };
  }
  let ports: string[] | undefined;
  if (opts.port) {
    const list = opts.port.split(',');
    if (list.length === 1) ports = Array.from({ length: n }, () => list[0] ?? '');
    else if (list.length === n) ports = list;
    else return { error: `libpq cannot match ${list.length} port numbers to ${n} hosts` };
  }
  const hosts: ConnectionHost[] = [];
  for (let i = 0; i < n; i++) {
    const addr = hostaddrs?.[i] ?? '';
    const name = hostnames?.[i] ?? '';
    const rawPort = ports?.[i] ?? '';
    let port = DEFAULT_PORT;
    if (rawPort !== '') {
      const p = parseLibpqInt(rawPort);
      if (p === undefined || p < 1 || p > 65535) return { error: `invalid port number in host slot ${i + 1}` };
      port = p;
    }
    const h: ConnectionHost = addr !== ''
      ? { host: name !== '' ? name : addr, port, kind: 'tcp', hostaddr: addr }
      : name !== ''
        ? { host: name, port, kind: isUnixSocketPath(name) ? 'unix' : 'tcp' }
        : { host: '', port, kind: 'unix', defaultHost: true };
    if (rawPort === '') h.defaultPort = true;
    hosts.push(h);
  }
  return { hosts };
}

/**
 * The server's reading of the `options` startup parameter:
 * pg_split_opts (src/backend/utils/init/postinit.c) splits on unescaped
 * whitespace, a backslash takes the next character literally; then
 * process_postgres_switches (src/backend/tcop/postgres.c) takes `-c name=value`,
 * `-cname=value` and `--name=value`; ParseLongOption turns '-' in names into '_'.
 * Other switches (-B, -F, …) are reported in `other`.
 */
export function parseStartupOptions(options: string): { settings: StartupOption[]; other: string[] } {
  const args: string[] = [];
  let i = 0;
  while (i < options.length) {
    while (i < options.length && /\s/.test(options[i] ?? '')) i++;
    if (i >= options.length) break;
    let arg = '';
    while (i < options.length && !/\s/.test(options[i] ?? '')) {
      if (options[i] === '\\' && i + 1 < options.length) i++;
      arg += options[i];
      i++;
    }
    args.push(arg);
  }
  const settings: StartupOption[] = [];
  const other: string[] = [];
  const addLong = (s: string): void => {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      other.push(s);
      return;
    }
    settings.push({ name: s.slice(0, eq).replace(/-/g, '_'), value: s.slice(eq + 1) });
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k] ?? '';
    if (a === '-c') {
      const next = args[k + 1];
      if (next === undefined) other.push(a);
      else addLong(next);
      k++;
    } else if (a.startsWith('-c')) addLong(a.slice(2));
    else if (a.startsWith('--')) addLong(a.slice(2));
    else other.push(a);
  }
  return { settings, other };
}
