/**
 * Reads the `datasource` and `generator` blocks of a Prisma schema and skips everything else.
 *
 * Grammar: prisma-engines psl/schema-ast/src/parser/datamodel.pest (the same for Prisma 5, 6 and 7):
 * - whitespace inside a line is spaces and tabs only; NEWLINE is `\n`, `\r\n` or `\r`, so every
 *   declaration, field and `key = value` fits on one line;
 * - a block is `keyword name {` — the rest of the `{` line is swallowed (BLOCK_OPEN) — then items,
 *   and it closes at the first line whose first non-blank character is `}` (a field can never
 *   start with `}`, and strings and comments never span lines, so `}` inside them cannot close it);
 * - config_block: `(datasource|generator) identifier { (key_value | comment | empty line)* }`,
 *   key_value = identifier `=` expression trailing_comment? NEWLINE;
 * - expression = function_call | array | number | string | path; strings are JSON strings
 *   (`\` escapes the next character, no control characters); comments are `//` and `///` to the end of the line;
 * - identifier = [A-Za-z0-9][A-Za-z0-9_-]*.
 * Prisma 7 dropped `url`/`directUrl`/`shadowDatabaseUrl` from datasources (prisma-engines #5683);
 * the syntax is unchanged, so one reader serves every version.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { readTextFile, type TextFile } from '../../core/read-text.js';
import { listDirectory, type DirListing } from '../../core/file-access.js';
import { MAX_NESTING_DEPTH } from '../../core/limits.js';
import type { ParsedPrismaSchema, PrismaDatasource, PrismaGenerator, PrismaProperty, PrismaValue } from './types.js';

const isBlank = (c: number): boolean => c === 32 || c === 9;
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isIdentChar = (c: number): boolean => isAlnum(c) || c === 95 || c === 45;

type Parsed = { ok: true; value: PrismaValue; end: number; strings?: string[] } | { ok: false; at: number; message: string; tooDeep?: true };

interface OpenConfigBlock {
  kind: 'datasource' | 'generator';
  name: string;
  start: number;
  nameStart: number;
  nameEnd: number;
  props: Array<PrismaProperty & { strings?: string[] }>;
}

export function parsePrismaSchema(text: string, file: string): ParsedPrismaSchema {
  const out = parseSchemaFile(text, file);
  checkSingleDatasource(out);
  sortProblems(out);
  return out;
}

function sortProblems(s: ParsedPrismaSchema): void {
  s.problems.sort((a, b) => (a.range.file < b.range.file ? -1 : a.range.file > b.range.file ? 1 : 0) || a.range.line - b.range.line || a.range.column - b.range.column);
}

function parseSchemaFile(text: string, file: string): ParsedPrismaSchema {
  const idx = new LineIndex(text);
  const range = (a: number, b: number): SourceRange => idx.range(file, a, b);
  const out: ParsedPrismaSchema = { datasources: [], generators: [], problems: [] };
  const n = text.length;
  const code = (i: number): number => (i < n ? text.charCodeAt(i) : -1);
  const problem = (a: number, b: number, message: string, help?: string): void => {
    const p: InputProblem = { message, range: range(a, Math.max(b, a)) };
    if (help) p.help = help;
    out.problems.push(p);
  };

  let config: OpenConfigBlock | null = null;
  let skipping: { keyword: string; start: number } | null = null;

  const skipBlanks = (i: number, end: number): number => {
    while (i < end && isBlank(code(i))) i++;
    return i;
  };
  const readIdent = (i: number, end: number): number => {
    if (i >= end || !isAlnum(code(i))) return i;
    i++;
    while (i < end && isIdentChar(code(i))) i++;
    return i;
  };
  const restIsComment = (i: number, end: number): boolean => {
    i = skipBlanks(i, end);
    return i >= end || (code(i) === 47 && code(i + 1) === 47);
  };

  const closeConfig = (closeEnd: number): void => {
    if (!config) return;
    const block = config;
    config = null;
    const seen = new Map<string, PrismaProperty>();
    const props: PrismaProperty[] = [];
    for (const p of block.props) {
      if (seen.has(p.key)) {
        // psl: DatamodelError::new_duplicate_config_key_error "Key \"{}\" is already defined in {}."
        out.problems.push({
          message: `Key "${p.key}" is already defined in ${block.kind} "${block.name}"; Prisma rejects the schema.`,
          help: 'Remove one of the two lines.',
          range: p.keyRange,
        });
        continue;
      }
      const clean: PrismaProperty = { key: p.key, keyRange: p.keyRange, value: p.value };
      seen.set(p.key, clean);
      props.push(clean);
    }
    const get = (k: string): PrismaValue | undefined => seen.get(k)?.value;
    const providerValue = get('provider');
    const provider = providerValue?.kind === 'literal' ? providerValue.value : null;
    const common = { name: block.name, nameRange: range(block.nameStart, block.nameEnd), file, provider, range: range(block.start, closeEnd) };
    if (block.kind === 'datasource') {
      const ds: PrismaDatasource = { ...common, other: props.filter((p) => !['provider', 'url', 'directUrl', 'shadowDatabaseUrl'].includes(p.key)) };
      if (providerValue) ds.providerValue = providerValue;
      const url = get('url');
      const directUrl = get('directUrl');
      const shadow = get('shadowDatabaseUrl');
      if (url) ds.url = url;
      if (directUrl) ds.directUrl = directUrl;
      if (shadow) ds.shadowDatabaseUrl = shadow;
      out.datasources.push(ds);
    } else {
      const pf = block.props.find((p) => p.key === 'previewFeatures');
      const gen: PrismaGenerator = {
        ...common,
        previewFeatures: pf?.strings ?? [],
        other: props.filter((p) => !['provider', 'output', 'previewFeatures'].includes(p.key)),
      };
      if (providerValue) gen.providerValue = providerValue;
      const output = get('output');
      if (output) gen.output = output;
      out.generators.push(gen);
    }
  };

  /** One line segment [i, end) at the top level (outside any block). */
  const topLevel = (i: number, end: number): void => {
    i = skipBlanks(i, end);
    if (restIsComment(i, end)) return;
    const kwEnd = readIdent(i, end);
    if (kwEnd === i) return; // CATCH_ALL: Prisma reports it; not our concern
    const keyword = text.slice(i, kwEnd);
    const nameStart = skipBlanks(kwEnd, end);
    const nameEnd = readIdent(nameStart, end);
    const brace = skipBlanks(nameEnd, end);
    const isConfig = keyword === 'datasource' || keyword === 'generator';
    if (nameEnd === nameStart || code(brace) !== 123) {
      if (isConfig) problem(i, end, `Prisma expects "${keyword} <name> {" on one line here; this ${keyword} is not read.`);
      return; // `type A = B` aliases and stray lines
    }
    if (isConfig) {
      config = { kind: keyword, name: text.slice(nameStart, nameEnd), start: i, nameStart, nameEnd, props: [] };
    } else {
      // model/type/view/enum, and blocks with an unknown keyword (arbitrary_block, which Prisma rejects).
      skipping = { keyword, start: i };
    }
    if (!restIsComment(brace + 1, end)) {
      // BLOCK_OPEN swallows the rest of the line: `datasource db { provider = "x" }` never closes.
      if (isConfig) problem(brace + 1, end, `Prisma ignores everything after "{" on the ${keyword} line.`, 'Put each property on its own line and the closing } on a line of its own.');
    }
  };

  /** One line inside a datasource/generator block. Returns the offset after `}` when the block closes. */
  const configLine = (i: number, end: number): number | null => {
    const block = config;
    if (!block) return null;
    i = skipBlanks(i, end);
    if (restIsComment(i, end)) return null;
    if (code(i) === 125) {
      closeConfig(i + 1);
      return i + 1;
    }
    const keyEnd = readIdent(i, end);
    const eq = skipBlanks(keyEnd, end);
    if (keyEnd === i || code(eq) !== 61) {
      problem(i, end, `Prisma cannot read this line of ${block.kind} "${block.name}": it expects "key = value".`);
      return null;
    }
    const vStart = skipBlanks(eq + 1, end);
    const parsed = parseExpression(text, vStart, end, range, 0);
    if (!parsed.ok && parsed.tooDeep) {
      out.problems.push({
        message: `The value of "${text.slice(i, keyEnd)}" in ${block.kind} "${block.name}" nests more than ${MAX_NESTING_DEPTH} levels deep (pgconn-lint's limit for nested values); it was not read.`,
        severity: 'warning',
        range: range(parsed.at, parsed.at + 1),
      });
      return null;
    }
    if (!parsed.ok) {
      problem(parsed.at, end, `${parsed.message} in the value of "${text.slice(i, keyEnd)}" in ${block.kind} "${block.name}"; Prisma rejects the schema.`);
      return null;
    }
    if (!restIsComment(parsed.end, end)) {
      problem(skipBlanks(parsed.end, end), end, `Unexpected text after the value of "${text.slice(i, keyEnd)}"; Prisma rejects the schema.`);
      return null;
    }
    const prop: PrismaProperty & { strings?: string[] } = { key: text.slice(i, keyEnd), keyRange: range(i, keyEnd), value: parsed.value };
    if (parsed.strings) prop.strings = parsed.strings;
    block.props.push(prop);
    return null;
  };

  // A leading BOM is not part of the first line's text.
  let lineStart = code(0) === 0xfeff ? 1 : 0;
  while (lineStart <= n) {
    let lineEnd = lineStart;
    while (lineEnd < n && code(lineEnd) !== 10 && code(lineEnd) !== 13) lineEnd++;
    let next = lineEnd + 1;
    if (code(lineEnd) === 13 && code(lineEnd + 1) === 10) next++;

    let seg = lineStart;
    // A line may close a block and go on at the top level: `}` then more text.
    for (let guard = 0; guard < 4 && seg <= lineEnd; guard++) {
      if (config) {
        const after = configLine(seg, lineEnd);
        if (after === null) break;
        seg = after;
      } else if (skipping) {
        const i = skipBlanks(seg, lineEnd);
        if (code(i) !== 125) break;
        skipping = null;
        seg = i + 1;
      } else {
        topLevel(seg, lineEnd);
        break;
      }
    }
    if (lineEnd >= n) break;
    lineStart = next;
  }
  const open = config as OpenConfigBlock | null;
  if (open) {
    problem(open.start, open.nameEnd, `${open.kind} "${open.name}" has no closing "}"; Prisma rejects the schema.`);
    closeConfig(n);
  }
  const openSkip = skipping as { keyword: string; start: number } | null;
  if (openSkip) problem(openSkip.start, openSkip.start + openSkip.keyword.length, `This ${openSkip.keyword} block has no closing "}"; Prisma rejects the schema.`);
  return out;
}

