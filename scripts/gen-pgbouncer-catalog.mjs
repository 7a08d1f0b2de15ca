#!/usr/bin/env node
// Builds data/pgbouncer/catalog.json from a git checkout of github.com/pgbouncer/pgbouncer.
//
//   node scripts/gen-pgbouncer-catalog.mjs <path to pgbouncer .git dir>
//
// What it reads, per release (newest patch tag of each minor):
//   src/main.c    the `bouncer_params[]` CF_ABS(...) table: [pgbouncer] keys, value kinds, flags, defaults,
//                 and the CfLookup maps (auth_type_map, pool_mode_map, sslmode_map, load_balance_hosts_map)
//   src/loader.c  parse_database / parse_user / parse_peer: the strcmp("key", key) chains of connstring keys
//   doc/config.md (newest tag only): the first sentence under each `### key` heading, as a description
// Hand-made knowledge (which CF_INT keys are booleans, units) lives in the tables below; each cites the doc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const gitDir = process.argv[2];
if (!gitDir) {
  console.error('usage: node scripts/gen-pgbouncer-catalog.mjs <pgbouncer git dir>');
  process.exit(2);
}

/** Versions the catalogue covers, each with the tag read for it (newest patch of the minor). */
const RELEASES = [
  ['1.7', 'pgbouncer_1_7_2'], ['1.8', 'pgbouncer_1_8_1'], ['1.9', 'pgbouncer_1_9_0'], ['1.10', 'pgbouncer_1_10_0'],
  ['1.11', 'pgbouncer_1_11_0'], ['1.12', 'pgbouncer_1_12_0'], ['1.13', 'pgbouncer_1_13_0'], ['1.14', 'pgbouncer_1_14_0'],
  ['1.15', 'pgbouncer_1_15_0'], ['1.16', 'pgbouncer_1_16_1'],
  ['1.17', 'pgbouncer_1_17_0'], ['1.18', 'pgbouncer_1_18_0'], ['1.19', 'pgbouncer_1_19_1'], ['1.20', 'pgbouncer_1_20_1'],
  ['1.21', 'pgbouncer_1_21_0'], ['1.22', 'pgbouncer_1_22_1'], ['1.23', 'pgbouncer_1_23_1'], ['1.24', 'pgbouncer_1_24_1'],
  ['1.25', 'pgbouncer_1_25_2'],
];
/** Versions the linter targets; older tags only serve to find when a key first appeared. */
const TARGET_FROM = '1.17';

