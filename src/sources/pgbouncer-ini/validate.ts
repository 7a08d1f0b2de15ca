import type { SourceRange } from '../../core/location.js';
import {
  getPgbouncerConnstringParam,
  getPgbouncerSetting,
  LATEST_PGBOUNCER,
  parsePgbouncerValue,
  pgbouncerConnstringParam,
} from '../../catalog/pgbouncer/catalog.js';
import { parseConnstring } from './parse.js';
import type { ConnstringItem, IniEntry, PgbouncerConfig } from './types.js';

/** What makes PgBouncer refuse a configuration at startup, beyond syntax (which the loader reports). */
export type PgbouncerStartupErrorKind =
  | 'unknown-setting' // cfparser.c cf_set: "unknown parameter: pgbouncer/<key>"
  | 'invalid-value' // a setter returned false: "invalid value "<v>" for parameter <key>"
  | 'reserved-database' // loader.c parse_database: "database name "pgbouncer" is reserved"
  | 'unknown-connstring-key' // loader.c: "unrecognized connection parameter" / "unrecognized user parameter"
  | 'invalid-connstring-value' // loader.c: "invalid pool mode", "invalid port", "invalid load_balance_hosts"
  | 'invalid-peer'; // loader.c parse_peer: peer id out of 1..65535, no host

export interface PgbouncerStartupError {
  kind: PgbouncerStartupErrorKind;
  message: string;
  help?: string;
  range: SourceRange;
  /** The ini entry PgBouncer names in its log ("invalid value … for parameter <key> …"). */
  entry: IniEntry;
  item?: ConnstringItem;
  /** The value is valid without what PgBouncer reads as part of it (`transaction ; main pool`): the two parts. */
  inlineComment?: { value: string; comment: string };
}

/**
 * Every entry PgBouncer `version` would refuse while loading the configuration (each of them alone
 * is fatal at startup: "cannot load config file"). PgBouncer stops at the first one; this lists all.
 * The "*" database is not checked here: PgBouncer stores it unparsed (set_autodb).
 */
export function pgbouncerStartupErrors(config: PgbouncerConfig, version: string = LATEST_PGBOUNCER): PgbouncerStartupError[] {
  const out: PgbouncerStartupError[] = [];
  for (const e of config.settings) {
    const def = getPgbouncerSetting(e.key, version);
    if (!def) {
      out.push({ kind: 'unknown-setting', message: `Unknown setting "${e.key}" in PgBouncer ${version} ("unknown parameter").`, range: e.keyRange, entry: e });
      continue;
    }
    const r = parsePgbouncerValue(def, e.value);
    if (!r.ok) {
      const err: PgbouncerStartupError = { kind: 'invalid-value', message: r.message, range: e.valueRange, entry: e };
      const split = inlineCommentSplit(def, e.value);
      const hint = split ? `PgBouncer has no inline comments: "${split.comment}" is part of the value. Write ${def.name} = ${split.value} and put the comment on a line of its own.` : r.hint;
      if (hint !== undefined) err.help = hint;
      if (split) err.inlineComment = split;
      out.push(err);
    }
  }
  const sections = [
    ['databases', 'database', config.databases],
    ['users', 'user', config.users],
  ] as const;
  for (const [section, kind, list] of sections) {
    for (const db of list) {
      if (section === 'databases' && db.name === '*') continue;
      if (section === 'databases' && db.name === 'pgbouncer') {
        out.push({ kind: 'reserved-database', message: 'The database name "pgbouncer" is reserved for the admin console.', range: db.entry.keyRange, entry: db.entry });
        continue;
      }
      for (const item of db.items) {
        if (!getPgbouncerConnstringParam(section, item.key, version)) {
          out.push({
            kind: 'unknown-connstring-key',
            message: `Unknown ${section === 'databases' ? 'connection' : 'user'} parameter "${item.key}" in PgBouncer ${version}.`,
            range: item.keyRange,
            entry: db.entry,
            item,
          });
          continue;
        }
        const def = pgbouncerConnstringParam(kind, item.key, version);
        const r = def ? parsePgbouncerValue(def, item.value) : undefined;
        if (r && !r.ok) {
          const err: PgbouncerStartupError = { kind: 'invalid-connstring-value', message: r.message, range: item.valueRange, entry: db.entry, item };
          if (r.hint !== undefined) err.help = r.hint;
          out.push(err);
        }
      }
    }
  }
  for (const peer of config.peers) {
    // loader.c parse_peer: strtonum(name, 1, 0xFFFF); a host is required.
    const id = /^\s*[+-]?\d+$/.test(peer.key) ? Number(peer.key) : NaN;
    if (!(id >= 1 && id <= 0xffff)) {
      out.push({ kind: 'invalid-peer', message: `Peer id "${peer.key}" must be a number from 1 to 65535.`, range: peer.keyRange, entry: peer });
      continue;
    }
    const { items, problems } = parseConnstring(peer.value, peer.valueRange);
    if (problems.some((p) => (p.severity ?? 'error') === 'error')) continue; // the loader reports those
    for (const item of items) {
      const def = pgbouncerConnstringParam('peer', item.key, version);
      const r = def ? parsePgbouncerValue(def, item.value) : undefined;
      if (!def) out.push({ kind: 'unknown-connstring-key', message: `Unknown peer parameter "${item.key}" in PgBouncer ${version}.`, range: item.keyRange, entry: peer, item });
      else if (r && !r.ok) out.push({ kind: 'invalid-connstring-value', message: r.message, range: item.valueRange, entry: peer, item });
    }
    if (!items.some((i) => i.key === 'host')) {
      out.push({ kind: 'invalid-peer', message: `Peer ${peer.key} has no host ("host was not provided for peer").`, help: 'Add host=… to the peer entry.', range: peer.range, entry: peer });
    }
  }
  return out;
}

/**
 * cfparser.c has no inline comments: `pool_mode = transaction ; main pool` is the value
 * "transaction ; main pool". When the part before `;`/`#` is valid, say so.
 */
function inlineCommentSplit(def: Parameters<typeof parsePgbouncerValue>[0], value: string): { value: string; comment: string } | undefined {
  // A line terminator inside the value (a stray \r) would make the regex backtrack quadratically; no hint then.
  if (/[\r\n\u2028\u2029]/.test(value)) return undefined;
  const m = /^(.*?\S)\s*([;#].*)$/.exec(value);
  if (!m) return undefined;
  const head = m[1]!;
  if (!parsePgbouncerValue(def, head).ok) return undefined;
  return { value: head, comment: m[2]! };
}
