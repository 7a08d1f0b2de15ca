/**
 * Issue 16, class 3: nothing a pull request writes — values, keys, service names, file and folder
 * names — can run a GitHub Actions workflow command or a terminal escape through pgconn-lint's
 * output, in any format; JSON and SARIF stay valid whatever the file names hold; a 160,000-letter
 * line does not slow the output down (class 4, output side).
 *
 * The output is read the way the runner reads it (actions/runner ActionCommand.cs,
 * ActionCommandManager.cs, OutputManager.cs): lines split at \n, \r and \r\n; a line whose
 * .NET-trimmed start is `::` is a command (v2), and so is a line with `##[` anywhere (v1). Here any
 * such line counts, registered command name or not: the only commands allowed are the ones the
 * github format emits itself, with its own properties.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJson } from '../../src/report/formatters/json.js';
import { formatSarif } from '../../src/report/formatters/sarif.js';
import { formatStylish } from '../../src/report/formatters/stylish.js';
import { formatGithub } from '../../src/report/formatters/github.js';
import { escapeText, neutraliseCommands, safeJsonText } from '../../src/report/escape.js';
import type { LintResult } from '../../src/engine/lint.js';
import type { FormatterContext } from '../../src/report/formatters/types.js';
import { REPO_ROOT } from '../support/paths.js';
import { ALL_RULES } from '../../rules/index.js';

const BIN = join(REPO_ROOT, 'dist/src/cli/bin.js');

const temps: string[] = [];
/** A fresh repository root (a `.git` folder) under the system temp dir, removed after the tests. */
function tempRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(root, '.git'));
  temps.push(root);
  return root;
}
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
  ms: number;
}

function run(args: string[], cwd: string, timeout = 60_000): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- the runner's reading of a log

/** .NET string.TrimStart() (char.IsWhiteSpace), plus U+FEFF that JavaScript trims too. */
const DOTNET_LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*/;

interface RunnerCommand {
  syntax: 'v1' | 'v2';
  name: string;
  props: string;
  data: string;
  line: string;
}

/** Every line the runner would take as a workflow command (StreamReader.ReadLine splits at \n, \r, \r\n). */
function runnerCommands(output: string): RunnerCommand[] {
  const out: RunnerCommand[] = [];
  for (const line of output.split(/\r\n|\r|\n/)) {
    const t = line.replace(DOTNET_LEADING_SPACE, '');
    if (t.startsWith('::')) {
      const end = t.indexOf('::', 2);
      const info = end < 0 ? t.slice(2) : t.slice(2, end);
      const sp = info.indexOf(' ');
      out.push({ syntax: 'v2', name: sp < 0 ? info : info.slice(0, sp), props: sp < 0 ? '' : info.slice(sp + 1), data: end < 0 ? '' : t.slice(end + 2), line });
    }
    const v1 = line.indexOf('##[');
    if (v1 >= 0) {
      const rb = line.indexOf(']', v1);
      const info = rb < 0 ? line.slice(v1 + 3) : line.slice(v1 + 3, rb);
      const sp = info.indexOf(' ');
      out.push({ syntax: 'v1', name: sp < 0 ? info : info.slice(0, sp), props: sp < 0 ? '' : info.slice(sp + 1), data: rb < 0 ? '' : line.slice(rb + 1), line });
    }
  }
  return out;
}

/** The runner's UnescapeProperty / UnescapeData. */
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

