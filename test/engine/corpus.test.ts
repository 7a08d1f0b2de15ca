/** Every real-world file in ../shared/corpus is linted without a crash or an internal error. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CORPUS_ROOT as CORPUS, describeCorpus } from '../support/corpus.js';
import { allDiagnostics, lintPaths, testConfig } from '../support/lint-helpers.js';

describeCorpus('shared corpus', () => {
  const kinds = readdirSync(CORPUS).filter((k) => !k.endsWith('.md'));
  it('exists', () => expect(kinds.length).toBeGreaterThan(0));
  for (const kind of kinds) {
    for (const f of readdirSync(join(CORPUS, kind))) {
      it(`${kind}/${f}`, () => {
        const path = join(CORPUS, kind, f);
        const result = lintPaths(join(CORPUS, kind), [path], testConfig());
        for (const d of allDiagnostics(result)) {
          expect(d.range.line).toBeGreaterThan(0);
          expect(d.range.column).toBeGreaterThan(0);
          expect(d.message).not.toMatch(/internal error/i);
        }
      });
    }
  }
});

/** What a PostgreSQL expert expects on particular corpus files (see ../shared/corpus/SOURCES.md). */
describeCorpus('shared corpus: expert expectations', () => {
  const findings = (kind: string, file: string) => {
    const result = lintPaths(join(CORPUS, kind), [join(CORPUS, kind, file)], testConfig());
    return allDiagnostics(result).map((d) => `${d.range.line} ${d.severity} ${d.ruleId ?? 'input'}`);
  };

  it('the upstream pgbouncer.ini sample has no errors (md5 is only a warning)', () => {
    expect(findings('pgbouncer', 'pgbouncer__pgbouncer__etc__pgbouncer.ini').filter((f) => f.includes(' error '))).toEqual([]);
  });

  it('the upstream test.ini: every key is valid', () => {
    const fs = findings('pgbouncer', 'pgbouncer__pgbouncer__test__test.ini');
    expect(fs.filter((f) => /unknown-setting|invalid-setting-value/.test(f))).toEqual([]);
  });

  it('JelteF shared config: max_prepared_statements with transaction mode is fine', () => {
    expect(findings('pgbouncer', 'JelteF__pooler-bench__configs__pgbouncer-shared.ini').filter((f) => f.includes(' error '))).toEqual([]);
  });

  it('auth_type = any on 0.0.0.0 is an error', () => {
    expect(findings('pgbouncer', 'Starefossen__docker-pgbouncer__pgbouncer.ini')).toContain('9 error pgbouncer-auth');
  });

  it('CrunchyData: a template whose values are placeholders (POOL_MODE) is one warning, not an error per value', () => {
    const fs = findings('pgbouncer', 'CrunchyData__crunchy-containers__conf__pgbouncer__pgbouncer.ini').filter((f) => f.includes('invalid-setting-value'));
    expect(fs).toEqual(['14 warning invalid-setting-value']);
  });

  it('Supabase: includes of absolute paths outside the repository are notes, not errors', () => {
    const fs = findings('pgbouncer', 'supabase__postgres__docker__all-in-one__etc__pgbouncer__pgbouncer.ini');
    expect(fs.filter((f) => f.includes(' error '))).toEqual([]);
    const pg = findings('postgresql-conf', 'supabase__postgres__ansible__files__postgresql_config__postgresql.conf.j2');
    expect(pg).toContain('431 warning input');
    expect(pg).toContain('97 error unknown-setting'); // db_user_namespace, removed in PostgreSQL 17
  });

  it('andersonef: reserved_connections = max_connections = 300 refuses to start', () => {
    expect(findings('postgresql-conf', 'zanfranceschi__rinha-de-backend-2024-q1__participantes__andersonef__postgresql.conf')).toContain('66 error reserved-connections');
  });

  it('pedrohenriquea: max_connections = 550 is flagged', () => {
    expect(findings('postgresql-conf', 'zanfranceschi__rinha-de-backend-2024-q1__participantes__pedrohenriquea-pgbouncer__postgresql.conf')).toContain('4 warning connection-memory');
  });

  it('the Supabase platform-defaults fragment is not judged as a whole server config', () => {
    expect(findings('postgresql-conf', 'supabase__postgres__docker__all-in-one__etc__postgresql-custom__postgresql-platform-defaults.conf')).toEqual([]);
  });

  it('LemmyNet pgtune config: dotted extension parameters are accepted', () => {
    expect(findings('postgresql-conf', 'LemmyNet__lemmy__docker__customPostgresql.conf').filter((f) => /unknown-setting|invalid/.test(f))).toEqual([]);
  });
});
