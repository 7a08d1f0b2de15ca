import type { SourceRange } from '../../core/location.js';
import {
  LIBPQ_KEYWORDS,
  SECRET_KEYWORDS,
  libpqHosts,
  libpqKeyword,
  parseLibpqInt,
  parseStartupOptions,
} from './libpq.js';
import { notReadByNodePostgres, readAsNodePostgres } from './node-postgres.js';
import { isNpgsqlSecret, looksLikeNpgsql, npgsqlHosts, npgsqlSettings, tokenizeNpgsql } from './npgsql.js';
import { readPrismaParams } from './prisma.js';
import type { ConnectionParseError, ConnectionHost, NodePostgresReading, ParsedConnection, Span } from './types.js';
import { parseJdbcUrl } from './jdbc.js';

/**
 * Connection strings read the way libpq reads them
 * (PostgreSQL src/interfaces/libpq/fe-connect.c, v15–v18: conninfo_uri_parse_options,
 * conninfo_uri_parse_params, conninfo_uri_decode, conninfo_parse, pqConnectOptions2),
 * with node-postgres's reading beside it (`nodePostgres`) and the Prisma 5/6
 * URL parameters (`prisma`). Written here rather than taken from
 * pg-connection-string because that package does not read key/value conninfo
 * or multi-host URLs, decodes '+' as a space, reads certificate files while
 * parsing and keeps the password (see docs/decisions.md).
 */

export const REDACTED = '***';

const URI_PREFIXES = ['postgresql://', 'postgres://'] as const;
/** `postgresql+asyncpg://`, `postgresql+psycopg://`, `postgresql+psycopg2://`, `postgres+pg8000://`: a SQLAlchemy dialect+driver URL. */
const SQLALCHEMY_PREFIX = /^(postgres(?:ql)?)\+([A-Za-z0-9_]+):\/\//;

export function isParseError(r: ParsedConnection | ConnectionParseError): r is ConnectionParseError {
  return 'error' in r;
}

/** C isspace() in the "C" locale, as conninfo_parse uses it. */
function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/**
 * fe-connect.c conninfo_uri_decode: %XX (either case) → byte, %00 and
 * malformed escapes are errors, everything else (including '+') is kept.
 * Bytes are read back as UTF-8. `trimSpaces` is libpq 18's version (checked
 * against libpq 18.x; 15 has none of it): leading and trailing spaces are
 * dropped and a space inside is an error ("unexpected spaces found").
 */
export function uriDecode(s: string, trimSpaces = false): string | undefined {
  if (trimSpaces) {
    const t = s.replace(/^ +/, '');
    const inner = t.indexOf(' ');
    if (inner >= 0) {
      // Anything but spaces after the first one (not `.replace(/ +$/, '')`: quadratic on a long run of spaces).
      if (/[^ ]/.test(t.slice(inner))) return undefined;
      s = t.slice(0, inner);
    } else s = t;
  }
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c !== '%') {
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of enc.encode(ch)) bytes.push(b);
      i += ch.length - 1;
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    const b = Number.parseInt(hex, 16);
    if (b === 0) return undefined;
    bytes.push(b);
    i += 2;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** A parameter key safe to quote in a message (keys are never secrets, but a malformed string may put a value there). */
function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(key) ? `"${key}"` : 'a parameter';
}

function fail(error: string, range: SourceRange | undefined): ConnectionParseError {
  return range ? { error, range } : { error };
}

function redact(text: string, secrets: Span[]): string {
  const sorted = [...secrets].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + REDACTED;
    at = s.end;
  }
  return out + text.slice(at);
}

/** What the scheme-specific tokenizers hand to `finish`. */
interface Reading {
  scheme: 'url' | 'conninfo';
  /** Effective libpq options (keyword → value), later settings win. */
  opts: Map<string, string>;
  /** Parameters as written (query params for URLs, all pairs for conninfo). */
  params: Map<string, string>;
  paramSpans: Map<string, Span>;
  secretSpans: Span[];
  anySecretValue: boolean;
  /** What makes PQconninfoParse refuse the string. */
  libpqErrors: string[];
  /** What makes libpq refuse it later, before connecting (pqConnectOptions2) — or connect elsewhere. */
  libpqConnectErrors: string[];
  warnings: string[];
  usedKeywords: Set<string>;
  hostsSpan?: Span;
  databaseSpan?: Span;
  rawQuery: string;
}

