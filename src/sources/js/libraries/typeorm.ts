import ts from '../typescript.cjs';
import type { JsModule } from '../module.js';
import { trace } from '../module.js';
import { asNumber, asString, numberOption, OptionBag, readOptions } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { returnExpressions, staticPropertyName } from '../walk.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { PG_DEFAULTS, PG_STARTUP_OPTIONS, pgMax, startupFrom, startupFromUrl } from './pg.js';
import { dialectIsPostgres } from './sequelize.js';

/**
 * TypeORM's PostgresDriver.createPool() (typeorm src/driver/postgres/PostgresDriver.ts @ 0093a78) builds
 * pg.Pool options `{ connectionString: url, …, connectionTimeoutMillis: connectTimeoutMS,
 * application_name: applicationName, max: poolSize }` and then `Object.assign`s `extra` over them,
 * so `extra.max` beats `poolSize`; everything else is node-postgres' defaults. With `replication`,
 * connect() creates one pool per slave plus one for the master, each with the same options.
 */
const NOTE_MAX = 'TypeORM passes poolSize (or extra.max) to pg.Pool; pg-pool 3.14 index.js: max defaults to 10';

/** The options object of `TypeOrmModule.forRootAsync({ useFactory | useClass })`. */
function asyncOptions(arg: ts.Expression | undefined, module: JsModule): ts.Expression | undefined {
  if (arg === undefined) return undefined;
  const bag = readOptions(arg, module);
  const factory = bag.lookup('useFactory');
  if (factory.state === 'set') return factory.entry.node;
  const cls = bag.lookup('useClass');
  if (cls.state === 'set') {
    const t = trace(cls.entry.node, cls.entry.module, [], 'object');
    if (t?.kind === 'node' && ts.isClassDeclaration(t.node)) {
      for (const m of t.node.members) {
        if (ts.isMethodDeclaration(m) && staticPropertyName(m.name) === 'createTypeOrmOptions') return returnExpressions(m)[0];
      }
    }
  }
  return undefined;
}

/**
 * `forRootAsync({ …, dataSourceFactory: async (options) => new DataSource(options).initialize() })`:
 * dataSourceFactory "receives the TypeORM DataSourceOptions configured using useFactory, useClass, or
 * useExisting and returns a Promise that resolves a TypeORM DataSource" (https://docs.nestjs.com/techniques/database,
 * "Async configuration"): the DataSource it creates is the module's one pool, already read at the
 * forRootAsync call, not a second pool.
 */
function isForRootAsyncDataSource(site: Site): boolean {
  const a0 = site.args[0];
  if (a0 === undefined || !ts.isIdentifier(a0)) return false;
  const d = site.module.lookup(a0);
  if (d?.kind !== 'param' || d.element !== undefined) return false;
  const fn = d.node.parent;
  if (fn.parameters[0] !== d.node) return false;
  const prop = fn.parent;
  if (!(ts.isPropertyAssignment(prop) && prop.initializer === fn) && !ts.isMethodDeclaration(fn)) return false;
  const named = ts.isMethodDeclaration(fn) ? fn : prop;
  if (!ts.isPropertyAssignment(named) && !ts.isMethodDeclaration(named)) return false;
  if (staticPropertyName(named.name) !== 'dataSourceFactory') return false;
  const obj = named.parent;
  const call = ts.isObjectLiteralExpression(obj) ? obj.parent : undefined;
  if (call === undefined || !ts.isCallExpression(call) || call.arguments[0] !== obj) return false;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'forRootAsync';
}

export function readTypeorm(site: Site, form: 'DataSource' | 'forRoot' | 'forRootAsync'): PoolDefinition | undefined {
  const { module } = site;
  if (form === 'DataSource' && isForRootAsyncDataSource(site)) return undefined;
  const optionsExpr = form === 'forRootAsync' ? asyncOptions(site.args[0], module) : site.args[0];
  const bag = optionsExpr ? readOptions(optionsExpr, module) : new OptionBag();
  if (form === 'forRootAsync' && optionsExpr === undefined) bag.opaque.push({ prefix: '', reason: 'forRootAsync options are not statically known' });
  const typeL = bag.lookup('type');
  const urlL = bag.lookup('url');
  const url: Resolved<string> | undefined = urlL.state === 'set' ? asString(urlL.entry.value) : undefined;
  const isPg = dialectIsPostgres(typeL.state === 'set' ? typeL.entry.value : undefined, url, ['postgres']);
  if (isPg === false) return undefined;
  if (isPg === undefined && !site.project.usesPostgresDriver(module.file)) return undefined;

  const extra = bag.sub('extra');
  let max: Resolved<number>;
  if (extra.has('max')) max = pgMax(extra);
  else {
    const ps = bag.lookup('poolSize');
    if (ps.state === 'set') {
      const n = asNumber(ps.entry.value);
      max = n.value === 0 ? { value: PG_DEFAULTS.max.value, provenance: { kind: 'default', note: PG_DEFAULTS.maxZero }, range: ps.entry.range } : n;
    } else max = numberOption(bag, 'poolSize', { value: PG_DEFAULTS.max.value, note: NOTE_MAX })!;
  }
  const def = baseDefinition(site, 'typeorm', 'orm', max);
  def.min = numberOption(bag, 'extra.min', PG_DEFAULTS.min)!;
  def.idleTimeoutMs = numberOption(bag, 'extra.idleTimeoutMillis', PG_DEFAULTS.idle)!;
  def.acquireTimeoutMs = numberOption(bag, ['extra.connectionTimeoutMillis', 'connectTimeoutMS'], PG_DEFAULTS.acquire)!;
  def.connectTimeoutMs = numberOption(bag, ['extra.connectionTimeoutMillis', 'connectTimeoutMS'], PG_DEFAULTS.connect)!;
  if (url !== undefined) def.connectionString = url;
  const app = bag.lookup('applicationName');
  if (app.state === 'set') {
    const v = app.entry.value;
    def.startupParameters.push({ name: 'application_name', value: (typeof v.value === 'number' || typeof v.value === 'string' || v.value === undefined ? v : { ...v, value: String(v.value) }) as Resolved<string | number>, range: app.entry.range });
  }
  def.startupParameters.push(...startupFrom(bag, PG_STARTUP_OPTIONS, 'extra'), ...startupFromUrl(url, PG_STARTUP_OPTIONS));
  const rep = bag.lookup('replication');
  if (rep.state === 'set') {
    const slaves = bag.arrays.get('replication.slaves');
    const n = slaves?.elements.length;
    def.connectionsPerProcess = {
      value: n !== undefined && max.value !== undefined ? (n + 1) * max.value : undefined,
      explanation: `replication: one pool of max ${max.value ?? '?'} for the master plus one per slave (${n ?? 'unknown number of'} slave${n === 1 ? '' : 's'})`,
    };
  }
  recordOptions(def, bag);
  return def;
}
