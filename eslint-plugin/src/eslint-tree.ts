import { createRequire } from 'node:module';
import type { SourceCode } from 'eslint';
import ts from '../../src/sources/js/typescript.cjs';

/**
 * The TypeScript syntax tree ESLint's parser already built for the file, when the analyses can
 * run on it instead of parsing the text a second time (docs/decisions.md, "one syntax tree").
 *
 * typescript-eslint's parser (`@typescript-eslint/parser`, with or without type information)
 * parses with TypeScript and keeps the map from each ESTree node to the TypeScript node it came
 * from (`parserServices.esTreeNodeToTSNodeMap`; typescript-estree 8 `createParserServices.ts`
 * returns the maps "because they don't require type info", `preserveNodeMaps` defaults to true):
 * the `Program` maps to the `SourceFile`. Its kind numbers are ours only when it was built by
 * the same TypeScript: the same module (the usual case, one `typescript` in node_modules; our
 * loader `typescript.cjs` registers itself in `require.cache`), or another copy of the same
 * version. With espree, babel, another TypeScript version or `preserveNodeMaps: false`, the
 * answer is `undefined` and the file is parsed by the analyses as in the CLI.
 */
export function tsTreeOf(sourceCode: SourceCode): ts.SourceFile | undefined {
  const services = sourceCode.parserServices as { esTreeNodeToTSNodeMap?: { get(node: unknown): unknown } } | undefined;
  const node = services?.esTreeNodeToTSNodeMap?.get(sourceCode.ast);
  if (typeof node !== 'object' || node === null) return undefined;
  const sf = node as ts.SourceFile;
  if (sf.kind !== ts.SyntaxKind.SourceFile || typeof sf.text !== 'string' || !sameTypescript(sf)) return undefined;
  return sf;
}

const require = createRequire(import.meta.url);
/** The prototype of a SourceFile built by a TypeScript module (one tiny parse per module, once). */
const prototypeOf = (mod: typeof ts): object => Object.getPrototypeOf(mod.createSourceFile('probe.ts', '', mod.ScriptTarget.Latest)) as object;
const ownPrototype = prototypeOf(ts);
/** Per prototype of a foreign SourceFile: was it built by a TypeScript of our version? */
const verdicts = new WeakMap<object, boolean>();

function sameTypescript(sf: ts.SourceFile): boolean {
  const proto = Object.getPrototypeOf(sf) as object | null;
  if (proto === null) return false;
  if (proto === ownPrototype) return true;
  const known = verdicts.get(proto);
  if (known !== undefined) return known;
  // Another copy of TypeScript (the project's own, beside ours): find it among the loaded modules.
  let verdict = false;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!/[\\/]typescript[\\/]lib[\\/]typescript\.js$/.test(file)) continue;
    const other = mod?.exports as typeof ts | undefined;
    if (other?.version !== ts.version || typeof other.createSourceFile !== 'function') continue;
    if (prototypeOf(other) === proto) {
      verdict = true;
      break;
    }
  }
  verdicts.set(proto, verdict);
  return verdict;
}
