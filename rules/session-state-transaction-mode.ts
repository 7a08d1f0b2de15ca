import type { RelatedLocation } from '../src/core/diagnostic.js';
import { defineRule, type ReportDescriptor } from '../src/engine/rule.js';
import type { ProjectModel } from '../src/model/project-model.js';
import { isPgbouncer, isTransactionPooling, PGBOUNCER_TRACKED, trackedParameters, type PoolerPath } from '../src/model/pooler-path.js';
import type { ProjectFacts } from '../src/model/project.js';
import type { SessionStateStatement } from '../src/sources/js/types.js';

/**
 * What each session feature costs behind transaction pooling (www.pgbouncer.org/features.html,
 * "SQL feature map for pooling modes"; neon.com/docs/connect/connection-pooling): the next
 * transaction of the same client may run on another server connection, and the state stays
 * on this one for whichever client gets it next.
 */
const MESSAGE: Record<SessionStateStatement['kind'], string> = {
  set: 'set',
  'set-config': 'set',
  'advisory-lock': 'lock',
  listen: 'listen',
  'temp-table': 'temp',
  'cursor-with-hold': 'cursor',
  prepare: 'prepare',
  load: 'load',
};

const HELP: Record<SessionStateStatement['kind'], string> = {
  set: 'helpSet',
  'set-config': 'helpSetConfig',
  'advisory-lock': 'helpLock',
  listen: 'helpListen',
  'temp-table': 'helpTemp',
  'cursor-with-hold': 'helpCursor',
  prepare: 'helpPrepare',
  load: 'helpLoad',
};

/** RDS Proxy pins the session instead of breaking it (docs.aws.amazon.com … rds-proxy-pinning.html): not this rule's concern. */
function breaksSessions(path: PoolerPath): boolean {
  return isTransactionPooling(path.mode.value) && path.pooler.product !== 'rds-proxy';
}

/** Paths a statement goes through: its pool's, or — when the receiver is not resolved — the one pooler every pool of that library reaches. */
function pathsOf(s: SessionStateStatement, paths: readonly PoolerPath[], facts: ProjectFacts): PoolerPath[] {
  if (s.poolId !== undefined) return paths.filter((p) => p.ids.has(s.poolId!));
  const defs = facts.js.flatMap((f) => f.pools).filter((d) => d.library === s.library && d.wraps === undefined);
  if (defs.length === 0) return [];
  const per = defs.map((d) => paths.filter((p) => p.ids.has(d.id)));
  // Every pool of the library must reach a session-breaking pooler, or we cannot tell.
  if (per.some((ps) => ps.length === 0 || !ps.every(breaksSessions))) return [];
  return per.flat();
}

/** A SET of a parameter the pooler re-applies on every server connection is safe. */
function tracked(s: SessionStateStatement, path: PoolerPath): boolean {
  if ((s.kind !== 'set' && s.kind !== 'set-config') || s.parameter === undefined) return false;
  const known = isPgbouncer(path.pooler) ? trackedParameters(path) : new Set<string>(PGBOUNCER_TRACKED);
  return known.has(s.parameter.toLowerCase());
}

/**
 * Django runs `QuerySet.iterator()` on a server-side cursor, declared WITH HOLD when not in a
 * transaction (django/db/backends/postgresql/base.py create_cursor: `withhold=self.connection.autocommit`);
 * Django's docs say a transaction pooler needs `DISABLE_SERVER_SIDE_CURSORS = True` (ref/databases,
 * "Transaction pooling and server-side cursors"). A warning: only code that iterates breaks.
 */
function djangoServerSideCursors(paths: readonly PoolerPath[]): ReportDescriptor[] {
  const out: ReportDescriptor[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const app = path.app;
    if (app?.library !== 'django' || !breaksSessions(path) || seen.has(app.id)) continue;
    const disabled = app.options.find((o) => o.name === 'DISABLE_SERVER_SIDE_CURSORS')?.value;
    if (disabled?.value === true || (disabled !== undefined && disabled.value === undefined)) continue;
    seen.add(app.id);
    const related: RelatedLocation[] = [];
    if (path.mode.range) related.push({ range: path.mode.range, message: path.mode.label ?? path.mode.source });
    if (path.edge.url?.range) related.push({ range: path.edge.url.range, message: `the connection string reaches ${path.pooler.name}` });
    out.push({
      messageId: 'djangoCursor',
      helpId: 'helpDjangoCursor',
      data: { statement: app.construct, via: 'Django', pooler: path.pooler.name, mode: path.mode.value!, parameter: '' },
      range: app.range,
      related,
      severity: 'warning',
    });
  }
  return out;
}