function newReading(scheme: 'url' | 'conninfo'): Reading {
  return {
    scheme,
    opts: new Map(),
    params: new Map(),
    paramSpans: new Map(),
    secretSpans: [],
    anySecretValue: false,
    libpqErrors: [],
    libpqConnectErrors: [],
    warnings: [],
    usedKeywords: new Set(),
    rawQuery: '',
  };
}

/** conninfo_storeval for one written key/value: translation, unknown-keyword check, store. */
function store(r: Reading, key: string, value: string, span: Span, valueSpan: Span, inUri: boolean, decodeFailed: boolean): void {
  const secret = SECRET_KEYWORDS.has(key);
  if (secret && valueSpan.end > valueSpan.start) {
    r.secretSpans.push(valueSpan);
    if (value !== '' || decodeFailed) r.anySecretValue = true;
  }
  r.params.set(key, secret ? REDACTED : value);
  r.paramSpans.set(key, span);
  const t = libpqKeyword(key, value, inUri);
  if (!LIBPQ_KEYWORDS.has(t.key)) {
    r.libpqErrors.push(inUri ? `libpq rejects the URI query parameter ${quoteKey(key)}` : `libpq rejects the connection option ${quoteKey(key)}`);
    return;
  }
  r.usedKeywords.add(t.key);
  r.opts.set(t.key, t.value);
}

