/**
 * uWSGI's ini configuration (`uwsgi --ini etc/uwsgi.ini`, or `uwsgi etc/uwsgi.ini`): the process
 * model it sets. Grammar of uWSGI core/ini.c: `[section]` lines; `key = value` split at the first
 * `=`, both sides trimmed; lines starting with `;` or `#` are comments; only the `[uwsgi]` section is
 * read unless another is named (`--ini file.ini:section`). Options (uWSGI docs, "Configuration
 * options"): `processes` (alias `workers`, `-p`), default 1; `threads` (default: none, one request at
 * a time per worker); `gevent N` (N greenlets per worker); `enable-threads` only lets the app start
 * its own threads and does not serve requests on them. `$(VAR)` is the environment variable's value.
 * uWSGI docs "Configuring uWSGI" (Configuration.html): every command-line option maps 1:1 to a file
 * key; the file type is deduced from the extension; `UWSGI_<OPTION>` environment variables set
 * options too, and a file or command-line value overrides them.
 */
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import type { AppSetting, ProcessConfigFile } from '../app/types.js';
import { numberWord } from '../command/app-servers.js';

/** Does this .ini text hold a `[uwsgi]` section? (Checked before parsing: most .ini files are not uWSGI's.) */
export function isUwsgiIni(text: string): boolean {
  return /^[ \t]*\[uwsgi\][ \t]*$/m.test(text);
}

export function extractUwsgiIni(text: string, file: string, section = 'uwsgi'): ProcessConfigFile {
  const cfg: ProcessConfigFile = { file, server: 'uwsgi', problems: [] };
  const problems: InputProblem[] = cfg.problems;
  let current: string | undefined;
  let gevent: { value: string; range: SourceRange } | undefined;
  let threads: AppSetting<number> | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const sec = /^\[([^\]]*)\]$/.exec(line);
    if (sec) {
      current = sec[1]!.trim();
      return;
    }
    if (current !== section) return;
    const eq = raw.indexOf('=');
    if (eq < 0) return;
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = raw.slice(eq + 1).trim();
    const col = raw.indexOf(raw.trimStart()) + 1;
    const range: SourceRange = { file, line: i + 1, column: col, endLine: i + 1, endColumn: raw.trimEnd().length + 1 };
    const num = (): AppSetting<number> => {
      const n = numberWord(value);
      const v: AppSetting<number> = n ?? { value: undefined, provenance: { kind: 'unknown', reason: `${key} = ${value} is not a number` } };
      if (v.provenance.kind === 'unknown' && /%\(/.test(value)) v.provenance = { kind: 'unknown', reason: `${key} = ${value} refers to another option (uWSGI %(…) placeholder), not read` };
      return { ...v, range };
    };
    if (key === 'processes' || key === 'workers' || key === 'p') cfg.processes = num();
    else if (key === 'threads') threads = num();
    else if (key === 'gevent') gevent = { value, range };
  });
  if (threads) cfg.threads = threads;
  if (gevent) cfg.concurrency = { value: 'greenlets', range: gevent.range, source: `gevent = ${gevent.value}` };
  else if (threads?.value !== undefined && threads.value > 1) cfg.concurrency = { value: 'threads', ...(threads.range ? { range: threads.range } : {}), source: `threads = ${threads.value}` };
  if (problems.length > 0) cfg.problems = problems;
  return cfg;
}
