import type { SourceRange } from '../../core/location.js';
import { notReadByNodePostgres } from './node-postgres.js';
import type { ConnectionHost, ConnectionParseError, ParsedConnection, Span } from './types.js';

/**
 * PgJDBC connection URLs, read as org.postgresql.Driver#parseURL reads them (pgjdbc 42.7.14,
 * pgjdbc/src/main/java/org/postgresql/Driver.java):
 * - `jdbc:postgresql:` then `//host[:port][,host[:port]…]/[database]`, or `database` alone, or `//`/`///`
 *   (no host: localhost); a `/` after the hosts is required and only one is allowed;
 * - the host defaults to localhost and the port to 5432 (PGProperty PG_HOST/PG_PORT defaults);
 *   an IPv6 host is bracketed (`[::1]:5432`);
 * - `?key=value&key=value`: percent-decoded (URLCoder), the last one wins; a key without `=` is set to '';
 * - the database defaults to the user name when the URL names none.
 * Keys that matter here (PGProperty): `prepareThreshold` (default 5: a PreparedStatement becomes a
 * named server-side statement on its 5th execution; 0 disables), `ApplicationName`, `connectTimeout`
 * (seconds, default 10), `loginTimeout`, `socketTimeout`, `options`, `currentSchema`, `user`, `password`.
 */
export function parseJdbcUrl(text: string, range?: SourceRange): ParsedConnection | ConnectionParseError {
  const fail = (error: string): ConnectionParseError => ({ error, ...(range ? { range } : {}) });
  const PREFIX = 'jdbc:postgresql:';
  if (!text.startsWith(PREFIX)) return fail('not a PgJDBC URL: it must start with jdbc:postgresql: (case-sensitive)');
  const q = text.indexOf('?');
  const server = (q === -1 ? text : text.slice(0, q)).slice(PREFIX.length);
  const args = q === -1 ? '' : text.slice(q + 1);
  const hosts: ConnectionHost[] = [];
  let database: string | undefined;
  let hostsSpan: Span | undefined;
  let dbSpan: Span | undefined;
  if (server === '//' || server === '///') {
    hosts.push({ host: 'localhost', port: 5432, kind: 'tcp', defaultHost: true, defaultPort: true });
  } else if (server.startsWith('//')) {
    const rest = server.slice(2);
    if ((rest.match(/\//g) ?? []).length > 1) return fail('the JDBC URL has too many / characters (PgJDBC refuses it)');
    const slash = rest.indexOf('/');
    if (slash === -1) return fail('the JDBC URL needs a / after the host or port (PgJDBC refuses it)');
    const base = PREFIX.length + 2;
    if (!rest.endsWith('/')) {
      const d = decode(rest.slice(slash + 1));
      if (d === undefined) return fail('the database name of the JDBC URL is not valid percent-encoding');
      database = d;
      dbSpan = { start: base + slash + 1, end: base + rest.length };
    }
    hostsSpan = { start: base, end: base + slash };
    for (const address of rest.slice(0, slash).split(',')) {
      const colon = address.lastIndexOf(':');
      let host = address;
      let port: number | undefined;
      if (colon !== -1 && address.lastIndexOf(']') < colon) {
        const p = address.slice(colon + 1);
        if (!/^\d+$/.test(p) || Number(p) > 65535) return fail('a port of the JDBC URL is not a number between 0 and 65535');
        port = Number(p);
        host = address.slice(0, colon);
      }
      const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
      hosts.push({ host: h === '' ? 'localhost' : h, port: port ?? 5432, kind: 'tcp', ...(h === '' ? { defaultHost: true as const } : {}), ...(port === undefined ? { defaultPort: true as const } : {}) });
    }
  } else if (server.startsWith('/')) {
    return fail('the JDBC URL has a single / where PgJDBC expects // before the host');
  } else {
    const d = decode(server);
    if (d === undefined) return fail('the database name of the JDBC URL is not valid percent-encoding');
    database = d;
    dbSpan = { start: PREFIX.length, end: PREFIX.length + server.length };
    hosts.push({ host: 'localhost', port: 5432, kind: 'tcp', defaultHost: true, defaultPort: true });
  }
  const params = new Map<string, string>();
  const paramSpans = new Map<string, Span>();
  const secrets: Span[] = [];
  let offset = q + 1;
  for (const token of args === '' ? [] : args.split('&')) {
    const start = offset;
    offset += token.length + 1;
    if (token === '') continue;
    const eq = token.indexOf('=');
    const key = eq === -1 ? token : token.slice(0, eq);
    const raw = eq === -1 ? '' : token.slice(eq + 1);
    const value = decode(raw);
    if (value === undefined) return fail(`the value of ${/password/i.test(key) ? 'a secret parameter' : key} in the JDBC URL is not valid percent-encoding`);
    const secret = /password/i.test(key);
    if (secret && raw !== '') secrets.push({ start: start + eq + 1, end: start + token.length });
    params.set(key, secret ? '***' : value);
    paramSpans.set(key, { start, end: start + token.length });
  }
  let redacted = '';
  let last = 0;
  for (const s of secrets) {
    redacted += text.slice(last, s.start) + '***';
    last = s.end;
  }
  redacted += text.slice(last);
  const user = params.get('user');
  const parsed: ParsedConnection = {
    scheme: 'jdbc',
    hasPassword: secrets.length > 0,
    hosts,
    params,
    startupOptions: [],
    prisma: {},
    redacted,
    libpq: { accepts: false, error: 'libpq does not read JDBC URLs' },
    nodePostgres: notReadByNodePostgres('node-postgres does not read JDBC URLs'),
    warnings: [],
    spans: { ...(hostsSpan ? { hosts: hostsSpan } : {}), ...(dbSpan ? { database: dbSpan } : {}), params: paramSpans },
    textLength: text.length,
  };
  if (user !== undefined && user !== '') parsed.user = user;
  // PgJDBC: the database defaults to the user name (Driver#parseURL priority 5).
  const db = database ?? (user !== undefined && user !== '' ? user : undefined);
  if (db !== undefined) parsed.database = db;
  const app = params.get('ApplicationName');
  if (app !== undefined) parsed.applicationName = app;
  const sslmode = params.get('sslmode');
  if (sslmode !== undefined) parsed.sslmode = sslmode;
  const ct = params.get('connectTimeout');
  if (ct !== undefined && /^\d+$/.test(ct)) parsed.connectTimeoutSeconds = Number(ct);
  const tst = params.get('targetServerType');
  if (tst !== undefined) parsed.targetSessionAttrs = tst;
  if (range) parsed.range = range;
  return parsed;
}

/** The JDBC URL's prepareThreshold: PGProperty PREPARE_THRESHOLD default "5"; 0 disables server-side prepare; -1 forces binary transfer (also named statements). */
export function jdbcPrepareThreshold(parsed: ParsedConnection): { value: number; written: boolean } | undefined {
  if (parsed.scheme !== 'jdbc') return undefined;
  const v = parsed.params.get('prepareThreshold');
  if (v === undefined) return { value: 5, written: false };
  return /^-?\d+$/.test(v.trim()) ? { value: Number(v.trim()), written: true } : undefined;
}

/** java.net.URLDecoder-like decoding PgJDBC's URLCoder does (`+` is a space, `%XX` bytes as UTF-8). */
function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
