#!/usr/bin/env node
// Lists the JS/TS files the linter parses in a tree (after its pre-filter), one absolute path per
// line, for bench/parse-floor.mjs. Uses the built linter's own discovery and code analysis.
//
//   node bench/parsed-files.mjs <dir> > list.txt

import { resolve } from 'node:path';
import { discover } from '../dist/src/discovery/discover.js';
import { analyzeJsFiles, readSourceBytes } from '../dist/src/sources/js/project.js';
import { DEFAULT_MAX_FILE_BYTES } from '../dist/src/core/read-text.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('Usage: node bench/parsed-files.mjs <dir>\n');
  process.exit(2);
}
const found = discover({ cwd: resolve(dir), paths: ['.'], ignorePatterns: [] });
const paths = found.candidates.filter((c) => c.kind === 'js').map((c) => c.path);
const analysis = analyzeJsFiles(paths, { repoRoot: found.root, readFile: (p) => readSourceBytes(p, DEFAULT_MAX_FILE_BYTES, true) });
process.stdout.write(analysis.modules.map((m) => resolve(m.file)).join('\n') + '\n');
