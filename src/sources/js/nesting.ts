import ts from './typescript.cjs';
import type { InputProblem } from '../../core/diagnostic.js';
import { MAX_NESTING_DEPTH } from '../../core/limits.js';
import { LineIndex, rangeOnLine } from '../../core/location.js';

/**
 * The nesting guard for JSON and JavaScript-literal inputs (tsconfig.json, vercel.json, PM2
 * ecosystem files, prisma.config.ts), run before TypeScript's parser, which recurses once per
 * nesting level and overflows the stack past about a thousand levels — and near the stack limit V8
 * may abort the process instead of throwing. One pass of TypeScript's own scanner (strings,
 * comments, template literals and regular expressions are tokens, not brackets), iterative.
 *
 * Returns the offset of the first `(`, `[`, `{` or template `${` opened deeper than `maxDepth`.
 */
export function excessiveNesting(text: string, maxDepth: number = MAX_NESTING_DEPTH): number | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const TEMPLATE = -1;
  const open: number[] = [];
  let prev: ts.SyntaxKind = ts.SyntaxKind.Unknown;
  for (let tok = scanner.scan(); tok !== ts.SyntaxKind.EndOfFileToken; tok = scanner.scan()) {
    if ((tok === ts.SyntaxKind.SlashToken || tok === ts.SyntaxKind.SlashEqualsToken) && !endsOperand(prev)) tok = scanner.reScanSlashToken();
    if (tok === ts.SyntaxKind.CloseBraceToken && open[open.length - 1] === TEMPLATE) {
      // The `}` that ends a template substitution: the template goes on (middle) or ends (tail).
      if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) open.pop();
      prev = ts.SyntaxKind.TemplateTail;
      continue;
    }
    if (tok === ts.SyntaxKind.OpenParenToken || tok === ts.SyntaxKind.OpenBracketToken || tok === ts.SyntaxKind.OpenBraceToken || tok === ts.SyntaxKind.TemplateHead) {
      open.push(tok === ts.SyntaxKind.TemplateHead ? TEMPLATE : tok);
      if (open.length > maxDepth) return scanner.getTokenStart();
    } else if (tok === ts.SyntaxKind.CloseParenToken || tok === ts.SyntaxKind.CloseBracketToken || tok === ts.SyntaxKind.CloseBraceToken) {
      if (open.length > 0 && open[open.length - 1] !== TEMPLATE) open.pop();
    }
    prev = tok;
  }
  return undefined;
}

/** After these a `/` divides; elsewhere it starts a regular expression (the usual heuristic, and TypeScript's parser agrees on real code). */
function endsOperand(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.Identifier ||
    kind === ts.SyntaxKind.PrivateIdentifier ||
    kind === ts.SyntaxKind.NumericLiteral ||
    kind === ts.SyntaxKind.BigIntLiteral ||
    kind === ts.SyntaxKind.StringLiteral ||
    kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === ts.SyntaxKind.TemplateTail ||
    kind === ts.SyntaxKind.RegularExpressionLiteral ||
    kind === ts.SyntaxKind.CloseParenToken ||
    kind === ts.SyntaxKind.CloseBracketToken ||
    kind === ts.SyntaxKind.CloseBraceToken ||
    kind === ts.SyntaxKind.ThisKeyword ||
    kind === ts.SyntaxKind.SuperKeyword ||
    kind === ts.SyntaxKind.TrueKeyword ||
    kind === ts.SyntaxKind.FalseKeyword ||
    kind === ts.SyntaxKind.NullKeyword ||
    kind === ts.SyntaxKind.PlusPlusToken ||
    kind === ts.SyntaxKind.MinusMinusToken
  );
}

/** The located problem for a file the guard refused; `what` names what was not read. */
export function excessiveNestingProblem(text: string, file: string, offset: number, what: string, maxDepth: number = MAX_NESTING_DEPTH): InputProblem {
  const pos = new LineIndex(text).position(offset);
  return {
    message: `Brackets nest more than ${maxDepth} levels deep here (pgconn-lint's limit for JSON and JavaScript-literal input); ${what} not read.`,
    severity: 'warning',
    range: rangeOnLine(file, pos.line, pos.column, 1),
  };
}

/** What to say when TypeScript's parser still overflowed (a construct the guard does not count, such as a long `a ? b : c ? …` chain). */
export function parserOverflowProblem(file: string, what: string): InputProblem {
  return {
    message: `The file nests too deeply to be parsed (the parser ran out of stack); ${what} not read.`,
    severity: 'warning',
    range: rangeOnLine(file, 1, 1, 0),
  };
}

/**
 * TypeScript's parser (parents set) on a configuration file — PM2 ecosystem files, vercel.json,
 * prisma.config.ts — after the nesting guard, with a stack overflow caught as a last resort.
 * Undefined, and a located problem in `problems`, when the file was not parsed. `scriptText` is
 * what is parsed (PM2 wraps a .json file in parentheses), `text` the file as the user sees it.
 */
export function parseConfigSource(text: string, file: string, sourceName: string, scriptText: string, kind: ts.ScriptKind, problems: InputProblem[]): ts.SourceFile | undefined {
  const deep = excessiveNesting(text);
  if (deep !== undefined) {
    problems.push(excessiveNestingProblem(text, file, deep, 'the file was'));
    return undefined;
  }
  try {
    return ts.createSourceFile(sourceName, scriptText, ts.ScriptTarget.Latest, true, kind);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.push(parserOverflowProblem(file, 'the file was'));
    return undefined;
  }
}
