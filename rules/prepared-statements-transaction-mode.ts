import type { RelatedLocation, TextEdit } from '../src/core/diagnostic.js';
import { LineIndex, type SourceRange } from '../src/core/location.js';
import { addOptionEdit, replaceValueEdit } from '../src/sources/js/edits.js';
import type { PoolDefinition } from '../src/sources/js/types.js';
import { defineRule, type ReportDescriptor } from '../src/engine/rule.js';
import type { ProjectModel } from '../src/model/project-model.js';
import { isTransactionPooling, preparedStatementSupport, type PoolerPath } from '../src/model/pooler-path.js';
import { jdbcPrepareThreshold } from '../src/sources/connection-url/jdbc.js';
import { PREPARED_FIX, preparedByDriver } from '../src/sources/python/libraries.js';

/**
 * How a client uses named (protocol-level) prepared statements:
 * - Prisma 5/6 (query engine): unless the URL has pgbouncer=true (Prisma 6 docs, "Configure Prisma
 *   Client with PgBouncer"); a Prisma client with a driver adapter uses the driver's statements.
 * - postgres.js: `prepare` defaults to true (postgres 3.4.9 src/index.js parseOptions; `prepare=false`
 *   in the URL query too); Drizzle's postgres-js driver and Kysely on it create the same instance.
 * - node-postgres: only a query config with a `name` (pg 8.23 lib/query.js); plain queries use the
 *   unnamed statement, which every pooler handles.
 */
type Use = { uses: true; how: string; at?: SourceRange; fix: string; fixText?: string } | { uses: false; prismaPgbouncer?: SourceRange } | undefined;


function usage(path: PoolerPath, model: ProjectModel): Use {
  const { root, edge } = path;
  const parsed = edge.parsed;
  if (path.app) return appUsage(path, model);
  if (root === undefined) return undefined;
  if (root.library === 'prisma' && root.kind === 'prisma-client') {
    if (root.wraps !== undefined || root.options.some((o) => o.name === 'adapter')) return undefined;
    const flag = parsed?.prisma.pgbouncer ?? (root.preparedStatements && root.preparedStatements.provenance.kind !== 'default' ? !root.preparedStatements.value : undefined);
    if (flag === undefined && parsed === undefined) return undefined; // the URL is not known
    if (flag === true) return { uses: false, ...(edge.url?.range ? { prismaPgbouncer: edge.url.range } : {}) };
    return { uses: true, how: 'Prisma uses named prepared statements (the URL has no pgbouncer=true)', fix: 'helpPrisma' };
  }
  const ps = root.preparedStatements;
  if (root.library === 'postgres' || (root.library === 'drizzle' && ps !== undefined)) {
    // prepare=false in a URL that resolves from the environment (the extractor reads literal URLs only).
    const q = parsed?.params.get('prepare');
    if (q !== undefined && ps?.provenance.kind === 'default') return q === 'false' || q === 'disable' ? { uses: false } : { uses: true, how: 'postgres.js prepares statements (prepare in the URL)', fix: 'helpPostgresJs' };
    if (ps === undefined || ps.value === undefined) return undefined;
    if (!ps.value) return { uses: false };
    const how = ps.provenance.kind === 'default' ? 'postgres.js prepares every static query by default (prepare: true)' : 'postgres.js is set to prepare statements (prepare: true)';
    return { uses: true, how, ...(ps.range ? { at: ps.range } : {}), fix: 'helpPostgresJs' };
  }
  if (root.library === 'pg' || root.library === 'neon-serverless' || root.library === 'vercel-postgres') {
    if (ps?.value !== true) return { uses: false };
    return { uses: true, how: 'a node-postgres query config has a `name`, which makes a named prepared statement', ...(ps.range ? { at: ps.range } : {}), fix: 'helpPg' };
  }
  return undefined;
}

/**
 * Python, Spring Boot and Rails clients:
 * - PgJDBC (Spring Boot's driver): a PreparedStatement becomes a named server-side statement on its
 *   prepareThreshold-th execution (PGProperty.PREPARE_THRESHOLD, default 5; 0 disables, -1 forces
 *   binary transfer, which also prepares): pgjdbc 42.7 PGProperty.java. Set in the JDBC URL or
 *   spring.datasource.hikari.data-source-properties.prepareThreshold.
 * - ActiveRecord's PostgreSQL adapter prepares every statement with binds unless `prepared_statements:
 *   false` (abstract_adapter.rb default_prepared_statements: true); `?prepared_statements=false` on
 *   DATABASE_URL does the same (the URL's query merges into the configuration).
 */
