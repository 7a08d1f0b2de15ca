/**
 * Puts our loader's result and pg_file_settings' rows in one comparable shape:
 * the settings as (file, line, name, setting) in reading order, and the
 * (file, line) of every syntax/include-level error.
 *
 * How pg_file_settings reports problems (PostgreSQL 15 and 18 alike):
 * - syntax and include errors: a row with name NULL and `error` set
 *   ("syntax error", "could not open file \"…\"", "nesting depth exceeded",
 *   "configuration file recursion", "empty configuration file name",
 *   "could not open directory \"…\""), at the file/line of the statement
 *   (for includes: the directive in the including file). Compared here.
 * - value-level errors (left to src/catalog/postgresql/values.ts): on the
 *   setting's own row, error = "unrecognized configuration parameter" (an
 *   unknown name without a dot; only checked when there is no syntax/include
 *   error at all) or "setting could not be applied" (a bad value). Also rows
 *   with sourcefile NULL ("parameter … cannot be changed without restarting
 *   the server"). Collected in `valueErrors`, not compared.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceRange } from '../../src/core/location.js';
import type { PgConfig } from '../../src/sources/postgresql-conf/types.js';
import { loadPostgresqlConfig } from '../../src/sources/postgresql-conf/load.js';
import { clearConfigDir, fileSettings, type PgFileSettingRow, type RealPostgres } from '../support/real-postgres.js';
import { installCase, type ConfCase } from './cases.js';

export interface FileSettingsView {
  settings: Array<[file: string, line: number, name: string, setting: string]>;
  /** `file:line`, sorted, without duplicates. */
  errors: string[];
}

export function viewFromRows(rows: PgFileSettingRow[]): FileSettingsView & { valueErrors: PgFileSettingRow[] } {
  const settings: FileSettingsView['settings'] = [];
  const errors = new Set<string>();
  const valueErrors: PgFileSettingRow[] = [];
  for (const r of rows) {
    if (r.name !== null) {
      settings.push([r.sourcefile ?? '', r.sourceline ?? 0, r.name, r.setting ?? '']);
      if (r.error !== null) valueErrors.push(r);
    } else if (r.sourcefile === null) valueErrors.push(r);
    else errors.add(`${r.sourcefile}:${r.sourceline}`);
  }
  return { settings, errors: [...errors].sort(), valueErrors };
}

/**
 * guc-file.l counts only \n as a line end (a lone \r is whitespace); our
 * ranges use LineIndex, which also breaks at a lone \r. Map one to the other.
 */
/** For each LineIndex line (ended by \n, \r\n or a lone \r): its number counting \n only, as guc-file.l does. */
export function pgLineNumbers(text: string): number[] {
  const pgLines = [1];
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) pgLines.push(++n);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        i++;
        pgLines.push(++n);
      } else pgLines.push(n);
    }
  }
  return pgLines;
}

function pgLineOf(range: SourceRange, texts: Map<string, number[]>, readText: (file: string) => string): number {
  let pgLines = texts.get(range.file);
  if (pgLines === undefined) {
    pgLines = pgLineNumbers(readText(range.file));
    texts.set(range.file, pgLines);
  }
  return pgLines[range.line - 1] ?? range.line;
}

export function viewFromConfig(config: PgConfig, readText: (file: string) => string = (f) => readFileSync(f, 'utf8')): FileSettingsView {
  const texts = new Map<string, number[]>();
  const settings: FileSettingsView['settings'] = config.entries.map((e) => [e.file, pgLineOf(e.range, texts, readText), e.name, e.value]);
  const errors = new Set<string>();
  for (const p of config.problems) {
    if ((p.severity ?? 'error') !== 'error') continue;
    // A syntax error's message carries PostgreSQL's own line number (which
    // differs from the range at EOF without a final newline: see parse.ts).
    const m = /^syntax error in file ".*" line (\d+), near /.exec(p.message);
    errors.add(`${p.range.file}:${m ? Number(m[1]) : pgLineOf(p.range, texts, readText)}`);
  }
  return { settings, errors: [...errors].sort() };
}

/** Runs one case against a running server; returns both views. */
export async function compareWithServer(
  pg: RealPostgres,
  c: ConfCase,
): Promise<{ pg: ReturnType<typeof viewFromRows>; ours: FileSettingsView; config: PgConfig }> {
  clearConfigDir(pg);
  installCase(c, pg.configDir);
  const autoPath = join(pg.dataDir, 'postgresql.auto.conf');
  const autoBefore = readFileSync(autoPath);
  if (c.autoConf) writeFileSync(autoPath, c.autoConf);
  try {
    const rows = await fileSettings(pg);
    // pg_file_settings parses at DEBUG3, so each file is abandoned at its first syntax error.
    const config = loadPostgresqlConfig(join(pg.configDir, 'postgresql.conf'), { firstErrorOnly: true, dataDir: pg.dataDir });
    return { pg: viewFromRows(rows), ours: viewFromConfig(config), config };
  } finally {
    if (c.autoConf) writeFileSync(autoPath, autoBefore);
  }
}

