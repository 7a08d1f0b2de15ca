/**
 * Interprets a parameter value the way the server does when it reads a
 * configuration file: PostgreSQL src/backend/utils/misc/guc.c
 * (parse_and_validate_value, parse_int, parse_real, convert_to_base_unit,
 * config_enum_lookup_by_name; PG 12–18 behave alike) and
 * src/backend/utils/adt/bool.c (parse_bool_with_len). Check hooks (per-setting
 * C validation such as "wal_buffers must be -1 or ≥ 4") are not reproduced.
 */
import type { PgSettingDef } from './catalog.js';

export type PgValueResult =
  | {
      ok: true;
      /** bool → boolean; integer/real → number in the setting's base unit (PgSettingDef.unit); string → as given; enum → canonical value. */
      value: boolean | number | string;
    }
  | { ok: false; message: string; hint?: string };

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

// guc.c memory_units_hint / time_units_hint
const MEMORY_UNITS_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
const TIME_UNITS_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

interface UnitConversion {
  unit: string;
  multiplier: number;
}

/**
 * guc.c memory_unit_conversion_table / time_unit_conversion_table for one base
 * unit, greatest unit first. The multipliers are computed with the same double
 * arithmetic as the C initialisers so that rounding matches bit for bit.
 */
function conversionTable(baseUnit: string): UnitConversion[] | undefined {
  switch (baseUnit) {
    case 'B':
      return [
        { unit: 'TB', multiplier: 1024.0 * 1024.0 * 1024.0 * 1024.0 },
        { unit: 'GB', multiplier: 1024.0 * 1024.0 * 1024.0 },
        { unit: 'MB', multiplier: 1024.0 * 1024.0 },
        { unit: 'kB', multiplier: 1024.0 },
        { unit: 'B', multiplier: 1.0 },
      ];
    case 'kB':
      return [
        { unit: 'TB', multiplier: 1024.0 * 1024.0 * 1024.0 },
        { unit: 'GB', multiplier: 1024.0 * 1024.0 },
        { unit: 'MB', multiplier: 1024.0 },
        { unit: 'kB', multiplier: 1.0 },
        { unit: 'B', multiplier: 1.0 / 1024.0 },
      ];
    case 'MB':
      return [
        { unit: 'TB', multiplier: 1024.0 * 1024.0 },
        { unit: 'GB', multiplier: 1024.0 },
        { unit: 'MB', multiplier: 1.0 },
        { unit: 'kB', multiplier: 1.0 / 1024.0 },
        { unit: 'B', multiplier: 1.0 / (1024.0 * 1024.0) },
      ];
    case 'ms':
      return [
        { unit: 'd', multiplier: 1000 * 60 * 60 * 24 },
        { unit: 'h', multiplier: 1000 * 60 * 60 },
        { unit: 'min', multiplier: 1000 * 60 },
        { unit: 's', multiplier: 1000 },
        { unit: 'ms', multiplier: 1 },
        { unit: 'us', multiplier: 1.0 / 1000 },
      ];
    case 's':
      return [
        { unit: 'd', multiplier: 60 * 60 * 24 },
        { unit: 'h', multiplier: 60 * 60 },
        { unit: 'min', multiplier: 60 },
        { unit: 's', multiplier: 1 },
        { unit: 'ms', multiplier: 1.0 / 1000 },
        { unit: 'us', multiplier: 1.0 / (1000 * 1000) },
      ];
    case 'min':
      return [
        { unit: 'd', multiplier: 60 * 24 },
        { unit: 'h', multiplier: 60 },
        { unit: 'min', multiplier: 1 },
        { unit: 's', multiplier: 1.0 / 60 },
        { unit: 'ms', multiplier: 1.0 / (1000 * 60) },
        { unit: 'us', multiplier: 1.0 / (1000 * 1000 * 60) },
      ];
    default: {
      // GUC_UNIT_BLOCKS / GUC_UNIT_XBLOCKS: pg_settings shows them as "<BLCKSZ/1024>kB".
      const kb = blockKb(baseUnit);
      if (kb === undefined) return undefined;
      const blcksz = kb * 1024;
      return [
        { unit: 'TB', multiplier: (1024.0 * 1024.0 * 1024.0) / kb },
        { unit: 'GB', multiplier: (1024.0 * 1024.0) / kb },
        { unit: 'MB', multiplier: 1024.0 / kb },
        { unit: 'kB', multiplier: 1.0 / kb },
        { unit: 'B', multiplier: 1.0 / blcksz },
      ];
    }
  }
}