function appUsage(path: PoolerPath, model: ProjectModel): Use {
  const app = path.app!;
  const parsed = path.edge.parsed;
  if (app.library === 'hikaricp') {
    const t = parsed ? jdbcPrepareThreshold(parsed) : undefined;
    if (t && t.written) {
      if (t.value === 0) return { uses: false };
      return { uses: true, how: `PgJDBC turns a PreparedStatement into a named server-side statement on its ${t.value === -1 ? 'first' : `${t.value}th`} execution (prepareThreshold=${t.value} in the JDBC URL)`, fix: 'helpJdbc' };
    }
    const ps = app.preparedStatements;
    if (ps && ps.provenance.kind !== 'default') return ps.value === false ? { uses: false } : { uses: true, how: `PgJDBC prepares statements on the server (${ps.why})`, ...(ps.range ? { at: ps.range } : {}), fix: 'helpJdbc' };
    if (parsed && parsed.scheme !== 'jdbc') return undefined;
    return { uses: true, how: 'PgJDBC turns a PreparedStatement into a named server-side statement on its 5th execution (prepareThreshold defaults to 5)', fix: 'helpJdbc' };
  }
  if (app.library === 'activerecord') {
    const q = parsed?.params.get('prepared_statements');
    if (q !== undefined) return /^(false|f|0|off|no)$/i.test(q.trim()) ? { uses: false } : { uses: true, how: 'ActiveRecord prepares statements (prepared_statements in the URL)', fix: 'helpRails' };
    const ps = app.preparedStatements;
    if (!ps) return undefined;
    let value = ps.value;
    if (ps.provenance.kind === 'env') {
      const env = model.deployment.services.find((s) => s.id === path.edge.serviceId)?.environment;
      const v = env?.get(ps.provenance.envVar)?.value;
      if (v !== undefined) value = !/^(false|f|0|off|no)$/i.test(v.trim());
    }
    if (value === false) return { uses: false };
    if (value === undefined) return undefined;
    const how = ps.provenance.kind === 'default' ? 'ActiveRecord prepares every query with binds as a named statement (prepared_statements defaults to true)' : 'ActiveRecord prepares every query with binds as a named statement (prepared_statements: true)';
    return { uses: true, how, ...(ps.range ? { at: ps.range } : {}), fix: 'helpRails' };
  }
  // Python (src/sources/python/libraries.ts, cited where the extractor sets `preparedStatements`):
  // asyncpg's statement cache, psycopg 3's prepare_threshold; a SQLAlchemy engine is judged by the
  // driver of the URL the service resolves (`postgresql+asyncpg://`), asked of the Python profile.
  let ps = app.preparedStatements;
  const driver = path.edge.parsed?.sqlalchemyDriver;
  if (app.library === 'sqlalchemy' && driver !== undefined) ps = preparedByDriver(driver, app.options, path.edge.parsed?.params) ?? { value: false, provenance: { kind: 'default', note: `the ${driver} driver` }, why: '' };
  if (ps === undefined || ps.value === undefined) return undefined;
  if (!ps.value) return { uses: false };
  const fix = (app.library === 'sqlalchemy' && (driver === 'asyncpg' || driver === 'psycopg') ? PREPARED_FIX[`sqlalchemy+${driver}`] : undefined) ?? PREPARED_FIX[app.library];
  return { uses: true, how: ps.why.charAt(0).toUpperCase() + ps.why.slice(1), ...(ps.range ? { at: ps.range } : {}), fix: fix !== undefined ? 'helpApp' : 'helpGeneric', ...(fix !== undefined ? { fixText: fix } : {}) };
}

