import type { ConnectionHost, NodePostgresReading } from './types.js';

/**
 * node-postgres's reading of a connection string, written from
 * pg-connection-string 2.14.0 `index.js` parse() and pg 8.x
 * `lib/connection-parameters.js` / `lib/connection.js` (brianc/node-postgres).
 * It goes through WHATWG `new URL`, so it differs from libpq in ways that
 * matter: no key/value conninfo, one host only, `+` decoded as a space,
 * `?host=` wins over the URL host, and `sslmode` semantics.
 */

interface LibpqSide {
  hosts: ConnectionHost[];
  database?: string | undefined;
  user?: string | undefined;
  sslmode?: string | undefined;
  query: ReadonlyMap<string, string>;
  /** Raw (undecoded) query text after '?', for the '+' check. */
  rawQuery: string;
}

function tryDecodeComponent(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function tryDecodeUri(s: string): string | undefined {
  try {
    return decodeURI(s);
  } catch {
    return undefined;
  }
}

export function notReadByNodePostgres(reason: string): NodePostgresReading {
  return { accepts: false, error: reason, ssl: 'unset', differences: [] };
}

export function readAsNodePostgres(text: string, libpq: LibpqSide): NodePostgresReading {
  // index.js: an input with a space or a malformed %-escape is passed through
  // encodeURI first (then %25XX with two digits is turned back into %XX).
  let str = text;
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) {
    try {
      str = encodeURI(str).replace(/%25(\d\d)/g, '%$1');
    } catch {
      return notReadByNodePostgres('node-postgres throws URIError on this string (lone surrogate)');
    }
  }
  let url: URL;
  let dummyHost = false;
  try {
    url = new URL(str, 'postgres://base');
  } catch {
    try {
      // index.js retries an empty host ("@/") with a placeholder host.
      url = new URL(str.replace('@/', '@___DUMMY___/'), 'postgres://base');
      dummyHost = true;
    } catch {
      const multi = libpq.hosts.length > 1;
      return notReadByNodePostgres(
        multi
          ? 'node-postgres throws "Invalid URL": pg-connection-string does not support several host:port pairs'
          : 'node-postgres throws "Invalid URL" (WHATWG URL parser)',
      );
    }
  }
  const query = new Map<string, string>();
  for (const [k, v] of url.searchParams) query.set(k, v);
  const differences: string[] = [];

  const userFromUrl = tryDecodeComponent(url.username);
  const passwordFromUrl = tryDecodeComponent(url.password);
  if (userFromUrl === undefined || passwordFromUrl === undefined) {
    return notReadByNodePostgres('node-postgres throws URIError: malformed percent-encoding in the user info');
  }
  const user = query.get('user') || userFromUrl || undefined;

  const hostname = dummyHost ? '' : url.hostname;
  const hostDecoded = tryDecodeComponent(hostname);
  if (hostDecoded === undefined) return notReadByNodePostgres('node-postgres throws URIError: malformed percent-encoding in the host');
  // lib/connection-parameters.js: an empty host falls back to PGHOST, then 'localhost'.
  const host = query.get('host') || hostDecoded || undefined;
  const portText = query.get('port') || url.port;
  const port = portText === '' ? 5432 : Number.parseInt(portText, 10);
  if (Number.isNaN(port)) return notReadByNodePostgres('node-postgres throws "Invalid port"');

  // index.js decodes the path with decodeURI, which leaves %2F, %3F, %40, %23, … encoded.
  const path = url.pathname.slice(1);
  const database = path ? tryDecodeUri(path) : undefined;
  if (path && database === undefined) return notReadByNodePostgres('node-postgres throws URIError: malformed percent-encoding in the database');

  const ssl = nodePgSsl(query, differences);

  // Differences with libpq, in the order a reader would check them.
  const first = libpq.hosts[0];
  if (libpq.hosts.length > 1) differences.push(`node-postgres connects to one host only; libpq tries ${libpq.hosts.length} hosts in turn`);
  if (host === undefined && first?.defaultHost) {
    differences.push('no host: libpq uses its unix socket directory, node-postgres uses PGHOST or localhost over TCP');
  } else if (first && host !== undefined && host !== first.host && !first.defaultHost) {
    if (/^\[.*\]$/.test(host)) differences.push('node-postgres keeps the brackets of an IPv6 host, so the host name lookup fails');
    else differences.push('node-postgres connects to a different host than libpq');
  }
  if (first && port !== first.port) differences.push('node-postgres uses a different port than libpq');
  if (database !== libpq.database) {
    if (libpq.query.has('dbname')) differences.push('node-postgres ignores dbname=…: it takes the database from the URL path');
    else if (path.includes('%')) differences.push('node-postgres decodes the database name with decodeURI, which leaves reserved characters percent-encoded');
    else differences.push('node-postgres reads a different database name than libpq');
  }
  if ((user ?? undefined) !== libpq.user) differences.push('node-postgres reads a different user name than libpq');
  if (/\+/.test(libpq.rawQuery)) differences.push("node-postgres decodes '+' in query values as a space, libpq keeps it");
  if (libpq.query.has('ssl') && libpq.query.get('ssl') !== 'true') {
    differences.push('ssl=… is a node-postgres/JDBC parameter; libpq only accepts ssl=true (as sslmode=require)');
  }
  return {
    accepts: true,
    ...(host !== undefined ? { host } : {}),
    port,
    ...(database !== undefined ? { database } : {}),
    ...(user !== undefined ? { user } : {}),
    ssl,
    differences,
  };
}

