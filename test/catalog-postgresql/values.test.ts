import { describe, expect, it } from 'vitest';
import { getPgSetting, type PgMajor, type PgSettingDef } from '../../src/catalog/postgresql/catalog.js';
import {
  formatBytesPg,
  formatG,
  parseByteSize,
  parsePgBool,
  parsePgSettingValue,
  pgMemoryBytes,
  pgTimeMs,
  rint,
} from '../../src/catalog/postgresql/values.js';

function def(name: string, major: PgMajor = 18): PgSettingDef {
  const d = getPgSetting(name, major);
  if (!d) throw new Error(`no ${name} in PG ${major}`);
  return d;
}

function value(name: string, text: string, major: PgMajor = 18): unknown {
  const r = parsePgSettingValue(def(name, major), text);
  if (!r.ok) throw new Error(`${name} = ${text}: ${r.message}`);
  return r.value;
}

function error(name: string, text: string, major: PgMajor = 18): { message: string; hint?: string } {
  const r = parsePgSettingValue(def(name, major), text);
  if (r.ok) throw new Error(`${name} = ${text} unexpectedly accepted as ${String(r.value)}`);
  return r.hint === undefined ? { message: r.message } : { message: r.message, hint: r.hint };
}

const MEMORY_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
const TIME_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

describe('bool (bool.c parse_bool_with_len)', () => {
  it.each([
    ['on', true],
    ['off', false],
    ['ON', true],
    ['Off', false],
    ['of', false],
    ['true', true],
    ['t', true],
    ['tru', true],
    ['FALSE', false],
    ['f', false],
    ['yes', true],
    ['y', true],
    ['no', false],
    ['n', false],
    ['1', true],
    ['0', false],
  ])('%s → %s', (text, expected) => {
    expect(parsePgBool(text)).toBe(expected);
    expect(value('fsync', text)).toBe(expected);
  });

  it.each(['o', 'onn', 'truee', 'yess', '2', '01', '10', '', ' on', 'on ', 'enable'])('rejects %j', (text) => {
    expect(parsePgBool(text)).toBeUndefined();
    expect(error('fsync', text)).toEqual({ message: 'parameter "fsync" requires a Boolean value' });
  });
});