function parseUri(
  text: string,
  prefixLength: number,
  range: SourceRange | undefined,
  exactLibpq = false,
  libpq18 = false,
): Reading | ConnectionParseError {
  const decode = (x: string): string | undefined => uriDecode(x, libpq18);
  const r = newReading('url');
  const n = text.length;
  let p = prefixLength;

  // conninfo_uri_parse_options: user info ends at the first '@' seen before any '/'.
  let i = p;
  while (i < n && text[i] !== '@' && text[i] !== '/') i++;
  if (text[i] === '@') {
    let at = i;
    if (!exactLibpq) for (let j = i + 1; j < n && text[j] !== '/' && text[j] !== '?'; j++) if (text[j] === '@') at = j;
    if (at !== i) {
      // libpq would end the user info at the first '@' and take the rest as the
      // host; WHATWG parsers (Prisma, node-postgres) use the last '@'. Reading it
      // the libpq way would put part of the password into `hosts`, so the
      // WHATWG reading is kept and libpq's is reported.
      r.libpqConnectErrors.push("libpq ends the user info at the first '@', so it connects to a wrong host: percent-encode '@' in user names and passwords as %40");
      r.warnings.push("more than one unencoded '@' before the host: read up to the last '@' as Prisma and node-postgres do");
    }
    const colon = text.slice(p, at).indexOf(':');
    const userEnd = colon < 0 ? at : p + colon;
    if (userEnd > p) {
      const user = decode(text.slice(p, userEnd));
      if (user === undefined) return fail('invalid percent-encoding in the user name', range);
      r.opts.set('user', user);
      r.usedKeywords.add('user');
    }
    if (colon >= 0 && at > userEnd + 1) {
      const pw: Span = { start: userEnd + 1, end: at };
      r.secretSpans.push(pw);
      r.anySecretValue = true;
      const decoded = decode(text.slice(pw.start, pw.end));
      if (decoded === undefined) r.libpqErrors.push('libpq rejects the password: invalid percent-encoding');
      else r.opts.set('password', decoded);
      r.usedKeywords.add('password');
    }
    p = at + 1;
  } else if (!exactLibpq) {
    // No user info before the first '/', yet an '@' follows in the path: most
    // likely a password with an unencoded '/'. libpq and WHATWG parsers would
    // both take part of the password as host, port and database, so this is
    // refused rather than returned (the "database" would hold the secret).
    const q = text.indexOf('?', i);
    const at = text.slice(i, q < 0 ? n : q).indexOf('@');
    if (at >= 0 && text.slice(p, i).includes(':')) {
      return fail("an '@' after the first '/': if the password contains '/', percent-encode it as %2F", range);
    }
  }

  // netloc[:port] pairs separated by commas; IPv6 between brackets.
  const hostsStart = p;
  const hostParts: string[] = [];
  const portParts: string[] = [];
  let prev = '';
  for (;;) {
    let host: string;
    if (text[p] === '[') {
      const close = text.indexOf(']', p + 1);
      if (close < 0) return fail('IPv6 host address has no closing "]"', range);
      if (close === p + 1) return fail('IPv6 host address is empty', range);
      host = text.slice(p + 1, close);
      p = close + 1;
      if (p < n && !':/?,'.includes(text[p] ?? '')) return fail('unexpected character after "]" in the host (expected ":" or "/")', range);
    } else {
      const s = p;
      while (p < n && !':/?,'.includes(text[p] ?? '')) p++;
      host = text.slice(s, p);
    }
    prev = text[p] ?? '';
    hostParts.push(host);
    let port = '';
    if (prev === ':') {
      const s = ++p;
      while (p < n && !'/?,'.includes(text[p] ?? '')) p++;
      port = text.slice(s, p);
      prev = text[p] ?? '';
    }
    portParts.push(port);
    if (prev !== ',') break;
    p++;
  }
  if (p > hostsStart) r.hostsSpan = { start: hostsStart, end: p };
  const hostBuf = hostParts.join(',');
  const portBuf = portParts.join(',');
  if (hostBuf !== '') {
    const h = decode(hostBuf);
    if (h === undefined) return fail('invalid percent-encoding in the host', range);
    r.opts.set('host', h);
    r.usedKeywords.add('host');
  }
  if (portBuf !== '') {
    const d = decode(portBuf);
    if (d === undefined) return fail('invalid percent-encoding in the port', range);
    r.opts.set('port', d);
  }

  if (prev === '/') {
    const s = ++p;
    while (p < n && text[p] !== '?') p++;
    prev = text[p] ?? '';
    if (p > s) {
      // An empty dbname is not stored (it would override PGDATABASE).
      const db = decode(text.slice(s, p));
      if (db === undefined) return fail('invalid percent-encoding in the database name', range);
      r.opts.set('dbname', db);
      r.usedKeywords.add('dbname');
      r.databaseSpan = { start: s, end: p };
    }
  }

  if (prev === '?') {
    p++;
    r.rawQuery = text.slice(p);
    // conninfo_uri_parse_params: '&'-separated, exactly one '=' each; keys and
    // values percent-decoded; unknown keys make libpq refuse the whole URI.
    let q = p;
    while (q < n) {
      const segStart = q;
      let eq = -1;
      let extra = false;
      while (q < n && text[q] !== '&') {
        if (text[q] === '=') {
          if (eq < 0) eq = q;
          else extra = true;
        }
        q++;
      }
      const segEnd = q;
      if (q < n) q++;
      const rawKey = text.slice(segStart, eq < 0 ? segEnd : eq);
      const rawValue = eq < 0 ? '' : text.slice(eq + 1, segEnd);
      const key = decode(rawKey);
      const value = decode(rawValue);
      const shownKey = key ?? rawKey;
      if (eq < 0) r.libpqErrors.push(`libpq rejects the URI: query parameter ${quoteKey(shownKey)} has no "="`);
      else if (extra) r.libpqErrors.push(`libpq rejects the URI: query parameter ${quoteKey(shownKey)} has a second "=" (percent-encode it as %3D)`);
      if (key === undefined || value === undefined) r.libpqErrors.push(`libpq rejects the URI: invalid percent-encoding in query parameter ${quoteKey(shownKey)}`);
      if (shownKey === '' && eq < 0) continue;
      const valueSpan: Span = eq < 0 ? { start: segEnd, end: segEnd } : { start: eq + 1, end: segEnd };
      store(r, shownKey, value ?? rawValue, { start: segStart, end: segEnd }, valueSpan, true, value === undefined);
    }
  }
  return r;
}

