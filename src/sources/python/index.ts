/**
 * The Python extractor: pre-filter → parse (tree-sitter-python in a worker, parse.ts) → modules →
 * pools and gunicorn settings. Pure given the texts: the caller reads files (through FileAccess)
 * and decides which are Python.
 */
import { basename, dirname } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import { MAX_CODE_FILE_CHARS, MAX_PROBLEMS_PER_FILE } from '../../core/limits.js';
import type { AppFacts, AppPool, ProcessConfigFile } from '../app/types.js';
import { extractPools, gunicornConfig } from './extract.js';
import { PyModule } from './module.js';
import { parseTexts } from '../tree-sitter/runtime.js';
import { isGunicornConfigName, pythonPrefilter } from './prefilter.js';
import { namedChildren, syntaxErrors, type PyNode } from '../tree-sitter/syntax.js';
import type { PyProject } from './values.js';

export interface PythonSource {
  path: string;
  /** The file's UTF-8 bytes (the pre-filter reads them without decoding). */
  bytes: Uint8Array;
  explicit: boolean;
}

export interface PythonFileFacts {
  file: string;
  /** Why the file was parsed (the pre-filter's keyword), for --verbose. */
  parsedBecause: string;
  pools: AppPool[];
  problems: InputProblem[];
  /**
   * The module is run as a program: a top-level `if __name__ == "__main__":` block (Python docs,
   * library/__main__.html "Top-level code environment"), located at its `if`. With a one-off
   * name (`migrate.py`, `seed_db.py`) the code paths count the file as a one-off script.
   */
  mainGuard?: SourceRange;
}

export interface PythonFacts {
  files: PythonFileFacts[];
  pools: AppPool[];
  processConfigs: ProcessConfigFile[];
  /** Python applications found: a Django project (manage.py), the root of every app with a pool. */
  roots: AppFacts['roots'];
  /** Texts of the parsed files (for suppressions and source frames). */
  texts: Map<string, string>;
  problems: InputProblem[];
  /** Python files seen and not parsed, with why (imports no database library, over the size limit). */
  notParsed: Array<{ path: string; reason: string }>;
}

export interface AnalyzeOptions {
  root: string;
  /** The application root of a file (the folder with manage.py / pyproject.toml …). */
  appDirOf(file: string): string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Absolute-import lines and relative imports of a text (to add the repository modules a parsed file reads its constants from). */
const IMPORT_LINE = /^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([\w, \t()]+)|import[ \t]+([\w.]+))/gm;

export function analyzePythonFiles(sources: readonly PythonSource[], opts: AnalyzeOptions): PythonFacts {
  const out: PythonFacts = { files: [], pools: [], processConfigs: [], roots: [], texts: new Map(), problems: [], notParsed: [] };
  const rootDirs = new Set<string>();
  const addRoot = (dir: string, framework: string, file: string) => {
    if (rootDirs.has(dir)) return;
    rootDirs.add(dir);
    out.roots.push({ dir, language: 'python', framework, file });
  };
  for (const s of sources) if (basename(s.path) === 'manage.py') addRoot(dirname(s.path), 'django', s.path);
  const byPath = new Map(sources.map((s) => [s.path, s]));
  const chosen = new Map<string, string>();
  for (const s of sources) {
    const why = pythonPrefilter(basename(s.path), s.bytes);
    if (why !== undefined) chosen.set(s.path, why);
    else if (s.explicit) chosen.set(s.path, 'named on the command line');
    else out.notParsed.push({ path: s.path, reason: 'imports no PostgreSQL library: not parsed' });
  }
  if (chosen.size === 0) return out;
  // One level of imports: a module of the repository the chosen files import (settings, constants).
  for (const path of [...chosen.keys()]) {
    const text = utf8.decode(byPath.get(path)!.bytes);
    for (const m of text.matchAll(IMPORT_LINE)) {
      const mod = m[1] ?? m[3] ?? '';
      const names = (m[2] ?? '').replace(/[()]/g, '').split(',').map((x) => x.trim().split(/\s+/)[0]!).filter(Boolean);
      for (const f of candidateFiles(path, mod, names, opts.root)) {
        if (byPath.has(f) && !chosen.has(f)) {
          chosen.set(f, `imported by ${basename(path)}`);
          const i = out.notParsed.findIndex((n) => n.path === f);
          if (i !== -1) out.notParsed.splice(i, 1);
        }
      }
    }
  }
  const order: Array<{ path: string; text: string }> = [];
  for (const [path, why] of chosen) {
    const text = utf8.decode(byPath.get(path)!.bytes);
    if (text.length > MAX_CODE_FILE_CHARS) {
      const problem: InputProblem = {
        message: `Python file of ${text.length} characters, over the ${MAX_CODE_FILE_CHARS}-character limit for code files (${why}): not parsed, its pools are unknown.`,
        help: 'A generated file? Exclude it with --ignore-pattern.',
        severity: 'warning',
        range: { file: path, line: 1, column: 1, endLine: 1, endColumn: 1 },
      };
      out.problems.push(problem);
      out.notParsed.push({ path, reason: 'over the size limit for code files: not parsed' });
      continue;
    }
    order.push({ path, text });
  }
  const parsed = parseTexts('python', order.map((o) => o.text));
  const modules = new Map<string, PyModule>();
  const project: PyProject = { root: opts.root, module: (f) => modules.get(f) };
  const files: PythonFileFacts[] = [];
  order.forEach((o, i) => {
    const r = parsed[i]!;
    out.texts.set(o.path, o.text);
    const facts: PythonFileFacts = { file: o.path, parsedBecause: chosen.get(o.path)!, pools: [], problems: [] };
    files.push(facts);
    if (!r.ok) {
      facts.problems.push({ message: `Python file could not be parsed: ${r.reason}; its pools are unknown.`, severity: 'warning', range: { file: o.path, line: 1, column: 1, endLine: 1, endColumn: 1 } });
      return;
    }
    const mod = new PyModule(o.path, o.text, r.root);
    modules.set(o.path, mod);
    facts.problems.push(...syntaxProblems(mod, r.root));
    const guard = mainGuard(mod);
    if (guard) facts.mainGuard = guard;
  });
  for (const f of files) {
    const mod = modules.get(f.file);
    if (!mod) continue;
    try {
      f.pools = extractPools(mod, { project, appDirOf: opts.appDirOf });
      if (isGunicornConfigName(basename(f.file))) out.processConfigs.push(gunicornConfig(mod, project));
    } catch (e) {
      // A bug of ours on a strange file is a located problem, never a failed run.
      f.problems.push({ message: `Python file could not be analysed (${(e as Error).message}); its pools are unknown.`, severity: 'warning', range: { file: f.file, line: 1, column: 1, endLine: 1, endColumn: 1 } });
    }
    out.pools.push(...f.pools);
    for (const p of f.pools) addRoot(p.appDir, p.library === 'django' ? 'django' : 'python', p.file);
    out.problems.push(...f.problems.slice(0, MAX_PROBLEMS_PER_FILE));
  }
  out.files = files;
  return out;
}

