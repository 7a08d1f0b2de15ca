#!/usr/bin/env node
// Lints the real repositories of manifest.json (checked out by fetch.mjs) with the built
// CLI and compares what it says with the verdicts in the manifest:
//   - per rule: findings, true (an `expect` entry), false (a `silent` entry: noise or
//     wrong), unjudged (neither: judge it and add it to the manifest), missed (an
//     `expect` entry not reported), precision = true ÷ findings;
//   - the production pools the manifest names: in the model (--print-model), with the
//     size it gives, and counted in a budget (the model's deployment.budgets, which is
//     what `budget --format json` prints);
//   - the unknown rate: pools of the model whose size is unknown, and pool edges of the
//     deployment model whose per-instance size or target is unknown;
//   - the time of the lint run.
// Not part of `npm test`: a repository that is not checked out is skipped with one line.
//
//   node bench/realworld/run.mjs [--repo X]... [--dir DIR] [--cli PATH] [--verbose]
//                                [--markdown] [--json FILE] [--keep DIR] [--reuse DIR]
// --keep DIR writes each repository's lint and model JSON there; --reuse DIR judges them
// again without linting.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { dirName, loadManifest, selectRepos } from './fetch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

function parseArgs(argv) {
  const args = {
    repos: [],
    dir: process.env.PGCONN_RW_DIR || '/tmp/rw',
    cli: join(projectRoot, 'dist', 'src', 'cli', 'bin.js'),
    verbose: false,
    markdown: false,
    json: null,
    keep: null,
    reuse: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repo') args.repos.push(argv[++i]);
    else if (a === '--dir') args.dir = argv[++i];
    else if (a === '--cli') args.cli = resolve(argv[++i]);
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a === '--markdown') args.markdown = true;
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--keep') args.keep = argv[++i];
    else if (a === '--reuse') args.reuse = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log(
        'usage: node bench/realworld/run.mjs [--repo X]... [--dir DIR] [--cli PATH] [--verbose] [--markdown] [--json FILE] [--keep DIR] [--reuse DIR]',
      );
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return args;
}

// The code the issue calls test, fixture, perf, seed, e2e and script code: shown apart in
// the tables (the findings there still count in precision).
const NON_PRODUCTION = picomatch(
  [
    '**/{test,tests,__tests__,e2e,cypress,playwright,testing,fixtures,__fixtures__,mocks,__mocks__,scripts}/**',
    '**/{perf,bench}*/**',
    '**/seed*/**',
    '**/*.{test,spec,e2e-spec}.*',
    '**/seed*.*',
    '**/.env.test*',
    '**/test-*/**',
  ],
  { dot: true },
);
export const isNonProduction = (file) => NON_PRODUCTION(file);

