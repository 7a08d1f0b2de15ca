/**
 * Heroku's Procfile (also Dokku, Google Cloud buildpacks): one process type per line,
 * `<process type>: <command>` (https://devcenter.heroku.com/articles/procfile). The type is
 * `[A-Za-z0-9_-]+` (Dokku's procfile-util, https://dokku.com/docs/appendices/file-formats/procfile/);
 * `#` lines are comments; other lines are not process types. `release` runs once per deploy
 * (Heroku Release Phase), not as a long-running dyno.
 *
 * How many dynos run each type is set on the platform (`heroku ps:scale`), not in the repository,
 * except in app.json's `formation` (`{"web": {"quantity": 2, "size": "standard-2x"}}`, Heroku's
 * app.json schema, https://devcenter.heroku.com/articles/app-json-schema#formation), which is read
 * when it sits beside the Procfile.
 */
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { InputProblem } from '../../core/diagnostic.js';

export interface ProcfileProcess {
  type: string;
  command: string;
  /** The whole line. */
  range: SourceRange;
}

export interface AppJsonFormation {
  quantity?: { value: number; range: SourceRange };
  size?: { value: string; range: SourceRange };
}

export interface ProcfileFacts {
  file: string;
  processes: ProcfileProcess[];
  /** app.json beside the Procfile: its `formation` per process type. */
  appJson?: { file: string; formation: Map<string, AppJsonFormation> };
}

const LINE = /^([A-Za-z0-9_-]+):[ \t]*(.*?)\s*$/;

export function parseProcfile(text: string, file: string): ProcfileFacts {
  const idx = new LineIndex(text);
  const processes: ProcfileProcess[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const clean = line.replace(/\r$/, '');
    const m = LINE.exec(clean);
    if (m && m[2] !== '' && !/^\s*#/.test(clean)) processes.push({ type: m[1]!, command: m[2]!, range: idx.range(file, offset, offset + clean.length) });
    offset += line.length + 1;
  }
  return { file, processes };
}

/** app.json's `formation`: quantity and size per process type (other keys are not ours). */
export function parseAppJsonFormation(text: string, file: string, problems: InputProblem[]): Map<string, AppJsonFormation> {
  const out = new Map<string, AppJsonFormation>();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    problems.push({ message: `app.json is not valid JSON (${(e as Error).message}): its formation is not read.`, severity: 'warning', range: { file, line: 1, column: 1, endLine: 1, endColumn: 1 } });
    return out;
  }
  const formation = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).formation : undefined;
  if (!formation || typeof formation !== 'object') return out;
  const idx = new LineIndex(text);
  // JSON.parse keeps no positions: each value is located by its key's first `"type"` after "formation".
  const base = Math.max(0, text.indexOf('"formation"'));
  for (const [type, v] of Object.entries(formation as Record<string, unknown>)) {
    if (!v || typeof v !== 'object') continue;
    const entry: AppJsonFormation = {};
    const at = text.indexOf(JSON.stringify(type), base);
    const locate = (key: string): SourceRange => {
      const k = at === -1 ? -1 : text.indexOf(`"${key}"`, at);
      return k === -1 ? idx.range(file, base, base) : idx.range(file, k, k + key.length + 2);
    };
    const q = (v as Record<string, unknown>).quantity;
    if (typeof q === 'number' && Number.isInteger(q) && q >= 0) entry.quantity = { value: q, range: locate('quantity') };
    const s = (v as Record<string, unknown>).size;
    if (typeof s === 'string') entry.size = { value: s, range: locate('size') };
    out.set(type, entry);
  }
  return out;
}

/**
 * WEB_CONCURRENCY the Heroku Python buildpack sets when the app does not, by dyno size (Common
 * Runtime and Private Spaces; https://devcenter.heroku.com/articles/python-concurrency, "Default
 * Settings and Behavior", values since the 13 March 2024 change, changelog item 2846).
 */
export const HEROKU_PYTHON_WEB_CONCURRENCY: Record<string, number> = {
  eco: 2,
  basic: 2,
  'standard-1x': 2,
  'standard-2x': 4,
  'performance-m': 5,
  'performance-l': 17,
  'performance-l-ram': 9,
  'performance-xl': 17,
  'performance-2xl': 33,
  'private-s': 4,
  'shield-s': 4,
  'private-m': 5,
  'shield-m': 5,
  'private-l': 17,
  'shield-l': 17,
};
