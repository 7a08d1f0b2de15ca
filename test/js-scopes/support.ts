import ts from 'typescript';
import type { JsModuleContext } from '../../src/sources/js/types.js';

function scriptKind(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** A module context for one source text, without the project (no cross-file lookups). */
export function moduleContext(file: string, text: string): JsModuleContext {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  return {
    file,
    sourceFile,
    resolveConnectionObject: () => undefined,
    libraryOf: () => undefined,
    rangeOf(node) {
      const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
      const end = sourceFile.getLineAndCharacterOfPosition(node.end);
      return { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
    },
  };
}
