/**
 * Differential test: our loader + validation against the real PgBouncer 1.18 (Debian 12's
 * /usr/sbin/pgbouncer). For every fixture in fixtures/pgbouncer-ini/ and every corpus file:
 * - PgBouncer refuses to start → we report an error on a line its log names;
 * - PgBouncer starts → we report no error, and SHOW CONFIG / SHOW DATABASES / SHOW USERS hold the
 *   values our parser and parsePgbouncerValue give for what the file sets.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { getPgbouncerSetting, parsePgbouncerValue, pgbouncerConnstringParam, type PgbouncerSettingDef } from '../../src/catalog/pgbouncer/catalog.js';
import { loadPgbouncerConfig } from '../../src/sources/pgbouncer-ini/load.js';
import { pgbouncerStartupErrors } from '../../src/sources/pgbouncer-ini/validate.js';
import type { PgbouncerConfig } from '../../src/sources/pgbouncer-ini/types.js';
import { formatG, makeSandbox, PGBOUNCER_BIN, PSQL_BIN, requireBinary, runRealPgbouncer, type Sandbox, type SandboxFile } from '../support/real-pgbouncer.js';
import { corpusFiles, corpusPath, itCorpus } from '../support/corpus.js';
import { missingProgramsNote } from '../support/skip-note.js';

const VERSION = '1.18';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtureDir = join(root, 'fixtures', 'pgbouncer-ini');
const corpusDir = corpusPath('pgbouncer');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

interface Case {
  name: string;
  files: SandboxFile[];
  main: string;
}

function fixtureCases(): Case[] {
  const cases: Case[] = [];
  for (const n of readdirSync(fixtureDir).sort()) {
    const p = join(fixtureDir, n);
    if (statSync(p).isDirectory()) {
      if (!readdirSync(p).includes('pgbouncer.ini')) continue;
      cases.push({ name: `fixture ${n}/`, main: 'pgbouncer.ini', files: walk(p).map((f) => ({ rel: relative(p, f), text: readFileSync(f, 'utf8') })) });
    } else if (n.endsWith('.ini')) {
      cases.push({ name: `fixture ${n}`, main: n, files: [{ rel: n, text: readFileSync(p, 'utf8') }] });
    }
  }
  return cases;
}

/** None when ../shared/corpus is missing: the test 'the cases include the corpus files' says so. */
function corpusCases(): Case[] {
  const names = corpusFiles('pgbouncer');
  return names.map((n) => {
    const text = readFileSync(join(corpusDir, n), 'utf8');
    const files: SandboxFile[] = [{ rel: n, text }];
    // A relative %include names a path in the same source repository: add that corpus file there.
    for (const m of text.matchAll(/^%include[ \t]+([^/\s][^\s]*)\s*$/gm)) {
      const target = m[1] ?? '';
      const prefix = n.split('__').slice(0, 2).join('__');
      const hit = names.find((c) => c === `${prefix}__${target.replace(/\//g, '__')}`);
      if (hit) files.push({ rel: target, text: readFileSync(join(corpusDir, hit), 'utf8') });
    }
    return { name: `corpus ${n}`, main: n, files };
  });
}

interface OurError {
  file: string;
  lines: number[];
  message: string;
}

/** cfparser.c reports "invalid value" at the line after the skipped whitespace that follows the value. */
function nextContentLine(text: string, line: number): number {
  const lines = text.split('\n');
  for (let l = line + 1; l <= lines.length; l++) if ((lines[l - 1] ?? '').trim() !== '') return l;
  return text.endsWith('\n') ? lines.length : lines.length;
}

function ourErrors(cfg: PgbouncerConfig, texts: Map<string, string>): OurError[] {
  const out: OurError[] = [];
  const add = (file: string, line: number, message: string) => {
    const t = texts.get(file) ?? '';
    out.push({ file, lines: [line, nextContentLine(t, line)], message });
  };
  for (const p of cfg.problems) if ((p.severity ?? 'error') === 'error') add(p.range.file, p.range.line, p.message);
  for (const e of pgbouncerStartupErrors(cfg, VERSION)) add(e.entry.file, e.entry.range.line, `${e.kind}: ${e.message}`);
  return out;
}

/** How SHOW CONFIG prints a value (libusual cf_get_int / cf_get_uint / cf_get_time_usec / cf_get_lookup). */
function showValue(def: PgbouncerSettingDef, v: number | string | boolean): string {
  if (def.type === 'time') return formatG(Math.trunc(Number(v) * 1e6) / 1e6);
  return String(v);
}

const atoi = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const m = s.match(/^\s*([+-]?\d+)/);
  return m ? Number(m[1]) : 0;
};

const PROGRAMS = [PGBOUNCER_BIN, PSQL_BIN];
const have = PROGRAMS.every(requireBinary);
const cases = [...fixtureCases(), ...corpusCases()];

