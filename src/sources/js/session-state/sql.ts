/**
 * Recognises SQL that relies on state kept in the server session. Grammar follows PostgreSQL
 * src/backend/parser/gram.y (REL_17): VariableSetStmt (SET [SESSION|LOCAL] …, SET TIME ZONE,
 * SET NAMES, SET SCHEMA, SET ROLE, SET SESSION AUTHORIZATION, SET SESSION CHARACTERISTICS),
 * ListenStmt, CreateStmt/ViewStmt/CreateSeqStmt with OptTemp and OnCommitOption,
 * DeclareCursorStmt (opt_hold), PrepareStmt, LoadStmt; functions from
 * src/backend/utils/adt/lockfuncs.c (pg_advisory_lock, pg_try_advisory_lock, their _shared
 * forms; the _xact_ forms release at transaction end) and guc_funcs.c set_config(name, value,
 * is_local). The list of session features is PgBouncer's (www.pgbouncer.org/features.html,
 * "SQL feature map for pooling modes").
 */
import { splitStatements } from '../lifecycle/sql-text.js';
import type { SessionStateStatement } from '../types.js';

export interface SessionSql {
  kind: SessionStateStatement['kind'];
  statement: string;
  parameter?: string;
}

/** Every session-state use in a query string (each statement of a multi-statement string). */
export function sessionStateOf(sql: string): SessionSql[] {
  const out: SessionSql[] = [];
  for (const stmt of splitStatements(sql)) out.push(...classify(stmt));
  return out;
}

