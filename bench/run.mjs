#!/usr/bin/env node
// Speed benchmark of the CLI over a synthetic monorepo (issues 3 and 11). Not a test: never run
// from vitest. Run after a build:
//
//   npm run bench                           # 10,000 and 50,000 files: the table of issue 11's targets
//   npm run bench -- --files 10000          # one size
//   npm run bench -- --runs 5 --json        # more runs; one JSON document on stdout
//   npm run bench -- --dir ~/src/big-repo   # an existing tree (a git repository for the pre-commit row)
//
// Options: --runs 3 (median reported), --seed 1, --keep (keep the generated trees), --json,
// --cli <path to the CLI> (default: package.json's bin, the bundle), --no-eslint (skip ESLint over the tree: it takes minutes), --markdown
// (print the table as Markdown, for bench/README.md).
//
// Every figure is a whole child process (Node's start-up included), measured from outside:
// wall time by the parent, CPU (user + system) and peak RSS (ru_maxrss) by bench/probe.cjs,
// preloaded into the child. Runs alternate between the things compared, after a warm-up of
// each, so all see a warm page cache. The I/O floor (bench/io-floor.mjs) walks the tree with the
// linter's skip rules and reads every file discovery reads, nothing else.

import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateTree } from './generate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const PROBE = join(HERE, 'probe.cjs');
const FLOOR = join(HERE, 'io-floor.mjs');
const PLUGIN_BENCH = join(HERE, 'plugin.mjs');

/** Targets of issue 11. */
const TARGETS = {
  coldCpuRatio: 4, // cold lint ≤ 4× the I/O floor (CPU)
  warmRatio: 1, // warm re-run, one changed code file ≤ 1× the I/O floor
  preCommitWallMs: 500, // pre-commit, one staged file, warm cache, on the 50k tree
  peakMb: { 10000: 150, 50000: 300 },
  eslintRatio: 80, // ESLint running the same checks ≥ 80× slower than the CLI
};

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000,50000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'no-eslint': { type: 'boolean', default: false },
    cli: { type: 'string', default: join(REPO, JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).bin['pgconn-lint']) },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 18).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs expects a whole number ≥ 1, got "${values.runs}"`);
const cli = resolve(values.cli);
if (!existsSync(cli)) fail(`${cli} does not exist: run \`npm run build\` first (or use \`npm run bench\`, which builds).`);

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
const log = (s) => {
  if (!values.json) process.stderr.write(s);
};

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-bench-scratch-'));

/**
 * Each run starts with nothing left for the kernel to write back: the writes before it (the
 * generated tree's 340 MB at 50,000 files, the directories' access times its first walk updates,
 * a cache the previous run wrote, git's index after `git add`) are flushed by `sync(1)` first, not
 * timed. Without it the kernel's writeback shared this 2-core machine with the run measured: a
 * pre-commit run at 50,000 files took 0.71–0.79 s wall with 74–92 MB dirty (/proc/meminfo), then
 * 0.42–0.43 s in the same tree once synced (bench/README.md, twenty-second round).
 */
function settle() {
  spawnSync('sync', [], { stdio: 'ignore' });
}

