/**
 * Derived facts of a PostgreSQL reading that more than one consumer needs (the `live-*` rules and
 * `budget --live`): the connections in use against the limit, and who holds them.
 */
import type { LiveSetting, PostgresReading } from './types.js';

export interface LiveUsage {
  /** Client connections, the check's own excluded. */
  used: number;
  maxConnections: number | undefined;
  superuserReserved: number;
  /** reserved_connections (PostgreSQL 16+; 0 before). */
  reserved: number;
  /** max_connections − superuser_reserved_connections − reserved_connections: what non-superusers may hold. */
  available: number | undefined;
  /** "max_connections 100 − superuser_reserved_connections 3 − reserved_connections 0". */
  formula: string;
  /** Sessions whose state this role could not see (counted in `used`). */
  hidden: number;
}

export function setting(r: PostgresReading, name: string): LiveSetting | undefined {
  return r.settings.find((s) => s.name === name);
}

function intSetting(r: PostgresReading, name: string): number | undefined {
  const s = setting(r, name);
  const n = s ? Number(s.setting) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

/**
 * The guide's count: client backends against max_connections minus the slots reserved for
 * superusers and (16+) for pg_use_reserved_connections (PostgreSQL src/backend/utils/init/postinit.c
 * InitPostgres: non-superusers are refused once fewer than superuser_reserved_connections +
 * reserved_connections slots are free).
 */
export function liveUsage(r: PostgresReading): LiveUsage {
  const max = intSetting(r, 'max_connections');
  const su = intSetting(r, 'superuser_reserved_connections') ?? 0;
  const res = intSetting(r, 'reserved_connections') ?? 0;
  const formula = `max_connections ${max ?? '?'} − superuser_reserved_connections ${su}${setting(r, 'reserved_connections') ? ` − reserved_connections ${res}` : ''}`;
  return {
    used: r.sessions.length,
    maxConnections: max,
    superuserReserved: su,
    reserved: res,
    available: max !== undefined ? max - su - res : undefined,
    formula,
    hidden: r.hiddenSessions,
  };
}

export interface Holder {
  user: string;
  application: string;
  client: string;
  count: number;
}

/** Sessions grouped by user, application and client address, most first. */
export function topHolders(r: PostgresReading, n = 5): Holder[] {
  const m = new Map<string, Holder>();
  for (const s of r.sessions) {
    const h = { user: s.user ?? '?', application: s.applicationName || '(none)', client: s.clientAddr ?? (s.backendType === null ? '?' : 'local socket'), count: 0 };
    const key = `${h.user}\0${h.application}\0${h.client}`;
    const x = m.get(key) ?? h;
    x.count++;
    m.set(key, x);
  }
  return [...m.values()].sort((a, b) => b.count - a.count || a.user.localeCompare(b.user) || a.application.localeCompare(b.application) || a.client.localeCompare(b.client)).slice(0, n);
}

export function holderText(h: Holder): string {
  return `${h.count} × user ${h.user}, application ${h.application}, client ${h.client}`;
}

/** 12.4 → "12 s", 754 → "12 min 34 s", 7300 → "2 h 1 min". */
export function durationText(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** "12 %" with no decimals. */
export function percent(part: number, whole: number): string {
  return `${Math.round((part / whole) * 100)} %`;
}

/** A timeout setting in ms as a reader wants it: "0, disabled", "5 min", "unknown". */
export function timeoutText(s: { setting: string; unit: string | null } | undefined): string {
  if (s === undefined) return 'unknown';
  const n = Number(s.setting);
  if (!Number.isFinite(n)) return s.setting;
  if (n === 0) return '0, disabled';
  const factor = s.unit === 'ms' ? 1 / 1000 : s.unit === 's' ? 1 : s.unit === 'min' ? 60 : undefined;
  if (factor === undefined) return `${s.setting}${s.unit ?? ''}`;
  const seconds = n * factor;
  return seconds >= 1 && Number.isInteger(seconds) ? durationText(seconds) : `${s.setting}${s.unit ?? ''}`;
}