function blockKb(unit: string): number | undefined {
  const m = /^(\d+)kB$/.exec(unit);
  return m ? Number(m[1]) : undefined;
}

function isMemoryUnit(unit: string): boolean {
  return unit === 'B' || unit === 'kB' || unit === 'MB' || blockKb(unit) !== undefined;
}

/** C isspace() in the C locale. */
function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** C rint() in the default rounding mode: round half to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x);
}

interface CParse {
  value: number;
  /** Index just past the parsed number; 0 (the start) when nothing was parsed, like C's endptr. */
  end: number;
  erange: boolean;
}

const HEX = /[0-9a-fA-F]/;

/** glibc strtol(s, &end, 0) on a 64-bit long: optional sign, 0x hex, leading-0 octal, decimal. */
function cStrtol(s: string): CParse {
  let i = 0;
  while (isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && HEX.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  const digitsStart = i;
  let acc = 0n;
  const big = BigInt(base);
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 16);
    if (Number.isNaN(d) || d >= base) break;
    acc = acc * big + BigInt(d);
  }
  if (i === digitsStart) return { value: 0, end: 0, erange: false };
  const signed = neg ? -acc : acc;
  const LONG_MAX = 9223372036854775807n;
  const LONG_MIN = -9223372036854775808n;
  if (signed > LONG_MAX) return { value: Number(LONG_MAX), end: i, erange: true };
  if (signed < LONG_MIN) return { value: Number(LONG_MIN), end: i, erange: true };
  return { value: Number(signed), end: i, erange: false };
}

const DBL_MIN = 2.2250738585072014e-308;