/** The top-level `if __name__ == "__main__":` (either operand order, either quote). */
function mainGuard(mod: PyModule): SourceRange | undefined {
  for (const n of namedChildren(mod.root)) {
    if (n.type !== 'if_statement') continue;
    const cond = namedChildren(n)[0];
    if (cond?.type !== 'comparison_operator') continue;
    const t = mod.src(cond).replace(/\s+/g, '');
    if (/^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(t)) return mod.rangeOf(n);
  }
  return undefined;
}

/**
 * ERROR / MISSING nodes as located problems. tree-sitter recovers and the rest of the file is still
 * read. Python 2 code (`print "x"`, `except E, e:`) mostly parses (tree-sitter-python keeps
 * `print_statement` and `exec_statement`); what does not is reported like any syntax error.
 */
function syntaxProblems(mod: PyModule, root: PyNode): InputProblem[] {
  const errors = syntaxErrors(root);
  const out: InputProblem[] = [];
  const py2 = /^\s*print\s+[^(=\s]|^\s*except\s+[\w.]+\s*,\s*\w+\s*:|^\s*exec\s+["']|\bur["']|`[^`]*`/m.test(mod.text);
  for (const e of errors.slice(0, MAX_PROBLEMS_PER_FILE)) {
    const range = mod.rangeOf(e.missing ? { start: e.start, end: e.start } : e);
    const what = e.missing ? `missing ${JSON.stringify(e.type)}` : 'syntax error';
    out.push({
      message: `Python ${what}: the parser skipped this part; the rest of the file was analysed.${py2 ? ' The file looks like Python 2 code.' : ''}`,
      severity: 'warning',
      range: e.missing || range.endLine === range.line ? range : { ...range, endLine: range.line, endColumn: range.column + Math.max(1, mod.lines.lineText(range.line).length - range.column + 1) },
    });
  }
  return out;
}

/** Files an import line may name, relative to the importing file (relative imports) or to its ancestor folders. */
function candidateFiles(from: string, mod: string, names: string[], root: string): string[] {
  const dots = /^\.*/.exec(mod)![0].length;
  const parts = mod.slice(dots).split('.').filter(Boolean);
  const bases: string[] = [];
  if (dots > 0) {
    let dir = dirname(from);
    for (let k = 1; k < dots; k++) dir = dirname(dir);
    bases.push(dir);
  } else {
    let dir = dirname(from);
    for (let guard = 0; guard < 32; guard++) {
      bases.push(dir);
      if (dir === root || dirname(dir) === dir) break;
      dir = dirname(dir);
    }
  }
  const out: string[] = [];
  for (const b of bases) {
    const base = [b, ...parts].join('/');
    out.push(`${base}.py`, `${base}/__init__.py`);
    for (const n of names) out.push(`${base}/${n}.py`);
  }
  return out;
}
