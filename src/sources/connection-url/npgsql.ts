import { DEFAULT_PORT, isUnixSocketPath } from './libpq.js';
import type { ConnectionHost, NpgsqlSettings, Span } from './types.js';

/**
 * Npgsql (.NET) connection strings: `Host=db;Username=u;Password=p;Maximum Pool Size=20`.
 * Grammar of System.Data.Common.DbConnectionStringBuilder: `;`-separated
 * `key=value`, keys case-insensitive with surrounding blanks trimmed, values
 * optionally quoted with " or ' (a doubled quote inside is one quote).
 * Keywords and synonyms from Npgsql NpgsqlConnectionStringBuilder (Npgsql 8,
 * https://www.npgsql.org/doc/connection-string-parameters.html).
 */
const SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['host', 'host'], ['server', 'host'],
  ['port', 'port'],
  ['database', 'database'], ['db', 'database'],
  ['username', 'username'], ['user name', 'username'], ['userid', 'username'], ['user id', 'username'], ['uid', 'username'],
  ['password', 'password'], ['psw', 'password'], ['pwd', 'password'],
  ['application name', 'application name'], ['applicationname', 'application name'],
  ['ssl mode', 'ssl mode'], ['sslmode', 'ssl mode'],
  ['timeout', 'timeout'],
  ['command timeout', 'command timeout'], ['commandtimeout', 'command timeout'],
  ['pooling', 'pooling'],
  ['minimum pool size', 'minimum pool size'], ['minpoolsize', 'minimum pool size'],
  ['maximum pool size', 'maximum pool size'], ['maxpoolsize', 'maximum pool size'],
  ['multiplexing', 'multiplexing'],
  ['options', 'options'],
  ['search path', 'search path'], ['searchpath', 'search path'],
  ['target session attributes', 'target session attributes'], ['targetsessionattributes', 'target session attributes'],
  ['passfile', 'passfile'],
  ['ssl password', 'ssl password'], ['sslpassword', 'ssl password'],
]);

const SECRET = new Set(['password', 'ssl password']);

export interface NpgsqlItem {
  /** Key as written (trimmed). */
  key: string;
  /** Canonical Npgsql keyword when known. */
  canonical?: string;
  value: string;
  span: Span;
  valueSpan: Span;
}

/** True when the text looks like an Npgsql/ADO.NET string: `;`-separated and its first key is an Npgsql keyword. */
export function looksLikeNpgsql(text: string): boolean {
  if (!text.includes(';')) return false;
  // A `;` inside a libpq single-quoted value (`password=';'`) is not a separator.
  const unquoted = text.replace(/'(?:[^'\\]|\\.)*'?/g, "''");
  const semi = unquoted.indexOf(';');
  if (semi === -1) return false;
  // libpq conninfo separates pairs with white space: `host=db password=a;b` has two pairs before the `;`.
  if (twoConninfoPairs(unquoted.slice(0, semi))) return false;
  // The first key: the text before the first `=`, if no `;` comes before it (/^\s*([^=;]+?)\s*=/, whose
  // backtracking over white space was cubic).
  const eq = text.search(/[=;]/);
  return eq !== -1 && text[eq] === '=' && SYNONYMS.has(text.slice(0, eq).trim().toLowerCase());
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const isKeyChar = (c: string | undefined): boolean => c !== undefined && c !== '=' && c !== ';' && !isSpace(c);

/**
 * /^\s*[^=;\s]+\s*=\s*\S*\s+[^=;\s]+\s*=/ (a `key=value key=` start) in one pass: that regex
 * backtracks quadratically over long runs of white space. The value may be empty (`a= b=c`).
 */
function twoConninfoPairs(s: string): boolean {
  let i = 0;
  const skipSpace = (): void => {
    while (isSpace(s[i])) i++;
  };
  skipSpace();
  const k1 = i;
  while (isKeyChar(s[i])) i++;
  if (i === k1) return false;
  skipSpace();
  if (s[i] !== '=') return false;
  i++;
  const afterEq = i;
  /** A second `key` then `=` from position j (after the white space that separates the pairs). */
  const secondPair = (j: number): boolean => {
    const k2 = j;
    while (isKeyChar(s[j])) j++;
    if (j === k2) return false;
    while (isSpace(s[j])) j++;
    return s[j] === '=';
  };
  // An empty value: the white space right after `=` separates the pairs.
  if (isSpace(s[afterEq])) {
    let j = afterEq;
    while (isSpace(s[j])) j++;
    if (secondPair(j)) return true;
  }
  skipSpace();
  while (i < s.length && !isSpace(s[i])) i++;
  const ws = i;
  skipSpace();
  return i > ws && secondPair(i);
}

