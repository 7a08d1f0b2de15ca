/**
 * Recognises transaction-control statements in SQL text sent from code.
 * Keywords follow PostgreSQL src/backend/parser/gram.y (REL_17): TransactionStmt
 * (ABORT, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE [SAVEPOINT],
 * ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT], PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED),
 * TransactionStmtLegacy (BEGIN, END) and VariableSetStmt (SET LOCAL …, SET TRANSACTION …).
 */

export type TransactionStatementKind = 'begin' | 'end' | 'savepoint' | 'set-local';

export interface TransactionStatement {
  /** Normalised: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT, SET LOCAL, SET TRANSACTION. */
  statement: string;
  kind: TransactionStatementKind;
}

/**
 * Splits SQL into statements at top-level `;`, skipping `--` and `/* *\/` comments (nested, as
 * PostgreSQL's scan.l allows), quoted strings, quoted identifiers and dollar-quoted bodies.
 * Returns each statement's text with comments removed and whitespace collapsed.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n' && sql[i] !== '\r') i++;
      cur += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      cur += ' ';
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      cur += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        const end = close < 0 ? n : close + m[0].length;
        cur += sql.slice(i, end);
        i = end;
      } else {
        cur += c;
        i++;
      }
    } else if (c === ';') {
      out.push(cur);
      cur = '';
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  out.push(cur);
  return out.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s !== '');
}

/** The transaction-control statement a single statement is, if any. */
export function classifyStatement(stmt: string): TransactionStatement | undefined {
  const words = stmt.toUpperCase().split(/[\s(]+/).filter((w) => w !== '');
  const [w0, w1, w2] = words;
  switch (w0) {
    case 'BEGIN':
      return { statement: 'BEGIN', kind: 'begin' };
    case 'START':
      return w1 === 'TRANSACTION' ? { statement: 'START TRANSACTION', kind: 'begin' } : undefined;
    case 'COMMIT':
      // COMMIT PREPARED finishes a two-phase transaction from any session: fine on a pool.
      return w1 === 'PREPARED' ? undefined : { statement: 'COMMIT', kind: 'end' };
    case 'END':
      return { statement: 'END', kind: 'end' };
    case 'ABORT':
      return { statement: 'ABORT', kind: 'end' };
    case 'ROLLBACK': {
      if (w1 === 'PREPARED') return undefined;
      const toAt = w1 === 'TO' ? 1 : (w1 === 'WORK' || w1 === 'TRANSACTION') && w2 === 'TO' ? 2 : -1;
      if (toAt > 0) return { statement: 'ROLLBACK TO SAVEPOINT', kind: 'savepoint' };
      return { statement: 'ROLLBACK', kind: 'end' };
    }
    case 'SAVEPOINT':
      return { statement: 'SAVEPOINT', kind: 'savepoint' };
    case 'RELEASE':
      return w1 !== undefined ? { statement: 'RELEASE SAVEPOINT', kind: 'savepoint' } : undefined;
    case 'SET':
      if (w1 === 'LOCAL' && w2 !== undefined) return { statement: 'SET LOCAL', kind: 'set-local' };
      // SET TRANSACTION ISOLATION LEVEL … / SET TRANSACTION SNAPSHOT …; not SET SESSION CHARACTERISTICS.
      if (w1 === 'TRANSACTION' && w2 !== undefined) return { statement: 'SET TRANSACTION', kind: 'set-local' };
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The transaction statement a query string sent through a pool amounts to, when every
 * statement in it is transaction control. A string that also does work (`BEGIN; INSERT …;
 * COMMIT`) runs in one simple-protocol Query message on one connection, and PostgreSQL
 * runs such a message as one implicit transaction (docs: protocol-flow.html "Multiple
 * Statements in a Simple Query"), so it is not reported.
 */
export function transactionControlOf(sql: string): TransactionStatement | undefined {
  const stmts = splitStatements(sql);
  if (stmts.length === 0) return undefined;
  let first: TransactionStatement | undefined;
  for (const s of stmts) {
    const t = classifyStatement(s);
    if (!t) return undefined;
    first ??= t;
  }
  return first;
}
