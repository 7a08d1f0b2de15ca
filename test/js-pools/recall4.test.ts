import { describe, expect, test } from 'vitest';
import { onlyPool } from './helpers.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { discover } from '../../src/discovery/discover.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import { tempProject } from '../support/lint-helpers.js';

// The outline shape (server/utils/environment.ts, server/env.ts, server/storage/database.ts; the
// helper's argument is resolved in the class's module, not the pool's): a Proxy over process.env that reads Docker file secrets (<NAME>_FILE) when the variable is unset.
const environment = `import fs from 'node:fs';
export function withFileSecrets(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return new Proxy(env, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string' || !prop.length || prop.endsWith('_FILE')) {
        return Reflect.get(target, prop, receiver);
      }
      const value = target[prop];
      if (value !== undefined) {
        return value;
      }
      const filePath = target[\`\${prop}_FILE\`];
      if (!filePath) {
        return undefined;
      }
      target[prop] = fs.readFileSync(filePath, 'utf8').trim();
      return target[prop];
    },
  });
}
export default withFileSecrets(process.env);
`;
const envClass = `import environment from './utils/environment';
export class Environment {
  public DATABASE_CONNECTION_POOL_MAX = this.toOptionalNumber(environment.DATABASE_CONNECTION_POOL_MAX);
  protected toOptionalNumber(value: string | undefined) {
    return value ? parseInt(value, 10) : undefined;
  }
}
export default new Environment();
`;
const database = `import { Sequelize } from 'sequelize';
import env from '../env';
const poolMax = env.DATABASE_CONNECTION_POOL_MAX ?? 5;
export function createDatabaseInstance(url: string, options?: { readOnly?: boolean }) {
  const isReadOnly = options?.readOnly ?? false;
  return new Sequelize(url, { pool: { max: isReadOnly ? poolMax * 2 : poolMax } });
}
`;
const files = (env = environment) => ({ 'package.json': JSON.stringify({ name: 'outline', dependencies: { pg: '^8.13.0', sequelize: '^6.37.0' } }), 'src/utils/environment.ts': env, 'src/env.ts': envClass, 'src/storage/database.ts': database });

describe('a Proxy over process.env (outline withFileSecrets)', () => {
  test('env X with the file fallback X_FILE, the code fallback 5 and the read-only peak 10', () => {
    expect(onlyPool(files()).max).toEqual({
      value: 10,
      provenance: { kind: 'env', envVar: 'DATABASE_CONNECTION_POOL_MAX', fileVar: 'DATABASE_CONNECTION_POOL_MAX_FILE', fallback: 5 },
      range: { line: 6, column: 44, endLine: 6, endColumn: 78 },
      alternatives: [10, 5],
    });
  });

  test('a trap that returns undefined when unset: plain env X', () => {
    const plain = environment.replace(/const filePath[\s\S]*?return target\[prop\];\n/, 'return undefined;\n');
    expect(onlyPool(files(plain)).max.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_CONNECTION_POOL_MAX', fallback: 5 });
  });

  test('a trap that does not return the variable when set: unknown, with the reason', () => {
    const other = environment.replace('if (value !== undefined) {\n        return value;', "if (value !== undefined) {\n        return value + '0';");
    expect(onlyPool(files(other)).max.provenance).toEqual({
      kind: 'unknown',
      reason: 'conditional expression: env.DATABASE_CONNECTION_POOL_MAX is supplied by the caller (DATABASE_CONNECTION_POOL_MAX: read through new Proxy(process.env, …) (environment.ts:3), whose get trap does not return the variable when it is set); 5 only when it is not given',
    });
  });

  test('a trap that computes another value when unset: unknown, with the reason', () => {
    const other = environment.replace(/const filePath[\s\S]*?return target\[prop\];\n/, "return '7';\n");
    expect(onlyPool(files(other)).max.provenance).toEqual({
      kind: 'unknown',
      reason: 'conditional expression: env.DATABASE_CONNECTION_POOL_MAX is supplied by the caller (DATABASE_CONNECTION_POOL_MAX: read through new Proxy(process.env, …) (environment.ts:3), whose get trap computes a value when the variable is unset); 5 only when it is not given',
    });
  });

  test('a Proxy over another object is not the environment', () => {
    const other = environment.replace('export default withFileSecrets(process.env);', 'export default withFileSecrets({});');
    expect(onlyPool(files(other)).max.provenance.kind).toBe('unknown');
  });
});

describe('the model reads X, and X_FILE when X is unset', () => {
  const edgeOf = (vars: string) => {
    const dir = tempProject({
      'compose.yaml': `services:\n  db:\n    image: postgres:16\n  api:\n    build: ./api\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n${vars}`,
      'api/Dockerfile': 'FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/main.js"]\n',
      'api/package.json': JSON.stringify({ name: 'api', dependencies: { sequelize: '^6.0.0', pg: '^8.0.0' } }),
      ...Object.fromEntries(Object.entries(files()).filter(([k]) => k !== 'package.json').map(([k, v]) => [`api/${k}`, v])),
    });
    const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
    const facts = buildProjectFacts(discovery);
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    const m = buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
    return m.edges.find((e) => e.serviceId.endsWith('api'))!;
  };

  test('X set: its value', () => {
    const e = edgeOf('      DATABASE_CONNECTION_POOL_MAX: "7"\n');
    expect([e.perInstance.value, e.perInstance.source]).toEqual([7, 'max 7 (DATABASE_CONNECTION_POOL_MAX in environment of compose service api), created in createDatabaseInstance (counted once)']);
  });

  test('X and X_FILE unset: the fallback', () => {
    const e = edgeOf('');
    expect([e.perInstance.value, e.perInstance.source]).toEqual([10, 'max 10 (DATABASE_CONNECTION_POOL_MAX unset: fallback), created in createDatabaseInstance (counted once)']);
  });

  test('X empty: unknown (Number(\'\') is 0, but the code may read an empty value as unset)', () => {
    const e = edgeOf('      DATABASE_CONNECTION_POOL_MAX: ""\n');
    expect([e.perInstance.value, e.perInstance.source, e.perInstance.provenance]).toEqual([
      undefined,
      'max from DATABASE_CONNECTION_POOL_MAX (empty), created in createDatabaseInstance (counted once)',
      { kind: 'unknown', reason: "DATABASE_CONNECTION_POOL_MAX is empty in environment of compose service api; whether the code's fallback applies depends on how it reads an empty value" },
    ]);
  });

  test('X unset, X_FILE set: unknown, read from a file', () => {
    const e = edgeOf('      DATABASE_CONNECTION_POOL_MAX_FILE: /run/secrets/pool_max\n');
    expect([e.perInstance.value, e.perInstance.source, e.perInstance.provenance]).toEqual([
      undefined,
      'max from the file DATABASE_CONNECTION_POOL_MAX_FILE names, created in createDatabaseInstance (counted once)',
      { kind: 'unknown', reason: 'DATABASE_CONNECTION_POOL_MAX is unset and DATABASE_CONNECTION_POOL_MAX_FILE in environment of compose service api names a file the value is read from' },
    ]);
  });
});
