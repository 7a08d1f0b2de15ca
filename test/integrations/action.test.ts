/**
 * The composite GitHub Action (action.yml): the manifest is valid YAML whose expressions
 * name declared inputs and written outputs, and its lint step, run as the runner runs it
 * (bash, GITHUB_ACTION_PATH = a copy of this working tree, RUNNER_TEMP, GITHUB_OUTPUT),
 * builds the action's own copy from a production install and writes SARIF and annotations.
 * The upload step (github/codeql-action) needs GitHub and is not run here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../support/paths.js';
import { requireBinary } from '../support/real-postgres.js';
import { copyWorkingTree, onPath } from './working-tree.js';

interface ActionStep {
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface ActionManifest {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const text = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
const doc = parseDocument(text);
const action = doc.toJS() as ActionManifest;

const BASH = onPath('bash') ?? '/bin/bash';
const GIT = onPath('git') ?? '/usr/bin/git';
const NPM = onPath('npm') ?? '/usr/bin/npm';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('action.yml', () => {
  it('is valid YAML for a composite action', () => {
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(action.runs.using).toBe('composite');
    for (const [name, input] of Object.entries(action.inputs)) expect(typeof input.description, name).toBe('string');
    for (const step of action.runs.steps) if (step.run !== undefined) expect(step.shell).toBe('bash');
  });

  it('names only declared inputs and outputs that the lint step writes', () => {
    for (const [, name] of text.matchAll(/\binputs\.([\w-]+)/g)) expect(Object.keys(action.inputs)).toContain(name);
    const lint = action.runs.steps.find((s) => s.id === 'lint')!;
    for (const [, name] of text.matchAll(/steps\.lint\.outputs\.([\w-]+)/g)) expect(lint.run).toContain(`echo "${name}=`);
  });

  it('has run scripts that bash can parse', () => {
    for (const step of action.runs.steps) {
      if (step.run === undefined) continue;
      const r = spawnSync(BASH, ['-n'], { input: step.run, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  });

  const have = requireBinary(BASH) && requireBinary(NPM) && requireBinary(GIT);
  it.skipIf(!have)(
    'the lint step builds its own copy, writes SARIF and annotations, and reports findings as status 1',
    () => {
      const base = mkdtempSync(join(tmpdir(), 'pgconn-lint-action-'));
      temps.push(base);
      const actionPath = join(base, 'action');
      const workspace = join(base, 'workspace');
      const runnerTemp = join(base, 'runner-temp');
      copyWorkingTree(actionPath, GIT);
      mkdirSync(workspace);
      mkdirSync(runnerTemp);
      writeFileSync(join(workspace, 'pgbouncer.ini'), '[pgbouncer]\nlisten_addr = 127.0.0.1\nauth_type = scram-sha-256\nserver_pool_size = 3\n');
      const githubOutput = join(base, 'github-output');
      writeFileSync(githubOutput, '');

      const lint = action.runs.steps.find((s) => s.id === 'lint')!;
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|vitest|node_options$|init_cwd$)/i.test(k)) env[k] = v;
      // The inputs' defaults, as the runner substitutes them into the step's env.
      for (const [k, v] of Object.entries(lint.env ?? {})) {
        const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(v)?.[1];
        env[k] = input !== undefined ? action.inputs[input]!.default ?? '' : v;
      }
      Object.assign(env, { GITHUB_ACTION_PATH: actionPath, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: githubOutput, GITHUB_WORKSPACE: workspace });

      // The runner runs `bash --noprofile --norc -eo pipefail {0}` for shell: bash.
      const script = join(base, 'lint.sh');
      writeFileSync(script, lint.run!);
      const r = spawnSync(BASH, ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env, encoding: 'utf8', timeout: 540_000, maxBuffer: 64 * 1024 * 1024 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);

      const outputs = Object.fromEntries(
        readFileSync(githubOutput, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(outputs.status).toBe('1');
      const sarif = JSON.parse(readFileSync(outputs['sarif-file']!, 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('unknown-setting');
      expect(r.stdout).toMatch(/^::error file=pgbouncer\.ini,line=4,col=1,.*title=pgconn-lint\(unknown-setting\)::/m);
    },
    600_000,
  );
});
