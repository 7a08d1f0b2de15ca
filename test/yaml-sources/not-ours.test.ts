/**
 * Issue 15: files that are not ours never fail a run. A YAML file is a compose file when it is named
 * like one, or when its top-level `services` is a mapping of service definitions; a Render blueprint
 * (`services:` a list), a GitHub workflow (`services:` under a job) and a Helm template are not.
 * A file only guessed to be compose that does not parse as one is skipped, said under --verbose.
 */
import { describe, expect, it } from 'vitest';
import { classifyYamlFile } from '../../src/sources/yaml/classify.js';
import { lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';

describe('classifyYamlFile', () => {
  it('takes `services:` as compose only when it is a mapping', () => {
    expect(classifyYamlFile('/r/render.yaml', 'services:\n  - type: web\n    name: api\n')).toBe('other');
    expect(classifyYamlFile('/r/stack.yml', 'services:\n  # the API\n\n  api:\n    image: node:20\n')).toBe('compose');
    expect(classifyYamlFile('/r/stack.yml', 'services: { api: { image: node } }\n')).toBe('compose');
    expect(classifyYamlFile('/r/stack.yml', 'services: []\n')).toBe('other');
    expect(classifyYamlFile('/r/.github/workflows/ci.yml', 'services:\n  postgres:\n    image: postgres:16\n')).toBe('other');
    // Named like compose: ours, and a broken one is reported.
    expect(classifyYamlFile('/r/compose.yaml', 'services:\n  - type: web\n')).toBe('compose');
  });
});

describe('a run over files that are not ours', () => {
  it('is clean: a Render blueprint, a workflow, a Helm template, a guessed compose file that is not valid', () => {
    const dir = tempProject({
      'render.yaml': 'services:\n  - type: web\n    name: api\n',
      '.github/workflows/ci.yml': 'on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    services:\n      postgres:\n        image: postgres:16\n',
      'chart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
      'tools/stack.yml': 'services:\n  api: [1, 2]\n',
    });
    const result = lintPaths(dir, ['.'], testConfig());
    expect(result.files.flatMap((f) => f.diagnostics)).toEqual([]);
    expect(result.facts.skippedInputs.map((s) => s.path.slice(dir.length + 1)).sort()).toEqual(['.github/workflows/ci.yml', 'chart/templates/deploy.yaml', 'render.yaml', 'tools/stack.yml']);
  });
  it('a file named like compose that is broken is still reported', () => {
    const dir = tempProject({ 'docker-compose.yml': 'services:\n  - type: web\n' });
    const ds = lintPaths(dir, ['.'], testConfig()).files.flatMap((f) => f.diagnostics);
    expect(ds.map((d) => d.message)).toEqual(['`services` must be a mapping of service names to definitions.']);
  });
});
