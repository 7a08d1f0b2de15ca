#!/usr/bin/env node
// Parsers on exactly the files the linter parses (issue 11, "one syntax tree"): the I/O floor
// (bench/io-floor.mjs: walk and read every file) plus one parser over the files the linter's
// pre-filter keeps, nothing else. Prints one JSON row per parser on stdout (machine-readable, for
// bench/run.mjs to include), or a table with --table.
//
//   node bench/parsers.mjs <dir> [--runs 5] [--oxc <path to oxc-parser>] [--table]
//   node bench/parsers.mjs --child <parser> <dir> <list>     # one measured run (internal)
//
// Parsers (each run in its own child process, alternating, after one warm-up of each):
//   floor       the I/O floor only (no parse);
//   ts          TypeScript createSourceFile, no parent pointers (the parse floor of bench/parse-floor.mjs);
//   ts-parents  createSourceFile with setParentNodes = true (TypeScript's own parent pass);
//   ts-linter   what the linter does: createSourceFile without parents, then its own pass
//               (src/sources/js/walk.ts bindParents: parents + recorded pre-order);
//   oxc         oxc-parser parseSync, the ESTree materialised as JS objects (`.program` read, as an
//               analysis would) and the comments; only with --oxc (not a dependency of pgconn-lint:
//               `npm install oxc-parser` in a scratch directory and pass its package directory).
//   oxc-linter  oxc, then a pass over the ESTree that sets `parent` on every node and records the
//               pre-order, as bindParents does on TypeScript's tree (what an ESTree port would need).
//   oxc-raw, oxc-raw-linter
//               the same with oxc's raw transfer (`experimentalRawTransfer`: the tree deserialised
//               from the Rust side's buffer instead of JSON); Node >= 22 only, so run this script
//               with that Node (`/path/to/node22+ bench/parsers.mjs … --parsers floor,ts-linter,oxc-linter,oxc-raw-linter`).
// TypeScript is loaded through the linter's shim (with its V8 code cache) and parsed with the
// linter's options (no JSDoc), as in the parse floor.
//
// A row: { bench: 'parsers', tree, parser, runs, files, parsed, parsedBytes, wallMs, cpuMs,
// maxRssMiB, wallVsFloor, cpuVsFloor, wallAll, cpuAll, load }: medians, CPU = user + system of the
// child, ratios = median of the per-run ratios against the floor run next to it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROBE = join(HERE, 'probe.cjs');
const PARSED_FILES = join(HERE, 'parsed-files.mjs');

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
} else {
  driver();
}

async function child(parser, dir, listFile, oxcPath) {
  const { readTree } = await import('./io-floor.mjs');
  const wanted = new Set(readFileSync(listFile, 'utf8').split('\n').filter(Boolean).map((p) => resolve(p)));
  const decoder = new TextDecoder('utf-8');
  let parse = () => {};
  if (parser.startsWith('ts')) {
    const ts = (await import('../dist/src/sources/js/typescript.cjs')).default;
    const { PARSE_OPTIONS, scriptKindFor } = await import('../dist/src/sources/js/parse.js');
    const { bindParents } = await import('../dist/src/sources/js/walk.js');
    const parents = parser === 'ts-parents';
    const bind = parser === 'ts-linter';
    parse = (path, text) => {
      const sf = ts.createSourceFile(path, text, PARSE_OPTIONS, parents, scriptKindFor(path));
      if (bind) bindParents(sf);
    };
  } else if (parser.startsWith('oxc')) {
    const { parseSync, visitorKeys, rawTransferSupported } = await import(pathToFileURL(join(oxcPath, 'src-js/index.js')).href);
    const raw = parser.startsWith('oxc-raw');
    if (raw && !rawTransferSupported()) throw new Error('oxc raw transfer is not supported on this Node');
    const bind = parser.endsWith('-linter');
    parse = (path, text) => {
      // TypeScript reads .js/.mjs/.cjs with JSX allowed (ScriptKind.JS); oxc needs to be told.
      const lang = /\.tsx$/i.test(path) ? 'tsx' : /\.[cm]?ts$/i.test(path) ? 'ts' : 'jsx';
      const r = parseSync(path, text, { lang, sourceType: 'unambiguous', preserveParens: false, ...(raw ? { experimentalRawTransfer: true } : {}) });
      if (r.program.type !== 'Program' || r.comments === undefined) throw new Error('no tree');
      if (bind) bindEstreeParents(r.program, visitorKeys);
    };
  } else if (parser !== 'floor') throw new Error(`unknown parser ${parser}`);
  let parsed = 0;
  let parsedBytes = 0;
  const result = readTree(dir, (path, bytes) => {
    if (!wanted.has(path)) return;
    parse(path, decoder.decode(bytes));
    parsed++;
    parsedBytes += bytes.length;
  });
  process.stdout.write(JSON.stringify({ ...result, parsed, parsedBytes }) + '\n');
}

