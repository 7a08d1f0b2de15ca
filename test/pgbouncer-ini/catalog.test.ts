import { describe, expect, test } from 'vitest';
import {
  getPgbouncerSetting,
  LATEST_PGBOUNCER,
  parsePgbouncerValue,
  parsePgbouncerVersion,
  PGBOUNCER_DATABASE_PARAMS,
  PGBOUNCER_USER_PARAMS,
  PGBOUNCER_VERSIONS,
  pgbouncerConnstringParam,
  pgbouncerSettingNames,
  pgbouncerVersionsHaving,
} from '../../src/catalog/pgbouncer/catalog.js';

const def = (name: string, v: string = LATEST_PGBOUNCER) => {
  const d = getPgbouncerSetting(name, v);
  if (!d) throw new Error(`no ${name} in ${v}`);
  return d;
};
const value = (name: string, text: string) => parsePgbouncerValue(def(name), text);

describe('catalogue facts (src/main.c bouncer_params at each tag)', () => {
  test('versions', () => {
    expect(PGBOUNCER_VERSIONS[0]).toBe('1.17');
    expect(LATEST_PGBOUNCER).toBe('1.25');
  });

  test('keys added over time', () => {
    expect(getPgbouncerSetting('max_prepared_statements', '1.20')).toBeUndefined();
    expect(def('max_prepared_statements', '1.21').default).toBe('0');
    expect(def('max_prepared_statements', '1.24').default).toBe('200');
    expect(def('track_extra_parameters', '1.20').addedIn).toBe('1.20');
    expect(getPgbouncerSetting('transaction_timeout', '1.24')).toBeUndefined();
    expect(getPgbouncerSetting('client_tls13_ciphers', '1.24')).toBeUndefined();
    expect(def('query_wait_notify').addedIn).toBe('1.25');
    expect(def('max_user_client_connections').addedIn).toBe('1.24');
    expect(def('server_tls_sslmode', '1.19').default).toBe('disable');
    expect(def('server_tls_sslmode', '1.20').default).toBe('prefer');
    expect(pgbouncerVersionsHaving('peer_id')).toEqual(['1.19', '1.20', '1.21', '1.22', '1.23', '1.24', '1.25']);
  });

  test('names are case-sensitive (cfparser.c find_key uses strcmp)', () => {
    expect(getPgbouncerSetting('Pool_Mode')).toBeUndefined();
    expect(pgbouncerSettingNames('1.18')).toContain('pool_mode');
    expect(pgbouncerSettingNames('1.18')).not.toContain('peer_id');
  });

  test('auth_type values depend on version and build', () => {
    expect(def('auth_type', '1.18').enumValues).not.toContain('ldap');
    expect(def('auth_type', '1.25').enumValues).toContain('ldap');
  });

  test('connection-string keys per section and version, with the legacy alias', () => {
    const names = (v: string) => PGBOUNCER_DATABASE_PARAMS.filter((p) => p.available(v)).map((p) => p.name);
    expect(names('1.18')).toContain('reserve_pool');
    expect(names('1.18')).not.toContain('reserve_pool_size');
    expect(names('1.24')).toEqual(expect.arrayContaining(['reserve_pool_size', 'load_balance_hosts', 'max_db_client_connections']));
    expect(PGBOUNCER_DATABASE_PARAMS.find((p) => p.name === 'reserve_pool')?.aliasOf).toBe('reserve_pool_size');
    expect(PGBOUNCER_USER_PARAMS.filter((p) => p.available('1.18')).map((p) => p.name)).toEqual(['pool_mode', 'max_user_connections']);
    expect(pgbouncerConnstringParam('user', 'transaction_timeout', '1.24')).toBeUndefined();
    expect(pgbouncerConnstringParam('user', 'transaction_timeout', '1.25')?.unit).toBe('seconds');
  });

  test('parsePgbouncerVersion', () => {
    expect(parsePgbouncerVersion('1.18')).toBe('1.18');
    expect(parsePgbouncerVersion('PgBouncer 1.25.1')).toBe('1.25');
    expect(parsePgbouncerVersion('pgbouncer_1_21_0')).toBe('1.21');
    expect(parsePgbouncerVersion('1.5')).toBeUndefined();
    expect(parsePgbouncerVersion('banana')).toBeUndefined();
  });
});

