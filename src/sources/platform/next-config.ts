/** A Next.js config's `output`: a standalone server build is self-hosted (Docker, a VM). */
import ts from '../js/typescript.cjs';
import { parseJsFile } from '../js/parse.js';
import { walk } from '../js/walk.js';
import type { SourceRange } from '../../core/location.js';

export const NEXT_CONFIG = /^next\.config\.[cm]?[jt]s$/;

/** A Next.js config's `output` (https://nextjs.org/docs/app/api-reference/config/next-config-js/output). */
export interface NextConfigFacts {
  file: string;
  /** `output: 'standalone'` (a self-contained server for Docker and other self-hosting), or `'export'` (static files). */
  output?: {
    value: 'standalone' | 'export';
    /** The value is chosen at build time (`process.env.STANDALONE ? 'standalone' : undefined`). */
    conditional: boolean;
    range: SourceRange;
  };
}

/**
 * Reads `output` from a next.config.*: any property `output` whose value is, or chooses between,
 * the string 'standalone' or 'export' (inside `withSentryConfig({...})` and other wrappers too).
 */
export function extractNextConfig(text: string, file: string): NextConfigFacts {
  const facts: NextConfigFacts = { file };
  const { sourceFile } = parseJsFile(text, file);
  walk(sourceFile, (node) => {
    if (facts.output || !ts.isPropertyAssignment(node)) return;
    const name = ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : undefined;
    if (name !== 'output') return;
    let found: { value: 'standalone' | 'export'; node: ts.Node } | undefined;
    walk(node.initializer, (n) => {
      if (!found && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && (n.text === 'standalone' || n.text === 'export')) found = { value: n.text, node: n };
    });
    if (!found) return;
    const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd());
    const init = node.initializer;
    const conditional = !(ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init));
    facts.output = { value: found.value, conditional, range: { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 } };
  });
  return facts;
}