/** Parses one expression on a line; `end` is the end of the line. Recursive, to MAX_NESTING_DEPTH arrays and calls. */
function parseExpression(text: string, i: number, end: number, range: (a: number, b: number) => SourceRange, depth: number): Parsed {
  const c = i < end ? text.charCodeAt(i) : -1;
  if (depth > MAX_NESTING_DEPTH) return { ok: false, at: i, message: 'Nested too deeply', tooDeep: true };
  if (c === 34) {
    const s = readString(text, i, end);
    if (!s.ok) return s;
    return { ok: true, value: { kind: 'literal', value: s.value, range: range(i + 1, s.end - 1) }, end: s.end };
  }
  if (c === 91) {
    // array_expression: "[" (expression ("," expression)*)? "]"
    const strings: string[] = [];
    let j = skipWs(text, i + 1, end);
    if (text.charCodeAt(j) !== 93) {
      for (;;) {
        const el = parseExpression(text, j, end, range, depth + 1);
        if (!el.ok) return el;
        if (el.value.kind === 'literal') strings.push(el.value.value);
        j = skipWs(text, el.end, end);
        if (text.charCodeAt(j) === 44) {
          j = skipWs(text, j + 1, end);
          continue;
        }
        break;
      }
      if (j >= end || text.charCodeAt(j) !== 93) return { ok: false, at: j, message: 'Missing "]"' };
    }
    return { ok: true, value: { kind: 'other', text: text.slice(i, j + 1), range: range(i, j + 1) }, end: j + 1, strings };
  }
  const num = /^-?\d+(?:\.\d+)?/.exec(text.slice(i, end));
  // path = identifier ("." identifier?)*
  const path = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.(?:[A-Za-z0-9][A-Za-z0-9_-]*)?)*/.exec(text.slice(i, end));
  if (path) {
    const pEnd = i + path[0].length;
    if (text.charCodeAt(pEnd) === 40) {
      // function_call = path arguments_list; arguments are `name: expr` or expr, with an optional trailing comma.
      const args: PrismaValue[] = [];
      let j = skipWs(text, pEnd + 1, end);
      while (j < end && text.charCodeAt(j) !== 41) {
        const named = /^[A-Za-z0-9][A-Za-z0-9_-]*[ \t]*:/.exec(text.slice(j, end));
        if (named) j = skipWs(text, j + named[0].length, end);
        if (text.charCodeAt(j) === 44 || text.charCodeAt(j) === 41) {
          if (text.charCodeAt(j) === 44) j = skipWs(text, j + 1, end);
          continue;
        }
        const a = parseExpression(text, j, end, range, depth + 1);
        if (!a.ok) return a;
        args.push(a.value);
        j = skipWs(text, a.end, end);
        if (text.charCodeAt(j) === 44) j = skipWs(text, j + 1, end);
        else if (text.charCodeAt(j) !== 41) return { ok: false, at: j, message: 'Missing ")"' };
      }
      if (j >= end) return { ok: false, at: j, message: 'Missing ")"' };
      const callEnd = j + 1;
      const arg = args[0];
      if (path[0] === 'env' && args.length === 1 && arg?.kind === 'literal') {
        return { ok: true, value: { kind: 'env', envVar: arg.value, range: range(i, callEnd) }, end: callEnd };
      }
      return { ok: true, value: { kind: 'other', text: text.slice(i, callEnd), range: range(i, callEnd) }, end: callEnd };
    }
  }
  // numeric_literal is tried before path in the grammar; `1.5` is a number, `a.b` a path.
  const m = num && (!path || num[0].length >= path[0].length) ? num[0] : path?.[0];
  if (m) return { ok: true, value: { kind: 'other', text: m, range: range(i, i + m.length) }, end: i + m.length };
  return { ok: false, at: i, message: 'Missing value' };
}