function runCli(cli, cwd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args, '.'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1) {
    return { ok: false, ms, error: `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  try {
    return { ok: true, ms, data: JSON.parse(r.stdout) };
  } catch (e) {
    return { ok: false, ms, error: `output is not JSON: ${e.message}` };
  }
}

function flatten(lintJson, root) {
  const out = [];
  for (const file of lintJson) {
    const rel = file.filePath.startsWith(root + '/') ? file.filePath.slice(root.length + 1) : file.filePath;
    for (const m of file.messages) {
      out.push({
        rule: m.ruleId ?? 'fatal',
        file: rel,
        line: m.line,
        column: m.column,
        severity: m.severity === 2 ? 'error' : 'warn',
        message: m.message,
      });
    }
  }
  return out;
}

const fileMatches = (pattern, file) => pattern === file || picomatch(pattern, { dot: true })(file);
const ruleMatches = (pattern, rule) => pattern === '*' || pattern === rule;
const entryMatches = (e, f) =>
  ruleMatches(e.rule, f.rule) && fileMatches(e.file, f.file) && (e.line === undefined || e.line === f.line);

function judge(repo, findings) {
  const expect = repo.expect ?? [];
  const silent = repo.silent ?? [];
  const used = new Set();
  const judged = findings.map((f) => {
    // An entry matches one finding, or every finding when it says `all`.
    const i = expect.findIndex((e, k) => (e.all || !used.has(k)) && entryMatches(e, f));
    if (i >= 0) {
      used.add(i);
      return { ...f, verdict: 'true', why: expect[i].why };
    }
    const s = silent.find((e) => entryMatches(e, f));
    // noise: true but not worth acting on; wrong (and `correct` code reported): not true.
    if (s) return { ...f, verdict: s.kind === 'noise' ? 'noise' : 'wrong', why: s.why, cause: s.cause };
    return { ...f, verdict: 'unjudged' };
  });
  const missed = expect.filter((_, k) => !used.has(k));
  return { judged, missed };
}

function poolChecks(repo, model, budget) {
  const pools = model?.pools ?? [];
  const edges = model?.deployment?.edges ?? [];
  const budgetClients = new Set();
  for (const s of [...(budget?.servers ?? []), ...(budget?.poolers ?? [])]) {
    for (const c of s.clients ?? []) if (c.pool) budgetClients.add(c.pool);
    for (const c of s.unknownClients ?? []) if (c.pool) budgetClients.add(c.pool);
  }
  return (repo.pools ?? []).map((want) => {
    // `calledFrom: "file:line"`: of the pools one construction is per call site, the one that call gives
    const fromCall = (p) => {
      if (want.calledFrom === undefined) return true;
      const outer = p.calledFrom?.[0];
      return outer !== undefined && `${outer.file}:${outer.line}` === want.calledFrom;
    };
    const found = pools.find(
      (p) => p.file === want.file && p.range?.line === want.line && (!want.library || p.library === want.library) && fromCall(p),
    );
    const modelMax = found ? (found.max?.value ?? null) : undefined;
    const maxWhy = found && found.max?.value == null ? (found.max?.provenance?.reason ?? 'unknown') : undefined;
    const poolId = found?.id;
    const inEdges = poolId ? edges.some((e) => e.pool === poolId) : false;
    const inBudget = poolId ? budgetClients.has(poolId) : false;
    const sizeOk = found ? want.max === undefined || want.max === modelMax : false;
    return { ...want, found: Boolean(found), modelMax, maxWhy, sizeOk, inEdges, inBudget };
  });
}

function unknownRate(model) {
  const pools = model?.pools ?? [];
  const edges = model?.deployment?.edges ?? [];
  const poolsUnknown = pools.filter((p) => p.max?.value == null).length;
  const edgesUnknownSize = edges.filter((e) => e.perInstance?.value == null).length;
  const edgesUnknownTarget = edges.filter((e) => e.unknownTarget || !e.target).length;
  return { pools: pools.length, poolsUnknown, edges: edges.length, edgesUnknownSize, edgesUnknownTarget };
}

const pct = (n, d) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(0)} %`);

function table(rows, header) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

function mdTable(rows, header) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.cli)) {
    console.error(`no CLI at ${args.cli}: build it first (npm run build) or pass --cli`);
    process.exit(2);
  }
  const manifest = loadManifest();
  const results = [];
  for (const repo of selectRepos(manifest, args.repos)) {
    const root = join(resolve(args.dir), dirName(repo.repo));
    const stamp = join(root, '.pgconn-rw-commit');
    if (!existsSync(stamp)) {
      console.log(`skip ${repo.repo}: not checked out in ${root} (node bench/realworld/fetch.mjs --repo ${repo.repo})`);
      continue;
    }
    const at = readFileSync(stamp, 'utf8').trim();
    if (at !== repo.commit) {
      console.log(`skip ${repo.repo}: checked out at ${at.slice(0, 12)}, manifest pins ${repo.commit.slice(0, 12)}`);
      continue;
    }
    const reused = args.reuse ? readKept(args.reuse, repo.repo) : null;
    const lint = reused?.lint ?? runCli(args.cli, root, ['--format', 'json']);
    const model = reused?.model ?? runCli(args.cli, root, ['--print-model']);
    // The model's deployment.budgets is the object `budget --format json` prints: one run less.
    const budget = { ok: true, data: model.data?.deployment?.budgets };
    if (args.keep) {
      mkdirSync(args.keep, { recursive: true });
      writeFileSync(join(args.keep, `${dirName(repo.repo)}.lint.json`), JSON.stringify(lint.data ?? null, null, 1));
      writeFileSync(join(args.keep, `${dirName(repo.repo)}.model.json`), JSON.stringify(model.data ?? null, null, 1));
      writeFileSync(join(args.keep, `${dirName(repo.repo)}.ms`), `${Math.round(lint.ms)}\n`);
    }
    const errors = [lint, model].filter((r) => !r.ok).map((r) => r.error);
    const findings = lint.ok ? flatten(lint.data, root) : [];
    const { judged, missed } = judge(repo, findings);
    results.push({
      repo: repo.repo,
      commit: repo.commit,
      kind: repo.kind,
      ms: lint.ms,
      errors,
      judged,
      missed,
      pools: poolChecks(repo, model.data, budget.data),
      unknown: unknownRate(model.data),
    });
  }
  if (results.length === 0) {
    console.log('no repository of the manifest is checked out: nothing to judge (see bench/realworld/README.md)');
    return;
  }
  report(results, args);
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2) + '\n');
}