/** `'…'`, `"…"`, `$tag$…$tag$` replaced by spaces of the same length, so keyword searches skip them. */
export function maskQuoted(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < s.length) {
        if (s[j] === c) {
          if (s[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      const end = Math.min(j + 1, s.length);
      out += c + ' '.repeat(Math.max(0, end - i - 2)) + (end - i >= 2 ? c : '');
      i = end;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(i, i + 64));
      if (m) {
        const close = s.indexOf(m[0], i + m[0].length);
        const end = close < 0 ? s.length : close + m[0].length;
        out += ' '.repeat(end - i);
        i = end;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** An identifier as PostgreSQL folds it: unquoted → lower case, `"X"` → X. */
function identifier(word: string): string {
  return word.startsWith('"') && word.endsWith('"') && word.length >= 2 ? word.slice(1, -1).replace(/""/g, '"') : word.toLowerCase();
}

function classify(stmt: string): SessionSql[] {
  const masked = maskQuoted(stmt);
  const words = masked.split(/[\s(]+/).filter((w) => w !== '');
  const W = words.map((w) => w.toUpperCase());
  const out: SessionSql[] = [];
  switch (W[0]) {
    case 'SET': {
      const set = setTarget(stmt, W);
      if (set) out.push({ kind: 'set', statement: set.statement, parameter: set.parameter });
      break;
    }
    case 'LISTEN':
      out.push({ kind: 'listen', statement: 'LISTEN' });
      break;
    case 'DECLARE':
      if (/\bWITH\s+HOLD\b/i.test(masked)) out.push({ kind: 'cursor-with-hold', statement: 'DECLARE … WITH HOLD' });
      break;
    case 'PREPARE':
      // PREPARE TRANSACTION is two-phase commit, not a prepared statement.
      if (W[1] !== undefined && W[1] !== 'TRANSACTION') out.push({ kind: 'prepare', statement: 'PREPARE' });
      break;
    case 'LOAD':
      if (W[1] !== undefined) out.push({ kind: 'load', statement: 'LOAD' });
      break;
    case 'CREATE': {
      const m = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP|TEMPORARY)\s+(?:(?:UNLOGGED|RECURSIVE)\s+)?(TABLE|VIEW|SEQUENCE)\b/i.exec(masked);
      if (m) {
        const what = m[1]!.toUpperCase();
        // ON COMMIT DROP: the table goes away with the transaction that created it.
        if (!(what === 'TABLE' && /\bON\s+COMMIT\s+DROP\b/i.test(masked))) out.push({ kind: 'temp-table', statement: `CREATE TEMP ${what}` });
      }
      break;
    }
    default:
      break;
  }
  // SELECT … INTO TEMP t (gram.y OptTempTableName), anywhere a SELECT can be.
  if (W[0] !== 'CREATE' && /\bINTO\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP|TEMPORARY)\b/i.test(masked)) out.push({ kind: 'temp-table', statement: 'SELECT … INTO TEMP' });
  out.push(...functionUses(stmt, masked));
  return out;
}

/** What a SET statement changes for the session; undefined for SET LOCAL / SET TRANSACTION / SET CONSTRAINTS. */
function setTarget(stmt: string, W: string[]): { statement: string; parameter: string } | undefined {
  let i = 1;
  if (W[1] === 'LOCAL') return undefined;
  if (W[1] === 'SESSION') {
    if (W[2] === 'CHARACTERISTICS') return { statement: 'SET SESSION CHARACTERISTICS', parameter: 'default_transaction_isolation' };
    if (W[2] === 'AUTHORIZATION') return { statement: 'SET SESSION AUTHORIZATION', parameter: 'session_authorization' };
    i = 2;
  }
  const w = W[i];
  if (w === undefined) return undefined;
  // SET TRANSACTION … and SET CONSTRAINTS … apply to the current transaction only.
  if (w === 'TRANSACTION' || w === 'CONSTRAINTS') return undefined;
  const session = i === 2 ? 'SET SESSION' : 'SET';
  if (w === 'TIME' && W[i + 1] === 'ZONE') return { statement: `${session} TIME ZONE`, parameter: 'timezone' };
  if (w === 'NAMES') return { statement: `${session} NAMES`, parameter: 'client_encoding' };
  if (w === 'SCHEMA') return { statement: `${session} SCHEMA`, parameter: 'search_path' };
  if (w === 'ROLE') return { statement: `${session} ROLE`, parameter: 'role' };
  if (w === 'XML' && W[i + 1] === 'OPTION') return { statement: `${session} XML OPTION`, parameter: 'xmloption' };
  // The parameter as written (keep quoting and dots: "TimeZone", app.tenant_id).
  const rest = stmt.replace(/^\s*SET\s+(?:SESSION\s+)?/i, '');
  const m = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?/.exec(rest);
  if (!m) return undefined;
  const name = m[2] !== undefined ? `${identifier(m[1]!)}.${identifier(m[3]!)}` : identifier(m[1]!);
  return { statement: `${session} ${name}`, parameter: name };
}

/** set_config(…, false) and session advisory locks inside any statement (SELECT, CALL, DO bodies excluded: masked). */
function functionUses(stmt: string, masked: string): SessionSql[] {
  const out: SessionSql[] = [];
  const lock = /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/gi;
  for (let m = lock.exec(masked); m; m = lock.exec(masked)) {
    // The match ends with `(`: drop it and the white space before it (not /\s*\($/: quadratic on a long run).
    out.push({ kind: 'advisory-lock', statement: m[0].slice(0, -1).trimEnd().toLowerCase() });
  }
  const cfg = /\bset_config\s*\(/gi;
  for (let m = cfg.exec(masked); m; m = cfg.exec(masked)) {
    const args = callArguments(stmt, masked, m.index + m[0].length);
    if (args === undefined || args.length !== 3) continue;
    // is_local must be a literal false: a placeholder ($3, ?) could be either.
    if (!isFalseLiteral(args[2]!)) continue;
    const nameArg = args[0]!.trim();
    const lit = /^'((?:[^']|'')*)'(?:\s*::\s*text)?$/.exec(nameArg);
    const parameter = lit ? lit[1]!.replace(/''/g, "'").toLowerCase() : undefined;
    out.push({
      kind: 'set-config',
      statement: parameter !== undefined ? `set_config('${parameter}', …, false)` : 'set_config(…, false)',
      ...(parameter !== undefined ? { parameter } : {}),
    });
  }
  return out;
}

/** The top-level arguments of a call whose `(` ends at `start`, or undefined if unbalanced. */
function callArguments(stmt: string, masked: string, start: number): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        args.push(stmt.slice(from, i));
        return args;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(stmt.slice(from, i));
      from = i + 1;
    }
  }
  return undefined;
}

/** PostgreSQL boolean input (src/backend/utils/adt/bool.c parse_bool_with_len): false, 'f', 'off', 'no', '0'… */
function isFalseLiteral(arg: string): boolean {
  // `a.replace(/\s*::\s*bool(?:ean)?$/i, '')` and /^'\s*([^']*?)\s*'$/ without their backtracking over white space.
  let a = arg.trim();
  const cast = /::\s*bool(?:ean)?$/i.exec(a);
  if (cast) a = a.slice(0, cast.index).trimEnd();
  if (/^false$/i.test(a)) return true;
  if (a.length < 2 || !a.startsWith("'") || !a.endsWith("'") || a.slice(1, -1).includes("'")) return false;
  const v = a.slice(1, -1).trim().toLowerCase();
  return v.length > 0 && (('false'.startsWith(v) && v !== '') || v === 'no' || v === 'n' || v === 'off' || v === '0');
}
