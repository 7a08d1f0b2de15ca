import type { RelatedLocation } from '../src/core/diagnostic.js';
import type { SourceRange } from '../src/core/location.js';
import { defineRule, type ReportDescriptor } from '../src/engine/rule.js';
import type { ProjectModel } from '../src/model/project-model.js';
import { optionsSettingVerdict, poolerSettingRange, startupParameterVerdict, type PoolerPath, type StartupVerdict } from '../src/model/pooler-path.js';
import { parseStartupOptions } from '../src/sources/connection-url/libpq.js';
import { spanRange } from '../src/sources/connection-url/parse.js';
import { PG_STARTUP_OPTIONS } from '../src/sources/js/libraries/pg.js';
import { LIBRARY_NAME } from '../src/sources/js/libraries.js';
import type { JsLibrary } from '../src/sources/js/types.js';

/** Libraries that hand their settings to node-postgres, which sends PG_STARTUP_OPTIONS (pg 8.23 lib/client.js getStartupConf). */
const PG_FAMILY = new Set<JsLibrary>(['pg', 'knex', 'typeorm', 'prisma-adapter-pg', 'mikro-orm']);

/**
 * postgres.js URL query keys it reads itself; every other key goes into `connection` and is sent
 * in the startup packet (postgres 3.4.9 src/index.js parseOptions: `defaults`, sslmode → ssl).
 * sslrootcert is left out: it is kept in the query as well, and whether it is sent is not certain.
 */
const POSTGRES_JS_OWN = new Set(['max', 'ssl', 'sslmode', 'sslrootcert', 'sslnegotiation', 'idle_timeout', 'connect_timeout', 'max_lifetime', 'max_pipeline', 'backoff', 'keep_alive', 'prepare', 'debug', 'fetch_types', 'publications', 'target_session_attrs']);

interface SentParameter {
  name: string;
  value: string;
  range: SourceRange;
  library: JsLibrary;
  /** Read from the connection string's query, not set in code. */
  fromUrl: boolean;
}

/** Falsy values are not sent (pg getStartupConf `if (params.statement_timeout)`; postgres.js StartupMessage filters `v`). */
function sendable(v: unknown): v is string | number {
  return (typeof v === 'string' && v !== '') || (typeof v === 'number' && v !== 0);
}

function sentParameters(path: PoolerPath): SentParameter[] {
  const { root, def, edge } = path;
  if (root === undefined) return [];
  const out: SentParameter[] = [];
  const seen = new Set<string>();
  for (const d of def && def !== root ? [root, def] : [root]) {
    for (const p of d.startupParameters) {
      if (!sendable(p.value.value) || seen.has(p.name)) continue;
      seen.add(p.name);
      out.push({ name: p.name, value: String(p.value.value), range: p.range, library: d.library, fromUrl: false });
    }
  }
  // Parameters in a URL the code reads from the environment (literal URLs are read by the extractor).
  const parsed = edge.parsed;
  const cs = root.connectionString ?? def?.connectionString;
  const literalUrl = cs !== undefined && (cs.provenance.kind === 'literal' || cs.provenance.kind === 'constant');
  if (parsed === undefined) return out;
  const isPostgresJs = root.library === 'postgres' || (root.library === 'drizzle' && root.preparedStatements !== undefined);
  const names = isPostgresJs ? [...parsed.params.keys()].filter((k) => !POSTGRES_JS_OWN.has(k)) : PG_FAMILY.has(root.library) && !literalUrl ? PG_STARTUP_OPTIONS : [];
  for (const name of names) {
    const v = parsed.params.get(name);
    if (v === undefined || !sendable(v) || seen.has(name)) continue;
    const span = parsed.spans.params.get(name);
    const range = (span && spanRange(parsed, span)) ?? edge.url?.range;
    if (range === undefined) continue;
    seen.add(name);
    out.push({ name, value: v, range, library: root.library, fromUrl: true });
  }
  return out;
}

/** Libraries that send startup parameters through node-postgres say so. */
const OVER_NODE_POSTGRES: ReadonlySet<JsLibrary> = new Set<JsLibrary>(['knex', 'typeorm', 'sequelize', 'prisma-adapter-pg', 'mikro-orm']);
const libraryLabel = (lib: JsLibrary): string => (OVER_NODE_POSTGRES.has(lib) ? `${LIBRARY_NAME[lib]} (node-postgres)` : LIBRARY_NAME[lib]);