/** index.js ssl handling, then lib/connection.js `if (!this.ssl)` (any truthy value starts TLS). */
function nodePgSsl(query: ReadonlyMap<string, string>, differences: string[]): NodePostgresReading['ssl'] {
  const sslParam = query.get('ssl');
  const sslmode = query.get('sslmode');
  const compat = query.get('uselibpqcompat') === 'true';
  const fileParam = query.has('sslcert') || query.has('sslkey') || query.has('sslrootcert');
  if (fileParam) differences.push('pg-connection-string reads sslcert/sslkey/sslrootcert files while parsing and throws when one is missing');
  let ssl: NodePostgresReading['ssl'] = 'unset';
  if (sslParam === 'true' || sslParam === '1') ssl = 'verify-full';
  else if (sslParam === '0') ssl = 'off';
  else if (sslParam !== undefined && sslParam !== '') {
    // Kept as a string: 'false' is truthy, so TLS is attempted.
    ssl = 'verify-full';
    if (sslParam === 'false') differences.push("ssl=false stays the string 'false' in pg-connection-string 2.x, which node-postgres treats as true");
  }
  if (fileParam || sslmode !== undefined) ssl = 'verify-full';
  if (query.get('sslnegotiation') === 'direct' && sslParam === undefined && sslmode === undefined && !fileParam) ssl = 'verify-full';
  if (sslmode === undefined) return ssl;
  if (compat) {
    switch (sslmode) {
      case 'disable':
        return 'off';
      case 'prefer':
        differences.push('sslmode=prefer with uselibpqcompat: node-postgres requires TLS without verification and never falls back to plain text');
        return 'no-verify';
      case 'require':
        return query.has('sslrootcert') ? 'verify-ca' : 'no-verify';
      case 'verify-ca':
        return 'verify-ca';
      default:
        return ssl;
    }
  }
  switch (sslmode) {
    case 'disable':
      return 'off';
    case 'no-verify':
      differences.push('sslmode=no-verify is a node-postgres value; libpq rejects it');
      return 'no-verify';
    case 'prefer':
    case 'require':
    case 'verify-ca':
      differences.push(`sslmode=${sslmode}: node-postgres (without uselibpqcompat=true) verifies the certificate and host name like verify-full; libpq ${sslmode === 'verify-ca' ? 'does not check the host name' : 'does not verify the certificate'}`);
      return 'verify-full';
    default:
      return ssl;
  }
}