function skipWs(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** A JSON string starting at the `"` at i; returns the decoded value and the offset after the closing quote. */
function readString(text: string, i: number, end: number): { ok: true; value: string; end: number } | { ok: false; at: number; message: string } {
  let out = '';
  let j = i + 1;
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c === 34) return { ok: true, value: out, end: j + 1 };
    if (c < 0x20) return { ok: false, at: j, message: 'Control character in a string' };
    if (c === 92 && j + 1 < end) {
      const e = text[j + 1] ?? '';
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      const hex = /^[0-9a-fA-F]{4}$/.exec(text.slice(j + 2, j + 6));
      if (e === 'u' && hex) {
        out += String.fromCharCode(parseInt(hex[0], 16));
        j += 6;
      } else {
        // string_escape = "\\" ~ ANY; unknown escapes keep the character.
        out += simple[e] ?? e;
        j += 2;
      }
      continue;
    }
    out += text[j];
    j++;
  }
  return { ok: false, at: i, message: 'Unterminated string' };
}

function checkSingleDatasource(s: ParsedPrismaSchema): void {
  // psl validate: "You defined more than one datasource. This is not allowed yet because support is incomplete."
  for (const extra of s.datasources.slice(1)) {
    s.problems.push({
      message: `A second datasource ("${extra.name}"): Prisma allows one datasource per schema and rejects the schema.`,
      range: extra.nameRange,
    });
  }
}

