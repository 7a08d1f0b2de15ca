import ts from './typescript.cjs';
import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, rangeOnLine } from '../../core/location.js';
import { MAX_CODE_FILE_CHARS } from '../../core/limits.js';
import { formatBytes } from '../../core/read-text.js';
import { NODE_SHAPE_SAMPLES } from './node-shapes.js';
import { bindParents } from './walk.js';

/** How TypeScript should read a file, from its extension. JS files allow JSX (TypeScript's JS variant is JSX). */
export function scriptKindFor(file: string): ts.ScriptKind {
  const lower = file.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.ts') || lower.endsWith('.mts') || lower.endsWith('.cts')) return ts.ScriptKind.TS;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

export interface ParsedJsFile {
  sourceFile: ts.SourceFile;
  problems: InputProblem[];
}

/** `parseDiagnostics` is internal to TypeScript but has been stable since 1.x. */
interface WithParseDiagnostics {
  parseDiagnostics?: readonly ts.DiagnosticWithLocation[];
}

/**
 * No JSDoc: nothing reads it, and parsing it was a third of the parse time (TypeScript 5.3+
 * `JSDocParsingMode`; its diagnostics are kept apart from `parseDiagnostics` either way).
 */
export const PARSE_OPTIONS: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };

/** Like ESLint, one parse error per file (the first; later ones are usually its echoes), with the count of the rest. */
const MAX_SYNTAX_PROBLEMS = 1;

/**
 * The trees of src/sources/js/node-shapes.ts's samples, made by the first parse and kept for the
 * process's life: while they live, so do the maps V8 gave TypeScript's nodes of each kind, and the
 * optimized code that embeds them survives the collections that drop the analysed trees
 * (docs/decisions.md D58). About 250 KB of heap; only time depends on them, never a result.
 */
let shapeKeepers: readonly ts.SourceFile[] | undefined;

/** The kept sample trees (made now if no parse made them yet). */
export function nodeShapeKeepers(): readonly ts.SourceFile[] {
  if (shapeKeepers === undefined) {
    shapeKeepers = NODE_SHAPE_SAMPLES.map(({ file, text }) => {
      const sf = ts.createSourceFile(file, text, PARSE_OPTIONS, false, scriptKindFor(file));
      bindParents(sf);
      return sf;
    });
  }
  return shapeKeepers;
}

/**
 * Parses a JS/TS file without type checking. Never throws: syntax errors become
 * located problems (the tree TypeScript recovers is still analysed), and a parse
 * that overflows the stack (TypeScript's parser is recursive) becomes one problem
 * and an empty source file.
 */
export function parseJsFile(text: string, file: string): ParsedJsFile {
  nodeShapeKeepers();
  if (text.length > MAX_CODE_FILE_CHARS) {
    // TypeScript's tree of a file of short statements takes about 65 bytes per character.
    const empty = ts.createSourceFile(file, '', PARSE_OPTIONS, false, scriptKindFor(file));
    bindParents(empty);
    return {
      sourceFile: empty,
      problems: [
        {
          message: `File is ${formatBytes(text.length)} of code, over the ${formatBytes(MAX_CODE_FILE_CHARS)} pgconn-lint analyses in one file (generated code, a bundle); connection settings in it were not read.`,
          help: 'Exclude generated files with --ignore-pattern or .gitignore.',
          severity: 'warning',
          range: rangeOnLine(file, 1, 1, 0),
        },
      ],
    };
  }
  let sourceFile: ts.SourceFile;
  try {
    // Parents are set by bindParents, which is cheaper than TypeScript's own pass and also
    // records the node order for `walk`.
    sourceFile = ts.createSourceFile(file, text, PARSE_OPTIONS, false, scriptKindFor(file));
  } catch (err) {
    const overflow = err instanceof RangeError;
    const problem: InputProblem = {
      message: overflow
        ? 'Code is nested too deeply to be analysed (the parser ran out of stack); connection settings in this file were not read.'
        : `Code could not be parsed (${err instanceof Error ? err.message : String(err)}); connection settings in this file were not read.`,
      severity: 'warning',
      range: deepestNesting(text, file),
    };
    if (overflow) problem.help = 'Split the deeply nested expression, or exclude the file (generated code) with --ignore-pattern.';
    const empty = ts.createSourceFile(file, '', PARSE_OPTIONS, false, scriptKindFor(file));
    bindParents(empty);
    return { sourceFile: empty, problems: [problem] };
  }
  bindParents(sourceFile);
  return { sourceFile, problems: syntaxProblems(sourceFile, file) };
}

/**
 * A tree another caller already parsed from the same text with this TypeScript (the ESLint
 * plugin: typescript-eslint's own tree, `eslint-plugin/src/eslint-tree.ts`), taken as if
 * `parseJsFile` had built it: parents and node order recorded, the same syntax problems.
 * `undefined` when it cannot stand in for our parse: another text, another script kind (JSX
 * allowed or not), or a file too large to analyse (parseJsFile reports that).
 */
export function adoptSourceFile(sourceFile: ts.SourceFile, text: string, file: string): ParsedJsFile | undefined {
  if (sourceFile.text !== text || text.length > MAX_CODE_FILE_CHARS) return undefined;
  // `scriptKind` is internal to TypeScript (types.ts `SourceFile.scriptKind`), set by createSourceFile.
  if ((sourceFile as unknown as { scriptKind?: ts.ScriptKind }).scriptKind !== scriptKindFor(file)) return undefined;
  bindParents(sourceFile);
  return { sourceFile, problems: syntaxProblems(sourceFile, file) };
}

function syntaxProblems(sourceFile: ts.SourceFile, file: string): InputProblem[] {
  const text = sourceFile.text;
  const diags = (sourceFile as unknown as WithParseDiagnostics).parseDiagnostics ?? [];
  const problems: InputProblem[] = [];
  for (const d of diags.slice(0, MAX_SYNTAX_PROBLEMS)) {
    const start = sourceFile.getLineAndCharacterOfPosition(d.start);
    const end = sourceFile.getLineAndCharacterOfPosition(Math.min(d.start + Math.max(d.length, 0), text.length));
    problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      range: { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
    });
  }
  if (diags.length > MAX_SYNTAX_PROBLEMS) {
    const last = problems[problems.length - 1];
    if (last) last.message += ` (and ${diags.length - MAX_SYNTAX_PROBLEMS} more syntax errors in this file)`;
  }
  return problems;
}

/** Where brackets nest deepest: the place to point at when the parser overflows. One pass, no regex. */
function deepestNesting(text: string, file: string) {
  let depth = 0;
  let max = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > max) {
        max = depth;
        at = i;
      }
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  if (max === 0) return rangeOnLine(file, 1, 1, 0);
  const pos = new LineIndex(text).position(at);
  return rangeOnLine(file, pos.line, pos.column, 1);
}