// --reuse DIR: judge the outputs a --keep run wrote (no linting; for re-judging quickly).
function readKept(dir, repo) {
  const base = join(dir, dirName(repo));
  if (!existsSync(`${base}.lint.json`) || !existsSync(`${base}.model.json`)) return null;
  const ms = existsSync(`${base}.ms`) ? Number(readFileSync(`${base}.ms`, 'utf8')) : 0;
  return {
    lint: { ok: true, ms, data: JSON.parse(readFileSync(`${base}.lint.json`, 'utf8')) },
    model: { ok: true, ms: 0, data: JSON.parse(readFileSync(`${base}.model.json`, 'utf8')) },
  };
}

function summarize(findings) {
  const n = findings.length;
  const t = findings.filter((f) => f.verdict === 'true').length;
  const noise = findings.filter((f) => f.verdict === 'noise').length;
  const wrong = findings.filter((f) => f.verdict === 'wrong').length;
  const unjudged = findings.filter((f) => f.verdict === 'unjudged').length;
  const np = findings.filter((f) => isNonProduction(f.file)).length;
  return { n, t, noise, wrong, unjudged, np };
}

function report(results, args) {
  const out = [];
  const say = (s = '') => out.push(s);
  const allFindings = results.flatMap((r) => r.judged);
  const allMissed = results.flatMap((r) => r.missed.map((m) => ({ ...m, repo: r.repo })));

  for (const r of results) {
    const s = summarize(r.judged);
    say(
      `${r.repo}@${r.commit.slice(0, 12)}: ${s.n} findings (${s.t} true, ${s.noise + s.wrong} false, ${s.unjudged} unjudged), ` +
        `${r.missed.length} missed, ${(r.ms / 1000).toFixed(1)} s`,
    );
    for (const e of r.errors) say(`  ERROR ${e}`);
    for (const f of r.judged) {
      if (f.verdict === 'unjudged' || args.verbose) {
        const tag = f.verdict === 'unjudged' ? 'UNJUDGED' : f.verdict;
        say(`  ${tag.padEnd(8)} ${f.rule} ${f.file}:${f.line}:${f.column}${f.why ? ` — ${f.why}` : ''}`);
        if (f.verdict === 'unjudged') say(`           ${f.message.slice(0, 200)}`);
      }
    }
    for (const m of r.missed) say(`  MISSED   ${m.rule} ${m.file}:${m.line ?? '*'} — ${m.why}`);
    for (const p of r.pools) {
      const expected = p.max === undefined ? 'not checked' : (p.max ?? 'unknown');
      const state = !p.found
        ? 'NOT IN THE MODEL'
        : `model max ${p.modelMax ?? `unknown (${p.maxWhy})`}` +
          `${p.inBudget ? ', in a budget' : p.inEdges ? ', in edges, in no budget' : ', in no budget'}`;
      const via = p.calledFrom !== undefined ? ` called from ${p.calledFrom}` : '';
      say(`  ${p.found && p.sizeOk ? 'pool ok ' : 'POOL !! '} ${p.file}:${p.line}${via} ${p.library ?? ''} (expected max ${expected}): ${state}`);
    }
  }

  const rules = [...new Set(allFindings.map((f) => f.rule).concat(allMissed.map((m) => m.rule)))].sort();
  const ruleRows = rules.map((rule) => {
    const fs = allFindings.filter((f) => f.rule === rule);
    const s = summarize(fs);
    const missed = allMissed.filter((m) => m.rule === rule).length;
    return [rule, s.n, s.np, s.t, s.noise + s.wrong, s.wrong, s.unjudged, missed, pct(s.t, s.n)];
  });
  const tot = summarize(allFindings);
  ruleRows.push(['all', tot.n, tot.np, tot.t, tot.noise + tot.wrong, tot.wrong, tot.unjudged, allMissed.length, pct(tot.t, tot.n)]);
  const ruleHeader = ['rule', 'findings', 'in test/script', 'true', 'false', 'of which wrong', 'unjudged', 'missed', 'precision'];

  const repoHeader = ['repository', 'findings', 'true', 'false', 'unjudged', 'missed', 'prod pools ok', 'pools (unknown max)', 'edges', 'unknown size', 'unknown target', 'time'];
  const repoRows = results.map((r) => {
    const s = summarize(r.judged);
    const ok = r.pools.filter((p) => p.found && p.sizeOk).length;
    return [
      r.repo,
      s.n,
      s.t,
      s.noise + s.wrong,
      s.unjudged,
      r.missed.length,
      `${ok}/${r.pools.length}`,
      `${r.unknown.pools} (${r.unknown.poolsUnknown}, ${pct(r.unknown.poolsUnknown, r.unknown.pools)})`,
      r.unknown.edges,
      pct(r.unknown.edgesUnknownSize, r.unknown.edges),
      pct(r.unknown.edgesUnknownTarget, r.unknown.edges),
      `${(r.ms / 1000).toFixed(1)} s`,
    ];
  });
  const up = results.reduce((a, r) => a + r.unknown.pools, 0);
  const uu = results.reduce((a, r) => a + r.unknown.poolsUnknown, 0);
  const ue = results.reduce((a, r) => a + r.unknown.edges, 0);
  const ues = results.reduce((a, r) => a + r.unknown.edgesUnknownSize, 0);
  const uet = results.reduce((a, r) => a + r.unknown.edgesUnknownTarget, 0);
  const pOk = results.reduce((a, r) => a + r.pools.filter((p) => p.found && p.sizeOk).length, 0);
  const pAll = results.reduce((a, r) => a + r.pools.length, 0);
  repoRows.push([
    'all',
    tot.n,
    tot.t,
    tot.noise + tot.wrong,
    tot.unjudged,
    allMissed.length,
    `${pOk}/${pAll}`,
    `${up} (${uu}, ${pct(uu, up)})`,
    ue,
    pct(ues, ue),
    pct(uet, ue),
    `${(results.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s`,
  ]);

  const render = args.markdown ? mdTable : table;
  say();
  say(render(ruleRows, ruleHeader));
  say();
  say(render(repoRows, repoHeader));
  if (tot.unjudged > 0) say(`\n${tot.unjudged} findings are unjudged: precision above counts them as not true until judged.`);
  if (args.markdown) {
    say('\n### Production pools\n');
    say(
      mdTable(
        results.flatMap((r) =>
          r.pools.map((p) => [
            r.repo,
            `\`${p.file}:${p.line}\`${p.calledFrom !== undefined ? ` called from \`${p.calledFrom}\`` : ''}`,
            p.library ?? '',
            p.max === undefined ? 'not checked' : String(p.max ?? 'unknown'),
            !p.found ? '**not in the model**' : p.sizeOk ? `${p.modelMax ?? 'unknown'}` : `**${p.modelMax ?? 'unknown'}**`,
            p.found ? (p.inBudget ? 'yes' : 'no') : '—',
          ]),
        ),
        ['repository', 'pool', 'library', 'expected max', 'model max', 'in a budget'],
      ),
    );
    say('\n### Every finding\n');
    for (const r of results) {
      say(`**${r.repo}**\n`);
      if (r.judged.length === 0) say('- no findings');
      for (const f of r.judged) {
        say(`- \`${f.file}:${f.line}\` ${f.rule} — **${f.verdict}**${f.why ? `: ${f.why}` : ''}`);
      }
      for (const m of r.missed) say(`- \`${m.file}:${m.line ?? '*'}\` ${m.rule} — **missed**: ${m.why}`);
      say();
    }
  }
  console.log(out.join('\n'));
}

main();
