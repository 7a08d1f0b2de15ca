import { basename, relative, sep } from 'node:path';
import { defineRule, type ReportDescriptor } from '../src/engine/rule.js';
import { type ConnectionModel, type ResolvedConnection } from '../src/model/connections.js';
import { getPgSetting, PG_MAJORS } from '../src/catalog/postgresql/catalog.js';
import { urlQuery } from '../src/sources/js/libraries/pg.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../src/sources/js/types.js';
import { removePropertyEdit } from '../src/sources/js/edits.js';
import { LineIndex, type SourceRange } from '../src/core/location.js';

/** node-postgres pools and its drop-in forks, which all construct pg-pool with the options as given. */
const PG_POOL_LIBRARIES = new Set<JsLibrary>(['pg', 'neon-serverless', 'vercel-postgres', 'prisma-adapter-pg']);

/**
 * URL query parameters that size or time a pool in other libraries (Prisma's `connection_limit`,
 * `pool_timeout`; postgres.js reads `max` from the URL) but not in node-postgres:
 * pg-connection-string 2.14 copies every query parameter into the *connection* config
 * (index.js), each Client parses its own `connectionString` (pg 8.23 lib/connection-parameters.js),
 * while pg-pool 3.14 takes `max`/`min` only from the Pool options (index.js constructor).
 */
const POOL_URL_PARAMS: Record<string, 'max' | 'min' | 'connectionTimeoutMillis'> = {
  max: 'max',
  connection_limit: 'max',
  pool_size: 'max',
  poolSize: 'max',
  pool_max: 'max',
  min: 'min',
  pool_min: 'min',
  pool_timeout: 'connectionTimeoutMillis',
};

/**
 * Prisma 5/6 query-engine URL parameters that are not pool sizes (prisma.io/docs/orm/overview/databases/postgresql#arguments):
 * with node-postgres (a Prisma 7 driver adapter builds a pg.Pool) they reach each Client as unknown
 * settings, which pg 8 lib/connection-parameters.js neither reads nor sends.
 */
const PRISMA_ONLY_URL_PARAMS = new Set(['pgbouncer', 'statement_cache_size']);

/**
 * Options postgres.js takes from the URL query (postgres.js 3.4.9 src/index.js parseOptions: the keys
 * of `defaults`, plus sslmode → ssl and sslrootcert=system). Every other query parameter goes into
 * `connection`, which postgres.js sends in the startup packet:
 * `...Object.entries(query).reduce((acc, [k, v]) => (k in defaults || (acc[k] = v), acc), {})`.
 */
const POSTGRES_JS_URL_OPTIONS = new Set([
  'max', 'ssl', 'idle_timeout', 'connect_timeout', 'max_lifetime', 'max_pipeline', 'backoff', 'keep_alive', 'prepare', 'debug',
  'fetch_types', 'publications', 'target_session_attrs', 'sslmode', 'sslrootcert',
]);

/**
 * A startup parameter PostgreSQL accepts: a server setting of some major version, a custom
 * `prefix.name` placeholder, or a protocol key (backend_startup.c ProcessStartupPacket:
 * database, user, options, replication; anything else goes through SetConfigOption and an unknown
 * name ends the connection with "unrecognized configuration parameter": postinit.c process_startup_options →
 * SetConfigOption; PgBouncer refuses it too unless listed in ignore_startup_parameters).
 */
function serverAccepts(name: string): boolean {
  const n = name.toLowerCase();
  if (n.includes('.') || ['database', 'user', 'options', 'replication', 'application_name'].includes(n)) return true;
  return PG_MAJORS.some((m) => getPgSetting(n, m) !== undefined);
}

/**
 * Pool options tarn.js accepts (tarn 3.x lib/Pool.js rejects any other key with
 * "Tarn: unsupported option opt.<key>"), plus those knex 3.3 lib/client.js getPoolSettings()
 * takes out before handing the rest to tarn.
 */
const KNEX_POOL_OPTIONS = new Set([
  'min', 'max', 'acquireTimeoutMillis', 'createTimeoutMillis', 'destroyTimeoutMillis', 'idleTimeoutMillis',
  'reapIntervalMillis', 'createRetryIntervalMillis', 'propagateCreateError', 'log', 'create', 'destroy', 'validate',
  'afterCreate', 'maxConnectionLifetimeMillis', 'maxConnectionLifetimeJitterMillis',
]);
/** generic-pool names from knex < 0.14 and what tarn calls them. */
const KNEX_RENAMED: Record<string, string> = {
  acquireTimeout: 'acquireTimeoutMillis',
  idleTimeout: 'idleTimeoutMillis',
  softIdleTimeoutMillis: 'idleTimeoutMillis',
  evictionRunIntervalMillis: 'reapIntervalMillis',
  createTimeout: 'createTimeoutMillis',
};

