/** Connection-lifecycle analysis of one JS/TS module: leaks (release-in-finally) and transactions sent through a pool (transaction-on-pool). */
export { findConnectionLeaks } from './leaks.js';
export { findPoolTransactions } from './pool-transactions.js';
export { transactionControlOf, splitStatements, classifyStatement, type TransactionStatement, type TransactionStatementKind } from './sql-text.js';