describe('integer (guc.c parse_int)', () => {
  it('memory units convert to the base unit', () => {
    expect(value('shared_buffers', '128MB')).toBe(16384); // 8kB pages
    expect(value('shared_buffers', '1GB')).toBe(131072);
    expect(value('work_mem', '4MB')).toBe(4096); // kB
    expect(value('work_mem', '4096')).toBe(4096);
    expect(value('work_mem', '64kB')).toBe(64);
    expect(value('work_mem', '1TB')).toBe(1073741824);
    expect(value('max_wal_size', '4096')).toBe(4096); // MB
    expect(value('max_wal_size', '1GB')).toBe(1024);
    expect(value('max_wal_size', '4 GB')).toBe(4096); // whitespace before the unit
    expect(value('max_wal_size', '4GB  ')).toBe(4096); // and after it
  });

  it('time units convert to the base unit', () => {
    expect(value('statement_timeout', '120000')).toBe(120000); // ms
    expect(value('statement_timeout', '2min')).toBe(120000);
    expect(value('statement_timeout', '1h')).toBe(3600000);
    expect(value('statement_timeout', '1d')).toBe(86400000);
    expect(value('checkpoint_timeout', '600')).toBe(600); // s
    expect(value('checkpoint_timeout', '10min')).toBe(600);
    expect(value('checkpoint_timeout', '45000ms')).toBe(45);
    expect(value('checkpoint_timeout', '45600ms')).toBe(46); // ms rounds to whole s, then rint
    expect(value('idle_in_transaction_session_timeout', '30s')).toBe(30000);
    expect(value('log_rotation_age', '1d')).toBe(1440); // min
  });

  it('accepts hex, octal, fractions and exponents (strtol base 0, then strtod)', () => {
    expect(value('max_connections', '0x10')).toBe(16);
    expect(value('max_connections', '010')).toBe(8);
    expect(value('max_connections', '1e2')).toBe(100);
    expect(value('max_connections', '100.4')).toBe(100);
    expect(value('max_connections', '  42')).toBe(42);
    expect(value('max_connections', '+42')).toBe(42);
    expect(value('max_connections', '010.5')).toBe(10); // octal stops at '.', re-parsed as decimal float
    expect(value('max_connections', '0x1.8')).toBe(2); // hex float 1.5, rint → 2
  });

  it('rounds half to even, like rint()', () => {
    expect(value('max_connections', '2.5')).toBe(2);
    expect(value('max_connections', '3.5')).toBe(4);
    expect(rint(-2.5)).toBe(-2);
    expect(rint(0.5)).toBe(0);
    expect(rint(1.4999)).toBe(1);
  });

  it('rounds a fractional unit value to the next smaller unit first', () => {
    expect(value('work_mem', '1.5MB')).toBe(1536);
    expect(value('shared_buffers', '0.5MB')).toBe(64);
    expect(value('shared_buffers', '1001kB')).toBe(125); // 125.125 pages → rint
    expect(value('shared_buffers', '1004kB')).toBe(126); // 125.5 pages → rint, half to even
  });

  it('units are case-sensitive', () => {
    expect(error('shared_buffers', '1gb')).toEqual({ message: 'invalid value for parameter "shared_buffers": "1gb"', hint: MEMORY_HINT });
    expect(error('work_mem', '6553KB')).toEqual({ message: 'invalid value for parameter "work_mem": "6553KB"', hint: MEMORY_HINT });
    expect(error('work_mem', '8M')).toEqual({ message: 'invalid value for parameter "work_mem": "8M"', hint: MEMORY_HINT });
    expect(error('checkpoint_timeout', '30sec')).toEqual({ message: 'invalid value for parameter "checkpoint_timeout": "30sec"', hint: TIME_HINT });
    expect(error('statement_timeout', '5 S')).toEqual({ message: 'invalid value for parameter "statement_timeout": "5 S"', hint: TIME_HINT });
  });

  it('a unit on a unitless setting is an error without hint', () => {
    expect(error('max_connections', '100k')).toEqual({ message: 'invalid value for parameter "max_connections": "100k"' });
    expect(error('max_connections', '100MB')).toEqual({ message: 'invalid value for parameter "max_connections": "100MB"' });
  });

  it('a memory unit on a time setting (and vice versa) is an error with the hint', () => {
    expect(error('statement_timeout', '1MB').hint).toBe(TIME_HINT);
    expect(error('work_mem', '1s').hint).toBe(MEMORY_HINT);
  });

  it('garbage is an error without hint', () => {
    for (const t of ['', 'abc', '-', '.', ' .5', 'inf', 'nan', '1e999', '0x']) {
      expect(error('max_connections', t).hint, t).toBeUndefined();
    }
  });

  it('range errors print the base unit', () => {
    expect(error('max_connections', '0')).toEqual({ message: '0 is outside the valid range for parameter "max_connections" (1 .. 262143)' });
    expect(error('shared_buffers', '64kB')).toEqual({
      message: '8 8kB is outside the valid range for parameter "shared_buffers" (16 8kB .. 1073741823 8kB)',
    });
    expect(error('statement_timeout', '-1')).toEqual({
      message: '-1 ms is outside the valid range for parameter "statement_timeout" (0 ms .. 2147483647 ms)',
    });
  });

  it('PG 13–16 print the limits without unit, PG 17+ with it', () => {
    expect(error('work_mem', '1', 16).message).toBe('1 kB is outside the valid range for parameter "work_mem" (64 .. 2147483647)');
    expect(error('work_mem', '1', 17).message).toBe('1 kB is outside the valid range for parameter "work_mem" (64 kB .. 2147483647 kB)');
    expect(error('vacuum_cost_delay', '1000', 13).message).toBe('1000 ms is outside the valid range for parameter "vacuum_cost_delay" (0 .. 100)');
  });

  it('values beyond int range', () => {
    expect(error('work_mem', '99999999999')).toEqual({
      message: 'invalid value for parameter "work_mem": "99999999999"',
      hint: 'Value exceeds integer range.',
    });
    expect(error('work_mem', '4096TB').hint).toBe('Value exceeds integer range.');
  });
});

