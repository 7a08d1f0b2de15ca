import { defineRule } from '../src/engine/rule.js';
import type { ConnectionLeak } from '../src/sources/js/types.js';

/** Which message and help fit the kind of connection that leaks. */
function ids(leak: ConnectionLeak): { messageId: string; helpId: string } {
  switch (leak.resource.kind) {
    case 'client':
      return { messageId: 'clientLeak', helpId: 'helpClient' };
    case 'transaction':
      return { messageId: 'transactionLeak', helpId: 'helpTransaction' };
    case 'query-runner':
      return { messageId: 'poolLeak', helpId: 'helpQueryRunner' };
    case 'reserved':
      return { messageId: 'poolLeak', helpId: 'helpReserved' };
    case 'pool':
      return { messageId: 'poolObjectLeak', helpId: 'helpPoolObject' };
    default:
      // `pool.connect((err, client, done) => …)`: the release is a callback parameter.
      return { messageId: 'poolLeak', helpId: /^\w+\(\)$/.test(leak.release) ? 'helpCallback' : 'helpPool' };
  }
}

export default defineRule({
  meta: {
    id: 'release-in-finally',
    description: 'Release every connection acquired by hand on every path, including when a query throws.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason:
        'A connection checked out of a shared pool and leaked in a test exhausts the pool the later tests wait on, turning one failure into time-outs, and a client never ended keeps the run from exiting: reported as warnings. Not reported there: a leak only when a statement throws, of a client or pool the function creates and ends itself (`new Client()` … `client.end()` outside finally: the failing test\'s worker closes it when it exits), a pool object a test creates and closes itself whatever the path (it lives until the runner exits), or any throw-only leak in one-off code (scripts, seeds, migrations, perf runs: a process that ends with the error).',
    },
    messages: {
      poolLeak: '{{detail}}: the pool never gets that connection back, and once all of its connections have leaked this way every request waits for one.',
      clientLeak: '{{detail}}: its connection stays open on the server, holding one of max_connections, until the process exits.',
      transactionLeak: '{{detail}}: the transaction stays open on its pooled connection, idle in transaction and holding its locks, and that connection never returns to the pool.',
      poolObjectLeak: '{{detail}}: the connections it opened stay open on the server, each holding one of max_connections, until its idle timeout closes them or the process exits.',
      helpPool: 'Call {{release}} in a finally block (try { … } finally { {{release}}; }), or use pool.query() for statements that do not need one connection.',
      helpReserved: 'Call {{release}} in a finally block, or use sql.begin() when the statements form a transaction.',
      helpQueryRunner: 'Call {{release}} in a finally block after the try/catch that commits or rolls back.',
      helpCallback: 'Call {{release}} on every path of the callback, including when a query fails.',
      helpClient: 'Call {{release}} in a finally block once connect() has succeeded.',
      helpPoolObject: 'Call {{release}} in a finally block (try { … } finally { await {{release}}; }), or create the pool once at module scope and reuse it.',
      beforeTry:
        '{{detail}}: this statement runs after {{name}} is acquired but before the try whose finally releases it, so a throw here skips the release and the connection is lost to the pool.',
      helpBeforeTry: 'Move this statement inside the try block, or acquire {{name}} right before the try, so that the finally covers everything after the acquire.',
      helpTransaction:
        'Roll back in a catch that rethrows (catch (e) { await {{release}}; throw e; }), or pass a callback to transaction() so the library commits or rolls back for you.',
    },
    options: {},
  },
  check(ctx) {
    for (const file of ctx.facts.js) {
      const np = ctx.model.codePaths.nonProduction(file.file);
      for (const leak of file.leaks) {
        // A leak only when a statement throws, whose harm ends with the failing process (see
        // meta.nonProduction.reason): of a client or pool this function owns, in a test; of anything, in one-off code.
        const onThrow = leak.reason === 'throw-before-release' || leak.reason === 'before-try';
        if (np && onThrow && (np.oneOff || leak.resource.kind === 'client' || leak.resource.kind === 'pool')) continue;
        // A pool object a test opens and closes itself, left open on any path, lives only until the runner exits.
        if (np && !np.oneOff && leak.resource.kind === 'pool') continue;
        const detail = leak.detail.charAt(0).toUpperCase() + leak.detail.slice(1);
        if (leak.reason === 'before-try') {
          // The leak window: a narrow one (a statement between acquire and try), so a warning; the
          // finding sits on that statement, where the fix is made.
          ctx.report({
            messageId: 'beforeTry',
            helpId: 'helpBeforeTry',
            severity: 'warning',
            data: { detail, release: leak.release, name: leak.resource.name },
            range: leak.leakAt,
            related: [{ range: leak.acquire, message: `${leak.resource.name} is acquired here` }],
          });
          continue;
        }
        ctx.report({
          ...ids(leak),
          data: { detail, release: leak.release, name: leak.resource.name },
          range: leak.acquire,
          related: [{ range: leak.leakAt, message: `${leak.resource.name} leaks here` }],
        });
      }
    }
  },
});
