import { describe, expect, test } from 'vitest';
import { onlyPool } from './helpers.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { discover } from '../../src/discovery/discover.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import { tempProject } from '../support/lint-helpers.js';

const utils = `export function parseIntSafe(\n  value: string | null | undefined,\n): number | undefined {\n  if (!value) return undefined;\n  const parsed = parseInt(value, 10);\n  return !isNaN(parsed) ? parsed : undefined;\n}\n`;
const service = `import pg from 'pg';\nimport { parseIntSafe } from './utils';\nexport class PrismaService {\n  private readonly pool: pg.Pool;\n  constructor() {\n    const databaseUrl = process.env.DATABASE_URL;\n    if (!databaseUrl) throw new Error('DATABASE_URL is not set');\n    const parsed = PrismaService.parseDatabaseUrl(databaseUrl);\n    const pool = new pg.Pool({\n      connectionString: parsed.connectionString,\n      max: parsed.connectionLimit ?? 20,\n    });\n    this.pool = pool;\n  }\n  private static parseDatabaseUrl(databaseUrl: string): { connectionString: string; connectionLimit?: number } {\n    const url = new URL(databaseUrl);\n    const connectionLimit = parseIntSafe(url.searchParams.get('connection_limit'));\n    url.searchParams.delete('connection_limit');\n    return { connectionString: url.toString(), connectionLimit };\n  }\n}\n`;

describe('a URL query parameter with a fallback (hoppscotch)', () => {
  test('parsed.connectionLimit ?? 20: connection_limit of DATABASE_URL, fallback 20', () => {
    const p = onlyPool({ 'src/utils.ts': utils, 'src/prisma.service.ts': service });
    expect(p.max).toEqual({ value: 20, provenance: { kind: 'env', envVar: 'DATABASE_URL', urlParam: 'connection_limit', fallback: 20 }, range: { line: 11, column: 12, endLine: 11, endColumn: 40 } });
  });

  test('a helper that does more than convert stays unknown', () => {
    const scaled = utils.replace('return !isNaN(parsed) ? parsed : undefined;', 'return !isNaN(parsed) ? parsed * 2 : undefined;');
    expect(onlyPool({ 'src/utils.ts': scaled, 'src/prisma.service.ts': service }).max.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('20 only when it is not given') });
  });

  test('a URL that is not an environment variable stays unknown', () => {
    const fixed = service.replace('const url = new URL(databaseUrl);', 'const url = new URL(readUrl());');
    expect(onlyPool({ 'src/utils.ts': utils, 'src/prisma.service.ts': fixed }).max.provenance).toMatchObject({ kind: 'unknown' });
  });

  test('returns that disagree stay unknown', () => {
    const two = service.replace('const url = new URL(databaseUrl);', "if (databaseUrl === '') return { connectionString: '', connectionLimit: 3 };\n    const url = new URL(databaseUrl);");
    expect(onlyPool({ 'src/utils.ts': utils, 'src/prisma.service.ts': two }).max.provenance).toMatchObject({ kind: 'unknown' });
  });
});

describe('the model reads the query parameter of the service URL', () => {
  const compose = (url: string) => `services:\n  db:\n    image: postgres:16\n  api:\n    build: ./api\n    environment:\n      DATABASE_URL: ${url}\n`;
  const edgeOf = (url: string) => {
    const dir = tempProject({
      'compose.yaml': compose(url),
      'api/Dockerfile': 'FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/main.js"]\n',
      'api/package.json': JSON.stringify({ name: 'api', dependencies: { pg: '^8.0.0' } }),
      'api/src/utils.ts': utils,
      'api/src/prisma.service.ts': service,
    });
    const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
    const facts = buildProjectFacts(discovery);
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    const m = buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
    return m.edges.find((e) => e.serviceId.endsWith('api'))!;
  };

  test('connection_limit=5 in the URL: 5', () => {
    const e = edgeOf('postgres://app@db:5432/app?connection_limit=5');
    expect([e.perInstance.value, e.perInstance.source]).toEqual([5, 'max 5 (connection_limit of DATABASE_URL in environment of compose service api), created in PrismaService constructor (counted once)']);
  });

  test('no connection_limit in the URL: the fallback 20', () => {
    const e = edgeOf('postgres://app@db:5432/app?connect_timeout=300');
    expect([e.perInstance.value, e.perInstance.source]).toEqual([20, 'max 20 (DATABASE_URL in environment of compose service api has no connection_limit: fallback), created in PrismaService constructor (counted once)']);
  });
});

describe("tsconfig baseUrl: import from 'src/utils' in a package", () => {
  const bare = service.replace("from './utils'", "from 'src/utils'");
  test('the nearest tsconfig.json with baseUrl ./ resolves the bare specifier to the package file', () => {
    const p = onlyPool({ 'api/tsconfig.json': '{ "compilerOptions": { "baseUrl": "./" } }', 'api/src/utils.ts': utils, 'api/src/prisma.service.ts': bare });
    expect(p.max.provenance).toEqual({ kind: 'env', envVar: 'DATABASE_URL', urlParam: 'connection_limit', fallback: 20 });
  });

  test('without baseUrl the specifier is a package: unknown', () => {
    const p = onlyPool({ 'api/tsconfig.json': '{ "compilerOptions": { "strict": true } }', 'api/src/utils.ts': utils, 'api/src/prisma.service.ts': bare });
    expect(p.max.provenance).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('20 only when it is not given') });
  });
});