/** Is `range` a property key written as a bare identifier, followed by `:`? */
function bareKeyAt(text: string, range: SourceRange): boolean {
  const index = new LineIndex(text);
  const start = index.offset(range.line, range.column);
  const end = index.offset(range.endLine, range.endColumn);
  if (start === undefined || end === undefined) return false;
  return /^[A-Za-z_$][\w$]*$/.test(text.slice(start, end)) && /^\s*:/.test(text.slice(end, end + 200));
}

function known(r: Resolved<unknown> | undefined): boolean {
  return r !== undefined && r.value !== undefined && (r.provenance.kind === 'literal' || r.provenance.kind === 'constant');
}

function option(def: PoolDefinition, name: string): PoolDefinition['options'][number] | undefined {
  for (let i = def.options.length - 1; i >= 0; i--) if (def.options[i]!.name === name) return def.options[i];
  return undefined;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

export default defineRule({
  meta: {
    id: 'ineffective-pool-option',
    description: 'Report a pool option that does nothing, or something other than what it says.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['js'],
    scope: 'file',
    fixable: true,
    hasSuggestions: true,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'The option does nothing in test code either, but no production pool depends on it.',
    },
    messages: {
      pgMaxZero:
        '{{name}}: 0 neither disables nor unlimits the pool: pg-pool reads 0 as "not set" (max || poolSize || 10), so this pool opens up to {{effective}} connections.',
      pgPoolSizeIgnored: 'poolSize: {{value}} never takes effect: pg-pool uses max ({{max}}) whenever it is set (max || poolSize || 10).',
      urlParam:
        'The connection string sets {{param}}={{value}}, which node-postgres ignores: URL parameters go to each connection, and pg-pool takes its pool settings only from the options object (this pool allows {{max}} connections).',
      prismaUrlParam:
        'The connection string sets {{param}}={{value}}, a Prisma 5/6 URL parameter that node-postgres ignores: it does nothing for {{construct}}.',
      envUrlParam:
        '{{envVar}} ({{file}}) sets {{settings}}, {{what}} nothing here: the URL reaches {{construct}} at {{where}} through node-postgres, which ignores {{them}}{{pool}}.',
      postgresJsStartup:
        '{{source}} has {{settings}}, which postgres.js does not know and sends to the server in the startup packet: PostgreSQL refuses {{them}} ("unrecognized configuration parameter "{{param}}""), so every connection of {{construct}}{{where}} fails.',
      helpPrismaParam: 'Remove {{params}} from the URL{{instead}}.',
      helpPostgresJs: 'Remove {{params}} from the URL given to postgres.js{{instead}}.',
      typeormPoolSize: 'poolSize: {{value}} never takes effect: TypeORM copies `extra` over its own pg options, so extra.max ({{extraMax}}) sets the pool size.',
      knexUnknown:
        'knex passes pool.{{name}} to tarn.js, which has no such option: knex() throws "Tarn: unsupported option opt.{{name}}" when it creates the pool.',
      minAboveMax:
        '{{minText}} is greater than {{maxText}}: {{library}} throws "{{error}}" when it creates the pool, so the application fails at startup.',
      helpMaxZero: 'Set {{name}} to the number of connections this process may hold (e.g. 10); for no pooling at all use a single pg.Client.',
      helpPoolSize: 'Remove poolSize (an undocumented alias of max) and keep max.',
      helpUrl: 'Move it into the Pool options (`{{option}}: {{optionValue}}`) and remove it from the URL.',
      helpTypeorm: 'Remove poolSize, or remove extra.max and keep poolSize ({{value}}).',
      helpKnexRenamed: 'Use pool.{{replacement}} (tarn.js) instead.',
      helpKnexUnknown: 'Remove pool.{{name}}; tarn.js accepts min, max, acquireTimeoutMillis, createTimeoutMillis, destroyTimeoutMillis, idleTimeoutMillis, reapIntervalMillis, createRetryIntervalMillis and propagateCreateError.',
      helpMinMax: 'Make pool.min at most pool.max (for example pool: { min: 0, max: {{max}} }).',
    },
    options: {},
  },
  check(ctx) {
    const hasPools = ctx.facts.js.some((f) => f.pools.length > 0);
    const model = hasPools ? ctx.model.connections : undefined;
    const urlReported = new Set<string>();
    for (const file of ctx.facts.js) {
      for (const def of file.pools) {
        const reports: ReportDescriptor[] = [];
        if (def.kind !== 'client') {
          if (PG_POOL_LIBRARIES.has(def.library)) checkPgPool(def, reports);
          if (def.library === 'typeorm') checkTypeorm(def, reports);
          if (def.library === 'knex') checkKnex(def, reports);
          if (def.library === 'knex' || def.library === 'sequelize') checkMinMax(def, reports);
        }
        if (model && PG_POOL_LIBRARIES.has(def.library)) checkEnvUrl(def, model, ctx.facts.root, urlReported, reports);
        if (model && def.library === 'postgres') checkPostgresJsUrl(def, model, ctx.facts.root, urlReported, reports);
        for (const r of reports) {
          // --fix: `max: 0` written in the construction is dropped — pg-pool reads 0 as unset, so
          // the pool behaves exactly as before, and the code no longer says otherwise.
          const max = r.messageId === 'pgMaxZero' && r.data?.name === 'max' && PG_POOL_LIBRARIES.has(def.library) ? option(def, 'max') : undefined;
          const edits = max && max.range.file === def.file && max.value.provenance.kind === 'literal' ? removePropertyEdit(max.range, ctx.facts.sources.get(def.file)?.text) : undefined;
          const text = ctx.facts.sources.get(def.file)?.text;
          // A rename is offered only where the key is written bare (`acquireTimeout: 5000`), not quoted or computed.
          const suggest = r.suggest?.filter((sg) => text !== undefined && sg.fix.every((e) => e.range.file === def.file && bareKeyAt(text, e.range)));
          const { suggest: _offered, ...rest } = r;
          ctx.report({ ...rest, ...(edits ? { fix: edits } : {}), ...(suggest && suggest.length > 0 ? { suggest } : {}) });
        }
      }
    }
  },
});