describe.skipIf(!have)(`PgBouncer ${VERSION} (${PGBOUNCER_BIN}) agrees with loadPgbouncerConfig`, missingProgramsNote(PROGRAMS), () => {
  const sandboxes: Sandbox[] = [];
  afterAll(() => {
    for (const s of sandboxes) s.cleanup();
  });

  test('there are fixtures', () => {
    expect(cases.filter((c) => c.name.startsWith('fixture')).length).toBeGreaterThanOrEqual(25);
  });

  itCorpus('the cases include the corpus files', () => {
    expect(cases.filter((c) => c.name.startsWith('corpus')).length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const sb = makeSandbox(c.files, c.main);
      sandboxes.push(sb);
      const run = await runRealPgbouncer(sb);
      const cfg = loadPgbouncerConfig(sb.mainPath, { repoRoot: sb.dir, version: VERSION });
      const texts = new Map(cfg.files.map((f) => [f, readFileSync(f, 'utf8')]));
      const errors = ourErrors(cfg, texts);

      if (!run.started) {
        if (/main section missing/.test(run.log)) {
          // cfparser.c cf_load_file names no line for this one.
          expect(errors.some((e) => e.file === sb.mainPath), `PgBouncer: main section missing; we reported:\n${JSON.stringify(errors)}`).toBe(true);
          return;
        }
        expect(run.errors, `PgBouncer refused to start without naming a line:\n${run.log}`).not.toEqual([]);
        const named = run.errors.map((e) => ({ file: resolve(sb.dir, e.file), line: e.line }));
        const match = errors.some((o) => named.some((n) => n.file === o.file && o.lines.includes(n.line)));
        expect(match, `PgBouncer refused:\n${run.log}\nwe reported:\n${JSON.stringify(errors, null, 1)}`).toBe(true);
        return;
      }

      expect(errors, `PgBouncer started, but we report errors:\n${run.log}`).toEqual([]);
      const show = run.config!;
      // [pgbouncer]: every value the file sets, as PgBouncer stored it.
      for (const [key, entry] of cfg.effective) {
        if (entry.file === sb.overridesPath) continue;
        const def = getPgbouncerSetting(key, VERSION)!;
        const parsed = parsePgbouncerValue(def, entry.value);
        expect(parsed.ok, `${key} = ${entry.value}`).toBe(true);
        if (!parsed.ok) continue;
        const actual = show.get(key)?.value;
        if (def.type === 'bool') expect(actual !== '0', `${key} = ${entry.value}`).toBe(parsed.value);
        else expect(actual, `${key} = ${entry.value} (line ${entry.range.line})`).toBe(showValue(def, parsed.value));
      }
      // Settings reset by a later [pgbouncer] header show their default again.
      for (const e of cfg.settings) {
        if (cfg.effective.has(e.key) || e.file === sb.overridesPath) continue;
        const def = getPgbouncerSetting(e.key, VERSION)!;
        expect(show.get(e.key)?.value, `${e.key} reset to its default`).toBe(show.get(e.key)?.default);
        expect(show.get(e.key)?.default).toBe(def.default);
      }
      // [databases]: the last entry per name wins (loader.c add_database finds the existing one).
      const settingNumber = (k: string) => {
        const e = cfg.effective.get(k);
        const def = getPgbouncerSetting(k, VERSION)!;
        const r = parsePgbouncerValue(def, e?.value ?? def.default);
        return r.ok ? String(r.value) : '?';
      };
      const dbs = new Map(cfg.databases.filter((d) => d.name !== '*').map((d) => [d.name, d]));
      const rows = new Map((run.databases ?? []).map((r) => [r.name ?? '', r]));
      for (const [name, db] of dbs) {
        const row = rows.get(name);
        expect(row, `SHOW DATABASES has ${name}`).toBeDefined();
        const p = (k: string) => db.params.get(k)?.value;
        expect(row?.host, `${name} host`).toBe(p('host') ?? '');
        expect(row?.port, `${name} port`).toBe(String(atoi(p('port')) ?? 5432));
        expect(row?.database, `${name} database`).toBe(p('dbname') ?? name);
        expect(row?.force_user, `${name} force_user`).toBe(p('user') ?? '');
        expect(row?.pool_size, `${name} pool_size`).toBe(String(atoi(p('pool_size')) ?? settingNumber('default_pool_size')));
        expect(row?.reserve_pool, `${name} reserve_pool`).toBe(String(atoi(p('reserve_pool')) ?? settingNumber('reserve_pool_size')));
        const pm = p('pool_mode');
        const pmDef = pgbouncerConnstringParam('database', 'pool_mode', VERSION)!;
        const pmParsed = pm === undefined ? undefined : parsePgbouncerValue(pmDef, pm);
        expect(row?.pool_mode, `${name} pool_mode`).toBe(pmParsed?.ok ? String(pmParsed.value) : '');
      }
      expect([...rows.keys()].filter((n) => n !== 'pgbouncer').sort()).toEqual([...dbs.keys()].sort());
      // [users]: pool_mode (SHOW USERS in 1.18 has name and pool_mode).
      const userRows = new Map((run.users ?? []).map((r) => [r.name ?? '', r]));
      for (const u of cfg.users) {
        const pm = u.params.get('pool_mode')?.value;
        const pmDef = pgbouncerConnstringParam('user', 'pool_mode', VERSION)!;
        const r = pm === undefined ? undefined : parsePgbouncerValue(pmDef, pm);
        expect(userRows.get(u.name)?.pool_mode, `user ${u.name} pool_mode`).toBe(r?.ok ? String(r.value) : '');
      }
    });
  }
});
