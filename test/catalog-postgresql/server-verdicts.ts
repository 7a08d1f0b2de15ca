/**
 * Asks a running server (test/support/real-postgres.ts) whether it accepts
 * `name = 'value'` lines, the way it checks postgresql.conf on reload.
 *
 * pg_file_settings re-reads config_file on every query (guc.c
 * ProcessConfigFileInternal with applySettings=false). Its `error` column says
 * only "setting could not be applied" both for an invalid value and for a valid
 * new value of a restart-only parameter, so the session also lowers
 * client_min_messages to debug3: that check reports its messages at DEBUG3
 * (guc.c set_config_with_handle, `elevel = IsUnderPostmaster ? DEBUG3 : LOG`),
 * and psql prints them on stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealPostgres } from '../support/real-postgres.js';

export interface ServerMessage {
  text: string;
  hint?: string;
  detail?: string;
}

/** null: accepted. Otherwise the server's message (or the bare pg_file_settings error). */
export type ServerVerdict = null | ServerMessage;

/** postmaster.pid lines 4 and 5: port and socket directory (PostgreSQL src/include/utils/pidfile.h). */
function connection(pg: RealPostgres): { port: string; socketDir: string } {
  const lines = readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = lines[3]?.trim();
  const socketDir = lines[4]?.trim();
  if (!port || !socketDir) throw new Error('cannot read port/socket directory from postmaster.pid');
  return { port, socketDir };
}

function psqlBinary(): string {
  return existsSync('/usr/bin/psql') ? '/usr/bin/psql' : '/usr/lib/postgresql/15/bin/psql';
}

function psql(pg: RealPostgres, script: string): Promise<{ stdout: string; stderr: string }> {
  const { port, socketDir } = connection(pg);
  return new Promise((resolve, reject) => {
    const child = execFile(
      psqlBinary(),
      ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', port, '-U', 'postgres', '-d', 'postgres', '-f', '-'],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? reject(new Error(`psql failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
    child.stdin?.end(script);
  });
}

/** psql prints "psql:<stdin>:N: DEBUG:  text", then "HINT:  …"/"DETAIL:  …" lines. */
export function parseServerMessages(stderr: string): ServerMessage[] {
  const out: ServerMessage[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^(?:psql:[^:]*:\d+: )?(DEBUG|LOG|NOTICE|WARNING|ERROR|HINT|DETAIL):\s+(.*)$/.exec(line);
    if (!m) continue;
    const last = out[out.length - 1];
    if (m[1] === 'HINT') {
      if (last) last.hint = m[2]!;
    } else if (m[1] === 'DETAIL') {
      if (last) last.detail = m[2]!;
    } else {
      out.push({ text: m[2]! });
    }
  }
  return out;
}

/** A postgresql.conf string literal (guc-file.l: '' for a quote, backslash escapes). */
function confQuote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The server's verdict on each line. Names must be distinct within one call
 * (the server ignores all but the last occurrence of a name) and must all be
 * known: one unknown name makes the server skip every value check.
 */
export async function serverVerdicts(pg: RealPostgres, lines: ReadonlyArray<readonly [string, string]>): Promise<ServerVerdict[]> {
  const confFile = join(pg.configDir, 'postgresql.conf');
  writeFileSync(confFile, lines.map(([n, v]) => `${n} = ${confQuote(v)}\n`).join(''));
  const { stdout, stderr } = await psql(
    pg,
    // The first SELECT warms the catalog caches so that fewer unrelated DEBUG lines appear.
    `SELECT 1;\nSET client_min_messages = debug3;\nSELECT sourceline || '|' || coalesce(error, '') FROM pg_file_settings WHERE sourcefile = '${confFile}' ORDER BY sourceline;\n`,
  );
  const errors = new Map<number, string>();
  for (const row of stdout.split('\n')) {
    const m = /^(\d+)\|(.*)$/.exec(row);
    if (m) errors.set(Number(m[1]), m[2]!);
  }
  const messages = parseServerMessages(stderr);
  return lines.map(([name], i) => {
    const error = errors.get(i + 1);
    if (error === undefined) throw new Error(`pg_file_settings has no row for line ${i + 1} (${name}); file: ${lines.length} lines`);
    if (error === '') return null;
    // The server names the parameter as pg_settings spells it; the file may use any case.
    const msg = messages.find((m) => m.text.toLowerCase().includes(`"${name.toLowerCase()}"`));
    if (msg && msg.text.includes('cannot be changed without restarting the server')) return null;
    return msg ?? { text: error };
  });
}
