/**
 * Values read from a running server compared with the repository's: pg_settings gives a setting in
 * its base unit (`setting` + `unit`), the parameter model gives the repository's in the same base
 * unit (src/model/parameters.ts ResolvedPgSetting.value), so numbers compare directly.
 */
import { getPgbouncerSetting, parsePgbouncerValue } from '../catalog/pgbouncer/catalog.js';
import type { LiveSetting } from './types.js';

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1024, '8kB': 8192, MB: 1024 * 1024 };

/** "16MB (2048 × 8kB)", "60000ms", "on", "100". */
export function liveValueText(s: Pick<LiveSetting, 'setting' | 'unit'>): string {
  return valueText(s.setting, s.unit);
}

export function valueText(value: string | number | boolean, unit: string | null | undefined): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  const n = Number(value);
  if (unit && UNIT_BYTES[unit] !== undefined && Number.isFinite(n)) {
    const bytes = n * UNIT_BYTES[unit]!;
    return unit === '8kB' ? `${bytesText(bytes)} (${n} × 8kB)` : bytesText(bytes);
  }
  if (unit && Number.isFinite(n)) return `${n}${unit}`;
  return String(value);
}

function bytesText(b: number): string {
  for (const [u, f] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024]] as const) if (b >= f && b % f === 0) return `${b / f}${u}`;
  return `${b}B`;
}

/** The running value equals the repository's (numbers in the base unit, booleans, names case-insensitively). */
export function sameValue(live: LiveSetting, repo: string | number | boolean): boolean {
  if (typeof repo === 'number') {
    const n = Number(live.setting);
    return Number.isFinite(n) && Math.abs(n - repo) <= 1e-9 * Math.max(1, Math.abs(repo));
  }
  if (typeof repo === 'boolean') return (live.setting === 'on') === repo;
  return live.setting.trim().toLowerCase() === repo.trim().toLowerCase();
}

/** A PgBouncer SHOW CONFIG value and a pgbouncer.ini value, both read by PgBouncer's own setter for the key. */
export function samePgbouncerValue(name: string, version: string, live: string, repo: string): boolean {
  const def = getPgbouncerSetting(name, version);
  if (!def) return live.trim() === repo.trim();
  const a = parsePgbouncerValue(def, live);
  const b = parsePgbouncerValue(def, repo);
  if (a.ok && b.ok) return typeof a.value === 'string' && typeof b.value === 'string' ? a.value.toLowerCase() === b.value.toLowerCase() : a.value === b.value;
  return live.trim() === repo.trim();
}
