import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from '../../src/sources/js/typescript.cjs';
import type { TextFile } from '../../src/core/read-text.js';
import { FileAccess } from '../../src/core/file-access.js';
import { findRepoRoot } from '../../src/discovery/discover.js';
import { jsFileFacts } from '../../src/facts/build.js';
import { isSupportedSpecifier } from '../../src/sources/js/libraries.js';
import { parseTsconfigText } from '../../src/sources/js/tsconfig.js';
import { collectImportSpecifiers } from '../../src/sources/js/prefilter.js';
import { analyzeJsFiles } from '../../src/sources/js/project.js';
import { adoptSourceFile, parseJsFile, type ParsedJsFile } from '../../src/sources/js/parse.js';
import type { JsFileFacts } from '../../src/sources/js/types.js';

/**
 * The facts of one file as ESLint sees it (the editor's text, saved or not), from the same
 * extractor as the CLI: `analyzeJsFiles` over the file and the repository files it imports,
 * transitively (where its pool, or the constants of its options, are defined).
 */
export interface FileFacts {
  root: string;
  /** Facts of the file and of every module read on the way (findings are kept for the file only). */
  js: JsFileFacts[];
}

/** A bound on the import closure: enough for a handler → service → db → config chain, cheap per keystroke. */
const MAX_CLOSURE_FILES = 200;

interface ImportScan {
  mtimeMs: number;
  size: number;
  specifiers: string[];
}

/** Per ESLint process: the import specifiers of files on disk, until their mtime changes. */
const scans = new Map<string, ImportScan>();
/** Per repository root: compiler options for TypeScript's module resolution (tsconfig `paths`, `baseUrl`). */
const resolutionOptions = new Map<string, { mtimeMs: number; options: ts.CompilerOptions }>();
/** The last analyses, by file: every pgconn rule on a file asks for the same facts. */
const recent = new Map<string, { text: string; facts: FileFacts }>();
const RECENT_SIZE = 16;

/** Like the CLI (discovery `findRepoRoot`): the nearest ancestor with `.git`, else the file's directory. */
export function repoRootOf(file: string): string {
  return findRepoRoot(dirname(file));
}

/**
 * The facts of the file from the editor's text. `tree`: the TypeScript tree ESLint's parser built
 * from that text (`eslint-tree.ts`), analysed instead of a second parse; the files it imports are
 * parsed once and their trees kept while their text is unchanged.
 */
export function factsForFile(file: string, text: string, tree?: ts.SourceFile): FileFacts {
  const hit = recent.get(file);
  if (hit && hit.text === text) return hit.facts;
  const root = repoRootOf(file);
  // As in the CLI, nothing outside the repository is read (docs/security.md); a new guard per lint, so no verdict goes stale.
  const access = new FileAccess(root);
  const closure = importClosure(file, text, root, access);
  const readFile = (p: string): TextFile => (p === file ? { ok: true, path: p, text, hasBom: false, problems: [] } : access.readText(p));
  const parse = (p: string, t: string): ParsedJsFile => {
    if (p !== file) return keptTree(p, t);
    const adopted = tree !== undefined ? adoptSourceFile(tree, t, p) : undefined;
    if (adopted !== undefined) parses.adopted++;
    else parses.parsed++;
    return adopted ?? parseJsFile(t, p);
  };
  const analysis = analyzeJsFiles([file, ...closure], { repoRoot: root, readFile, parse });
  const facts: FileFacts = { root, js: jsFileFacts(analysis, root) };
  recent.delete(file);
  recent.set(file, { text, facts });
  if (recent.size > RECENT_SIZE) recent.delete(recent.keys().next().value!);
  return facts;
}

/** The linted files whose tree came from ESLint's parser, and those parsed here (tests read it). */
export const parses = { adopted: 0, parsed: 0, kept: 0 };

/** Trees of imported files, by path, while their text is the same (least recently used first). */
const trees = new Map<string, { text: string; parsed: ParsedJsFile }>();
let treeChars = 0;
/** About 25–65 bytes of tree per character of code: 2 M characters keep the editor's memory within ~100 MB. */
const MAX_TREE_CHARS = 2_000_000;

function keptTree(path: string, text: string): ParsedJsFile {
  const hit = trees.get(path);
  if (hit !== undefined) {
    trees.delete(path);
    treeChars -= hit.text.length;
    if (hit.text === text) {
      trees.set(path, hit);
      treeChars += text.length;
      parses.kept++;
      return hit.parsed;
    }
  }
  const parsed = parseJsFile(text, path);
  if (text.length <= MAX_TREE_CHARS / 4) {
    trees.set(path, { text, parsed });
    treeChars += text.length;
    for (const [p, t] of trees) {
      if (treeChars <= MAX_TREE_CHARS) break;
      trees.delete(p);
      treeChars -= t.text.length;
    }
  }
  return parsed;
}

