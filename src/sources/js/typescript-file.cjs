// Which TypeScript the loader (src/sources/js/typescript.cjs) takes: the parser the build cut from
// TypeScript's bundle (scripts/ts-parser.mjs, docs/decisions.md D60), when it was cut from the
// TypeScript installed beside it, else TypeScript itself. Shared with the build step, which writes
// the line this reads.
'use strict';

/**
 * TypeScript's enums (plain objects of numbers and names) that modules read when they load: the
 * loader serves them from its shape file without loading TypeScript, and the cut parser exports
 * them whether or not the sources name them as `ts.<name>`.
 */
const ENUMS = ['SyntaxKind', 'ScriptTarget', 'ScriptKind', 'JSDocParsingMode', 'NodeFlags', 'ModifierFlags', 'TokenFlags', 'LanguageVariant'];

/** Where the build writes the parser, from the package's root. */
const CUT_PARSER = ['dist', 'vendor', 'typescript-parser.cjs'];

/** The line after the licence that says what the file was cut from. */
function derivedLine(version) {
  return `// Derived from TypeScript ${version}'s lib/typescript.js by pgconn-lint's scripts/ts-parser.mjs (a build step):`;
}

/** The TypeScript version the file beginning with `head` was cut from, or undefined (not a cut parser). */
function cutFrom(head) {
  const m = /^\/\/ Derived from TypeScript (\S+)'s lib\/typescript\.js by pgconn-lint's scripts\/ts-parser\.mjs /m.exec(head);
  return m === null ? undefined : m[1];
}

/** Take the cut parser? Only when it was cut from the TypeScript installed (`installed`, its package.json's version). */
function useCut(head, installed) {
  const from = cutFrom(head);
  return from !== undefined && installed !== undefined && from === installed;
}

module.exports = { CUT_PARSER, ENUMS, derivedLine, cutFrom, useCut };
