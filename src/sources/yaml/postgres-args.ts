import type { SourceRange } from '../../core/location.js';
import type { LocatedString, ServerSettingFact } from './types.js';

/**
 * Splits a command string into words the way compose does for `command: "…"` (compose-go
 * uses mattn/go-shellwords): blanks separate words, '…' is literal, "…" allows \" \\ \$,
 * a backslash outside quotes escapes the next character. Returns each word with its
 * [start, end) offsets in the input.
 */
export function shellSplit(s: string): Array<{ word: string; start: number; end: number }> {
  const out: Array<{ word: string; start: number; end: number }> = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    let word = '';
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (c === "'") {
        const close = s.indexOf("'", i + 1);
        const end = close === -1 ? s.length : close;
        word += s.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) i++;
          word += s[i];
          i++;
        }
        i++;
      } else if (c === '\\' && i + 1 < s.length) {
        word += s[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push({ word, start, end: Math.min(i, s.length) });
  }
  return out;
}

/** The program a container command runs PostgreSQL with: `postgres`, `/usr/lib/postgresql/16/bin/postgres`. */
export function isPostgresProgram(word: string): boolean {
  return word === 'postgres' || word.endsWith('/postgres') || word === 'postmaster' || word.endsWith('/postmaster');
}

// PostgreSQL src/backend/postmaster/postmaster.c PostmasterMain: getopt "B:bC:c:D:d:EeFf:h:ijk:lN:nOPp:r:S:sTt:W:-:".
const OPTS_WITH_ARG = new Set(['B', 'C', 'c', 'D', 'd', 'f', 'h', 'k', 'N', 'p', 'r', 'S', 't', 'W', '-']);
// Single-letter options that set a GUC (postmaster.c: SetConfigOption calls).
const LETTER_SETTINGS: Record<string, { name: string; fixed?: string }> = {
  B: { name: 'shared_buffers' },
  N: { name: 'max_connections' },
  p: { name: 'port' },
  S: { name: 'work_mem' },
  h: { name: 'listen_addresses' },
  k: { name: 'unix_socket_directories' },
  F: { name: 'fsync', fixed: 'false' },
  i: { name: 'listen_addresses', fixed: '*' },
  l: { name: 'ssl', fixed: 'true' },
};

export interface PostgresArgsResult {
  settings: ServerSettingFact[];
  problems: Array<{ message: string; range: SourceRange }>;
}

/**
 * Reads the server settings from the arguments after the `postgres` program name:
 * `-c name=value` / `-cname=value` / `--name=value` (guc.c ParseLongOption turns `-` in the
 * name into `_`), and the single-letter options that set a GUC (`-N`, `-B`, `-p`, …).
 */
export function parsePostgresArgs(args: LocatedString[]): PostgresArgsResult {
  const settings: ServerSettingFact[] = [];
  const problems: PostgresArgsResult['problems'] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (w === '--') break;
    if (!w.startsWith('-') || w === '-') continue; // getopt with '+'-less optstring permutes; postgres rejects stray args anyway
    let letter = w[1]!;
    let optarg: LocatedString | undefined;
    if (w.startsWith('--')) {
      letter = '-';
      optarg = { ...a, value: w.slice(2) };
    } else if (OPTS_WITH_ARG.has(letter)) {
      if (w.length > 2) optarg = { ...a, value: w.slice(2) };
      else {
        optarg = args[i + 1];
        i++;
      }
    }
    if (letter === 'c' || letter === '-') {
      if (!optarg) {
        problems.push({ message: `postgres: option ${w} requires an argument.`, range: a.range });
        continue;
      }
      const eq = optarg.value.indexOf('=');
      if (eq === -1) {
        // postmaster.c: "-c %s requires a value" / "--%s requires a value"
        problems.push({ message: `postgres: ${letter === 'c' ? '-c' : '--'}${letter === 'c' ? ' ' : ''}${optarg.value} requires a value (name=value).`, range: optarg.range });
        continue;
      }
      const name = optarg.value.slice(0, eq).replace(/-/g, '_');
      settings.push(setting(name, optarg.value.slice(eq + 1), optarg));
      continue;
    }
    const known = LETTER_SETTINGS[letter];
    if (known) {
      if (known.fixed !== undefined) settings.push(setting(known.name, known.fixed, a));
      else if (optarg) settings.push(setting(known.name, optarg.value, optarg));
    }
  }
  return { settings, problems };
}

function setting(name: string, value: string, at: LocatedString): ServerSettingFact {
  const s: ServerSettingFact = { name, value, range: at.range, source: 'command-arg' };
  if (at.raw !== undefined) s.raw = at.raw;
  if (at.unresolved && at.unresolved.length > 0) s.unresolved = at.unresolved;
  if (at.via) s.via = at.via;
  return s;
}

/** PostgreSQL's client programs (src/bin of PostgreSQL 17): a container running one of them is a client, and exits. */
const PG_CLIENT_PROGRAMS = new Set(['psql', 'pg_isready', 'createdb', 'dropdb', 'createuser', 'dropuser', 'pg_dump', 'pg_dumpall', 'pg_restore', 'pgbench', 'vacuumdb', 'reindexdb', 'clusterdb', 'pg_basebackup']);

/**
 * The PostgreSQL client program an argv runs, directly (`psql -h db -c …`) or as a command of a
 * `sh -c` / `bash -c` script (`until pg_isready -h db; do sleep 1; done; psql …`); undefined when
 * the command starts anything else (the server, an application).
 */
export function postgresClientProgram<T extends { value: string }>(argv: T[]): T | undefined {
  const first = argv[0];
  if (!first) return undefined;
  const prog = first.value.slice(first.value.lastIndexOf('/') + 1);
  if (PG_CLIENT_PROGRAMS.has(prog)) return first;
  if (/^(ba|da|a|z)?sh$/.test(prog)) {
    const i = argv.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a.value));
    const script = i >= 0 ? argv[i + 1] : undefined;
    if (!script) return undefined;
    // Every command of the script is a client program, a shell builtin or a wait loop: the script is a client job.
    const words = script.value.split(/&&|\|\||;|\||\n|\b(?:do|done|then|fi|until|while|if|else)\b/).map((c) => c.trim().split(/\s+/)[0] ?? '').filter((w) => w !== '');
    const client = words.find((w) => PG_CLIENT_PROGRAMS.has(w.slice(w.lastIndexOf('/') + 1)));
    const other = words.find((w) => !PG_CLIENT_PROGRAMS.has(w.slice(w.lastIndexOf('/') + 1)) && !/^(sleep|echo|set|export|exit|true|false|\[|test|:|printf|cat|env|exec|\w+=.*)$/.test(w));
    if (client && !other) return { ...script, value: client };
  }
  return undefined;
}