/** node-postgres: pg-pool 3.14 index.js `this.options.max = this.options.max || this.options.poolSize || 10`. */
function checkPgPool(def: PoolDefinition, out: ReportDescriptor[], names = { max: 'max', poolSize: 'poolSize' }): void {
  const max = option(def, names.max);
  const poolSize = option(def, names.poolSize);
  if (max && known(max.value) && max.value.value === 0) {
    const effective = poolSize && known(poolSize.value) && Number(poolSize.value.value) > 0 ? Number(poolSize.value.value) : 10;
    out.push({ messageId: 'pgMaxZero', helpId: 'helpMaxZero', data: { name: names.max, effective }, range: max.range });
  } else if (max && poolSize && (!known(max.value) || Number(max.value.value) > 0)) {
    out.push({ messageId: 'pgPoolSizeIgnored', helpId: 'helpPoolSize', data: { value: show(poolSize.value.value ?? '…'), max: known(max.value) ? show(max.value.value) : 'set' }, range: poolSize.range });
  }
  checkUrl(def, out);
}

function checkUrl(def: PoolDefinition, out: ReportDescriptor[]): void {
  const cs = def.connectionString;
  const params = urlQuery(cs);
  if (!cs || cs.range === undefined || params === undefined) return;
  for (const [param, value] of params) {
    if (PRISMA_ONLY_URL_PARAMS.has(param)) {
      out.push({ messageId: 'prismaUrlParam', helpId: 'helpPrismaParam', data: { param, params: param, value, construct: def.construct, instead: prismaParamInstead(param, value) }, range: cs.range });
      continue;
    }
    const target = POOL_URL_PARAMS[param];
    if (target === undefined) continue;
    // Prisma's pool_timeout is in seconds.
    const optionValue = target === 'connectionTimeoutMillis' && /^\d+$/.test(value) ? String(Number(value) * 1000) : value;
    out.push({
      messageId: 'urlParam',
      helpId: 'helpUrl',
      data: { param, value, max: def.max.value ?? 'its default number of', option: target, optionValue },
      range: cs.range,
    });
  }
}

/** TypeORM 0.3.x PostgresDriver.createPool(): `Object.assign({}, { …, max: options.poolSize }, options.extra)`. */
function checkTypeorm(def: PoolDefinition, out: ReportDescriptor[]): void {
  const poolSize = option(def, 'poolSize');
  const extraMax = option(def, 'extra.max');
  if (poolSize && extraMax) {
    out.push({
      messageId: 'typeormPoolSize',
      helpId: 'helpTypeorm',
      data: { value: show(poolSize.value.value ?? '…'), extraMax: show(extraMax.value.value ?? '…') },
      range: poolSize.range,
    });
  } else if (poolSize && known(poolSize.value) && poolSize.value.value === 0) {
    out.push({ messageId: 'pgMaxZero', helpId: 'helpMaxZero', data: { name: 'poolSize', effective: 10 }, range: poolSize.range });
  } else if (extraMax) {
    checkPgPool(def, out, { max: 'extra.max', poolSize: 'extra.poolSize' });
    return;
  }
  checkUrl(def, out);
}

