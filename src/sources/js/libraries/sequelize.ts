import ts from '../typescript.cjs';
import { asString, numberOption, objectLiteralOf, OptionBag, readOptions } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { resolveValue } from '../values.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { startupFrom } from './pg.js';

/**
 * Sequelize v6 defaults: src/dialects/abstract/connection-manager.js
 * (`config.pool = _.defaults(config.pool || {}, { max: 5, min: 0, idle: 10000, acquire: 60000, evict: 1000 })`).
 */
export const SEQUELIZE_DEFAULTS = {
  max: { value: 5, note: 'sequelize v6 src/dialects/abstract/connection-manager.js: pool.max defaults to 5' },
  min: { value: 0, note: 'sequelize v6 src/dialects/abstract/connection-manager.js: pool.min defaults to 0' },
  idle: { value: 10000, note: 'sequelize v6 src/dialects/abstract/connection-manager.js: pool.idle defaults to 10000' },
  acquire: { value: 60000, note: 'sequelize v6 src/dialects/abstract/connection-manager.js: pool.acquire defaults to 60000' },
} as const;

/** dialectOptions that the postgres connection manager hands to pg.Client (sequelize src/dialects/postgres/connection-manager.js connect()). */
const SEQUELIZE_STARTUP = ['application_name', 'statement_timeout', 'idle_in_transaction_session_timeout', 'options'];

function schemeOf(url: Resolved<string> | undefined): string | undefined {
  if (url === undefined || typeof url.value !== 'string') return undefined;
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.value);
  return m?.[1]?.toLowerCase();
}

/** Is this a PostgreSQL Sequelize/TypeORM/knex/MikroORM? `true`, `false`, or `undefined` when the code does not say. */
export function dialectIsPostgres(dialect: Resolved<unknown> | undefined, url: Resolved<string> | undefined, postgresNames: readonly string[]): boolean | undefined {
  if (dialect !== undefined && typeof dialect.value === 'string') return postgresNames.includes(dialect.value.toLowerCase());
  const scheme = schemeOf(url);
  if (scheme !== undefined) return scheme === 'postgres' || scheme === 'postgresql';
  return undefined;
}

/** `new Sequelize(url)`, `new Sequelize(url, options)`, `new Sequelize(options)`, `new Sequelize(database, username, password, options)`. */
export function readSequelize(site: Site): PoolDefinition | undefined {
  const { args, module } = site;
  let url: Resolved<string> | undefined;
  let optionsExpr: ts.Expression | undefined;
  const a0 = args[0];
  if (a0 !== undefined && !('reason' in objectLiteralOf(a0, module))) optionsExpr = a0;
  else if (args.length >= 3) optionsExpr = args[3];
  else if (args.length === 2) {
    // new Sequelize(url, options): options read even when they or the URL are not statically known
    optionsExpr = args[1]!;
    url = asString(resolveValue(a0!, module));
  } else if (a0 !== undefined) url = asString(resolveValue(a0, module));
  const bag = optionsExpr ? readOptions(optionsExpr, module) : new OptionBag();
  if (url === undefined && bag.has('url')) {
    const u = bag.lookup('url');
    if (u.state === 'set') url = asString(u.entry.value);
  }
  const dialectLookup = bag.lookup('dialect');
  let dialect: Resolved<unknown> | undefined = dialectLookup.state === 'set' ? dialectLookup.entry.value : undefined;
  // @sequelize/core 7: dialect: PostgresDialect (a class from @sequelize/postgres)
  if (dialectLookup.state === 'set' && ts.isIdentifier(dialectLookup.entry.node) && dialectLookup.entry.node.text === 'PostgresDialect') dialect = { value: 'postgres', provenance: { kind: 'literal' } };
  const isPg = dialectIsPostgres(dialect, url, ['postgres', 'postgresql']);
  if (isPg === false) return undefined;
  // dialect from the environment: only when the package depends on a PostgreSQL driver (no false alarms on MySQL apps)
  if (isPg === undefined && !site.project.usesPostgresDriver(module.file)) return undefined;

  const max = numberOption(bag, 'pool.max', SEQUELIZE_DEFAULTS.max)!;
  const def = baseDefinition(site, 'sequelize', 'orm', max);
  def.min = numberOption(bag, 'pool.min', SEQUELIZE_DEFAULTS.min)!;
  def.idleTimeoutMs = numberOption(bag, 'pool.idle', SEQUELIZE_DEFAULTS.idle)!;
  def.acquireTimeoutMs = numberOption(bag, 'pool.acquire', SEQUELIZE_DEFAULTS.acquire)!;
  if (url !== undefined) def.connectionString = url;
  def.startupParameters.push(...startupFrom(bag, SEQUELIZE_STARTUP, 'dialectOptions'));
  // replication: a read pool and a write pool, each of pool.max
  // (sequelize v6 connection-manager.js initPools(): `read: new Pool({ max: config.pool.max … })`, `write: new Pool({ max … })`)
  const rep = bag.lookup('replication');
  if (rep.state === 'set' && rep.entry.value.value !== false) {
    const reads = bag.arrays.get('replication.read');
    const readCount = reads ? reads.elements.length : bag.objects.has('replication.read') ? 1 : undefined;
    def.connectionsPerProcess = {
      value: max.value !== undefined ? 2 * max.value : undefined,
      explanation: `replication: a read pool of max ${max.value ?? '?'} shared by ${readCount ?? 'the'} read replica${readCount === 1 ? '' : 's'}, plus a write pool of max ${max.value ?? '?'}`,
    };
  }
  recordOptions(def, bag);
  // new Sequelize(database, username, password, options): the password is an option like any other,
  // so `--print-model` and the source frames know where it is written (and mask it).
  const a2 = args[2];
  if (a2 !== undefined && optionsExpr !== a0) def.options.push({ name: 'password', value: resolveValue(a2, module), range: module.rangeOf(a2) });
  return def;
}