export function tokenizeNpgsql(text: string): { items: NpgsqlItem[] } | { error: string } {
  const items: NpgsqlItem[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ';' || /\s/.test(text[i] ?? ''))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text[i] !== '=' && text[i] !== ';') i++;
    if (text[i] !== '=') return { error: `Npgsql connection string: a setting has no "=" (at offset ${start})` };
    const key = text.slice(start, i).trim();
    i++;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let value = '';
    const vStart = i;
    const q = text[i];
    if (q === '"' || q === "'") {
      i++;
      for (;;) {
        if (i >= n) return { error: 'Npgsql connection string: unterminated quoted value' };
        if (text[i] === q) {
          if (text[i + 1] === q) {
            value += q;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      while (i < n && text[i] !== ';') i++;
    } else {
      while (i < n && text[i] !== ';') i++;
      value = text.slice(vStart, i).trim();
    }
    let vEnd = i;
    while (vEnd > vStart && /\s/.test(text[vEnd - 1] ?? '')) vEnd--;
    const canonical = SYNONYMS.get(key.toLowerCase());
    items.push({ key, ...(canonical ? { canonical } : {}), value, span: { start, end: vEnd }, valueSpan: { start: vStart, end: vEnd } });
  }
  return { items };
}

export function isNpgsqlSecret(item: NpgsqlItem): boolean {
  return item.canonical !== undefined && SECRET.has(item.canonical);
}

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const l = v.trim().toLowerCase();
  if (l === 'true' || l === 'yes' || l === '1') return true;
  if (l === 'false' || l === 'no' || l === '0') return false;
  return undefined;
}

function int(v: string | undefined): number | undefined {
  return v !== undefined && /^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined;
}

/**
 * Npgsql host list: comma-separated, each `host`, `host:port` or `[ipv6]:port`
 * (Npgsql 6+ multi-host); a port in Host wins over `Port` (default 5432).
 */
export function npgsqlHosts(host: string | undefined, port: string | undefined): { hosts: ConnectionHost[] } | { error: string } {
  const basePort = port === undefined || port.trim() === '' ? undefined : int(port);
  if (port !== undefined && port.trim() !== '' && (basePort === undefined || basePort < 1 || basePort > 65535)) {
    return { error: 'Npgsql connection string: invalid Port' };
  }
  if (host === undefined || host.trim() === '') {
    return { hosts: [{ host: '', port: basePort ?? DEFAULT_PORT, kind: 'unix', defaultHost: true, ...(basePort === undefined ? { defaultPort: true as const } : {}) }] };
  }
  const hosts: ConnectionHost[] = [];
  for (const raw of host.split(',')) {
    const h = raw.trim();
    let name = h;
    let p: number | undefined;
    const m = /^\[([^\]]*)\](?::(\d+))?$/.exec(h) ?? (isUnixSocketPath(h) ? null : /^([^:]*):(\d+)$/.exec(h));
    if (m) {
      name = m[1] ?? '';
      if (m[2] !== undefined) p = Number(m[2]);
    }
    const finalPort = p ?? basePort;
    hosts.push({
      host: name,
      port: finalPort ?? DEFAULT_PORT,
      kind: isUnixSocketPath(name) ? 'unix' : 'tcp',
      ...(finalPort === undefined ? { defaultPort: true as const } : {}),
    });
  }
  return { hosts };
}

export function npgsqlSettings(byCanonical: ReadonlyMap<string, string>): NpgsqlSettings {
  const s: NpgsqlSettings = {};
  const pooling = bool(byCanonical.get('pooling'));
  if (pooling !== undefined) s.pooling = pooling;
  const max = int(byCanonical.get('maximum pool size'));
  if (max !== undefined) s.poolMax = max;
  const min = int(byCanonical.get('minimum pool size'));
  if (min !== undefined) s.poolMin = min;
  const mux = bool(byCanonical.get('multiplexing'));
  if (mux !== undefined) s.multiplexing = mux;
  const t = int(byCanonical.get('timeout'));
  if (t !== undefined) s.timeoutSeconds = t;
  const ct = int(byCanonical.get('command timeout'));
  if (ct !== undefined) s.commandTimeoutSeconds = ct;
  return s;
}