function checkKnex(def: PoolDefinition, out: ReportDescriptor[]): void {
  for (const o of def.options) {
    const m = /^pool\.([^.]+)$/.exec(o.name);
    if (!m || KNEX_POOL_OPTIONS.has(m[1]!)) continue;
    const name = m[1]!;
    const replacement = KNEX_RENAMED[name];
    out.push({
      messageId: 'knexUnknown',
      helpId: replacement ? 'helpKnexRenamed' : 'helpKnexUnknown',
      data: replacement ? { name, replacement } : { name },
      range: o.range,
      // The editor offers the rename (a judgement: the value may need another unit or meaning).
      ...(replacement ? { suggest: [{ desc: `Rename pool.${name} to pool.${replacement}`, fix: [{ range: { ...o.range, endLine: o.range.line, endColumn: o.range.column + name.length }, text: replacement }] }] } : {}),
    });
  }
}

/**
 * min above max fails at startup:
 * - knex 3.3 poolDefaults() { min: 2, max: 10 }, and tarn.js lib/Pool.js throws "Tarn: opt.max is smaller than opt.min";
 * - Sequelize 6.37 connection-manager.js pool defaults { max: 5, min: 0 }, and sequelize-pool src/Pool.ts throws "max is smaller than min".
 */
function checkMinMax(def: PoolDefinition, out: ReportDescriptor[]): void {
  const min = def.min;
  const max = def.max;
  if (!min || min.value === undefined || max.value === undefined) return;
  const settled = (r: Resolved<number>) => r.provenance.kind === 'literal' || r.provenance.kind === 'constant' || r.provenance.kind === 'default';
  if (!settled(min) || !settled(max) || min.value <= max.value) return;
  // Nothing written: the defaults are consistent; this needs at least one of them in code.
  const minWritten = min.provenance.kind !== 'default';
  const maxWritten = max.provenance.kind !== 'default';
  if (!minWritten && !maxWritten) return;
  const range = minWritten && min.range ? min.range : max.range;
  if (!range) return;
  const knex = def.library === 'knex';
  out.push({
    messageId: 'minAboveMax',
    helpId: 'helpMinMax',
    data: {
      minText: minWritten ? `pool.min ${min.value}` : `The default pool.min ${min.value}`,
      maxText: maxWritten ? `pool.max ${max.value}` : `the default pool.max ${max.value}`,
      library: knex ? 'tarn.js (knex)' : 'sequelize-pool',
      error: knex ? 'Tarn: opt.max is smaller than opt.min' : 'max is smaller than min',
      max: max.value,
    },
    range,
  });
}

/** What to do instead of a Prisma URL parameter with node-postgres (help line). */
function prismaParamInstead(param: string, value: string): string {
  switch (param) {
    case 'connection_limit':
      return ` and set \`max: ${value}\` in the pool options (for a Prisma 7 driver adapter: \`new PrismaPg({ connectionString, max: ${value} })\`)`;
    case 'pool_timeout':
      return /^\d+$/.test(value) ? ` and set \`connectionTimeoutMillis: ${Number(value) * 1000}\` in the pool options` : ' and set connectionTimeoutMillis in the pool options';
    case 'pgbouncer':
      return ': node-postgres sends unnamed statements unless a query is given a `name`, so it needs no such flag behind PgBouncer';
    case 'statement_cache_size':
      return ': node-postgres prepares only queries given a `name`';
    default:
      return ' and set the pool size in the pool options';
  }
}