/**
 * Parses a multi-file schema (Prisma 5.15+ `prismaSchemaFolder`, GA in 6.6: every *.prisma file
 * of the folder, searched recursively) as one schema.
 */
export function parsePrismaSchemaFiles(files: ReadonlyArray<{ file: string; text: string }>): ParsedPrismaSchema {
  const out: ParsedPrismaSchema = { datasources: [], generators: [], problems: [] };
  for (const f of files) {
    const one = parseSchemaFile(f.text, f.file);
    out.datasources.push(...one.datasources);
    out.generators.push(...one.generators);
    out.problems.push(...one.problems);
  }
  checkSingleDatasource(out);
  sortProblems(out);
  return out;
}

/** The *.prisma files of a schema path: the file itself, or every *.prisma under a folder (sorted). */
export function prismaSchemaFiles(path: string, listDir: (dir: string) => DirListing = listDirectory): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [];
  }
  if (!st.isDirectory()) return [path];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 20) return;
    const listing = listDir(dir);
    if (!listing.ok) return;
    const entries = [...listing.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, kind } of entries) {
      if (name === 'node_modules' || name.startsWith('.') || kind === 'error') continue;
      const p = join(dir, name);
      if (kind === 'dir') walk(p, depth + 1);
      else if (name.endsWith('.prisma')) found.push(p);
    }
  };
  walk(path, 0);
  return found;
}

/** Reads and parses a schema file or folder. Unreadable files become problems. */
export function loadPrismaSchema(path: string, readFile: (path: string) => TextFile = readTextFile, listDir?: (dir: string) => DirListing): ParsedPrismaSchema {
  const files: Array<{ file: string; text: string }> = [];
  const problems: InputProblem[] = [];
  for (const p of prismaSchemaFiles(path, listDir)) {
    const t = readFile(p);
    if (t.ok) {
      files.push({ file: p, text: t.text });
      problems.push(...t.problems);
    } else problems.push(t.problem);
  }
  if (files.length === 0 && problems.length === 0) {
    problems.push({ message: 'No *.prisma file found here.', range: { file: path, line: 1, column: 1, endLine: 1, endColumn: 1 }, severity: 'warning' });
  }
  const parsed = parsePrismaSchemaFiles(files);
  parsed.problems.unshift(...problems);
  return parsed;
}
