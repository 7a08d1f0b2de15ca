import ts from './typescript.cjs';
import type { InputProblem } from '../../core/diagnostic.js';
import { excessiveNesting, excessiveNestingProblem } from './nesting.js';

/**
 * A tsconfig.json read as TypeScript reads it (JSON with comments and trailing commas,
 * ts.parseConfigFileTextToJson), after the nesting guard: TypeScript's JSON parser and its
 * conversion to an object both recurse once per level. `config` is undefined when the file was refused.
 */
export function parseTsconfigText(file: string, text: string): { config: unknown; problem?: InputProblem } {
  const deep = excessiveNesting(text);
  if (deep !== undefined) return { config: undefined, problem: excessiveNestingProblem(text, file, deep, 'its compilerOptions.paths were') };
  try {
    return { config: ts.parseConfigFileTextToJson(file, text).config };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { config: undefined };
  }
}
