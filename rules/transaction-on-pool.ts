import { defineRule } from '../src/engine/rule.js';
import type { JsLibrary, PoolTransactionStatement } from '../src/sources/js/types.js';

const HELP: Partial<Record<JsLibrary, string>> = {
  'vercel-postgres': 'helpVercel',
  postgres: 'helpPostgresJs',
  knex: 'helpKnex',
  sequelize: 'helpSequelize',
  typeorm: 'helpTypeorm',
};

function messageId(t: PoolTransactionStatement): string {
  // postgres 3.4.9 src/connection.js: a result with command BEGIN on a pool with max !== 1
  // outside a reserved connection fails with UNSAFE_TRANSACTION.
  if (t.library === 'postgres' && t.statement === 'BEGIN') return 'postgresJsBegin';
  switch (t.statement) {
    case 'BEGIN':
    case 'START TRANSACTION':
      return 'begin';
    case 'SET LOCAL':
    case 'SET TRANSACTION':
      return 'setLocal';
    case 'SAVEPOINT':
    case 'RELEASE SAVEPOINT':
    case 'ROLLBACK TO SAVEPOINT':
      return 'savepoint';
    default:
      return 'end';
  }
}

export default defineRule({
  meta: {
    id: 'transaction-on-pool',
    description: 'Send BEGIN, COMMIT, ROLLBACK, SAVEPOINT and SET LOCAL through one connection, not through a pool.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'Statements run on the wrong connection in test code too, but no production transaction depends on them.',
    },
    messages: {
      begin:
        '{{statement}} is sent through {{via}}, which runs each call on whichever pooled connection is free: the queries after it may run outside this transaction, and the connection returns to the pool still inside it.',
      end: '{{statement}} is sent through {{via}}, which runs each call on whichever pooled connection is free: it may end another caller\'s transaction, or none at all.',
      savepoint: '{{statement}} is sent through {{via}}, which runs each call on whichever pooled connection is free: the transaction it refers to may be open on another connection.',
      setLocal: '{{statement}} is sent through {{via}} outside a transaction block, so PostgreSQL only warns and the setting has no effect on the queries that follow.',
      postgresJsBegin:
        'BEGIN is sent through {{via}}, a postgres.js pool with more than one connection: postgres.js rejects it with UNSAFE_TRANSACTION, and the statements meant for the transaction would run on any connection.',
      helpPool: 'Check out one client (const client = await pool.connect()), send the whole transaction through client.query(), and release it in finally.',
      helpVercel: 'Check out one client (const client = await sql.connect()), send the whole transaction through client.sql or client.query(), and release it in finally.',
      helpPostgresJs: 'Put the statements in sql.begin(async (sql) => { … }), which runs them on one connection and commits or rolls back for you.',
      helpKnex: 'Use knex.transaction(async (trx) => { … }) and send the statements through trx.',
      helpSequelize: 'Use sequelize.transaction(async (t) => { … }) and pass { transaction: t } to each query.',
      helpTypeorm: 'Use dataSource.transaction(async (manager) => { … }), or a QueryRunner released in finally.',
    },
    options: {},
  },
  check(ctx) {
    for (const file of ctx.facts.js) {
      for (const t of file.poolTransactions) {
        ctx.report({
          messageId: messageId(t),
          helpId: HELP[t.library] ?? 'helpPool',
          data: { statement: t.statement, via: t.via },
          range: t.range,
        });
      }
    }
  },
});