/** Findings for one project model (exported for tests with hand-built deployment models). */
export function findPreparedStatementProblems(model: ProjectModel): ReportDescriptor[] {
  const { facts, settings } = model;
  const out: ReportDescriptor[] = [];
  const seen = new Set<string>();
  for (const path of model.poolerPaths) {
    if (!isTransactionPooling(path.mode.value)) continue;
    const use = usage(path, model);
    if (use === undefined) continue;
    const support = preparedStatementSupport(path);
    const key = `${path.root?.id ?? path.app?.id ?? path.edge.poolId}|${path.pooler.id}`;
    if (seen.has(key)) continue;
    const isPrisma = path.root?.library === 'prisma';
    // Prisma: the datasource URL (or its env line); others: the construction that sets the option.
    // Spring: the URL line (a JDBC URL in the environment or the file); Rails: the prepared_statements line or the environment's block.
    const at = path.app ? (path.app.library === 'hikaricp' ? (path.edge.url?.range ?? path.app.range) : (path.app.preparedStatements?.range ?? path.app.range)) : isPrisma ? (path.edge.url?.range ?? path.root!.range) : path.root!.range;
    const related: RelatedLocation[] = [];
    if (path.mode.range) related.push({ range: path.mode.range, message: path.mode.label ?? path.mode.source });
    if (path.edge.url?.range && path.edge.url.range !== at) related.push({ range: path.edge.url.range, message: `the connection string reaches ${path.pooler.name}` });
    const data = { pooler: path.pooler.name, mode: path.mode.value!, detail: support.detail };
    if (use.uses) {
      if (support.supported !== false && !(support.supported === undefined && path.version.value === undefined && !support.explicit && isPgbouncerLike(path))) continue;
      if (use.at && use.at !== at) related.push({ range: use.at, message: 'named prepared statement' });
      if (support.range) related.push({ range: support.range, message: support.detail });
      seen.add(key);
      // postgres.js: `prepare: false` written into the construction. A fix when the pooler is known not
      // to track prepared statements; a suggestion when its version is only unknown (it may be 1.24+).
      const edits =
        use.fix === 'helpPostgresJs' && path.root!.library === 'postgres'
          ? prepareFalseEdits(model, path.root!)
          : use.fix === 'helpPrisma' && path.edge.url?.range
            ? prismaPgbouncerEdits(model, path.edge.url.range)
            : undefined;
      // Prisma: pgbouncer=true is a fix only when Prisma alone reads that URL. Other clients would pass
      // `pgbouncer` on to the server or pooler as a startup parameter (postgres.js forwards unknown URL
      // parameters; PgBouncer refuses unknown ones): then it is a suggestion.
      const fixable = support.supported === false && !(use.fix === 'helpPrisma' && otherReaders(model, path));
      const suggestion = use.fix === 'helpPrisma' ? 'Add pgbouncer=true to the pooled URL' : 'Pass { prepare: false } to postgres()';
      out.push({
        messageId: support.supported === false ? 'unsupported' : 'versionUnknown',
        helpId: use.fix,
        data: { ...data, how: use.how, fix: use.fixText ?? '' },
        range: at,
        related,
        // Not known to fail, only not known to work (an unpinned image may well be 1.24+).
        ...(support.supported === false ? {} : { severity: 'warning' as const }),
        ...(edits ? (fixable ? { fix: edits } : { suggest: [{ desc: suggestion, fix: edits }] }) : {}),
      });
    } else if (isPrisma && use.prismaPgbouncer !== undefined) {
      // PgBouncer 1.21 with max_prepared_statements > 0 does not understand Prisma's DEALLOCATE ALL
      // (prisma/prisma#21635, pgbouncer/pgbouncer#974); 1.22.0 handles it (NEWS.md "DEALLOCATE ALL", #972).
      const v = path.version.value;
      if (!(support.supported === true && v !== undefined && v[0] === 1 && v[1] === 21)) continue;
      if (support.range) related.push({ range: support.range, message: support.detail });
      seen.add(key);
      out.push({ messageId: 'prismaPgbouncerOn121', helpId: 'helpPrisma121', data, range: use.prismaPgbouncer, related });
    }
  }
  return out;
}

/** `prepare: true` written as a literal becomes `false`; unset, `prepare: false` is added to the inline options. */
function prepareFalseEdits(model: ProjectModel, def: PoolDefinition): TextEdit[] | undefined {
  const ps = def.preparedStatements;
  const text = model.facts.sources.get(def.file)?.text;
  if (ps?.provenance.kind === 'literal' && ps.range?.file === def.file && text !== undefined) {
    const value = new LineIndex(text);
    const a = value.offset(ps.range.line, ps.range.column);
    const b = value.offset(ps.range.endLine, ps.range.endColumn);
    return a !== undefined && b !== undefined && text.slice(a, b) === 'true' ? replaceValueEdit(ps.range, 'false') : undefined;
  }
  if (ps !== undefined && ps.provenance.kind !== 'default') return undefined;
  return addOptionEdit(def, text, 'prepare: false', { afterArguments: true });
}

