import { trace } from '../module.js';
import { asString, numberOption, readOptions } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { dialectIsPostgres } from './sequelize.js';

/**
 * MikroORM's pool is the driver's: v6 (@mikro-orm/knex 6.6, packages/knex/src/AbstractSqlConnection.ts
 * passes `pool: config.get('pool')` to knex: min 2, max 10, acquire 60000, tarn idle 30000);
 * v7 (@mikro-orm/postgresql 7.1, packages/postgresql/src/PostgreSqlConnection.ts mapOptions(): pool.max and
 * pool.idleTimeoutMillis go to pg.Pool: max 10, min 0, idle 10000, no acquire timeout). Both default
 * `pool: {}` (packages/core/src/utils/Configuration.ts). Only max agrees across versions.
 */
const NOTE = {
  max: 'MikroORM 6 (knex) and 7 (pg-pool) both default the pool to max 10',
  min: 'MikroORM 6: min 2 (knex); MikroORM 7: min 0 (pg-pool)',
  idle: 'MikroORM 6: 30000 (tarn.js); MikroORM 7: 10000 (pg-pool)',
  acquire: 'MikroORM 6: 60000 (knex); MikroORM 7: none, waits forever (pg-pool)',
};

export function readMikroOrm(site: Site): PoolDefinition | undefined {
  const { module } = site;
  const bag = readOptions(site.args[0], module);
  const urlL = bag.lookup('clientUrl');
  const url: Resolved<string> | undefined = urlL.state === 'set' ? asString(urlL.entry.value) : undefined;
  let isPg: boolean | undefined = site.specifier === '@mikro-orm/postgresql' ? true : undefined;
  const driver = bag.lookup('driver');
  if (isPg === undefined && driver.state === 'set') {
    const t = trace(driver.entry.node, driver.entry.module, [], 'object');
    if (t?.kind === 'external') isPg = t.specifier === '@mikro-orm/postgresql';
  }
  if (isPg === undefined) {
    const type = bag.lookup('type');
    isPg = dialectIsPostgres(type.state === 'set' ? type.entry.value : undefined, url, ['postgresql', 'postgres']);
  }
  if (isPg === false) return undefined;
  if (isPg === undefined && !site.project.usesPostgresDriver(module.file)) return undefined;

  const def = baseDefinition(site, 'mikro-orm', 'orm', numberOption(bag, 'pool.max', { value: 10, note: NOTE.max })!);
  def.min = numberOption(bag, 'pool.min', { value: undefined, note: NOTE.min })!;
  def.idleTimeoutMs = numberOption(bag, 'pool.idleTimeoutMillis', { value: undefined, note: NOTE.idle })!;
  def.acquireTimeoutMs = numberOption(bag, 'pool.acquireTimeoutMillis', { value: undefined, note: NOTE.acquire })!;
  if (url !== undefined) def.connectionString = url;
  recordOptions(def, bag);
  return def;
}