describe('real (guc.c parse_real)', () => {
  it('parses floats, with units where the setting has one', () => {
    expect(value('random_page_cost', '1.1')).toBe(1.1);
    expect(value('random_page_cost', '4')).toBe(4);
    expect(value('random_page_cost', '1e1')).toBe(10);
    expect(value('random_page_cost', '0x1p2')).toBe(4);
    expect(value('vacuum_cost_delay', '2ms')).toBe(2);
    expect(value('vacuum_cost_delay', '500us')).toBe(0.5);
    expect(value('autovacuum_vacuum_scale_factor', '0.05')).toBe(0.05);
  });

  it('range errors use %g', () => {
    expect(error('autovacuum_vacuum_scale_factor', '200')).toEqual({
      message: '200 is outside the valid range for parameter "autovacuum_vacuum_scale_factor" (0 .. 100)',
    });
    expect(error('vacuum_cost_delay', '1s')).toEqual({
      message: '1000 ms is outside the valid range for parameter "vacuum_cost_delay" (0 ms .. 100 ms)',
    });
  });

  it('rejects garbage, NaN, overflow and units on unitless settings', () => {
    for (const t of ['', 'x', 'nan', '1e400', '1.5x', '1ms']) {
      expect(error('random_page_cost', t).message).toBe(`invalid value for parameter "random_page_cost": "${t}"`);
    }
  });

  it('formatG matches printf %g', () => {
    expect(formatG(0)).toBe('0');
    expect(formatG(100)).toBe('100');
    expect(formatG(0.1)).toBe('0.1');
    expect(formatG(1e10)).toBe('1e+10');
    expect(formatG(123456789)).toBe('1.23457e+08');
    expect(formatG(0.00001)).toBe('1e-05');
    expect(formatG(Number.MAX_VALUE)).toBe('1.79769e+308');
    expect(formatG(Infinity)).toBe('Infinity'); // src/port/snprintf.c, not glibc's "inf"
    expect(formatG(-Infinity)).toBe('-Infinity');
  });
});

describe('enum (guc.c config_enum_lookup_by_name)', () => {
  it('is case-insensitive and returns the listed spelling', () => {
    expect(value('wal_level', 'REPLICA')).toBe('replica');
    expect(value('log_min_messages', 'Warning')).toBe('warning');
  });

  it('accepts the hidden spellings and maps them to what they stand for', () => {
    expect(value('synchronous_commit', 'true')).toBe('on');
    expect(value('synchronous_commit', '0')).toBe('off');
    expect(value('wal_level', 'hot_standby')).toBe('replica');
    expect(value('huge_pages', 'yes')).toBe('on');
    expect(value('client_min_messages', 'debug')).toBe('debug2');
    expect(value('password_encryption', 'on', 13)).toBe('md5');
  });

  it('rejects other values with the list of available values', () => {
    expect(error('wal_level', 'archive2')).toEqual({
      message: 'invalid value for parameter "wal_level": "archive2"',
      hint: 'Available values: minimal, replica, logical.',
    });
    expect(error('password_encryption', 'on', 14).hint).toBe('Available values: md5, scram-sha-256.');
  });

  it('accepts values that depend on build options', () => {
    expect(value('default_toast_compression', 'lz4')).toBe('lz4');
    expect(value('wal_compression', 'zstd')).toBe('zstd');
  });
});

describe('string', () => {
  it('keeps the value as is', () => {
    expect(value('application_name', ' x ')).toBe(' x ');
    expect(value('log_line_prefix', '')).toBe('');
  });
});

describe('unit helpers', () => {
  it('pgMemoryBytes', () => {
    expect(pgMemoryBytes(def('shared_buffers'), 16384)).toBe(134217728);
    expect(pgMemoryBytes(def('work_mem'), 4096)).toBe(4194304);
    expect(pgMemoryBytes(def('max_wal_size'), 1024)).toBe(1073741824);
    expect(pgMemoryBytes(def('max_connections'), 100)).toBeUndefined();
    expect(pgMemoryBytes(def('statement_timeout'), 100)).toBeUndefined();
  });

  it('pgTimeMs', () => {
    expect(pgTimeMs(def('statement_timeout'), 120000)).toBe(120000);
    expect(pgTimeMs(def('checkpoint_timeout'), 600)).toBe(600000);
    expect(pgTimeMs(def('log_rotation_age'), 1440)).toBe(86400000);
    expect(pgTimeMs(def('work_mem'), 1)).toBeUndefined();
  });

  it('parseByteSize', () => {
    expect(parseByteSize('16GB')).toBe(16 * 1024 ** 3);
    expect(parseByteSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('16 GiB')).toBe(16 * 1024 ** 3);
    expect(parseByteSize('1.5 GB')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('1024')).toBe(1024);
    expect(parseByteSize('4kB')).toBe(4096);
    for (const bad of ['', 'GB', '-1GB', '16 XB', '1,5GB', '16GB RAM']) expect(parseByteSize(bad), bad).toBeUndefined();
  });

  it('formatBytesPg', () => {
    expect(formatBytesPg(4294967296)).toBe('4GB');
    expect(formatBytesPg(134217728)).toBe('128MB');
    expect(formatBytesPg(1536 * 1024 * 1024)).toBe('1536MB');
    expect(formatBytesPg(8192)).toBe('8kB');
    expect(formatBytesPg(1000)).toBe('1000B');
    expect(formatBytesPg(0)).toBe('0B');
    expect(formatBytesPg(2 * 1024 ** 4)).toBe('2TB');
  });
});