/** `parent` on every node of an ESTree and its pre-order, as src/sources/js/walk.ts bindParents does for TypeScript's tree. */
function bindEstreeParents(program, keys) {
  const nodes = [];
  const stack = [program];
  program.parent = null;
  while (stack.length > 0) {
    const n = stack.pop();
    nodes.push(n);
    const ks = keys[n.type];
    if (ks === undefined) continue;
    for (let k = ks.length - 1; k >= 0; k--) {
      const v = n[ks[k]];
      if (v === null || v === undefined) continue;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) {
          const c = v[i];
          if (c !== null) {
            c.parent = n;
            stack.push(c);
          }
        }
      } else {
        v.parent = n;
        stack.push(v);
      }
    }
  }
  return nodes;
}

function driver() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '5' },
      oxc: { type: 'string' },
      parsers: { type: 'string' },
      table: { type: 'boolean', default: false },
    },
  });
  const dir = positionals[0] && resolve(positionals[0]);
  if (!dir || !existsSync(dir)) {
    process.stderr.write('Usage: node bench/parsers.mjs <dir> [--runs 5] [--oxc <oxc-parser package dir>] [--parsers floor,ts,…] [--table]\n');
    process.exit(2);
  }
  const runs = Number(values.runs);
  const oxc = values.oxc ? resolve(values.oxc) : undefined;
  const parsers = (values.parsers ?? `floor,ts,ts-parents,ts-linter${oxc ? ',oxc' : ''}`).split(',');
  if (parsers.some((p) => p.startsWith('oxc')) && !oxc) {
    process.stderr.write('bench/parsers: --oxc <dir> is needed for the oxc parser\n');
    process.exit(2);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-parsers-'));
  const listFile = join(scratch, 'parsed.txt');
  const listed = spawnSync(process.execPath, [PARSED_FILES, dir], { cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  if (listed.status !== 0) throw new Error(`listing the parsed files failed: ${listed.stderr}`);
  writeFileSync(listFile, listed.stdout);
  const load0 = loadavg()[0];

  const measure = (parser) => {
    const probeOut = join(scratch, `probe-${process.hrtime.bigint()}.json`);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', PROBE, fileURLToPath(import.meta.url), '--child', parser, dir, listFile, oxc ?? ''], {
      cwd: dir,
      env: { ...process.env, BENCH_PROBE_OUT: probeOut },
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${parser} failed: ${r.stderr}`);
    const probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    rmSync(probeOut);
    return { wallMs, cpuMs: (probe.userUs + probe.systemUs) / 1000, maxRssKiB: probe.maxRssKiB, result: JSON.parse(r.stdout) };
  };

  const all = Object.fromEntries(parsers.map((p) => [p, []]));
  for (const p of parsers) measure(p); // warm-up: page cache, TypeScript's code cache
  for (let i = 0; i < runs; i++) for (const p of parsers) all[p].push(measure(p));
  const load1 = loadavg()[0];
  rmSync(scratch, { recursive: true, force: true });

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const floor = all.floor;
  const rows = parsers.map((p) => {
    const rs = all[p];
    const r0 = rs[0].result;
    const row = {
      bench: 'parsers',
      tree: basename(dir),
      parser: p,
      runs,
      files: r0.files,
      parsed: r0.parsed,
      parsedBytes: r0.parsedBytes,
      wallMs: Math.round(median(rs.map((r) => r.wallMs))),
      cpuMs: Math.round(median(rs.map((r) => r.cpuMs))),
      maxRssMiB: Math.round(median(rs.map((r) => r.maxRssKiB)) / 1024),
      wallAll: rs.map((r) => Math.round(r.wallMs)),
      cpuAll: rs.map((r) => Math.round(r.cpuMs)),
      load: [load0, load1].map((l) => Math.round(l * 100) / 100),
    };
    if (floor) {
      row.wallVsFloor = Math.round(median(rs.map((r, i) => r.wallMs / floor[i].wallMs)) * 100) / 100;
      row.cpuVsFloor = Math.round(median(rs.map((r, i) => r.cpuMs / floor[i].cpuMs)) * 100) / 100;
    }
    return row;
  });
  if (!values.table) {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
    return;
  }
  process.stdout.write(`${dir}: ${rows[0].files} files walked, ${rows[0].parsed} parsed (${(rows[0].parsedBytes / 1e6).toFixed(1)} MB); load ${rows[0].load.join(' → ')}\n`);
  process.stdout.write('| parser | wall ms | CPU ms | peak MiB | wall ÷ floor | CPU ÷ floor |\n|---|---:|---:|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.parser} | ${r.wallMs} | ${r.cpuMs} | ${r.maxRssMiB} | ${r.wallVsFloor ?? ''}× | ${r.cpuVsFloor ?? ''}× |\n`);
}
