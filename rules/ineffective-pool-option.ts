import { defineRule, type ReportDescriptor } from '../src/engine/rule.js';
import { urlQuery } from '../src/sources/js/libraries/pg.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../src/sources/js/types.js';

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
    fixable: false,
    since: '0.2.0',
    messages: {
      pgMaxZero:
        '{{name}}: 0 neither disables nor unlimits the pool: pg-pool reads 0 as "not set" (max || poolSize || 10), so this pool opens up to {{effective}} connections.',
      pgPoolSizeIgnored: 'poolSize: {{value}} never takes effect: pg-pool uses max ({{max}}) whenever it is set (max || poolSize || 10).',
      urlParam:
        'The connection string sets {{param}}={{value}}, which node-postgres ignores: URL parameters go to each connection, and pg-pool takes its pool settings only from the options object (this pool allows {{max}} connections).',
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
    for (const file of ctx.facts.js) {
      for (const def of file.pools) {
        const reports: ReportDescriptor[] = [];
        if (def.kind !== 'client') {
          if (PG_POOL_LIBRARIES.has(def.library)) checkPgPool(def, reports);
          if (def.library === 'typeorm') checkTypeorm(def, reports);
          if (def.library === 'knex') checkKnex(def, reports);
          if (def.library === 'knex' || def.library === 'sequelize') checkMinMax(def, reports);
        }
        for (const r of reports) ctx.report(r);
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
