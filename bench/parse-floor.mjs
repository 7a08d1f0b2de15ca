#!/usr/bin/env node
// The parse floor of the speed benchmark: the I/O floor (bench/io-floor.mjs: walk and read every
// file) plus loading TypeScript and parsing, with TypeScript's own parser, exactly the files the
// linter parses — and nothing else: no pre-filter, no analysis, no rules, no output. It is the
// least any linter can take that reads this tree and parses those files with the TypeScript
// compiler API (issue 3 requires that parser), so it says how much of the lint time is ours.
//
//   node bench/parse-floor.mjs <dir> <list>     # <list>: the parsed files, one absolute path per line
//
// TypeScript is loaded through the linter's own shim (src/sources/js/typescript.cjs, with its V8
// code cache) and files are parsed with the linter's own options and script kinds (src/sources/js/
// parse.ts: latest syntax, no JSDoc, no parent pointers), so the comparison is fair to both sides.
// Prints { files, bytes, parsed, parsedBytes }.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from '../dist/src/sources/js/typescript.cjs';
import { PARSE_OPTIONS, scriptKindFor } from '../dist/src/sources/js/parse.js';
import { readTree } from './io-floor.mjs';

const [dir, listFile] = process.argv.slice(2);
if (!dir || !listFile) {
  process.stderr.write('Usage: node bench/parse-floor.mjs <dir> <list of parsed files>\n');
  process.exit(2);
}

const wanted = new Set(readFileSync(listFile, 'utf8').split('\n').filter(Boolean).map((p) => resolve(p)));
const decoder = new TextDecoder('utf-8');
let parsed = 0;
let parsedBytes = 0;
const result = readTree(dir, (path, bytes) => {
  if (!wanted.has(path)) return;
  ts.createSourceFile(path, decoder.decode(bytes), PARSE_OPTIONS, false, scriptKindFor(path));
  parsed++;
  parsedBytes += bytes.length;
});
process.stdout.write(JSON.stringify({ ...result, parsed, parsedBytes }) + '\n');