/**
 * `pgbouncer=true` appended to a Prisma URL written as a literal (a `.env` line, compose or
 * Kubernetes env, the schema): an insertion after the URL's last character, so nothing of it (the
 * password included) is rewritten or printed. Only a plain `postgres(ql)://` URL: none with an
 * expansion (`${VAR}`), quotes, spaces or a `#` inside the range, nor one that already sets pgbouncer.
 */
function prismaPgbouncerEdits(model: ProjectModel, range: SourceRange): TextEdit[] | undefined {
  const text = model.facts.sources.get(range.file)?.text;
  if (text === undefined) return undefined;
  const index = new LineIndex(text);
  const a = index.offset(range.line, range.column);
  const b = index.offset(range.endLine, range.endColumn);
  if (a === undefined || b === undefined || b <= a) return undefined;
  const url = text.slice(a, b);
  if (!/^postgres(?:ql)?:\/\/[^\s"'`$#\\]+$/.test(url) || /[?&]pgbouncer=/i.test(url)) return undefined;
  const add = url.includes('?') ? (/[?&]$/.test(url) ? 'pgbouncer=true' : '&pgbouncer=true') : '?pgbouncer=true';
  return [{ range: { file: range.file, line: range.endLine, column: range.endColumn, endLine: range.endLine, endColumn: range.endColumn }, text: add }];
}

/** Does a client other than a Prisma query engine read the connection string this path's Prisma client reads? */
function otherReaders(model: ProjectModel, path: PoolerPath): boolean {
  const r = path.edge.url?.range;
  if (r === undefined) return true;
  const same = (x: SourceRange | undefined) => x !== undefined && x.file === r.file && x.line === r.line && x.column === r.column;
  return model.poolerPaths.some((p) => same(p.edge.url?.range) && !(p.root?.library === 'prisma' && p.root.kind === 'prisma-client' && p.root.wraps === undefined && !p.root.options.some((o) => o.name === 'adapter')));
}

function isPgbouncerLike(path: PoolerPath): boolean {
  return path.pooler.kind === 'pgbouncer' || path.pooler.kind === 'cloudnative-pg-pooler';
}

export default defineRule({
  meta: {
    id: 'prepared-statements-transaction-mode',
    description: 'Disable named prepared statements in clients that reach a transaction-mode pooler that does not track them.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'python', 'pgbouncer-ini', 'env', 'prisma', 'compose', 'kubernetes', 'rails', 'spring'],
    scope: 'project',
    fixable: true,
    hasSuggestions: true,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'Queries fail in a test setup too, but no production client sends them.',
    },
    messages: {
      unsupported:
        '{{how}}, but this client reaches {{pooler}} in {{mode}} mode and {{detail}}: a statement prepared on one server connection is missing on the next ("prepared statement \\"s0\\" does not exist") or collides with another client\'s ("already exists").',
      versionUnknown:
        '{{how}}, but this client reaches {{pooler}} in {{mode}} mode and its {{detail}}: unless it is PgBouncer 1.24+ (or 1.21+ with max_prepared_statements > 0), queries fail with "prepared statement … does not exist".',
      prismaPgbouncerOn121:
        'pgbouncer=true makes Prisma send DEALLOCATE ALL, which PgBouncer 1.21 with {{detail}} does not track: its own statements vanish and queries fail with "prepared statement \\"PGBOUNCER_…\\" does not exist".',
      helpPrisma: 'Add pgbouncer=true to the pooled URL (keep a directUrl without it for migrations), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpPostgresJs: 'Pass { prepare: false } to postgres() (also through drizzle(url, { connection: { prepare: false } })), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpPg: 'Drop `name` from the query config (node-postgres then uses the unnamed statement), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpJdbc: 'Add prepareThreshold=0 to the JDBC URL (spring.datasource.url, or SPRING_DATASOURCE_URL where the environment sets it), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpRails: 'Set prepared_statements: false in this database.yml configuration (or ?prepared_statements=false on DATABASE_URL), or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpApp: '{{fix}}',
      helpGeneric: 'Disable the client\'s named prepared statements, or set max_prepared_statements > 0 on PgBouncer 1.21+.',
      helpPrisma121: 'Remove pgbouncer=true from the URL (PgBouncer now tracks Prisma\'s prepared statements), or upgrade PgBouncer to 1.22+.',
    },
    options: {},
  },
  check(ctx) {
    for (const r of findPreparedStatementProblems(ctx.model)) ctx.report(r);
  },
});