function rel(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** The same value also configures a Prisma 5/6 query-engine pool, where its parameters work: not ineffective. */
function servesPrismaEngine(c: ResolvedConnection, model: ConnectionModel): boolean {
  const engines = new Set(model.prisma.filter((p) => p.generation === 'query-engine').map((p) => p.id));
  return model.strings.some(
    (o) =>
      o.range.file === c.range.file && o.range.line === c.range.line && o.range.column === c.range.column &&
      ((o.origin.prismaId !== undefined && engines.has(o.origin.prismaId)) || (o.origin.poolId !== undefined && engines.has(o.origin.poolId))),
  );
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The help for several Prisma parameters at once: remove them, and where node-postgres has an equivalent, set it. */
function prismaParamsInstead(params: Array<[string, string]>): string {
  if (params.length === 1) return prismaParamInstead(params[0]![0], params[0]![1]);
  const opts: string[] = [];
  for (const [param, value] of params) {
    if (param === 'connection_limit') opts.push(`max: ${value}`);
    if (param === 'pool_timeout' && /^\d+$/.test(value)) opts.push(`connectionTimeoutMillis: ${Number(value) * 1000}`);
  }
  return opts.length ? ` and set \`${opts.join(', ')}\` in the pool options (for a Prisma 7 driver adapter: \`new PrismaPg({ connectionString, ${opts.join(', ')} })\`)` : '';
}

/**
 * A URL that reaches a node-postgres pool (pg, neon, @vercel/postgres, a Prisma 7 PrismaPg adapter)
 * through process.env, resolved in the .env files: Prisma's parameters in it do nothing there.
 * Literal URLs are checkUrl's. One finding per URL, naming every such parameter.
 */
function checkEnvUrl(def: PoolDefinition, model: ConnectionModel, root: string, done: Set<string>, out: ReportDescriptor[]): void {
  if (def.kind === 'client' || def.connectionString?.provenance.kind !== 'env') return;
  for (const c of model.strings) {
    if (c.origin.poolId !== def.id || c.envFile === undefined || c.parsed.scheme !== 'url' || servesPrismaEngine(c, model)) continue;
    const found = [...c.parsed.params].filter(([param]) => PRISMA_ONLY_URL_PARAMS.has(param) || param === 'connection_limit' || param === 'pool_timeout');
    const key = `${c.range.file}:${c.range.line}:${c.range.column}`;
    if (found.length === 0 || done.has(key)) continue;
    done.add(key);
    const pool = found.some(([p]) => p === 'connection_limit') ? ` (this pool allows ${def.max.value ?? 'its default number of'} connections)` : '';
    out.push({
      messageId: 'envUrlParam',
      helpId: 'helpPrismaParam',
      data: {
        envVar: c.envVar ?? 'The variable',
        file: basename(c.envFile),
        settings: list(found.map(([p, v]) => `${p}=${v}`)),
        params: list(found.map(([p]) => p)),
        what: found.length === 1 ? 'a Prisma 5/6 URL parameter that does' : 'Prisma 5/6 URL parameters that do',
        construct: def.construct,
        where: `${rel(root, def.file)}:${def.range.line}`,
        pool,
        them: found.length === 1 ? 'it' : 'them',
        instead: prismaParamsInstead(found),
      },
      range: c.range,
    });
  }
}

/** postgres.js forwards unknown URL parameters as startup parameters; PostgreSQL (and PgBouncer) refuse unknown ones. */
function checkPostgresJsUrl(def: PoolDefinition, model: ConnectionModel, root: string, done: Set<string>, out: ReportDescriptor[]): void {
  for (const c of model.strings) {
    if (c.origin.poolId !== def.id || c.parsed.scheme !== 'url') continue;
    const found = [...c.parsed.params].filter(([param]) => !POSTGRES_JS_URL_OPTIONS.has(param) && !serverAccepts(param));
    const key = `${c.range.file}:${c.range.line}:${c.range.column}`;
    if (found.length === 0 || done.has(key)) continue;
    done.add(key);
    const first = found[0]![0];
    const schema = found.find(([p]) => p === 'schema');
    const prismaOnly = found.some(([p]) => PRISMA_ONLY_URL_PARAMS.has(p) || p === 'connection_limit' || p === 'pool_timeout');
    const notes: string[] = [];
    if (schema) notes.push(`set the search path with \`connection: { search_path: '${schema[1].replace(/'/g, '')}' }\` instead`);
    if (prismaOnly) notes.push('Prisma URL parameters: give postgres.js its own URL, or strip them before passing it');
    out.push({
      messageId: 'postgresJsStartup',
      helpId: 'helpPostgresJs',
      data: {
        source: c.envVar && c.envFile ? `${c.envVar} (${basename(c.envFile)})` : 'The connection string',
        settings: list(found.map(([p, v]) => `${p}=${v}`)),
        params: list(found.map(([p]) => p)),
        them: found.length === 1 ? 'it' : 'them',
        param: first,
        construct: def.construct,
        where: c.range.file === def.file ? '' : ` at ${rel(root, def.file)}:${def.range.line}`,
        instead: notes.length ? ` (${notes.join('; ')})` : '',
      },
      range: c.range,
    });
  }
}
