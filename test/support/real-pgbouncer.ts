/**
 * A real PgBouncer for differential tests. A fixture (one file, or a directory with pgbouncer.ini
 * and the files it %includes) is copied into a sandbox where every setting that would touch the
 * system is neutralised, then `pgbouncer -u nobody` is started in that directory (PgBouncer
 * resolves relative %include paths against its working directory) and asked SHOW CONFIG /
 * SHOW DATABASES / SHOW USERS on the admin console through psql over a unix socket.
 *
 * Rewriting keeps line numbers: a neutralised line gets a leading ';', and each `[pgbouncer]` header
 * becomes `[pgbouncer]%include <sandbox>/sandbox.ini` (cfparser.c goes on parsing right after "]").
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

export { requireBinary } from './real-postgres.js';

export const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';
export const PSQL_BIN = process.env.PSQL_BIN ?? '/usr/bin/psql';
export const SANDBOX_ADMIN = 'pgconnlint';
const SANDBOX_PORT = 6432;

/** [pgbouncer] keys that point at the system (files, sockets, users, TLS material) or lock us out. */
const NEUTRALISED_KEYS = new Set([
  'logfile', 'pidfile', 'unix_socket_dir', 'unix_socket_mode', 'unix_socket_group', 'listen_addr', 'listen_port',
  'auth_file', 'auth_type', 'auth_hba_file', 'auth_ident_file', 'admin_users', 'user', 'syslog', 'resolv_conf',
  'client_tls_sslmode', 'client_tls_key_file', 'client_tls_cert_file', 'client_tls_ca_file',
  'server_tls_sslmode', 'server_tls_key_file', 'server_tls_cert_file', 'server_tls_ca_file',
]);

export interface SandboxFile {
  /** Path relative to the sandbox root (the fixture directory layout). */
  rel: string;
  text: string;
}

export interface Sandbox {
  dir: string;
  mainPath: string;
  /** The injected settings file. */
  overridesPath: string;
  sockDir: string;
  port: number;
  cleanup(): void;
}