function parseConninfo(text: string, range: SourceRange | undefined): Reading | ConnectionParseError {
  const r = newReading('conninfo');
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isCSpace(text[i])) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < n && text[i] !== '=' && !isCSpace(text[i])) i++;
    const key = text.slice(keyStart, i);
    while (i < n && isCSpace(text[i])) i++;
    // The "key" may be a fragment of a value with a space in it, so it is not quoted.
    if (text[i] !== '=') return fail('missing "=" after a keyword in the connection info string (a value with spaces must be quoted)', range);
    i++;
    const afterEq = i;
    while (i < n && isCSpace(text[i])) i++;
    const vStart = i;
    let value = '';
    let vEnd: number;
    if (text[i] !== "'") {
      while (i < n && !isCSpace(text[i])) {
        if (text[i] === '\\') {
          i++;
          if (i < n) value += text[i++];
        } else value += text[i++];
      }
      vEnd = i;
    } else {
      i++;
      for (;;) {
        if (i >= n) return fail('unterminated quoted string in the connection info string', range);
        if (text[i] === '\\') {
          i++;
          if (i < n) value += text[i++];
          continue;
        }
        if (text[i] === "'") {
          i++;
          break;
        }
        value += text[i++];
      }
      vEnd = i;
    }
    if (vStart > afterEq && text[vStart] !== "'" && value.includes('=')) {
      // conninfo_parse skips blanks after '=', so `host= port=5432` sets host to "port=5432".
      r.warnings.push(`${quoteKey(key)} has an empty value followed by a space, so libpq takes the next key=value as its value; write an empty value as ''`);
    }
    store(r, key, value, { start: keyStart, end: vEnd }, { start: vStart, end: vEnd }, false, false);
    if (key === 'host' && r.opts.has('host')) r.hostsSpan = { start: vStart, end: vEnd };
    if (key === 'dbname') r.databaseSpan = { start: vStart, end: vEnd };
  }
  return r;
}

const SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
const TARGET_SESSION_ATTRS = new Set(['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby']);

function finish(text: string, r: Reading, range: SourceRange | undefined): ParsedConnection | ConnectionParseError {
  const o = r.opts;
  const hostsResult = libpqHosts({ host: o.get('host'), hostaddr: o.get('hostaddr'), port: o.get('port') });
  if ('error' in hostsResult) return fail(hostsResult.error, range);
  const hosts: ConnectionHost[] = hostsResult.hosts;

  const sslmode = o.get('sslmode');
  // pqConnectOptions2 validates these values before connecting.
  if (sslmode !== undefined && !SSLMODES.has(sslmode)) r.libpqConnectErrors.push('libpq rejects the sslmode value');
  const tsa = o.get('target_session_attrs');
  if (tsa !== undefined && !TARGET_SESSION_ATTRS.has(tsa)) r.libpqConnectErrors.push('libpq rejects the target_session_attrs value');
  let connectTimeoutSeconds: number | undefined;
  const ct = o.get('connect_timeout');
  if (ct !== undefined && ct !== '') {
    connectTimeoutSeconds = parseLibpqInt(ct);
    if (connectTimeoutSeconds === undefined) r.libpqConnectErrors.push('libpq rejects the connect_timeout value: not an integer');
  }

  const startup = o.get('options') !== undefined ? parseStartupOptions(o.get('options') ?? '') : { settings: [], other: [] };
  if (startup.other.length > 0) r.warnings.push(`options holds ${startup.other.length} argument(s) other than -c name=value`);

  let minMajorVersion = 0;
  for (const k of r.usedKeywords) minMajorVersion = Math.max(minMajorVersion, LIBPQ_KEYWORDS.get(k) ?? 0);

  const libpqError = r.libpqErrors[0] ?? r.libpqConnectErrors[0];
  const user = o.get('user') || undefined;
  const database = o.get('dbname') || undefined;

  let prisma = {};
  let nodePostgres: NodePostgresReading;
  if (r.scheme === 'url') {
    const pr = readPrismaParams(r.params);
    prisma = pr.prisma;
    r.warnings.push(...pr.warnings);
    nodePostgres = readAsNodePostgres(text, { hosts, database, user, sslmode, query: r.params, rawQuery: r.rawQuery });
  } else {
    nodePostgres = notReadByNodePostgres(
      'node-postgres does not read key/value connection strings: pg-connection-string takes the text as a relative URL (host "base", the whole text as the database name)',
    );
  }

  const parsed: ParsedConnection = {
    scheme: r.scheme,
    hasPassword: r.anySecretValue,
    hosts,
    params: r.params,
    startupOptions: startup.settings,
    prisma,
    redacted: redact(text, r.secretSpans),
    libpq: {
      accepts: libpqError === undefined,
      ...(libpqError !== undefined ? { error: libpqError } : {}),
      ...(minMajorVersion > 0 ? { minMajorVersion } : {}),
    },
    nodePostgres,
    warnings: r.warnings,
    spans: {
      ...(r.hostsSpan ? { hosts: r.hostsSpan } : {}),
      ...(r.databaseSpan ? { database: r.databaseSpan } : {}),
      params: r.paramSpans,
    },
    textLength: text.length,
  };
  if (user !== undefined) parsed.user = user;
  if (database !== undefined) parsed.database = database;
  if (sslmode !== undefined) parsed.sslmode = sslmode;
  if (connectTimeoutSeconds !== undefined) parsed.connectTimeoutSeconds = connectTimeoutSeconds;
  const app = o.get('application_name');
  if (app !== undefined) parsed.applicationName = app;
  if (tsa !== undefined) parsed.targetSessionAttrs = tsa;
  if (range) parsed.range = range;
  return parsed;
}

