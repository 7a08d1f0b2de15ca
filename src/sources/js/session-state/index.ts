/** Code facts for session-state-transaction-mode: SQL that relies on state kept in the server session. */
export { findSessionStateStatements } from './find.js';
export { sessionStateOf, maskQuoted, type SessionSql } from './sql.js';