/** Copies the files into a fresh sandbox with system-touching settings neutralised. */
export function makeSandbox(files: SandboxFile[], mainRel: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-pgb-'));
  chmodSync(dir, 0o777); // pgbouncer runs as nobody and writes its pidfile, log and socket here
  const overridesPath = join(dir, 'sandbox.ini');
  writeFileSync(
    overridesPath,
    [
      '; written by test/support/real-pgbouncer.ts',
      'listen_addr =',
      `listen_port = ${SANDBOX_PORT}`,
      `unix_socket_dir = ${dir}`,
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'sandbox-userlist.txt')}`,
      `admin_users = ${SANDBOX_ADMIN}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'sandbox-userlist.txt'), `"${SANDBOX_ADMIN}" ""\n`);
  for (const f of files) {
    const out = join(dir, f.rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, rewrite(f.text, dir, overridesPath));
  }
  for (const p of [dir, ...files.map((f) => dirname(join(dir, f.rel)))]) chmodSync(p, 0o777);
  return {
    dir,
    mainPath: join(dir, mainRel),
    overridesPath,
    sockDir: dir,
    port: SANDBOX_PORT,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function rewrite(text: string, dir: string, overridesPath: string): string {
  const lines = text.split('\n');
  let section: string | null = 'pgbouncer'; // an included fragment usually continues [pgbouncer]
  return lines
    .map((line) => {
      const header = line.match(/^(\s*)\[([^\]\n]*)\]([^\n]*)$/);
      if (header) {
        section = header[2] ?? null;
        const rest = (header[3] ?? '').replace(/\r$/, '');
        if (section === 'pgbouncer' && /^\s*([;#][^\n]*)?$/.test(rest)) {
          return `${header[1]}[pgbouncer]%include ${overridesPath}${line.endsWith('\r') ? '\r' : ''}`;
        }
        return line;
      }
      const inc = line.match(/^(\s*%include[ \t]+)(\S[^\n]*?)(\s*)$/);
      if (inc && isAbsolute(inc[2] ?? '') && !(inc[2] ?? '').startsWith(dir)) {
        // An absolute include of the deployment system: give it an empty stand-in inside the sandbox.
        const stand = join(dir, 'abs', inc[2] ?? '');
        mkdirSync(dirname(stand), { recursive: true });
        if (!existsSync(stand)) writeFileSync(stand, '');
        return `${inc[1]}${stand}${inc[3]}`;
      }
      const kv = line.match(/^\s*([A-Za-z0-9_.*-]+)[ \t]*=/);
      if (kv && section === 'pgbouncer' && NEUTRALISED_KEYS.has(kv[1] ?? '')) return `;${line}`;
      return line;
    })
    .join('\n');
}

export interface LoggedError {
  file: string;
  line: number;
  message: string;
}

export interface PgbouncerRun {
  started: boolean;
  /** Everything PgBouncer wrote to stderr (config errors are logged there before logfile is opened). */
  log: string;
  /** "(file:line)" locations named in ERROR/FATAL log lines. */
  errors: LoggedError[];
  config?: Map<string, { value: string; default: string }>;
  databases?: Array<Record<string, string>>;
  users?: Array<Record<string, string>>;
}

const FIELD_SEP = '\x1f';

function psql(sock: string, port: number, sql: string): Promise<Array<Record<string, string>>> {
  return new Promise((res, rej) => {
    execFile(
      PSQL_BIN,
      ['-X', '-A', '-F', FIELD_SEP, '-h', sock, '-p', String(port), '-U', SANDBOX_ADMIN, '-c', sql, 'pgbouncer'],
      { encoding: 'utf8', env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
      (err, stdout, stderr) => {
        if (err) return rej(new Error(`psql ${sql} failed: ${stderr || err.message}`));
        const lines = stdout.split('\n').filter((l) => l !== '');
        const header = (lines.shift() ?? '').split(FIELD_SEP);
        lines.pop(); // "(N rows)"
        res(lines.map((l) => Object.fromEntries(l.split(FIELD_SEP).map((v, i) => [header[i] ?? `col${i}`, v]))));
      },
    );
  });
}

/** Starts PgBouncer on the sandbox, queries it if it comes up, stops it. */
export async function runRealPgbouncer(sb: Sandbox, timeoutMs = 8000): Promise<PgbouncerRun> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = [...(asRoot ? ['-u', 'nobody'] : []), sb.mainPath];
  const child = spawn(PGBOUNCER_BIN, args, { cwd: sb.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((res) => child.on('exit', () => ((exited = true), res())));
  const socket = join(sb.sockDir, `.s.PGSQL.${sb.port}`);
  const deadline = Date.now() + timeoutMs;
  while (!exited && !existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const run: PgbouncerRun = { started: false, log, errors: [] };
  try {
    if (!exited && existsSync(socket)) {
      run.started = true;
      const cfg = await psql(sb.sockDir, sb.port, 'SHOW CONFIG');
      run.config = new Map(cfg.map((r) => [r.key ?? '', { value: r.value ?? '', default: r.default ?? '' }]));
      run.databases = await psql(sb.sockDir, sb.port, 'SHOW DATABASES');
      run.users = await psql(sb.sockDir, sb.port, 'SHOW USERS');
    } else if (!exited) {
      throw new Error(`pgbouncer neither started nor exited within ${timeoutMs} ms:\n${log}`);
    }
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitPromise;
      clearTimeout(killTimer);
    }
  }
  run.log = log + (existsSync(join(sb.dir, 'pgbouncer.log')) ? readFileSync(join(sb.dir, 'pgbouncer.log'), 'utf8') : '');
  for (const l of run.log.split('\n')) {
    if (!/ (ERROR|FATAL) /.test(l)) continue;
    for (const m of l.matchAll(/\(([^():]+):(\d+)\)/g)) run.errors.push({ file: m[1] ?? '', line: Number(m[2]), message: l });
  }
  return run;
}

/** C printf("%g") for SHOW CONFIG's time values (libusual cf_get_time_double). */
export function formatG(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const p = 6;
  if (exp < -4 || exp >= p) {
    const [m, e] = x.toExponential(p - 1).split('e');
    const mant = (m ?? '').includes('.') ? (m ?? '').replace(/0+$/, '').replace(/\.$/, '') : (m ?? '');
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, p - 1 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A PgBouncer left running on a sandbox (the live tests connect clients through it), until `stop`. */
export interface RunningPgbouncer {
  sockDir: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** Starts PgBouncer on the sandbox and waits for its socket; throws with its log when it does not come up. */
export async function startPgbouncer(sb: Sandbox, timeoutMs = 8000): Promise<RunningPgbouncer> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const child = spawn(PGBOUNCER_BIN, [...(asRoot ? ['-u', 'nobody'] : []), sb.mainPath], { cwd: sb.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((res) => child.on('exit', () => ((exited = true), res())));
  const socket = join(sb.sockDir, `.s.PGSQL.${sb.port}`);
  const deadline = Date.now() + timeoutMs;
  while (!exited && !existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const log = () => out + (existsSync(join(sb.dir, 'pgbouncer.log')) ? readFileSync(join(sb.dir, 'pgbouncer.log'), 'utf8') : '');
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitPromise;
      clearTimeout(killTimer);
    }
  };
  if (exited || !existsSync(socket)) {
    await stop();
    throw new Error(`pgbouncer did not start:\n${log()}`);
  }
  return { sockDir: sb.sockDir, port: sb.port, log, stop };
}