/** Runs `node [--require probe] args…` in `cwd`: wall ms, CPU ms, peak RSS (KiB), exit status. */
function measure(args, cwd, { stdoutFile, env = {} } = {}) {
  settle();
  const probeOut = join(scratch, `probe-${process.hrtime.bigint()}.json`);
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, ['--require', PROBE, ...args], {
    cwd,
    env: { ...process.env, BENCH_PROBE_OUT: probeOut, NO_COLOR: '1', ...env },
    stdio: ['ignore', fd, 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (typeof fd === 'number') closeSync(fd);
  if (res.error) throw res.error;
  let probe = null;
  try {
    probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    rmSync(probeOut);
  } catch {
    // the child died before its exit handler ran
  }
  // The process's own CPU and its children's (git status, git ls-files): the work of the run.
  const cpuMs = probe ? (probe.userUs + probe.systemUs + (probe.childrenUs ?? 0)) / 1000 : NaN;
  return { wallMs, cpuMs, maxRssKiB: probe?.maxRssKiB ?? NaN, status: res.status, signal: res.signal, stderr: res.stderr?.toString() ?? '' };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (rs) => ({ wallMs: median(rs.map((r) => r.wallMs)), cpuMs: median(rs.map((r) => r.cpuMs)), peakMb: Math.max(...rs.map((r) => r.maxRssKiB)) * 1024 / 1e6, allWallMs: rs.map((r) => Math.round(r.wallMs)), allCpuMs: rs.map((r) => Math.round(r.cpuMs)) });

function checkCli(r, what) {
  // 0 = no errors, 1 = findings; anything else is a failure of the linter.
  if (r.status !== 0 && r.status !== 1) fail(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stderr.slice(0, 4000)}`);
  return r;
}

function git(dir, ...args) {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' } });
  if (r.status !== 0) fail(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A code file to edit (no database code, imports nothing that matters) and a database file. */
function editableFiles(dir, report) {
  const files = git(dir, 'ls-files', '-z').split('\0').filter((f) => /^(apps|packages)\/.*\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
  const parsed = new Set(report.filter((f) => /\.[cm]?[jt]sx?$/.test(f.filePath)).map((f) => relative(dir, f.filePath)));
  const plain = files.find((f) => !parsed.has(f) && !/pool|prisma|postgres|knex|sequelize|typeorm|drizzle|kysely|\bdb\b/i.test(readFileSync(join(dir, f), 'utf8')));
  const database = [...parsed].find((f) => /from ['"](pg|postgres|knex)['"]/.test(readFileSync(join(dir, f), 'utf8')));
  return { plain, database };
}

let edits = 0;
/** Changes a file (a comment appended): the next run sees one changed file. */
function edit(dir, file) {
  appendFileSync(join(dir, file), `\n// bench edit ${++edits}\n`);
}

/** ESLint with the plugin's recommended config over the same tree (TypeScript parser for TS). */
function eslintConfig() {
  const file = join(scratch, 'eslint.config.mjs');
  const plugin = pathToFileURL(join(REPO, 'dist/bundle/eslint-plugin.js')).href;
  const parser = pathToFileURL(join(REPO, 'node_modules/@typescript-eslint/parser/dist/index.js')).href;
  writeFileSync(
    file,
    `import pgconn from ${JSON.stringify(plugin)};
import * as tsParser from ${JSON.stringify(parser)};
export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/.next/**', '**/coverage/**', '**/generated/**', '**/.turbo/**'] },
  { files: ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}'], languageOptions: { parser: tsParser } },
  { files: ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}'], ...pgconn.configs.recommended },
];
`,
  );
  return file;
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–');
const sec = (ms) => `${fmt(ms / 1000, 2)} s`;
const met = (ok) => (ok ? 'met' : '**not met**');
const sizes = values.dir ? [null] : values.files.split(',').map((s) => Number(s.trim()));
for (const n of sizes) if (n !== null && (!Number.isInteger(n) || n < 200)) fail(`--files expects whole numbers ≥ 200, got "${values.files}"`);

const load = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
const loadStart = existsSync('/proc/loadavg') ? load() : loadavg().map((x) => x.toFixed(2)).join(' ');
// What every row pays before the CLI's first line runs: Node's own start, measured as the rows are
// (the probe preloaded). NODE_EXTRA_CA_CERTS makes Node 20 read and parse those certificates at
// every start (~45 ms on the 2-core machine of bench/README.md, which sets it): named, not valued.
const nodeStart = summary(Array.from({ length: 5 }, () => measure(['-e', '0'], REPO)));
const results = [];
let eslintTree;
try {
  for (const n of sizes) {
    let dir;
    let generated = null;
    if (values.dir) {
      dir = resolve(values.dir);
      if (!existsSync(join(dir, '.git'))) fail(`--dir ${dir} is not a git repository (the pre-commit row needs one)`);
    } else {
      dir = mkdtempSync(join(tmpdir(), `pgconn-lint-bench-${n}-`));
      log(`Generating ${fmt(n)} files (seed ${values.seed}) in ${dir} … `);
      generated = generateTree({ files: n, seed: values.seed, out: dir });
      // A real repository (pre-commit needs one): the generator's .git/ is a stand-in.
      rmSync(join(dir, '.git'), { recursive: true, force: true });
      git(dir, 'init', '-q');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'tree');
      spawnSync('sync');
      log('done\n');
    }
    const row = { files: n, dir, loadBefore: load() };
    try {
      const cache = join(scratch, `cache-${n}`);
      const report = join(scratch, `report-${n}.json`);
      const lintArgs = [cli, '--format', 'json', '.'];
      const cacheArgs = [cli, '--format', 'json', '--cache', '--cache-location', cache, '.'];
      log(`${fmt(n ?? 0)} files: warm-up … `);
      const floorWarm = measure([FLOOR, dir], dir, { stdoutFile: join(scratch, 'floor.json') });
      const floorInfo = JSON.parse(readFileSync(join(scratch, 'floor.json'), 'utf8'));
      checkCli(measure(lintArgs, dir, { stdoutFile: report }), 'the CLI');
      checkCli(measure(cacheArgs, dir), 'the CLI with --cache');
      const { plain, database } = editableFiles(dir, JSON.parse(readFileSync(report, 'utf8')));
      if (!plain || !database) fail('no plain code file or database file to edit in the tree');
      log(`${runs} runs of each …\n`);
      const floor = [];
      const cold = [];
      const warmPlain = [];
      const warmDb = [];
      const preCommit = [];
      for (let i = 0; i < runs; i++) {
        floor.push(measure([FLOOR, dir], dir));
        cold.push(checkCli(measure(lintArgs, dir), 'the CLI'));
        edit(dir, plain);
        warmPlain.push(checkCli(measure(cacheArgs, dir), 'the CLI with --cache'));
        edit(dir, database);
        warmDb.push(checkCli(measure(cacheArgs, dir), 'the CLI with --cache'));
        // As pre-commit runs the hook: the staged file named, the repository as context, the cache warm.
        edit(dir, plain);
        git(dir, 'add', plain);
        preCommit.push(checkCli(measure([cli, '--cache', '--cache-location', cache, plain], dir), 'the pre-commit run'));
      }
      Object.assign(row, {
        walked: { files: floorInfo.files, bytes: floorInfo.bytes, codeFiles: floorInfo.codeFiles },
        floor: summary(floor),
        cold: summary(cold),
        warmPlain: summary(warmPlain),
        warmDatabase: summary(warmDb),
        preCommit: summary(preCommit),
        edited: { plain, database },
        floorWarmUpMs: floorWarm.wallMs,
      });
      row.loadAfter = load();
      results.push(row);
    } finally {
      // The smallest tree is kept for ESLint, which runs last (it takes minutes).
      const forEslint = !values['no-eslint'] && row === results[0] && (n === null || n === Math.min(...sizes));
      if (forEslint) eslintTree = { dir, row, generated };
      else if (generated && !values.keep) rmSync(dir, { recursive: true, force: true });
      else if (generated) log(`Kept the tree in ${dir}\n`);
    }
  }
  if (eslintTree) {
    const { dir, row, generated } = eslintTree;
    try {
      process.stderr.write(`${table().join('\n')}\n\nESLint with the plugin over the ${fmt(row.files ?? 0)}-file tree (one run; minutes) … `);
      const eslintBin = join(REPO, 'node_modules/eslint/bin/eslint.js');
      const r = measure([eslintBin, '--config', eslintConfig(), '--format', 'json', '--no-warn-ignored', '.'], dir, { env: { PGCONN_LINT_NO_CACHE: '1' }, stdoutFile: join(scratch, 'eslint.json') });
      if (r.status !== 0 && r.status !== 1) log(`ESLint failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}\n`);
      row.eslint = summary([r]);
      row.eslintLoad = load();
      log(`${sec(r.wallMs)}\n`);
    } finally {
      if (generated && !values.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// bench/plugin.mjs (the ESLint plugin in one process: first lint and per-lint latency) is its own script.
let pluginOutput = null;
if (existsSync(PLUGIN_BENCH)) {
  log('bench/plugin.mjs … ');
  const r = spawnSync(process.execPath, [PLUGIN_BENCH], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  pluginOutput = (r.stdout || '') + (r.status === 0 ? '' : `\n(exit ${r.status}) ${r.stderr.slice(0, 2000)}`);
  log('done\n');
}

const loadEnd = load();
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', totalMemMiB: Math.round(totalmem() / 1024 ** 2), date: new Date().toISOString().slice(0, 10) };
if (values.json) {
  process.stdout.write(JSON.stringify({ machine, nodeStart, load: { start: loadStart, end: loadEnd }, targets: TARGETS, results, pluginOutput }, null, 2) + '\n');
  process.exit(0);
}

function table() {
const lines = [];
lines.push(`| measurement | files | wall (median) | CPU (median) | ÷ I/O floor, wall / CPU | peak RSS | target | |`);
lines.push(`|---|---:|---:|---:|---:|---:|---|---|`);
const ratio = (x, f) => `${fmt(x.wallMs / f.wallMs, 2)}× / ${fmt(x.cpuMs / f.cpuMs, 2)}×`;
for (const r of results) {
  const f = r.floor;
  const size = fmt(r.files ?? r.walked.files);
  lines.push(`| I/O floor (walk + read every file discovery reads) | ${size} | ${sec(f.wallMs)} | ${sec(f.cpuMs)} | 1× | ${fmt(f.peakMb)} MB | | |`);
  lines.push(`| cold lint (no cache) | ${size} | ${sec(r.cold.wallMs)} | ${sec(r.cold.cpuMs)} | ${ratio(r.cold, f)} | ${fmt(r.cold.peakMb)} MB | ≤ ${TARGETS.coldCpuRatio}× CPU | ${met(r.cold.cpuMs / f.cpuMs <= TARGETS.coldCpuRatio)} |`);
  lines.push(`| warm re-run, one changed code file | ${size} | ${sec(r.warmPlain.wallMs)} | ${sec(r.warmPlain.cpuMs)} | ${ratio(r.warmPlain, f)} | ${fmt(r.warmPlain.peakMb)} MB | ≤ ${TARGETS.warmRatio}× (CPU and wall) | ${met(r.warmPlain.cpuMs / f.cpuMs <= TARGETS.warmRatio && r.warmPlain.wallMs / f.wallMs <= TARGETS.warmRatio)} |`);
  lines.push(`| warm re-run, one changed database file (parsed modules analysed again) | ${size} | ${sec(r.warmDatabase.wallMs)} | ${sec(r.warmDatabase.cpuMs)} | ${ratio(r.warmDatabase, f)} | ${fmt(r.warmDatabase.peakMb)} MB | (none) | |`);
  const pcTarget = r.files === 50000 || r.files === null;
  lines.push(`| pre-commit: one staged file, warm cache | ${size} | ${sec(r.preCommit.wallMs)} | ${sec(r.preCommit.cpuMs)} | ${ratio(r.preCommit, f)} | ${fmt(r.preCommit.peakMb)} MB | ${pcTarget ? `≤ ${TARGETS.preCommitWallMs / 1000} s wall` : '(target at 50k)'} | ${pcTarget ? met(r.preCommit.wallMs <= TARGETS.preCommitWallMs) : ''} |`);
  const peakTarget = TARGETS.peakMb[r.files];
  lines.push(`| peak RSS, cold lint | ${size} | | | | ${fmt(r.cold.peakMb)} MB | ${peakTarget ? `≤ ${peakTarget} MB` : ''} | ${peakTarget ? met(r.cold.peakMb <= peakTarget) : ''} |`);
  if (r.eslint) {
    const x = r.eslint.wallMs / r.cold.wallMs;
    const xc = r.eslint.cpuMs / r.cold.cpuMs;
    lines.push(`| ESLint + the plugin over the same tree (1 run) | ${size} | ${sec(r.eslint.wallMs)} | ${sec(r.eslint.cpuMs)} | ÷ cold lint: ${fmt(x, 0)}× / ${fmt(xc, 0)}× | ${fmt(r.eslint.peakMb)} MB | ≥ ${TARGETS.eslintRatio}× slower than the CLI | ${met(Math.min(x, xc) >= TARGETS.eslintRatio)} |`);
  }
}
return lines;
}
const lines = table();
if (pluginOutput === null) lines.push(`| ESLint plugin: first lint, then per lint vs ESLint's parser alone | | | | | | ≤ 1.5 s; ≤ 2× | see bench/plugin.mjs |`);
else lines.push(`| ESLint plugin: first lint, then per lint vs ESLint's parser alone | | | | | | ≤ 1.5 s; ≤ 2× | bench/plugin.mjs: below |`);

const out = [];
out.push(`pgconn-lint ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}, ${machine.date}, ${machine.cpus} × ${machine.cpuModel}, ${fmt(machine.totalMemMiB)} MiB RAM, Node ${machine.node}; ${runs} runs per row (median), warm page cache.`);
out.push(`Node's own start (\`node -e 0\`, median of 5): ${fmt(nodeStart.wallMs)} ms wall, ${fmt(nodeStart.cpuMs)} ms CPU${process.env.NODE_EXTRA_CA_CERTS ? '; NODE_EXTRA_CA_CERTS is set (Node reads those certificates at every start)' : ''}.`);
out.push(`Load (/proc/loadavg, 1/5/15 min): ${loadStart} at the start, ${loadEnd} at the end${results.map((r) => `; ${fmt(r.files ?? 0)} files: ${r.loadBefore} → ${r.loadAfter}`).join('')}.`);
out.push('');
out.push(...lines);
out.push('');
for (const r of results) {
  out.push(`${fmt(r.files ?? 0)} files: walked ${fmt(r.walked.files)} (${fmt(r.walked.codeFiles)} code files, ${fmt(r.walked.bytes / 1e6, 1)} MB); edited ${r.edited.plain} (plain) and ${r.edited.database} (database). Wall ms per run: floor ${r.floor.allWallMs.join('/')}, cold ${r.cold.allWallMs.join('/')}, warm ${r.warmPlain.allWallMs.join('/')}, warm (database) ${r.warmDatabase.allWallMs.join('/')}, pre-commit ${r.preCommit.allWallMs.join('/')}.`);
}
if (pluginOutput !== null) out.push('', 'bench/plugin.mjs:', pluginOutput.trim());
process.stdout.write(out.join('\n') + '\n');
