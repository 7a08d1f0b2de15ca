#!/usr/bin/env node
// The ESLint plugin in an editor (issue 11): ESLint's Node API in one long-lived process, the first
// lint of a file and then one lint per edit, against the same process with ESLint's parser alone (a
// config with no rules). Prints one JSON row per mode on stdout (for bench/run.mjs to include), or a
// table with --table.
//
//   node bench/plugin.mjs [--files 10000] [--seed 1] [--dir DIR] [--file REL] [--edits 30]
//                         [--runs 3] [--parser ts|espree] [--plugin PATH] [--table]
//
// --plugin: the plugin's built entry (default dist/bundle/eslint-plugin.js of this checkout, the package's
// "./eslint-plugin" export, as an editor loads it), to compare two builds.
//
// Each run is a fresh child process (cold, as an editor's ESLint server starting): ESLint is
// imported first (the editor has it loaded already), then the timed first lint: importing the
// parser (and the plugin), `new ESLint(…)` and `lintText` of the file — which for the plugin also
// builds the repository's model. Then `--edits` lints of the same file, each with a new line
// appended (an edit: no cache keyed by the text can answer), timed one by one; the per-lint figure
// is the median. CPU = process.cpuUsage() around the same spans (all threads).
//
// Modes: `parser-only` (the parser, no rules), `plugin` (the parser + pgconn's strict config).
// Targets (issue 11): first lint ≤ 1.5 s; per lint ≤ 2 × parser-only.
//
// A row: { bench: 'plugin', tree, file, parser, mode, runs, edits, firstLintMs, firstLintCpuMs,
// perLintMs, perLintCpuMs, perLintAll, messages, load }, medians over the runs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await driver();

async function child({ dir, file, mode, parser, edits, plugin }) {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const { ESLint } = await import('eslint');
  const path = resolve(dir, file);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(path, 'utf8');

  const t0 = performance.now();
  const c0 = cpu();
  const languageOptions = { ecmaVersion: 'latest', sourceType: 'module' };
  if (parser === 'ts') languageOptions.parser = (await import('@typescript-eslint/parser')).default;
  const config = [{ files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'], languageOptions }];
  if (mode === 'plugin') {
    const pgconn = (await import(pathToFileURL(plugin).href)).default;
    config.push(pgconn.configs.strict);
  }
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config });
  const first = await eslint.lintText(text, { filePath: path });
  const firstLintMs = performance.now() - t0;
  const firstLintCpuMs = cpu() - c0;

  const times = [];
  const cpus = [];
  for (let i = 0; i < edits; i++) {
    const edited = `${text}\n// edit ${i}\n`;
    const t = performance.now();
    const c = cpu();
    await eslint.lintText(edited, { filePath: path });
    times.push(performance.now() - t);
    cpus.push(cpu() - c);
  }
  const fatal = first[0].messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`parse failed: ${fatal[0].message}`);
  process.stdout.write(JSON.stringify({ firstLintMs, firstLintCpuMs, perLintMs: median(times), perLintCpuMs: median(cpus), times, messages: first[0].messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`) }) + '\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function driver() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      dir: { type: 'string' },
      file: { type: 'string', default: 'apps/api/src/routes/batch-legacy-40.ts' },
      edits: { type: 'string', default: '30' },
      runs: { type: 'string', default: '3' },
      parser: { type: 'string', default: 'ts' },
      plugin: { type: 'string', default: join(REPO, 'dist/bundle/eslint-plugin.js') },
      table: { type: 'boolean', default: false },
    },
  });
  let dir = values.dir && resolve(values.dir);
  let scratch;
  if (!dir) {
    const { generateTree } = await import('./generate.mjs');
    scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-plugin-bench-'));
    dir = join(scratch, 'tree');
    generateTree({ files: Number(values.files), seed: Number(values.seed), out: dir });
  }
  if (!existsSync(join(dir, values.file))) {
    process.stderr.write(`bench/plugin: ${values.file} is not in ${dir} (choose one with --file)\n`);
    process.exit(2);
  }
  const load0 = loadavg()[0];
  const runs = Number(values.runs);
  const modes = ['parser-only', 'plugin'];
  const all = { 'parser-only': [], plugin: [] };
  const run = (mode) => {
    const arg = JSON.stringify({ dir, file: values.file, mode, parser: values.parser, edits: Number(values.edits), plugin: resolve(values.plugin) });
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', arg], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.toString());
  };
  for (const m of modes) run(m); // warm-up: page cache, TypeScript's code cache
  for (let i = 0; i < runs; i++) for (const m of modes) all[m].push(run(m));
  const load1 = loadavg()[0];
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  const rows = modes.map((mode) => {
    const rs = all[mode];
    return {
      bench: 'plugin',
      tree: values.dir ? basename(dir) : `generated-${values.files}`,
      file: values.file,
      parser: values.parser,
      mode,
      runs,
      edits: Number(values.edits),
      firstLintMs: Math.round(median(rs.map((r) => r.firstLintMs))),
      firstLintCpuMs: Math.round(median(rs.map((r) => r.firstLintCpuMs))),
      perLintMs: Math.round(median(rs.map((r) => r.perLintMs)) * 10) / 10,
      perLintCpuMs: Math.round(median(rs.map((r) => r.perLintCpuMs)) * 10) / 10,
      firstLintAll: rs.map((r) => Math.round(r.firstLintMs)),
      perLintAll: rs.map((r) => Math.round(r.perLintMs * 10) / 10),
      messages: rs[0].messages.length,
      load: [load0, load1].map((l) => Math.round(l * 100) / 100),
    };
  });
  const [p, g] = rows;
  g.perLintVsParserOnly = Math.round((g.perLintMs / p.perLintMs) * 100) / 100;
  if (!values.table) {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
    return;
  }
  process.stdout.write(`${dir} (${values.file}, parser ${values.parser}); load ${p.load.join(' → ')}\n`);
  process.stdout.write('| mode | first lint ms (CPU) | per lint ms (CPU) | findings |\n|---|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.mode} | ${r.firstLintMs} (${r.firstLintCpuMs}) | ${r.perLintMs} (${r.perLintCpuMs}) | ${r.messages} |\n`);
  process.stdout.write(`per lint ÷ parser-only: ${g.perLintVsParserOnly}× (target ≤ 2×); first lint target ≤ 1,500 ms\n`);
}
