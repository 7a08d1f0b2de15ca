import { readdirSync } from 'node:fs';
import { test } from 'vitest';
import { loadPgbouncerConfig } from '../../src/sources/pgbouncer-ini/load.js';
import { pgbouncerStartupErrors } from '../../src/sources/pgbouncer-ini/validate.js';
test('smoke', () => {
const dir = '/work/shared/corpus/pgbouncer';
for (const f of readdirSync(dir)) {
  const c = loadPgbouncerConfig(`${dir}/${f}`, { repoRoot: dir, version: '1.18' });
  const errs = pgbouncerStartupErrors(c, '1.18');
  console.log(f, 'settings', c.settings.length, 'dbs', c.databases.length, 'users', c.users.length, 'auth', c.authFile?.users.length);
  for (const p of c.problems) console.log('   P', p.severity ?? 'error', p.range.line, p.message);
  for (const e of errs) console.log('   E', e.kind, e.range.line, e.message);
}
});