function show(tag, path) {
  try {
    return execFileSync('git', ['--git-dir', gitDir, 'show', `${tag}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch {
    return null;
  }
}
const vnum = (v) => v.split('.').map(Number).reduce((a, b) => a * 1000 + b);

// CF_INT keys documented as on/off switches (doc/config.md: "Default: 0" / "1" with yes/no meaning).
const BOOL_KEYS = new Set([
  'application_name_add_host', 'disable_pqexec', 'log_connections', 'log_disconnections', 'log_pooler_errors',
  'log_stats', 'server_fast_close', 'server_reset_query_always', 'server_round_robin', 'so_reuseport', 'syslog',
  'tcp_keepalive', 'tcp_defer_accept',
]);
// Units from doc/config.md; CF_TIME_USEC keys are always seconds (libusual cfparser.c cf_set_time_usec).
const UNITS = {
  pkt_buf: 'bytes', max_packet_size: 'bytes', tcp_socket_buffer: 'bytes',
  stats_period: 'seconds', tcp_keepidle: 'seconds', tcp_keepintvl: 'seconds', query_wait_notify: 'seconds',
  tcp_user_timeout: 'milliseconds',
};
// Keys whose doc entry has no leading sentence (doc/config.md lists only "Default:" for them).
const DESCRIPTIONS = {
  tcp_keepcnt: 'TCP keepalive probe count (TCP_KEEPCNT); 0 keeps the OS default.',
  tcp_keepidle: 'Seconds of idleness before TCP keepalive probes start (TCP_KEEPIDLE); 0 keeps the OS default.',
  tcp_keepintvl: 'Seconds between TCP keepalive probes (TCP_KEEPINTVL); 0 keeps the OS default.',
  tcp_socket_buffer: 'Socket send/receive buffer size in bytes; 0 keeps the OS default.',
};
// How src/loader.c reads each connection-string value: atoi() for numbers (no error, trailing text
// ignored; "port" rejects 0), "* USEC" after atoi for the per-entry timeouts (whole seconds),
// cf_set_lookup for pool_mode / load_balance_hosts, the rest verbatim.
const CONNSTRING_TYPES = {
  port: { type: 'atoi', zeroInvalid: true },
  pool_size: { type: 'atoi' }, min_pool_size: { type: 'atoi' }, reserve_pool: { type: 'atoi' }, reserve_pool_size: { type: 'atoi' },
  max_db_connections: { type: 'atoi' }, max_db_client_connections: { type: 'atoi' },
  max_user_connections: { type: 'atoi' }, max_user_client_connections: { type: 'atoi' },
  server_lifetime: { type: 'atoi', unit: 'seconds' }, transaction_timeout: { type: 'atoi', unit: 'seconds' },
  idle_transaction_timeout: { type: 'atoi', unit: 'seconds' }, query_timeout: { type: 'atoi', unit: 'seconds' },
  client_idle_timeout: { type: 'atoi', unit: 'seconds' }, query_wait_timeout: { type: 'atoi', unit: 'seconds' },
  pool_mode: { type: 'enum', enumMap: 'pool_mode' }, load_balance_hosts: { type: 'enum', enumMap: 'load_balance_hosts' },
};
// Values substituted for macros used as defaults, for a Linux build (include/bouncer.h, src/main.c).
const MACROS = { DEFAULT_TCP_DEFER_ACCEPT: '1', DEFAULT_UNIX_SOCKET_DIR: '/tmp', SCRAM_DEFAULT_ITERATIONS: '4096' };

function parseLookupMaps(src) {
  const maps = {};
  const re = /CfLookup\s+(\w+)\s*\[\]\s*=\s*\{([\s\S]*?)\n\};/g;
  for (const m of src.matchAll(re)) {
    const values = [];
    let cond = null;
    for (const line of m[2].split('\n')) {
      const pp = line.match(/^#\s*(ifdef|ifndef|endif)\s*(\w*)/);
      if (pp) { cond = pp[1] === 'endif' ? null : `${pp[1] === 'ifndef' ? '!' : ''}${pp[2]}`; continue; }
      const e = line.match(/\{\s*"([^"]+)"/);
      if (e) values.push(cond ? { name: e[1], buildCondition: cond } : { name: e[1] });
    }
    maps[m[1]] = values;
  }
  return maps;
}

function parseParams(src) {
  const start = src.indexOf('bouncer_params [] = {') >= 0 ? src.indexOf('bouncer_params [] = {') : src.indexOf('bouncer_params[] = {');
  const end = src.indexOf('\n};', start);
  const lines = src.slice(0, end).split('\n');
  const firstLine = src.slice(0, start).split('\n').length;
  const out = [];
  let cond = null;
  for (let i = firstLine - 1; i < lines.length; i++) {
    const line = lines[i];
    const pp = line.match(/^#\s*(ifdef|ifndef|endif|if)\s*(.*)$/);
    if (pp) { cond = pp[1] === 'endif' ? null : `${pp[1] === 'ifndef' ? '!' : ''}${pp[2].trim()}`; continue; }
    const m = line.match(/CF_ABS\("([^"]+)",\s*(CF_LOOKUP\((\w+)\)|\w+),\s*\w+,\s*([^,]+),\s*("(?:[^"\\]|\\.)*"|\w+)\)/);
    if (!m) continue;
    let def = m[5];
    if (def === 'NULL') def = null;
    else if (def.startsWith('"')) def = JSON.parse(def);
    else def = MACROS[def] ?? def;
    out.push({ name: m[1], op: m[3] ? 'CF_LOOKUP' : m[2], lookup: m[3] ?? null, noReload: /CF_NO_RELOAD/.test(m[4]), default: def, line: i + 1, buildCondition: cond });
  }
  return out;
}

function parseConnstringKeys(src) {
  const sections = { databases: [], users: [], peers: [] };
  let cur = null;
  for (const line of src.split('\n')) {
    if (/^bool parse_database\(/.test(line)) cur = 'databases';
    else if (/^bool parse_user\(/.test(line)) cur = 'users';
    else if (/^bool parse_peer\(/.test(line)) cur = 'peers';
    else if (/^(static |bool |void |int )/.test(line)) cur = null;
    const m = cur && line.match(/strcmp\("([a-z_]+)", key\)/);
    if (m) sections[cur].push(m[1]);
  }
  return sections;
}

function docDescriptions(md) {
  // First sentence under each "### key" heading, per "## Section [x]" region.
  const out = { pgbouncer: {}, databases: {}, users: {}, peers: {} };
  let region = 'pgbouncer';
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const sec = lines[i].match(/^## Section \[(\w+)\]/);
    if (sec) { region = sec[1]; continue; }
    if (/^## (Include|Authentication file|HBA|Ident|Examples|See also)/.test(lines[i])) { region = null; continue; }
    const h = lines[i].match(/^### (\w+)\s*$/);
    if (!h || !region) continue;
    let para = '';
    for (let j = i + 1; j < lines.length && !/^#/.test(lines[j]); j++) {
      if (lines[j].trim() === '') { if (para) break; else continue; }
      para += (para ? ' ' : '') + lines[j].trim();
    }
    const sentence = (para.match(/^.*?[.:](?=\s|$)/) ?? [para])[0].replace(/`/g, '').replace(/\s+/g, ' ').trim();
    if (sentence && !/^Default/.test(sentence)) out[region][h[1]] = sentence;
  }
  return out;
}

const settings = new Map();
const connKeys = { databases: new Map(), users: new Map(), peers: new Map() };
const enumMaps = {};
const versions = RELEASES.map(([v]) => v);
for (const [v, tag] of RELEASES) {
  const main = show(tag, 'src/main.c');
  const loader = show(tag, 'src/loader.c');
  if (!main || !loader) throw new Error(`cannot read ${tag}`);
  const maps = parseLookupMaps(main);
  for (const p of parseParams(main)) {
    let s = settings.get(p.name);
    if (!s) {
      s = { name: p.name, versions: {}, source: null };
      settings.set(p.name, s);
    }
    s.versions[v] = { op: p.op, default: p.default, noReload: p.noReload, enumValues: p.lookup ? maps[p.lookup] : undefined, buildCondition: p.buildCondition };
    s.source = `pgbouncer ${tag} src/main.c:${p.line}`;
  }
  const ck = parseConnstringKeys(loader);
  for (const sect of Object.keys(ck)) {
    for (const k of ck[sect]) {
      const e = connKeys[sect].get(k) ?? { name: k, versions: [] };
      e.versions.push(v);
      connKeys[sect].set(k, e);
    }
  }
  if (maps.load_balance_hosts_map) enumMaps.load_balance_hosts = maps.load_balance_hosts_map.map((x) => x.name);
  enumMaps.pool_mode = maps.pool_mode_map.map((x) => x.name);
}
const latestTag = RELEASES[RELEASES.length - 1][1];
const docs = docDescriptions(show(latestTag, 'doc/config.md'));

function kindOf(name, op) {
  if (op === 'CF_TIME_USEC' || op === 'CF_TIME_DOUBLE') return 'time';
  if (op === 'CF_LOOKUP') return 'enum';
  if (op === 'CF_UINT') return 'uint';
  if (op === 'CF_INT' || op === 'DEFER_OPS') return BOOL_KEYS.has(name) ? 'bool' : 'int';
  return 'string';
}

function spanOf(present) {
  // addedIn = first version present; removedIn = first version after that where it is absent.
  const idx = versions.map((v) => present.includes(v));
  const first = idx.indexOf(true);
  let removed;
  for (let i = first + 1; i < versions.length; i++) if (!idx[i]) { removed = versions[i]; break; }
  return { addedIn: versions[first], removedIn: removed };
}

/** For enum keys: values that appeared after the key itself (e.g. auth_type=ldap). */
function enumAdded(s, present) {
  const first = {};
  for (const v of present) for (const e of s.versions[v].enumValues ?? []) first[e.name] ??= v;
  const later = Object.entries(first).filter(([, v]) => v !== present[0] && vnum(v) > vnum(TARGET_FROM));
  return later.length ? { enumValueAddedIn: Object.fromEntries(later) } : {};
}

const outSettings = [];
for (const s of [...settings.values()].sort((a, b) => a.name.localeCompare(b.name))) {
  const present = Object.keys(s.versions);
  const { addedIn, removedIn } = spanOf(present);
  if (removedIn && vnum(removedIn) <= vnum(TARGET_FROM)) continue; // gone before the versions we target
  const latest = s.versions[present[present.length - 1]];
  // Defaults per version, only when the default changed within the targeted versions.
  const targeted = present.filter((v) => vnum(v) >= vnum(TARGET_FROM));
  const defaultsByVersion = {};
  let prev;
  for (const v of targeted) {
    const d = s.versions[v].default;
    if (prev === undefined || d !== prev) defaultsByVersion[v] = d ?? '';
    prev = d;
  }
  if (Object.keys(defaultsByVersion).length < 2) for (const k of Object.keys(defaultsByVersion)) delete defaultsByVersion[k];
  const e = {
    name: s.name,
    type: kindOf(s.name, latest.op),
    default: latest.default ?? '',
    ...(latest.default === null ? { defaultUnset: true } : {}),
    ...(UNITS[s.name] ? { unit: UNITS[s.name] } : latest.op === 'CF_TIME_USEC' ? { unit: 'seconds' } : {}),
    ...(latest.enumValues ? { enumValues: latest.enumValues.map((x) => x.name) } : {}),
    ...(latest.enumValues?.some((x) => x.buildCondition) ? { enumBuildConditions: Object.fromEntries(latest.enumValues.filter((x) => x.buildCondition).map((x) => [x.name, x.buildCondition])) } : {}),
    ...(latest.enumValues ? enumAdded(s, present) : {}),
    addedIn,
    ...(removedIn ? { removedIn } : {}),
    ...(Object.keys(defaultsByVersion).length ? { defaultsByVersion } : {}),
    reloadable: !latest.noReload,
    ...(latest.buildCondition ? { buildCondition: latest.buildCondition } : {}),
    description: DESCRIPTIONS[s.name] ?? docs.pgbouncer[s.name] ?? '',
    source: s.source,
  };
  outSettings.push(e);
}

function connOut(sect) {
  return [...connKeys[sect].values()]
    .map((e) => {
      const { addedIn, removedIn } = spanOf(e.versions);
      const t = CONNSTRING_TYPES[e.name] ?? { type: 'string' };
      return {
        name: e.name,
        type: t.type,
        ...(t.unit ? { unit: t.unit } : {}),
        ...(t.zeroInvalid ? { zeroInvalid: true } : {}),
        ...(t.enumMap ? { enumValues: enumMaps[t.enumMap] } : {}),
        addedIn,
        ...(removedIn ? { removedIn } : {}),
        description: docs[sect]?.[e.name] ?? { reserve_pool: 'Legacy spelling of reserve_pool_size.', port: 'Port of the server to connect to.', application_name: 'application_name sent to the server as a startup parameter.' }[e.name] ?? '',
      };
    })
    .filter((e) => !e.removedIn || vnum(e.removedIn) > vnum(TARGET_FROM));
}

const catalog = {
  $comment: `Generated by scripts/gen-pgbouncer-catalog.mjs from pgbouncer/pgbouncer tags ${RELEASES.filter(([v]) => vnum(v) >= vnum(TARGET_FROM)).map(([, t]) => t).join(', ')} (src/main.c, src/loader.c; descriptions: first sentence of doc/config.md at ${latestTag}, ISC licence). addedIn "${RELEASES[0][0]}" means "${RELEASES[0][0]} or earlier".`,
  versions: versions.filter((v) => vnum(v) >= vnum(TARGET_FROM)),
  settings: outSettings,
  databaseParams: connOut('databases'),
  userParams: connOut('users'),
  peerParams: connOut('peers'),
  connstringEnums: enumMaps,
};
const outPath = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'pgbouncer', 'catalog.json');
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(catalog, null, 2) + '\n');
console.log(`wrote ${outPath}: ${outSettings.length} settings`);