/** Characters that must never be printed raw from the input (escape.ts); our colour codes removed first when `color`. */
function rawUnsafe(output: string, color = false): string[] {
  const t = color ? output.replace(/\u001b\[\d+m/g, '') : output;
  return [...t.matchAll(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu)].map((m) => m[0]).filter((c) => c !== '\n').map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** The github format's own commands: one per finding, with exactly its properties. */
function expectOnlyOurAnnotations(stdout: string): RunnerCommand[] {
  const cmds = runnerCommands(stdout);
  const lines = stdout.split('\n').filter((l) => l !== '');
  expect(cmds.map((c) => c.syntax)).toEqual(lines.map(() => 'v2'));
  for (const c of cmds) {
    expect(['error', 'warning']).toContain(c.name);
    const props = c.props.split(',').map((p) => p.split('='));
    expect(props.map((p) => p[0])).toEqual(['file', 'line', 'col', 'endLine', 'endColumn', 'title']);
    for (const [k, v] of props.slice(1, 5)) expect(v, k).toMatch(/^\d+$/);
    expect(props[5]![1]).toMatch(/^pgconn-lint(\([a-z0-9-]+\))?$/);
    expect(c.line).not.toContain('##[');
    expect(rawUnsafe(c.line)).toEqual([]);
  }
  return cmds;
}

// ---------------------------------------------------------------- the hostile tree

const ESC_TITLE = '\u001b]0;PWNED_TITLE\u0007';
const ESC_CLEAR = '\u001b[2J';
const BIDI = '\u202e';
const C1 = '\u0085\u009b';
const LS = '\u2028';

/** What the tree plants, to check that it reached the output (escaped) and is not vacuous. */
const MARKERS = ['PWNED_DIR', 'PWNED_CONF', 'PWNED_LEAD', 'PWNED_MASK', 'PWNED_STOP', 'PWNED_ENV', 'PWNED_SVC', 'PWNED_YAML'];

function write(root: string, rel: string, content: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
}

function hostileTree(): { root: string; newlineDir: boolean } {
  const root = tempRoot('pgconn-lint-hostile-');
  let newlineDir = true;
  try {
    mkdirSync(join(root, 'svc\n::error::PWNED_DIR'));
  } catch {
    newlineDir = false;
  }
  const confDir = newlineDir ? 'svc\n::error::PWNED_DIR' : 'svc-PWNED_DIR';
  write(root, `${confDir}/postgresql.conf`, `max_connections = 5000 # ##[error]PWNED_CONF ${ESC_CLEAR}${ESC_TITLE}\nshared_buffers = 128MB\n`);
  // A folder whose name starts with `::`: the stylish header line of its files.
  write(
    root,
    '::warning::PWNED_LEAD/pgbouncer.ini',
    `[pgbouncer]\nauth_type = md5 ; ##[add-mask]PWNED_MASK ${ESC_TITLE}\nserver_pool_size = 20 ; ##[stop-commands]PWNED_STOP ${BIDI}x${LS}y${C1}z\n[databases]\napp = host=db port=5432 dbname=app\n`,
  );
  write(root, `esc${ESC_CLEAR}${BIDI}dir/pgbouncer.ini`, `[pgbouncer]\nlisten_addr = *\nauth_type = trust ; ${ESC_TITLE}\n`);
  write(
    root,
    '.env',
    `DATABASE_URL=postgres://app:S3cret@db:5432/app?application_name=##[error]PWNED_ENV\n` +
      `REPLICA_URL="postgres://app:S3cret@db:5432/app?application_name=x\\n::error::PWNED_ENV_NL ${ESC_CLEAR}"\n`,
  );
  write(
    root,
    'docker-compose.yml',
    [
      'services:',
      '  "web##[error]PWNED_SVC```\\n::error::PWNED_SVC_NL\\e]0;PWNED_TITLE\\a\\"q\\"[x]{y}|z<b>&\\uD800":',
      '    image: node:20',
      '    deploy:',
      '      replicas: 30',
      '    environment:',
      '      DATABASE_URL: "postgres://app:S3cret@pgbouncer:6432/app?x=##[error]PWNED_YAML\\n::error::PWNED_YAML_NL\\e[2J\\u2028\\u202e"',
      '  pgbouncer:',
      '    image: edoburu/pgbouncer:1.22.0',
      '  db:',
      '    image: postgres:16',
      '    command: postgres -c max_connections=50',
      '',
    ].join('\n'),
  );
  write(
    root,
    'pgconn-lint.config.json',
    JSON.stringify({
      ignorePatterns: [`vendor-##[error]PWNED_CFG\n::error::PWNED_CFG_NL${ESC_CLEAR}${BIDI}`],
      deployment: { services: [{ name: `billing##[error]PWNED_DECL\n::error::PWNED_DECL_NL${ESC_TITLE}\`\`\``, instances: 2, connectionsPerInstance: 10, target: 'db' }] },
    }),
  );
  return { root, newlineDir };
}

// ---------------------------------------------------------------- through the built CLI

describe('a hostile tree, through the built CLI in every format', () => {
  let tree: { root: string; newlineDir: boolean };
  const runs = new Map<string, Run>();
  const FORMATS: Record<string, string[]> = {
    'stylish --no-color': ['--format', 'stylish', '--no-color', '.'],
    'stylish --color': ['--format', 'stylish', '--color', '.'],
    json: ['--format', 'json', '.'],
    sarif: ['--format', 'sarif', '.'],
    github: ['--format', 'github', '.'],
    '--print-model': ['--print-model', '.'],
    '--print-config': ['--print-config'],
    'budget text': ['budget', '--no-color', '.'],
    'budget text --color': ['budget', '--color', '.'],
    'budget json': ['budget', '--format', 'json', '.'],
    'budget mermaid': ['budget', '--format', 'mermaid', '.'],
  };
  const JSON_FORMATS = ['json', 'sarif', '--print-model', '--print-config', 'budget json'];

  beforeAll(() => {
    expect(existsSync(BIN), 'npm run build first').toBe(true);
    tree = hostileTree();
    for (const [name, args] of Object.entries(FORMATS)) runs.set(name, run(args, tree.root));
  }, 300_000);

  it.each(Object.keys(FORMATS))('%s: runs, and no line is a workflow command from the input', (name) => {
    const r = runs.get(name)!;
    expect(r.status, r.stderr).not.toBe(2);
    expect(r.stdout.length).toBeGreaterThan(0);
    if (name === 'github') expectOnlyOurAnnotations(r.stdout);
    else expect(runnerCommands(r.stdout)).toEqual([]);
    expect(runnerCommands(r.stderr)).toEqual([]);
    expect(r.stdout).not.toContain('##[');
    expect(r.stderr).not.toContain('##[');
  });

  it.each(Object.keys(FORMATS))('%s: no raw control, format, bidi or line-separator character', (name) => {
    const r = runs.get(name)!;
    expect(rawUnsafe(r.stdout, name.endsWith('--color'))).toEqual([]);
    expect(rawUnsafe(r.stderr)).toEqual([]);
    for (const raw of [ESC_CLEAR, ESC_TITLE, '\u001b]0;']) expect(r.stdout).not.toContain(raw);
  });

  it('the planted values do reach the output, escaped', () => {
    const stylish = runs.get('stylish --no-color')!.stdout;
    const seen = MARKERS.filter((m) => stylish.includes(m));
    expect(seen.length, `markers in stylish: ${seen.join(', ')}`).toBeGreaterThanOrEqual(5);
    // The frame shows the comment with its escape sequences as text.
    expect(stylish).toContain('#\\x23[error]PWNED_CONF \\x1b[2J\\x1b]0;PWNED_TITLE\\x07');
    if (tree.newlineDir) expect(stylish).toContain('svc\\n::error::PWNED_DIR/postgresql.conf');
    // A file header that would start with `::` gets its first colon escaped.
    expect(stylish).toMatch(/^\\x3a:warning::PWNED_LEAD\/pgbouncer\.ini$/m);
    expect(stylish).toContain(`esc\\x1b[2J\\u202edir/pgbouncer.ini`);
    const budget = runs.get('budget text')!.stdout;
    expect(budget).toContain('web#\\x23[error]PWNED_SVC```\\n::error::PWNED_SVC_NL\\x1b]0;PWNED_TITLE\\x07');
  });

  it('github: the annotations keep pointing at the files, with the runner-unescaped paths', () => {
    const cmds = expectOnlyOurAnnotations(runs.get('github')!.stdout);
    const files = new Set(cmds.map((c) => unescapeProperty(c.props.split(',')[0]!.slice('file='.length))));
    expect(files).toContain('::warning::PWNED_LEAD/pgbouncer.ini');
    if (tree.newlineDir) expect(files).toContain('svc\\n::error::PWNED_DIR/postgresql.conf');
    const json = JSON.parse(runs.get('json')!.stdout) as Array<{ messages: unknown[] }>;
    expect(cmds.length).toBe(json.reduce((n, f) => n + f.messages.length, 0));
    const data = cmds.map((c) => unescapeData(c.data)).join('\n');
    expect(data).toContain('#\\x23[error]PWNED_YAML\\n::error::PWNED_YAML_NL\\x1b[2J\\u2028\\u202e');
  });

  it.each(JSON_FORMATS)('%s: valid JSON that keeps the exact values', (name) => {
    const r = runs.get(name)!;
    const v = JSON.parse(r.stdout) as unknown;
    const all = JSON.stringify(v);
    if (name === 'json' && tree.newlineDir) expect(all).toContain(JSON.stringify('svc\n::error::PWNED_DIR/postgresql.conf').slice(1, -1));
    if (name === '--print-config') expect((v as { ignorePatterns: string[] }).ignorePatterns).toEqual([`vendor-##[error]PWNED_CFG\n::error::PWNED_CFG_NL${ESC_CLEAR}${BIDI}`]);
    if (name === 'budget json') expect(all).toContain('web##[error]PWNED_SVC```');
  });

  it('sarif: the schema-ish checks and the SARIF multitool', () => {
    const text = runs.get('sarif')!.stdout;
    const log = JSON.parse(text) as SarifLog;
    checkSarif(log);
    const uris = log.runs[0]!.results.flatMap((r) => r.locations.map((l) => l.physicalLocation.artifactLocation.uri));
    if (tree.newlineDir) expect(uris).toContain('svc%0A%3A%3Aerror%3A%3APWNED_DIR/postgresql.conf');
    validateWithMultitool(text, tree.root);
  });

  it('budget mermaid: nothing leaves its label or the code fence', () => {
    const lines = runs.get('budget mermaid')!.stdout.split('\n');
    expect(lines[0]).toBe('```mermaid');
    expect(lines.at(-2)).toBe('```');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -2);
    expect(body[0]).toBe('flowchart LR');
    for (const l of body.slice(1)) {
      // A node with one quoted label, an edge with a quoted count, or our class lines; no other quote or backtick.
      expect(l).toMatch(/^ {2}(?:[csp]\d+(?:\["[^"`\n]*"\]|\[\("[^"`\n]*"\)\]|\{\{"[^"`\n]*"\}\})|[csp]\d+ -->\|"[^"`|]*"\| [csp]\d+|classDef \w+ [\w:#,]+|class [\w,]+ \w+)$/);
    }
    const all = body.join('\n');
    expect(all).toContain('web#35;#92;x23#91;error#93;PWNED_SVC#96;#96;#96;#92;n::error::PWNED_SVC_NL#92;x1b#93;0#59;PWNED_TITLE#92;x07#34;q#34;#91;x#93;#123;y#125;#124;z#60;b#62;#38;#92;ud800');
  });

  it('--print-config and usage errors from a config file escape what they quote', () => {
    const root = tempRoot('pgconn-lint-hostile-cfg-');
    writeFileSync(join(root, 'pgconn-lint.config.json'), JSON.stringify({ [`\n::error::PWNED_KEY ##[error]PWNED_KEY2 ${ESC_CLEAR}`]: 1 }));
    const r = run(['.'], root);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PWNED_KEY');
    expect(runnerCommands(r.stderr)).toEqual([]);
    expect(rawUnsafe(r.stderr)).toEqual([]);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('the note about named files that were not linted escapes their names', () => {
    const root = tempRoot('pgconn-lint-hostile-note-');
    const name = `notes\n::error::PWNED_ARG ##[add-mask]PWNED_ARG2${ESC_TITLE}.txt`;
    writeFileSync(join(root, name), 'hello\n');
    writeFileSync(join(root, 'postgresql.conf'), 'max_connections = 100\n');
    const r = run(['--format', 'github', name], root);
    expect(r.stderr).toContain('not linted');
    expect(r.stderr).toContain('PWNED_ARG');
    expect(runnerCommands(r.stderr)).toEqual([]);
    expect(rawUnsafe(r.stderr)).toEqual([]);
  });
});

// ---------------------------------------------------------------- file names no string can hold

describe('file names with control characters, U+2028/2029 and invalid UTF-8', () => {
  it('json and sarif stay valid, the human formats escape them', () => {
    const root = tempRoot('pgconn-lint-names-');
    const conf = 'max_connections = 5000\n';
    const names: Array<string | Buffer> = [`ctl\u0001\u001f\u007f\u0085\u009bx`, `seps\u2028\u2029\u202ex`, `tab\tand\rcr`];
    const invalid = Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('-utf8')]);
    names.push(invalid);
    for (const n of names) {
      const dir = Buffer.isBuffer(n) ? Buffer.concat([Buffer.from(`${root}/`), n]) : join(root, n);
      mkdirSync(dir);
      writeFileSync(Buffer.isBuffer(dir) ? Buffer.concat([dir, Buffer.from('/postgresql.conf')]) : join(dir, 'postgresql.conf'), conf);
    }
    const json = run(['--format', 'json', '.'], root);
    const files = (JSON.parse(json.stdout) as Array<{ filePath: string }>).map((f) => f.filePath);
    expect(files.some((f) => f.includes('seps\u2028\u2029\u202ex'))).toBe(true);
    expect(files.some((f) => f.includes('ctl\u0001\u001f\u007f\u0085\u009bx'))).toBe(true);
    expect(rawUnsafe(json.stdout)).toEqual([]);

    const sarif = run(['--format', 'sarif', '.'], root);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    checkSarif(log);
    expect(rawUnsafe(sarif.stdout)).toEqual([]);
    validateWithMultitool(sarif.stdout, root);

    for (const args of [['--format', 'stylish', '--no-color', '.'], ['--format', 'github', '.'], ['budget', '--no-color', '.']]) {
      const r = run(args, root);
      expect(r.status, r.stderr).not.toBe(2);
      expect(rawUnsafe(r.stdout), args.join(' ')).toEqual([]);
      expect(rawUnsafe(r.stderr), args.join(' ')).toEqual([]);
      expect(args[1] === 'github' ? expectOnlyOurAnnotations(r.stdout).length : runnerCommands(r.stdout).length).toBeGreaterThanOrEqual(args[1] === 'github' ? 1 : 0);
    }
  }, 120_000);

  it('lone surrogates and control characters in paths and messages, formatter by formatter', () => {
    const file = '/r/lone\ud800x\u001b[2J\u2028/postgresql.conf';
    const result = {
      files: [{ filePath: file, diagnostics: [{ ruleId: 'connection-memory', severity: 'error', message: `bad \udc00 value ##[error]X\n::error::Y ${ESC_TITLE}`, help: `fix \ud83d${C1}`, range: { file, line: 1, column: 1, endLine: 1, endColumn: 5 }, related: [{ range: { file, line: 1, column: 1, endLine: 1, endColumn: 2 }, message: `rel ${LS}\u202e` }] }] }],
      rulesSeen: ['connection-memory'],
    } as unknown as LintResult;
    const ctx: FormatterContext = { cwd: '/r', color: false, rules: ALL_RULES, docsUrl: (id) => `https://example.com/${id}`, sourceText: () => ({ text: `max_connections = 5000 # \ud800 ${ESC_CLEAR}\n`, kind: 'postgresql-conf' }) };
    const j = formatJson(result, ctx);
    expect((JSON.parse(j) as Array<{ filePath: string }>)[0]!.filePath).toBe(file);
    const s = formatSarif(result, ctx);
    const log = JSON.parse(s) as SarifLog;
    checkSarif(log);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('lone%EF%BF%BDx%1B%5B2J%E2%80%A8/postgresql.conf');
    for (const out of [j, s]) {
      expect(rawUnsafe(out)).toEqual([]);
      expect(runnerCommands(out)).toEqual([]);
    }
    const human = formatStylish(result, ctx);
    expect(rawUnsafe(human)).toEqual([]);
    expect(runnerCommands(human)).toEqual([]);
    expect(human).toContain('lone\\ud800x\\x1b[2J\\u2028/postgresql.conf');
    expectOnlyOurAnnotations(formatGithub(result, ctx));
  });
});

// ---------------------------------------------------------------- the escape functions themselves

describe('escape.ts', () => {
  it('escapes controls, format characters, separators and lone surrogates; breaks ##[', () => {
    expect(escapeText(`a${ESC_TITLE}${ESC_CLEAR}\u007f\u0085\u202e\u2028\u2029\ufeff\ud800\u{e0001}\t\n\r`)).toBe(
      'a\\x1b]0;PWNED_TITLE\\x07\\x1b[2J\\x7f\\x85\\u202e\\u2028\\u2029\\ufeff\\ud800\\u{e0001}\\t\\n\\r',
    );
    expect(escapeText('##[error] ###[x] #[ok] ## [ok] é ✓ 😀')).toBe('#\\x23[error] ##\\x23[x] #[ok] ## [ok] é ✓ 😀');
  });

  it('neutralises a line that would start with :: after the whitespace .NET trims', () => {
    expect(neutraliseCommands('::error::a\n  ::warning::b\n\u00a0\u3000::x::\r::y::\nok ::z::\n\u001b[4m::error::c')).toBe(
      '\\x3a:error::a\n  \\x3a:warning::b\n\u00a0\u3000\\x3a:x::\r\\x3a:y::\nok ::z::\n\u001b[4m\\x3a:error::c',
    );
  });

  it('JSON: the same value, nothing raw', () => {
    const v = { s: `##[error]x${LS}\u2029${BIDI}${C1}\u007f\ud800${ESC_CLEAR}\u{e0001}` };
    const text = safeJsonText(JSON.stringify(v, null, 2));
    expect(JSON.parse(text)).toEqual(v);
    expect(rawUnsafe(text)).toEqual([]);
    expect(text).not.toContain('##[');
  });
});

// ---------------------------------------------------------------- speed

describe('a 160,000-letter line', () => {
  const LONG = 'a'.repeat(160_000);
  let root: string;
  beforeAll(() => {
    root = tempRoot('pgconn-lint-long-');
    write(root, 'ini/pgbouncer.ini', `[pgbouncer]\n${LONG} = 1\nauth_type = md5 ; ${LONG}\n`);
    write(root, 'conf/postgresql.conf', `max_connections = 5000 # ${LONG}\n${LONG} = 3\n`);
    write(root, 'env/.env', `DATABASE_URL=postgres://u:p@db/app?x=${LONG}\n`);
  });

  it.each([
    ['stylish', '--no-color'],
    ['github', '--no-color'],
    ['sarif', '--no-color'],
    ['json', '--no-color'],
  ])('%s finishes in seconds, with frames cut to a bounded width', (format, color) => {
    const r = run(['--format', format, color, '.'], root, 30_000);
    expect(r.status, r.stderr).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    if (format === 'stylish') {
      const frameLines = r.stdout.split('\n').filter((l) => /^\s*\d* \| /.test(l));
      expect(frameLines.length).toBeGreaterThan(0);
      for (const l of frameLines) expect(l.length).toBeLessThan(300);
      expect(r.stdout).toContain('…');
    }
    if (format === 'sarif') checkSarif(JSON.parse(r.stdout) as SarifLog);
  }, 60_000);
});

// ---------------------------------------------------------------- SARIF helpers

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string }> } };
    results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>; partialFingerprints: Record<string, string> }>;
    invocations: Array<{ toolExecutionNotifications: unknown[] }>;
  }>;
}