describe('parsePgbouncerValue (libusual cf_set_int / cf_set_uint / cf_set_time_usec / cf_set_lookup)', () => {
  test('int: strtol base 0 — hex, octal, sign, whole string', () => {
    expect(value('default_pool_size', '0x10')).toEqual({ ok: true, value: 16 });
    expect(value('min_pool_size', '010')).toEqual({ ok: true, value: 8 });
    expect(value('max_client_conn', '+50')).toEqual({ ok: true, value: 50 });
    for (const bad of ['', '08', '10 ', '1e3', '20 connections', 'abc', '0x']) expect(value('default_pool_size', bad).ok, bad).toBe(false);
    expect(value('min_pool_size', '08')).toMatchObject({ hint: expect.stringMatching(/octal/) });
  });

  test('int overflow is truncated to a C int, uint wraps (what SHOW CONFIG shows in 1.18)', () => {
    expect(value('reserve_pool_size', '99999999999')).toMatchObject({ ok: true, value: 1215752191 });
    expect(value('max_packet_size', '-1')).toMatchObject({ ok: true, value: 4294967295 });
  });

  test('bool switches are integers: yes/on/true are refused', () => {
    expect(value('log_connections', '0')).toEqual({ ok: true, value: false });
    expect(value('log_connections', '2')).toEqual({ ok: true, value: true });
    for (const bad of ['yes', 'on', 'true', 'off']) expect(value('log_connections', bad).ok, bad).toBe(false);
  });

  test('time: plain seconds, fractional allowed, no units, not negative', () => {
    expect(value('server_lifetime', '1e3')).toEqual({ ok: true, value: 1000 });
    expect(value('query_timeout', '.5')).toEqual({ ok: true, value: 0.5 });
    expect(value('reserve_pool_timeout', '0.010')).toEqual({ ok: true, value: 0.01 });
    expect(value('server_check_delay', '0x10')).toEqual({ ok: true, value: 16 });
    const s = value('server_lifetime', '30s');
    expect(s).toMatchObject({ ok: false, hint: expect.stringContaining('write 30') });
    expect(value('server_idle_timeout', '10min')).toMatchObject({ ok: false, hint: expect.stringContaining('600') });
    expect(value('query_timeout', '-1').ok).toBe(false);
    expect(value('query_timeout', '1e999').ok).toBe(false);
  });

  test('enum: case-insensitive, canonical value returned', () => {
    expect(value('pool_mode', 'Transaction')).toEqual({ ok: true, value: 'transaction' });
    expect(value('auth_type', 'SCRAM-SHA-256')).toEqual({ ok: true, value: 'scram-sha-256' });
    expect(value('pool_mode', 'transaction ; c')).toMatchObject({ ok: false, hint: expect.stringContaining('session, transaction, statement') });
  });

  test('strings are verbatim', () => {
    expect(value('server_reset_query', "'x' ; y")).toEqual({ ok: true, value: "'x' ; y" });
    expect(value('auth_dbname', 'pgbouncer').ok).toBe(false);
  });

  test('connection-string numbers use atoi: never an error except port 0', () => {
    const pool = pgbouncerConnstringParam('database', 'pool_size', '1.18')!;
    expect(parsePgbouncerValue(pool, '20')).toEqual({ ok: true, value: 20 });
    expect(parsePgbouncerValue(pool, 'abc')).toMatchObject({ ok: true, value: 0, note: expect.any(String) });
    const port = pgbouncerConnstringParam('database', 'port', '1.18')!;
    expect(parsePgbouncerValue(port, 'pg').ok).toBe(false);
    const life = pgbouncerConnstringParam('database', 'server_lifetime', '1.23')!;
    expect(parsePgbouncerValue(life, '0.5')).toMatchObject({ ok: true, value: 0 });
  });
});