/** Findings for one project model (exported for tests with hand-built deployment models). */
export function findStartupParameterProblems(model: ProjectModel): ReportDescriptor[] {
  const { facts, settings } = model;
  const out: ReportDescriptor[] = [];
  const seen = new Set<string>();
  for (const path of model.poolerPaths) {
    // Only a PgBouncer whose settings are in the repository: CloudNativePG's operator and managed
    // poolers write their own ignore_startup_parameters, which the repository does not show.
    if (path.pooler.kind !== 'pgbouncer') continue;
    for (const p of sentParameters(path)) {
      const key = `${p.range.file}:${p.range.line}:${p.range.column}:${p.name}|${path.pooler.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const verdicts: Array<{ name: string; value: string; v: StartupVerdict }> =
        p.name === 'options'
          ? parseStartupOptions(p.value).settings.map((s) => ({ name: s.name, value: s.value, v: optionsSettingVerdict(path, s.name) }))
          : [{ name: p.name, value: p.value, v: startupParameterVerdict(path, p.name) }];
      const rejected = verdicts.filter((x) => x.v.verdict === 'rejected');
      const ignored = verdicts.filter((x) => x.v.verdict === 'ignored');
      const related: RelatedLocation[] = [];
      const ignoreLine = poolerSettingRange(path.pooler, 'ignore_startup_parameters');
      if (ignoreLine) related.push({ range: ignoreLine, message: `ignore_startup_parameters = ${path.pooler.ignoreStartupParameters.join(', ')}` });
      else related.push({ range: path.pooler.range, message: `${path.pooler.name}: ignore_startup_parameters is not set` });
      if (path.edge.url?.range && path.edge.url.range !== p.range) related.push({ range: path.edge.url.range, message: `the connection string reaches ${path.pooler.name}` });
      const data = {
        library: libraryLabel(p.library),
        sent: p.name === 'options' ? `options=${p.value}` : `${p.name}=${p.value}`,
        pooler: path.pooler.name,
      };
      if (rejected.length > 0) {
        const first = rejected[0]!;
        const error = first.v.verdict === 'rejected' ? first.v.error : '';
        out.push({
          messageId: 'rejected',
          helpId: p.fromUrl && p.library !== 'pg' && !PG_STARTUP_OPTIONS.includes(p.name) ? 'helpUrlParameter' : p.name === 'options' ? 'helpOptions' : 'helpRejected',
          data: { ...data, error, name: first.name },
          range: p.range,
          related,
        });
      } else if (ignored.length > 0) {
        out.push({
          messageId: 'ignored',
          helpId: 'helpIgnored',
          data: { ...data, names: ignored.map((x) => x.name).join(', '), name: ignored[0]!.name },
          range: p.range,
          related,
          severity: 'warning',
        });
      }
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'pooler-startup-parameters',
    description: 'Send only startup parameters the PgBouncer in front of the database accepts and applies.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'pgbouncer-ini', 'env', 'compose', 'kubernetes'],
    scope: 'project',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'The connection fails in a test setup too, but no production client sends it.',
    },
    messages: {
      rejected:
        '{{library}} sends {{sent}} in the startup packet, which {{pooler}} neither tracks nor ignores: PgBouncer closes every connection with "{{error}}".',
      ignored:
        '{{library}} sends {{sent}}, but {{pooler}} lists {{names}} in ignore_startup_parameters and drops it: the sessions silently run with the server\'s default instead.',
      helpRejected:
        'Set {{name}} where it applies to every connection (ALTER ROLE app_user SET {{name}} = …, or postgresql.conf) and remove it from the client; listing it in ignore_startup_parameters only silences the error.',
      helpOptions:
        'Set it on the role or database (ALTER ROLE app_user SET {{name}} = …) and drop it from the client; PgBouncer 1.20+ accepts `-c` settings only for parameters in track_extra_parameters that PostgreSQL reports.',
      helpUrlParameter:
        'Remove {{name}} from the URL this client reads (postgres.js sends every query parameter it does not know to the server; `{{name}}` is meant for another client), or give this client its own URL.',
      helpIgnored: 'Set {{name}} on the server side (ALTER ROLE app_user SET {{name}} = …, ALTER DATABASE, or postgresql.conf) so it takes effect, and remove it from the client.',
    },
    options: {},
  },
  check(ctx) {
    for (const r of findStartupParameterProblems(ctx.model)) ctx.report(r);
  },
});