/** glibc strtod(s, &end): decimal and hex floats, inf/infinity, nan, with ERANGE on overflow/underflow. */
function cStrtod(s: string): CParse {
  let i = 0;
  while (isCSpace(s[i])) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  const rest = s.slice(i);
  const lower = rest.toLowerCase();
  if (lower.startsWith('inf')) {
    const len = lower.startsWith('infinity') ? 8 : 3;
    return { value: sign * Infinity, end: i + len, erange: false };
  }
  if (lower.startsWith('nan')) {
    let len = 3;
    const paren = /^\(([0-9A-Za-z_]*)\)/.exec(rest.slice(3));
    if (paren) len += paren[0].length;
    return { value: NaN, end: i + len, erange: false };
  }
  const hex = /^0[xX]((?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?)|(?:\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/.exec(rest);
  if (hex) {
    const [intPart = '', fracPart = ''] = hex[1]!.split('.');
    const digits = intPart + fracPart;
    const mantissa = BigInt('0x' + (digits === '' ? '0' : digits));
    const exp = (hex[2] === undefined ? 0 : Number(hex[2])) - 4 * fracPart.length;
    const value = sign * hexToDouble(mantissa, exp);
    return finishStrtod(value, mantissa !== 0n, i + hex[0].length);
  }
  const dec = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
  if (!dec) return { value: 0, end: 0, erange: false };
  const value = sign * Number(dec[0]);
  return finishStrtod(value, /[1-9]/.test(dec[0].replace(/[eE].*$/, '')), i + dec[0].length);
}

function hexToDouble(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0;
  // Normalise to at most 64 significant bits with sticky rounding, then scale.
  let m = mantissa;
  let e = exp;
  const bits = m.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const dropped = m & ((1n << shift) - 1n);
    m >>= shift;
    if (dropped !== 0n) m |= 1n;
    e += bits - 64;
  }
  let v = Number(m);
  // Scale in steps so intermediate powers stay finite.
  while (e > 0) {
    const step = Math.min(e, 1000);
    v *= 2 ** step;
    e -= step;
  }
  while (e < 0) {
    const step = Math.max(e, -1000);
    v *= 2 ** step;
    e -= step;
  }
  return v;
}

function finishStrtod(value: number, nonZeroDigits: boolean, end: number): CParse {
  if (!Number.isFinite(value)) return { value, end, erange: true };
  if (nonZeroDigits && Math.abs(value) < DBL_MIN) return { value, end, erange: true };
  return { value, end, erange: false };
}

/**
 * guc.c convert_to_base_unit: at most 3 unit characters, optional trailing
 * whitespace, nothing else. Units are case-sensitive. A fractional value is
 * rounded to a whole number of the next smaller unit.
 */
function convertToBaseUnit(value: number, unitText: string, baseUnit: string): number | undefined {
  let i = 0;
  let unit = '';
  while (i < unitText.length && !isCSpace(unitText[i]) && unit.length < 3) unit += unitText[i++];
  while (isCSpace(unitText[i])) i++;
  if (i < unitText.length) return undefined;
  const table = conversionTable(baseUnit);
  if (!table) return undefined;
  const k = table.findIndex((t) => t.unit === unit);
  if (k < 0) return undefined;
  let cvalue = value * table[k]!.multiplier;
  const next = table[k + 1];
  if (next) cvalue = rint(cvalue / next.multiplier) * next.multiplier;
  return cvalue;
}

/** Result of parsePgInt / parsePgReal: the number in the base unit, or a failure with the server's hint. */
export type PgNumberParse = { ok: true; value: number } | { ok: false; hint?: string };

function unitHint(baseUnit: string): string {
  return isMemoryUnit(baseUnit) ? MEMORY_UNITS_HINT : TIME_UNITS_HINT;
}

/** Shared tail of parse_int / parse_real: whitespace, then an optional unit. */
function applyUnit(value: number, text: string, end: number, baseUnit: string | null): PgNumberParse {
  let i = end;
  while (isCSpace(text[i])) i++;
  if (i >= text.length) return { ok: true, value };
  if (baseUnit === null) return { ok: false };
  const converted = convertToBaseUnit(value, text.slice(i), baseUnit);
  if (converted === undefined) return { ok: false, hint: unitHint(baseUnit) };
  return { ok: true, value: converted };
}

/** guc.c parse_int: integer (decimal/octal/hex) or float, optional unit, rounded with rint. */
export function parsePgInt(text: string, baseUnit: string | null): PgNumberParse {
  let p = cStrtol(text);
  const stop = text[p.end];
  if (stop === '.' || stop === 'e' || stop === 'E' || p.erange) p = cStrtod(text);
  if (p.end === 0 || p.erange) return { ok: false };
  if (Number.isNaN(p.value)) return { ok: false };
  const withUnit = applyUnit(p.value, text, p.end, baseUnit);
  if (!withUnit.ok) return withUnit;
  const val = rint(withUnit.value);
  if (val > INT_MAX || val < INT_MIN) return { ok: false, hint: 'Value exceeds integer range.' };
  return { ok: true, value: val === 0 ? 0 : val };
}

/** guc.c parse_real. */
export function parsePgReal(text: string, baseUnit: string | null): PgNumberParse {
  const p = cStrtod(text);
  if (p.end === 0 || p.erange) return { ok: false };
  if (Number.isNaN(p.value)) return { ok: false };
  return applyUnit(p.value, text, p.end, baseUnit);
}

/** bool.c parse_bool_with_len: on/off/true/false/yes/no/1/0 and unique prefixes, case-insensitive. */
export function parsePgBool(text: string): boolean | undefined {
  const v = asciiLower(text);
  const len = v.length;
  const prefixOf = (word: string, minLen: number) => len >= minLen && len <= word.length && word.startsWith(v);
  switch (v[0]) {
    case 't':
      return prefixOf('true', 1) ? true : undefined;
    case 'f':
      return prefixOf('false', 1) ? false : undefined;
    case 'y':
      return prefixOf('yes', 1) ? true : undefined;
    case 'n':
      return prefixOf('no', 1) ? false : undefined;
    case 'o':
      // "o" alone is ambiguous: at least two characters of on/off.
      if (prefixOf('on', 2)) return true;
      if (prefixOf('off', 2)) return false;
      return undefined;
    case '1':
      return len === 1 ? true : undefined;
    case '0':
      return len === 1 ? false : undefined;
    default:
      return undefined;
  }
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * printf("%g") as PostgreSQL's own snprintf (src/port/snprintf.c) does it: 6
 * significant digits, trailing zeros removed, exponent form outside
 * 1e-4 ≤ |x| < 1e6, and "Infinity"/"NaN" spelled out.
 */
export function formatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Number(x.toExponential(5).split('e')[1]);
  if (exp < -4 || exp >= 6) {
    const [mant = '', e = '0'] = x.toExponential(5).split('e');
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

// Hidden enum spellings mapped to the value they stand for (guc_tables.c; xlog.c
// wal_level_options: archive/hot_standby = replica; PG 13 password_encryption: on = md5).
function canonicalEnumValue(def: PgSettingDef, matched: string): string {
  const visible = def.enumvals ?? [];
  const lower = asciiLower(matched);
  const listed = visible.find((v) => asciiLower(v) === lower);
  if (listed !== undefined) return listed;
  const truthy = lower === 'true' || lower === 'yes' || lower === '1' || lower === 'on';
  const falsy = lower === 'false' || lower === 'no' || lower === '0' || lower === 'off';
  if (def.name === 'password_encryption' && truthy) return 'md5';
  if (truthy && visible.includes('on')) return 'on';
  if (falsy && visible.includes('off')) return 'off';
  if (lower === 'archive' || lower === 'hot_standby') return 'replica';
  if (lower === 'debug') return 'debug2';
  return lower;
}

/**
 * The value the server would store for `value` (the text after unquoting), or
 * the error the server would log for it. Messages and hints are the server's
 * (guc.c parse_and_validate_value), with the parameter name as pg_settings spells it.
 */
export function parsePgSettingValue(def: PgSettingDef, value: string): PgValueResult {
  const name = def.name;
  switch (def.vartype) {
    case 'bool': {
      const b = parsePgBool(value);
      if (b === undefined) return { ok: false, message: `parameter "${name}" requires a Boolean value` };
      return { ok: true, value: b };
    }
    case 'integer':
    case 'real': {
      const parsed = def.vartype === 'integer' ? parsePgInt(value, def.unit) : parsePgReal(value, def.unit);
      if (!parsed.ok) {
        const r: PgValueResult = { ok: false, message: `invalid value for parameter "${name}": "${value}"` };
        if (parsed.hint !== undefined) r.hint = parsed.hint;
        return r;
      }
      const min = def.min ?? -Infinity;
      const max = def.max ?? Infinity;
      if (parsed.value < min || parsed.value > max) {
        // "%d%s%s is outside the valid range for parameter \"%s\" (%d .. %d)"; PG 17 added the unit to the limits too.
        const fmt = def.vartype === 'integer' ? (n: number) => String(n) : formatG;
        const u = def.unit === null ? '' : ` ${def.unit}`;
        const lu = def.major !== undefined && def.major < 17 ? '' : u;
        return {
          ok: false,
          message: `${fmt(parsed.value)}${u} is outside the valid range for parameter "${name}" (${fmt(min)}${lu} .. ${fmt(max)}${lu})`,
        };
      }
      return { ok: true, value: parsed.value };
    }
    case 'enum': {
      // pg_strcasecmp: ASCII case folding.
      const lower = asciiLower(value);
      const all = [...(def.enumvals ?? []), ...(def.enumHidden ?? [])];
      const matched = all.find((v) => asciiLower(v) === lower);
      if (matched === undefined) {
        // config_enum_get_options lists only the non-hidden values.
        return {
          ok: false,
          message: `invalid value for parameter "${name}": "${value}"`,
          hint: `Available values: ${(def.enumvals ?? []).join(', ')}.`,
        };
      }
      return { ok: true, value: canonicalEnumValue(def, matched) };
    }
    case 'string':
      return { ok: true, value };
  }
}

/** Bytes for a memory setting's value in its base unit (e.g. shared_buffers pages × 8192); undefined when not a memory setting. */
export function pgMemoryBytes(def: PgSettingDef, baseValue: number): number | undefined {
  if (def.unit === null) return undefined;
  switch (def.unit) {
    case 'B':
      return baseValue;
    case 'kB':
      return baseValue * 1024;
    case 'MB':
      return baseValue * 1024 * 1024;
    default: {
      const kb = blockKb(def.unit);
      return kb === undefined ? undefined : baseValue * kb * 1024;
    }
  }
}

/** Milliseconds for a time setting's value in its base unit; undefined when not a time setting. */
export function pgTimeMs(def: PgSettingDef, baseValue: number): number | undefined {
  switch (def.unit) {
    case 'ms':
      return baseValue;
    case 's':
      return baseValue * 1000;
    case 'min':
      return baseValue * 60_000;
    default:
      return undefined;
  }
}

const SIZE_FACTORS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * A size written by a user of pgconn-lint (e.g. the host's RAM in our config):
 * '16GB', '512MiB', '16 GiB', '1.5 GB', '1024' (bytes). Units are
 * case-insensitive and always powers of 1024, as in PostgreSQL. Undefined when
 * not a non-negative finite size.
 */
export function parseByteSize(s: string): number | undefined {
  // `\s*(?:([A-Za-z]+)\s*)?$`, not `\s*([A-Za-z]*)\s*$`: two white-space runs that can meet backtrack quadratically.
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:([A-Za-z]+)\s*)?$/.exec(s);
  if (!m) return undefined;
  const factor = SIZE_FACTORS[(m[2] ?? '').toLowerCase()];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/**
 * Bytes in PostgreSQL's notation, using the greatest unit that divides evenly
 * (guc.c convert_int_from_base_unit): 4294967296 → '4GB', 1610612736 → '1536MB'.
 */
export function formatBytesPg(bytes: number): string {
  const n = Math.round(bytes);
  const units: [string, number][] = [
    ['TB', 1024 ** 4],
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['kB', 1024],
  ];
  if (n !== 0) for (const [u, f] of units) if (n % f === 0) return `${n / f}${u}`;
  return `${n}B`;
}

/**
 * A size for people to read in a message: at most one decimal, PostgreSQL's
 * unit spelling (15.6GB, 2.1GB, 512MB, 6MB). Exact values for a config line use formatBytesPg.
 */
export function formatBytesHuman(bytes: number): string {
  const units: [string, number][] = [
    ['TB', 1024 ** 4],
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['kB', 1024],
  ];
  for (const [u, f] of units) {
    if (Math.abs(bytes) >= f) {
      const v = bytes / f;
      return `${Number.isInteger(v) || v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${u}`;
    }
  }
  return `${Math.round(bytes)}B`;
}

/** A memory value rounded down to a unit that reads well in a config line (whole MB, or kB below 1MB). */
export function roundDownForConfig(bytes: number): number {
  const MB = 1024 * 1024;
  if (bytes >= MB) return Math.floor(bytes / MB) * MB;
  return Math.max(1024, Math.floor(bytes / 1024) * 1024);
}

const MEMORY_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
const TIME_UNITS = ['us', 'ms', 's', 'min', 'h', 'd'];
/** Spellings people write for time units, from other tools (systemd, Go, cron). */
const TIME_UNIT_TYPOS: Record<string, string> = { m: 'min', mins: 'min', minute: 'min', minutes: 'min', sec: 's', secs: 's', second: 's', seconds: 's', hr: 'h', hour: 'h', hours: 'h', day: 'd', days: 'd', msec: 'ms' };

/**
 * For a value PostgreSQL rejected: the likely intended spelling, when there is one
 * (units are case-sensitive in guc.c convert_to_base_unit: `1gb` → `1GB`; `5m` → `5min`).
 */
export function suggestPgValueFix(def: PgSettingDef, value: string): string | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(value);
  if (!m || !def.unit) return undefined;
  const [, num, unit] = m as unknown as [string, string, string];
  const isMemory = /B$/.test(def.unit);
  const units = isMemory ? MEMORY_UNITS : TIME_UNITS;
  const sameLetters = units.find((u) => u.toLowerCase() === unit.toLowerCase() && u !== unit);
  if (sameLetters) return `Units are case-sensitive: write ${num}${sameLetters}.`;
  if (!isMemory) {
    const typo = TIME_UNIT_TYPOS[unit.toLowerCase()];
    if (typo) return `Did you mean ${num}${typo}? Time units are us, ms, s, min, h and d.`;
  }
  if (isMemory && /^[kmgt]i?b?$/i.test(unit)) {
    const u = `${unit[0]!.toUpperCase() === 'K' ? 'k' : unit[0]!.toUpperCase()}B`;
    if (units.includes(u)) return `Did you mean ${num}${u}? Memory units are B, kB, MB, GB and TB (1024-based).`;
  }
  return undefined;
}
