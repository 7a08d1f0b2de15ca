/**
 * Every setting in the real-world postgresql.conf corpus, interpreted for every
 * major: nothing throws, and the outcomes the corpus notes describe hold.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { getPgSetting, isPgPlaceholderName, PG_MAJORS } from '../../src/catalog/postgresql/catalog.js';
import { parsePgSettingValue, pgMemoryBytes } from '../../src/catalog/postgresql/values.js';
import { parsePostgresqlConf } from '../../src/sources/postgresql-conf/parse.js';
import { corpusFiles, corpusPath, describeCorpus } from '../support/corpus.js';

const files = corpusFiles('postgresql-conf').map((f) => corpusPath('postgresql-conf', f));

function entriesOf(file: string) {
  return parsePostgresqlConf(readFileSync(file, 'utf8'), file).items.flatMap((i) => (i.type === 'setting' ? [i.entry] : []));
}

describeCorpus('corpus postgresql.conf files', () => {
  it('interprets every setting for every major without throwing', () => {
    let seen = 0;
    for (const file of files) {
      for (const e of entriesOf(file)) {
        for (const major of PG_MAJORS) {
          const def = getPgSetting(e.name, major);
          if (!def) continue;
          seen++;
          const r = parsePgSettingValue(def, e.value);
          if (r.ok && typeof r.value === 'number') pgMemoryBytes(def, r.value);
        }
      }
    }
    expect(seen).toBeGreaterThan(100);
  });

  it('every name is known or a placeholder, except the version-specific ones', () => {
    const unknown = new Set<string>();
    for (const file of files) {
      for (const e of entriesOf(file)) {
        if (isPgPlaceholderName(e.name)) continue;
        for (const major of PG_MAJORS) if (!getPgSetting(e.name, major)) unknown.add(`${e.name}@${major}`);
      }
    }
    expect([...unknown].sort()).toEqual([
      'db_user_namespace@17', // removed in PG 17
      'db_user_namespace@18',
      'reserved_connections@13', // added in PG 16
      'reserved_connections@14',
      'reserved_connections@15',
      'ssl_crl_dir@13', // added in PG 14
    ]);
  });

  it('reads the values the corpus notes mention', () => {
    const pick = (suffix: string, name: string) => {
      const file = files.find((f) => f.endsWith(suffix))!;
      return entriesOf(file).filter((e) => e.key === name).at(-1)!.value;
    };
    const rinha = 'pedrohenriquea-pgbouncer__postgresql.conf';
    expect(parsePgSettingValue(getPgSetting('max_wal_size', 16)!, pick(rinha, 'max_wal_size'))).toEqual({ ok: true, value: 4096 });
    expect(parsePgSettingValue(getPgSetting('checkpoint_timeout', 16)!, pick(rinha, 'checkpoint_timeout'))).toEqual({ ok: true, value: 600 });
    expect(parsePgSettingValue(getPgSetting('shared_buffers', 16)!, pick(rinha, 'shared_buffers'))).toEqual({ ok: true, value: 16640 });
    const platform = 'postgresql-platform-defaults.conf';
    expect(parsePgSettingValue(getPgSetting('statement_timeout', 16)!, pick(platform, 'statement_timeout'))).toEqual({ ok: true, value: 120000 });
    const lemmy = 'LemmyNet__lemmy__docker__customPostgresql.conf';
    expect(parsePgSettingValue(getPgSetting('work_mem', 16)!, pick(lemmy, 'work_mem'))).toEqual({ ok: true, value: 3932 });
    expect(parsePgSettingValue(getPgSetting('shared_buffers', 16)!, pick(lemmy, 'shared_buffers'))).toEqual({ ok: true, value: 393216 });
  });
});