function parseNpgsql(text: string, range: SourceRange | undefined): ParsedConnection | ConnectionParseError {
  const tok = tokenizeNpgsql(text);
  if ('error' in tok) return fail(tok.error, range);
  const params = new Map<string, string>();
  const paramSpans = new Map<string, Span>();
  const byCanonical = new Map<string, string>();
  const secrets: Span[] = [];
  let hasPassword = false;
  for (const item of tok.items) {
    const secret = isNpgsqlSecret(item);
    if (secret && item.valueSpan.end > item.valueSpan.start) {
      secrets.push(item.valueSpan);
      hasPassword = true;
    }
    params.set(item.key, secret ? REDACTED : item.value);
    paramSpans.set(item.key, item.span);
    if (item.canonical) byCanonical.set(item.canonical, item.value);
  }
  const hr = npgsqlHosts(byCanonical.get('host'), byCanonical.get('port'));
  if ('error' in hr) return fail(hr.error, range);
  const startup = parseStartupOptions(byCanonical.get('options') ?? '');
  const searchPath = byCanonical.get('search path');
  if (searchPath !== undefined) startup.settings.push({ name: 'search_path', value: searchPath });
  const parsed: ParsedConnection = {
    scheme: 'npgsql',
    hasPassword,
    hosts: hr.hosts,
    params,
    startupOptions: startup.settings,
    prisma: {},
    npgsql: npgsqlSettings(byCanonical),
    redacted: redact(text, secrets),
    libpq: { accepts: false, error: 'libpq does not read Npgsql (ADO.NET) connection strings' },
    nodePostgres: notReadByNodePostgres('node-postgres does not read Npgsql (ADO.NET) connection strings'),
    warnings: [],
    spans: { params: paramSpans },
    textLength: text.length,
  };
  const user = byCanonical.get('username');
  if (user) parsed.user = user;
  const db = byCanonical.get('database');
  if (db) parsed.database = db;
  const ssl = byCanonical.get('ssl mode');
  if (ssl !== undefined) parsed.sslmode = ssl;
  const app = byCanonical.get('application name');
  if (app !== undefined) parsed.applicationName = app;
  const tsa = byCanonical.get('target session attributes');
  if (tsa !== undefined) parsed.targetSessionAttrs = tsa;
  const t = parsed.npgsql?.timeoutSeconds;
  if (t !== undefined) parsed.connectTimeoutSeconds = t;
  if (range) parsed.range = range;
  return parsed;
}