/**
 * Rails takes a session-level advisory lock around `rails db:migrate`: ActiveRecord::Migrator
 * `with_advisory_lock` (activerecord/lib/active_record/migration.rb) calls the PostgreSQL adapter's
 * `get_advisory_lock` (`SELECT pg_try_advisory_lock(id)`) and `release_advisory_lock`
 * (`pg_advisory_unlock`), raising ConcurrentMigrationError "Failed to release advisory lock" when the
 * unlock finds no lock; `advisory_locks` defaults to true (abstract_adapter.rb
 * `@config.fetch(:advisory_locks, true)`), and Rails' configuring guide names `advisory_locks: false`
 * for transaction poolers such as PgBouncer. Through a transaction pooler the lock and the unlock can
 * run on different server connections. A warning: only migrations run through that URL break.
 */
function railsAdvisoryLocks(paths: readonly PoolerPath[]): ReportDescriptor[] {
  const out: ReportDescriptor[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const app = path.app;
    if (app?.library !== 'activerecord' || !breaksSessions(path) || seen.has(app.id)) continue;
    const inUrl = path.edge.parsed?.params.get('advisory_locks');
    const written = app.options.find((o) => o.name === 'advisory_locks');
    let on: boolean | undefined = true;
    if (inUrl !== undefined) on = !/^(false|f|0|off|no)$/i.test(inUrl.trim());
    else if (written) {
      const v = written.value.value;
      on = typeof v === 'boolean' ? v : typeof v === 'string' ? !/^(false|f|0|off|no)$/i.test(v.trim()) : undefined;
    }
    if (on !== true) continue;
    seen.add(app.id);
    const related: RelatedLocation[] = [];
    if (path.mode.range) related.push({ range: path.mode.range, message: path.mode.label ?? path.mode.source });
    if (path.edge.url?.range) related.push({ range: path.edge.url.range, message: `the connection string reaches ${path.pooler.name}` });
    out.push({
      messageId: 'railsAdvisoryLock',
      helpId: 'helpRailsAdvisoryLock',
      data: { statement: app.construct, via: 'ActiveRecord', pooler: path.pooler.name, mode: path.mode.value!, parameter: '', how: written ? 'advisory_locks: true' : 'advisory_locks on (its default)' },
      range: written?.range ?? app.range,
      related,
      severity: 'warning',
    });
  }
  return out;
}

