import type { PgConfEntry, PgConfig } from '../sources/postgresql-conf/types.js';
import type { IniEntry, PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import { getPgSetting, parsePgMajor, LATEST_PG_MAJOR, type PgMajor, type PgSettingDef } from '../catalog/postgresql/catalog.js';
import { parsePgSettingValue } from '../catalog/postgresql/values.js';
import { getPgbouncerSetting, type PgbouncerSettingDef } from '../catalog/pgbouncer/catalog.js';
import { parsePgbouncerValue } from '../catalog/pgbouncer/catalog.js';

/** A PostgreSQL parameter as the server will see it: the effective line, or the built-in default. */
export interface ResolvedPgSetting {
  name: string;
  def: PgSettingDef | undefined;
  /** The line that takes effect; undefined when the built-in default applies. */
  entry: PgConfEntry | undefined;
  /** Value in the parameter's base unit (pg_settings.unit); undefined when invalid or unknown. */
  value: number | string | boolean | undefined;
}

export function pgMajorOf(major: number): PgMajor {
  return parsePgMajor(major) ?? LATEST_PG_MAJOR;
}

export function resolvePgSetting(cfg: PgConfig, name: string, major: number): ResolvedPgSetting {
  const def = getPgSetting(name, pgMajorOf(major));
  const entry = cfg.effective.get(name.toLowerCase());
  if (!def) return { name, def, entry, value: undefined };
  const parsed = parsePgSettingValue(def, entry ? entry.value : def.bootValue);
  return { name, def, entry, value: parsed.ok ? parsed.value : undefined };
}

export function numericPgSetting(cfg: PgConfig, name: string, major: number): (ResolvedPgSetting & { value: number }) | undefined {
  const r = resolvePgSetting(cfg, name, major);
  return typeof r.value === 'number' ? (r as ResolvedPgSetting & { value: number }) : undefined;
}

/**
 * Is this a whole server configuration (as opposed to a fragment such as a
 * conf.d override or a sample with everything commented out)? Rules that judge
 * what a config leaves unset only speak about whole ones.
 */
export function isServerConfig(cfg: PgConfig): boolean {
  if (/(^|[\\/])postgresql\.conf$/.test(cfg.mainFile) && cfg.entries.length > 0) return true;
  return ['max_connections', 'shared_buffers', 'listen_addresses', 'port'].some((k) => cfg.effective.has(k));
}

/** A [pgbouncer] setting as PgBouncer will use it. */
export interface ResolvedBouncerSetting {
  name: string;
  def: PgbouncerSettingDef | undefined;
  entry: IniEntry | undefined;
  value: number | string | boolean | undefined;
  /** The raw text of the value in effect (file or default). */
  text: string | undefined;
}

export function resolveBouncerSetting(cfg: PgbouncerConfig, name: string, version: string): ResolvedBouncerSetting {
  const def = getPgbouncerSetting(name, version);
  const entry = cfg.effective.get(name);
  const text = entry ? entry.value : def?.default;
  if (!def || text === undefined) return { name, def, entry, value: undefined, text };
  const parsed = parsePgbouncerValue(def, text);
  return { name, def, entry, value: parsed.ok ? parsed.value : undefined, text };
}