function specifiersOnDisk(path: string, access: FileAccess): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    scans.delete(path);
    return [];
  }
  const cached = scans.get(path);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.specifiers;
  const t = access.readText(path);
  const specifiers = t.ok ? collectImportSpecifiers(t.text) : [];
  scans.set(path, { mtimeMs: st.mtimeMs, size: st.size, specifiers });
  return specifiers;
}

/** Repository files reachable through local imports (relative, absolute or tsconfig `paths`), breadth first. */
export function importClosure(file: string, text: string, root: string, access: FileAccess = new FileAccess(root)): string[] {
  const options = compilerOptionsFor(root, access);
  const hasAliases = options.paths !== undefined && Object.keys(options.paths).length > 0;
  const seen = new Set<string>([file]);
  const out: string[] = [];
  let frontier: Array<{ from: string; specifiers: string[] }> = [{ from: file, specifiers: collectImportSpecifiers(text) }];
  while (frontier.length > 0 && out.length < MAX_CLOSURE_FILES) {
    const next: typeof frontier = [];
    for (const { from, specifiers } of frontier) {
      for (const spec of specifiers) {
        if (isSupportedSpecifier(spec)) continue;
        if (!spec.startsWith('.') && !isAbsolute(spec) && !hasAliases) continue; // a package
        const target = resolveLocal(spec, from, options, root, access);
        if (target === undefined || seen.has(target)) continue;
        seen.add(target);
        out.push(target);
        if (out.length >= MAX_CLOSURE_FILES) break;
        next.push({ from: target, specifiers: specifiersOnDisk(target, access) });
      }
    }
    frontier = next;
  }
  return out;
}

/** TypeScript's own resolver (bundler mode: extension-less, `.js` naming `.ts`, index files, `paths`). */
function resolveLocal(spec: string, from: string, options: ts.CompilerOptions, root: string, access: FileAccess): string | undefined {
  const r = ts.resolveModuleName(spec, from, options, guardedHost(access)).resolvedModule;
  if (r === undefined || r.isExternalLibraryImport === true) return undefined;
  const path = resolve(r.resolvedFileName);
  if (/\.d\.[cm]?ts$/.test(path)) return undefined;
  const rel = relative(root, path);
  return rel.startsWith('..') || isAbsolute(rel) ? undefined : path;
}

/** TypeScript's module resolution host, reading (package.json files) only what the guard allows. */
function guardedHost(access: FileAccess): ts.ModuleResolutionHost {
  return {
    fileExists: (p) => access.isFile(p),
    readFile: (p) => {
      const t = access.readText(p);
      return t.ok ? t.text : undefined;
    },
    directoryExists: (p) => access.check(p).ok && (ts.sys.directoryExists?.(p) ?? false),
    realpath: (p) => ts.sys.realpath?.(p) ?? p,
    getCurrentDirectory: () => access.root,
  };
}

function compilerOptionsFor(root: string, access: FileAccess): ts.CompilerOptions {
  const tsconfig = join(root, 'tsconfig.json');
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(tsconfig).mtimeMs;
  } catch {
    /* no tsconfig */
  }
  const cached = resolutionOptions.get(root);
  if (cached && cached.mtimeMs === mtimeMs) return cached.options;
  const options: ts.CompilerOptions = {
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    module: ts.ModuleKind.ESNext,
    allowJs: true,
    resolveJsonModule: false,
  };
  const read = mtimeMs >= 0 ? access.readText(tsconfig) : undefined;
  if (read?.ok) {
    const parsed = parseTsconfigText(tsconfig, read.text);
    const co = (parsed.config as { compilerOptions?: { baseUrl?: unknown; paths?: unknown } } | undefined)?.compilerOptions;
    if (co !== undefined && typeof co.paths === 'object' && co.paths !== null) {
      // Same reading as the CLI's analysis (src/sources/js/project.ts readTsconfigPaths): `paths` relative to baseUrl or the root.
      options.baseUrl = resolve(root, typeof co.baseUrl === 'string' ? co.baseUrl : '.');
      options.paths = co.paths as ts.MapLike<string[]>;
    }
  }
  resolutionOptions.set(root, { mtimeMs, options });
  return options;
}
