/**
 * `Number(env.A) || Number(env.B ?? 10)`: A's value when the service sets it, else B's, else 10.
 * The model used to keep only B's fallback, so a service setting B alone got 10 (issue 15: the
 * shape of trigger.dev's webhook writer, WEBHOOK_DATABASE_CONNECTION_LIMIT ?? DATABASE_CONNECTION_LIMIT).
 */
import { describe, expect, test } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { discover } from '../../src/discovery/discover.js';
import { loadConfig } from '../../src/engine/config.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import { tempProject } from '../support/lint-helpers.js';

function edgeOf(vars: string) {
  const dir = tempProject({
    'compose.yaml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: ./api\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n${vars}`,
    'api/Dockerfile': 'FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["node", "db.js"]\n',
    'api/package.json': JSON.stringify({ name: 'api', dependencies: { pg: '^8.0.0' } }),
    'api/db.js': [
      "const { Pool } = require('pg');",
      'exports.pool = new Pool({',
      '  connectionString: process.env.DATABASE_URL,',
      '  max: Number(process.env.WEBHOOK_POOL_MAX) || Number(process.env.POOL_MAX ?? 10),',
      '  connectionTimeoutMillis: 5000,',
      '});',
      '',
    ].join('\n'),
  });
  const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
  const facts = buildProjectFacts(discovery);
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  const m = buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
  const e = m.edges.find((x) => x.serviceId.endsWith('api'))!;
  return [e.perInstance.value, e.perInstance.source];
}

describe('the first of several variables the service sets', () => {
  test('the first set: its value', () => {
    expect(edgeOf('      WEBHOOK_POOL_MAX: "3"\n      POOL_MAX: "25"\n')).toEqual([3, 'max 3 (WEBHOOK_POOL_MAX in environment of compose service api)']);
  });
  test('only the second set: its value, not the fallback', () => {
    expect(edgeOf('      POOL_MAX: "25"\n')).toEqual([25, 'max 25 (POOL_MAX in environment of compose service api)']);
  });
  test('neither set: the fallback, naming both', () => {
    expect(edgeOf('')).toEqual([10, 'max 10 (WEBHOOK_POOL_MAX and POOL_MAX unset: fallback)']);
  });
  test('the first set is a variable no file sets: unknown, not the next one or the fallback', () => {
    const [value, source] = edgeOf('      WEBHOOK_POOL_MAX: ${HOST_POOL_MAX}\n      POOL_MAX: "25"\n');
    expect([value, source]).toEqual([undefined, 'max from WEBHOOK_POOL_MAX (a variable no file sets)']);
  });
});