/**
 * Parses a `postgres://`/`postgresql://` URL, a libpq key/value conninfo
 * string or an Npgsql (ADO.NET) string. Never throws; never keeps a password.
 * `range` is where the text sits in its file (kept on the result and on errors).
 */
export function parseConnectionString(text: string, range?: SourceRange): ParsedConnection | ConnectionParseError {
  // SQLAlchemy's `postgresql+driver://` (Python): the same URL with the driver named after the dialect.
  const sa = SQLALCHEMY_PREFIX.exec(text);
  if (sa) {
    const inner = parseConnectionString(`${sa[1]}://${text.slice(sa[0].length)}`, range);
    if (isParseError(inner)) return inner;
    return { ...inner, redacted: `${sa[1]}+${sa[2]}${inner.redacted.slice(sa[1]!.length)}`, sqlalchemyDriver: sa[2]!.toLowerCase() };
  }
  const prefix = URI_PREFIXES.find((p) => text.startsWith(p));
  if (prefix !== undefined) {
    const r = parseUri(text, prefix.length, range);
    if ('error' in r) return r;
    const parsed = finish(text, r, range);
    if (!isParseError(parsed)) noteLibpq18(text, parsed);
    return parsed;
  }
  // PgJDBC (Java): its own grammar (jdbc.ts); libpq and node-postgres refuse these.
  if (text.startsWith('jdbc:postgresql:')) return parseJdbcUrl(text, range);
  if (/^jdbc:postgresql:/i.test(text)) {
    return fail('a JDBC URL whose jdbc:postgresql: prefix is not lower case: PgJDBC accepts only jdbc:postgresql:', range);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return fail('not a PostgreSQL connection string: libpq only accepts the postgresql:// and postgres:// schemes', range);
  }
  if (looksLikeNpgsql(text)) return parseNpgsql(text, range);
  // fe-connect.c recognized_connection_string: a URI prefix or an '='.
  if (!text.includes('=')) return fail('not a connection string: no postgresql:// prefix and no key=value pair', range);
  const r = parseConninfo(text, range);
  return 'error' in r ? r : finish(text, r, range);
}

/**
 * The options PQconninfoParse() returns for a URL or conninfo string (secrets
 * as `***`), or its error — exactly libpq's reading, without the WHATWG
 * reading of an ambiguous '@' that parseConnectionString() prefers. For the
 * differential test against the real libpq.
 */
export function readLibpqOptions(text: string, libpqMajor = 15): { options: Map<string, string> } | { error: string } {
  const prefix = URI_PREFIXES.find((p) => text.startsWith(p));
  const r = prefix !== undefined ? parseUri(text, prefix.length, undefined, true, libpqMajor >= 18) : parseConninfo(text, undefined);
  if ('error' in r) return r;
  const first = r.libpqErrors[0];
  if (first !== undefined) return { error: first };
  const options = new Map<string, string>();
  for (const [k, v] of r.opts) options.set(k, SECRET_KEYWORDS.has(k) ? REDACTED : v);
  return { options };
}

/**
 * What libpq would connect with, secrets included: the options PQconninfoParse() returns for a URL
 * or conninfo string, read as parseConnectionString() reads it (so the host it shows is the host it
 * connects to). Only `pgconn-lint live` calls it, to hand
 * the password to the client library; nothing it returns is ever printed.
 */
export function libpqConnectOptions(text: string): { options: Map<string, string> } | { error: string } {
  const prefix = URI_PREFIXES.find((p) => text.startsWith(p));
  if (prefix === undefined && !text.includes('=')) return { error: 'not a connection string: no postgresql:// prefix and no key=value pair' };
  const r = prefix !== undefined ? parseUri(text, prefix.length, undefined) : parseConninfo(text, undefined);
  if ('error' in r) return r;
  const first = r.libpqErrors[0];
  if (first !== undefined) return { error: first };
  return { options: new Map(r.opts) };
}