/** Findings for one project model (exported for tests with hand-built deployment models). */
export function findSessionStateProblems(model: ProjectModel): ReportDescriptor[] {
  const { facts, settings } = model;
  const out: ReportDescriptor[] = [];
  const paths = model.poolerPaths;
  if (paths.length === 0) return out;
  out.push(...djangoServerSideCursors(paths));
  out.push(...railsAdvisoryLocks(paths));
  for (const file of facts.js) {
    for (const s of file.sessionState ?? []) {
      const path = pathsOf(s, paths, facts).find((p) => breaksSessions(p) && !tracked(s, p));
      if (path === undefined) continue;
      const related: RelatedLocation[] = [];
      if (path.mode.range) related.push({ range: path.mode.range, message: path.mode.label ?? path.mode.source });
      const def = path.root ?? path.def;
      if (def) related.push({ range: def.range, message: `${def.kind === 'client' ? 'the connection' : 'the pool'} it runs on (${def.construct})` });
      out.push({
        // postgres.js sql.listen(): a call, not SQL text.
        messageId: s.kind === 'listen' && s.statement.endsWith('()') ? 'listenApi' : MESSAGE[s.kind],
        helpId: HELP[s.kind],
        data: { statement: s.statement, via: s.via, pooler: path.pooler.name, mode: path.mode.value!, parameter: s.parameter ?? 'the setting' },
        range: s.range,
        related,
      });
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'session-state-transaction-mode',
    description: 'Keep session state (SET, advisory locks, LISTEN, temporary tables, WITH HOLD cursors, PREPARE, LOAD) out of connections that go through transaction pooling.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'python', 'pgbouncer-ini', 'env', 'compose', 'kubernetes', 'rails'],
    scope: 'project',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'Session state is lost through a transaction pooler in a test setup too, but no production client depends on it.',
    },
    messages: {
      set: '{{statement}} is sent through {{via}}, which reaches {{pooler}} in {{mode}} mode: the setting stays on whichever server connection ran it, so this client\'s next transactions may run without it and other clients inherit it.',
      lock: '{{statement}} takes a session-level advisory lock through {{via}}, which reaches {{pooler}} in {{mode}} mode: the lock stays on a server connection other clients then use, and the unlock may run on another connection and fail.',
      listen: '{{statement}} through {{via}} reaches {{pooler}} in {{mode}} mode: the server connection that listens goes back to the pool after the statement, so notifications never reach this client.',
      listenApi:
        '{{statement}} opens a dedicated connection and runs LISTEN on it, but that connection goes through {{pooler}} in {{mode}} mode: the server connection that listens goes back to the pool after the statement, so notifications never arrive.',
      temp: '{{statement}} through {{via}} reaches {{pooler}} in {{mode}} mode: the table lives on one server connection, so the next query of this client may not find it and another client may ("relation already exists").',
      cursor: '{{statement}} through {{via}} reaches {{pooler}} in {{mode}} mode: the cursor stays on one server connection, and the FETCH that follows may run on another ("cursor does not exist").',
      djangoCursor:
        '{{statement}} reaches {{pooler}} in {{mode}} mode with server-side cursors on: Django runs QuerySet.iterator() on a cursor declared WITH HOLD outside a transaction, which stays on one server connection, so the next FETCH may run on another ("cursor … does not exist").',
      railsAdvisoryLock:
        '{{statement}} reaches {{pooler}} in {{mode}} mode with {{how}}: rails db:migrate takes a session-level advisory lock (pg_try_advisory_lock) and releases it with pg_advisory_unlock, which may run on another server connection and fail ("Failed to release advisory lock"), leaving the lock on a connection other clients then use.',
      prepare: 'SQL PREPARE through {{via}} reaches {{pooler}} in {{mode}} mode: the statement exists on one server connection only, and PgBouncer\'s max_prepared_statements does not track SQL-level PREPARE ("prepared statement does not exist").',
      load: 'LOAD through {{via}} reaches {{pooler}} in {{mode}} mode: the library is loaded into one server connection only, which other clients then get.',
      helpSet: 'Use SET LOCAL (or set_config(…, true)) inside the transaction that needs it, or set it for the role: ALTER ROLE app_user SET {{parameter}} = …',
      helpSetConfig: 'Pass true as the third argument (set_config(name, value, true)) inside the transaction that needs it.',
      helpLock: 'Use pg_advisory_xact_lock / pg_try_advisory_xact_lock inside a transaction (released at COMMIT), or take session locks over a direct or session-mode connection.',
      helpListen: 'Open a dedicated connection for LISTEN directly to PostgreSQL or through a session-mode pool (a second URL).',
      helpTemp: 'Create it with ON COMMIT DROP inside the transaction that uses it, or use a regular table.',
      helpCursor: 'Declare the cursor without WITH HOLD inside the transaction that fetches from it.',
      helpPrepare: 'Use the driver\'s protocol-level prepared statements (PgBouncer 1.21+ with max_prepared_statements > 0 tracks those), or a session-mode connection.',
      helpDjangoCursor: 'Add "DISABLE_SERVER_SIDE_CURSORS": True to this database in DATABASES (Django docs, ref/databases "Transaction pooling and server-side cursors").',
      helpRailsAdvisoryLock: 'Set advisory_locks: false in this database.yml configuration (or ?advisory_locks=false on DATABASE_URL), or run rails db:migrate over a direct connection to PostgreSQL (DATABASE_URL pointing past the pooler for that command).',
      helpLoad: 'Load the library for every session on the server (session_preload_libraries / shared_preload_libraries).',
    },
    options: {},
  },
  check(ctx) {
    for (const r of findSessionStateProblems(ctx.model)) ctx.report(r);
  },
});