/** What test/report/formats.test.ts checks of every SARIF log, plus URIs that parse. */
function checkSarif(log: SarifLog): void {
  expect(log.version).toBe('2.1.0');
  const r = log.runs[0]!;
  const ids = r.tool.driver.rules.map((x) => x.id);
  for (const res of r.results) {
    expect(ids[res.ruleIndex]).toBe(res.ruleId);
    expect(['error', 'warning', 'note']).toContain(res.level);
    expect(typeof res.message.text).toBe('string');
    expect(res.partialFingerprints['pgconnLint/v1']).toMatch(/^[0-9a-f]{32}$/);
    for (const l of res.locations) {
      const uri = l.physicalLocation.artifactLocation.uri;
      expect(() => new URL(uri, 'file:///root/')).not.toThrow();
      expect(() => decodeURIComponent(uri)).not.toThrow();
      expect(uri).not.toMatch(/[\s\p{Cc}\p{Cf}]/u);
    }
  }
}

function validateWithMultitool(text: string, dir: string): void {
  let tool: string | null = null;
  try {
    const p = createRequire(join(REPO_ROOT, 'package.json')).resolve('@microsoft/sarif-multitool/bin.js');
    tool = existsSync(p) ? p : null;
  } catch {
    tool = null;
  }
  if (!tool) {
    if (process.env.CI === 'true') throw new Error('@microsoft/sarif-multitool is not installed (npm ci)');
    return;
  }
  const file = join(dir, 'out.sarif');
  writeFileSync(file, text);
  const out = join(dir, 'validation.sarif');
  const v = spawnSync(process.execPath, [tool, 'validate', file, '-o', out, '--log', 'ForceOverwrite'], { encoding: 'utf8', timeout: 120_000 });
  expect(v.status, v.stdout + v.stderr).toBe(0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
  expect(report.runs[0]!.results.filter((x) => x.level === 'error' || x.level === 'warning').map((x) => `${x.ruleId}: ${x.message.text}`)).toEqual([]);
}