/** libpq 18 trims spaces around URI parts and rejects spaces inside them (see uriDecode). */
function noteLibpq18(text: string, parsed: ParsedConnection): void {
  const v15 = readLibpqOptions(text, 15);
  const v18 = readLibpqOptions(text, 18);
  if ('error' in v15) return;
  if ('error' in v18) {
    parsed.libpq.rejectedFromMajorVersion = 18;
    parsed.libpq.laterError = 'libpq 18 rejects spaces inside URI parts: write them as %20';
    return;
  }
  const a = [...v15.options].map(([k, v]) => `${k}=${v}`).join('\n');
  const b = [...v18.options].map(([k, v]) => `${k}=${v}`).join('\n');
  if (a !== b) parsed.warnings.push('libpq 18 drops spaces around URI parts that older libpq keeps');
}

/**
 * The file range of a span of a parsed string, when the string sits on one
 * line of its file exactly as parsed (no quotes, escapes or expansion in
 * between); otherwise the whole string's range.
 */
export function spanRange(parsed: Pick<ParsedConnection, 'range' | 'textLength'>, span: Span): SourceRange | undefined {
  const r = parsed.range;
  if (!r) return undefined;
  if (r.line !== r.endLine || r.endColumn - r.column !== parsed.textLength) return r;
  return { file: r.file, line: r.line, column: r.column + span.start, endLine: r.line, endColumn: r.column + span.end };
}

// ---------------------------------------------------------------------------
// Formatting (the inverse, for property tests and for messages)

export interface ConnectionStringParts {
  user?: string | undefined;
  /** Only used to build a string; parsing never returns it. */
  password?: string | undefined;
  hosts: ReadonlyArray<{ host: string; port?: number | undefined; defaultPort?: true | undefined }>;
  database?: string | undefined;
  /** Extra parameters, written in order. */
  params?: Iterable<readonly [string, string]> | undefined;
}

/** RFC 3986 unreserved characters stay; every other UTF-8 byte is %XX. */
function encodeAll(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Builds a `postgresql://` URL that libpq (and, for one host, WHATWG URL
 * parsers) read back as `parts`. Host names may not contain ',' (libpq splits
 * the decoded host list on commas).
 */
export function formatConnectionUrl(parts: ConnectionStringParts): string {
  let s = 'postgresql://';
  if (parts.user !== undefined && parts.user !== '') s += encodeAll(parts.user);
  if (parts.password !== undefined && parts.password !== '') s += `:${encodeAll(parts.password)}`;
  if ((parts.user ?? '') !== '' || (parts.password ?? '') !== '') s += '@';
  s += parts.hosts
    .map((h) => {
      const host = h.host.includes(':') && !h.host.startsWith('/') ? `[${h.host.replace(/%/g, '%25')}]` : encodeAll(h.host);
      return h.port !== undefined && !h.defaultPort ? `${host}:${h.port}` : host;
    })
    .join(',');
  if (parts.database !== undefined && parts.database !== '') s += `/${encodeAll(parts.database)}`;
  const q = [...(parts.params ?? [])].map(([k, v]) => `${encodeAll(k)}=${encodeAll(v)}`);
  if (q.length > 0) s += `${parts.database ? '' : '/'}?${q.join('&')}`;
  return s;
}

/** libpq conninfo quoting: single quotes, backslash before ' and \ (conninfo_parse). */
function quoteConninfo(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** Builds a key/value conninfo string that libpq reads back as `parts`. */
export function formatConninfo(parts: ConnectionStringParts): string {
  const out: string[] = [];
  if (parts.hosts.length > 0 && parts.hosts.some((h) => h.host !== '')) out.push(`host=${quoteConninfo(parts.hosts.map((h) => h.host).join(','))}`);
  if (parts.hosts.some((h) => h.port !== undefined && !h.defaultPort)) {
    out.push(`port=${quoteConninfo(parts.hosts.map((h) => (h.port !== undefined && !h.defaultPort ? String(h.port) : '')).join(','))}`);
  }
  if (parts.database) out.push(`dbname=${quoteConninfo(parts.database)}`);
  if (parts.user) out.push(`user=${quoteConninfo(parts.user)}`);
  if (parts.password) out.push(`password=${quoteConninfo(parts.password)}`);
  for (const [k, v] of parts.params ?? []) out.push(`${k}=${quoteConninfo(v)}`);
  return out.join(' ');
}
