/**
 * The one answer to "is this file production code?" (issue 15). Tests, fixtures, mocks, e2e and
 * perf suites, seeds, migrations and one-off scripts are code no long-running production process
 * runs: rules whose harm is production harm stay silent there (each rule's `meta.nonProduction`,
 * applied by the engine and the ESLint plugin), and the deployment model never counts their pools
 * or the services their deployment files define. Decided by gitignore-style patterns:
 * `DEFAULT_NON_PRODUCTION`, then the config file's `codePaths.nonProduction` (which adds, and
 * takes away with `!pattern`; `!**` drops every default), then the files that only package.json
 * test or one-off (seed, migration, perf) scripts run. Pure: reads facts and settings, no file.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { LintSettings } from '../engine/settings.js';
import { isOneShotScriptName, launchesOfShell } from '../sources/command/launch.js';
import type { ProjectFacts } from './project.js';

/**
 * The default non-production paths, in gitignore syntax (a pattern without a `/` inside matches
 * at any depth; a trailing `/` matches a folder and everything in it). The issue's list, plus the
 * names the deployment model already left out (`__mocks__`, `spec`, `k6`, load tests, migrations)
 * and the test runners' own config files.
 */
export const DEFAULT_NON_PRODUCTION: readonly string[] = [
  // tests
  'test/',
  'tests/',
  '__tests__/',
  '__mocks__/',
  'spec/',
  'e2e/',
  'cypress/',
  'playwright/',
  'testing/',
  'integration-tests/',
  '*.test.*',
  '*.spec.*',
  '*.e2e-spec.*',
  '*.e2e.*',
  'jest.config.*',
  'jest.setup.*',
  'vitest.config.*',
  'vitest.setup.*',
  'vitest.workspace.*',
  'playwright.config.*',
  'cypress.config.*',
  '.env.test*',
  // test data
  'fixtures/',
  '__fixtures__/',
  'mocks/',
  // perf and load tests
  'perf*/',
  'bench*/',
  'k6/',
  'load-test*/',
  'loadtest*/',
  // one-off code: scripts, seeds, migrations (run once against the database, not a process that serves traffic)
  'scripts/',
  'seed*/',
  'migrations/',
];

/** package.json script names that run tests (and their pre/post hooks): `test`, `test:e2e`, `e2e`, `cypress:run`, `bench`. One-off scripts (seeds, migrations) are `isOneShotScriptName`'s. */
const TEST_SCRIPT = /^(pre|post)?(test|tests|e2e|integration|cypress|playwright|jest|vitest|spec|bench|benchmark|perf|load-?test|k6)([:.\-_]|$)/i;

/** Why a file is non-production code: the pattern that matched, and where that pattern comes from. */
export interface NonProductionMatch {
  /** The pattern as written (`test/`, `*.spec.*`), or the script's text for a file a test script runs. */
  pattern: string;
  source: 'default' | 'config' | 'package.json';
  /** Short text for messages: "it matches `test/`, a codePaths.nonProduction default", "only package.json script \"test:db\" runs it". */
  describe: string;
}

export interface CodePaths {
  /** The match that makes `file` non-production code, or undefined for production code. */
  nonProduction(file: string): NonProductionMatch | undefined;
}

/** The config file's `codePaths` section. */
export interface CodePathSettings {
  /** Patterns after the defaults, in order (`!pattern` takes a path back). */
  nonProduction: string[];
  /** The config file's directory: patterns with a `/` inside are relative to it. */
  base: string;
}

export function buildCodePaths(facts: Pick<ProjectFacts, 'root' | 'packages'>, settings: Pick<LintSettings, 'codePaths'>): CodePaths {
  const own = settings.codePaths;
  const ig: Ignore = ignore().add([...DEFAULT_NON_PRODUCTION]);
  if (own) ig.add(own.nonProduction);
  const configured = new Set(own?.nonProduction ?? []);
  const base = own?.base ?? facts.root;
  const byScript = testOnlyFiles(facts);
  const cache = new Map<string, NonProductionMatch | undefined>();
  const decide = (file: string): NonProductionMatch | undefined => {
    const rel = matchable(base, file) ?? matchable(facts.root, file);
    if (rel !== undefined) {
      const t = ig.test(rel);
      if (t.ignored && t.rule) {
        const pattern = t.rule.pattern;
        const source = configured.has(pattern) ? 'config' : 'default';
        return { pattern, source, describe: `it matches \`${pattern}\`, ${source === 'default' ? 'a codePaths.nonProduction default' : 'in codePaths.nonProduction'}` };
      }
      if (t.unignored) return undefined;
    }
    const script = byScript.get(file);
    if (script) return { pattern: script, source: 'package.json', describe: `only ${script} runs it` };
    return undefined;
  };
  return {
    nonProduction(file) {
      if (!cache.has(file)) cache.set(file, decide(file));
      return cache.get(file);
    },
  };
}

/** `file` relative to `dir` in `/` form, when it is inside it (the `ignore` package takes nothing else). */
function matchable(dir: string, file: string): string | undefined {
  const r = relative(dir, file);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) return undefined;
  return r.split(sep).join('/');
}

/**
 * Files that only package.json test or one-off scripts run (`"test:db": "tsx tools/check-db.ts"`,
 * `"db:seed": "tsx prisma/seed.ts"`, `"migration:run": "npm run typeorm -- --dataSource=src/database/data-source.ts migration:run"`)
 * and no other script does, by absolute path (with the source forms of a built file: `dist/x.js` is
 * `src/x.ts`'s code). A one-off script is a seed, migration, perf or load-test script
 * (`isOneShotScriptName`, the deployment model's own list) or `prisma.seed`.
 */
function testOnlyFiles(facts: Pick<ProjectFacts, 'root' | 'packages'>): Map<string, string> {
  const byTests = new Map<string, string>();
  const byOthers = new Set<string>();
  for (const pkg of facts.packages) {
    for (const s of pkg.scripts) {
      const offline = TEST_SCRIPT.test(s.name) || isOneShotScriptName(s.name) || s.name === 'prisma.seed';
      const files = new Set<string>();
      for (const l of launchesOfShell(s.command)) {
        if (l.kind === 'file') files.add(resolve(pkg.dir, ...l.cd, l.path));
        else if (l.kind === 'migration' && offline) for (const f of [...l.files, ...l.defaultFiles]) files.add(resolve(pkg.dir, ...l.cd, f));
      }
      // A one-off script's code file named as an argument (`--dataSource=src/database/data-source.ts`,
      // `-d ./ormconfig.ts`); in other scripts only what they run counts (a `schema:drop` that names
      // the data source does not make it the app's).
      if (offline) {
        for (const w of s.command.split(/\s+/)) {
          const arg = w.replace(/^[-\w]*=/, '').replace(/^["']|["']$/g, '');
          if (/^[\w./@-]+\.[cm]?[jt]sx?$/.test(arg) && !arg.startsWith('/')) files.add(resolve(pkg.dir, arg));
        }
      }
      for (const abs of files) {
        for (const f of sourceForms(abs)) {
          if (!offline) byOthers.add(f);
          else if (!byTests.has(f)) byTests.set(f, `${relative(facts.root, join(pkg.dir, 'package.json')).split(sep).join('/')} script "${s.name}"`);
        }
      }
    }
  }
  for (const f of byOthers) byTests.delete(f);
  return byTests;
}

/** The file a command names, and the source files it may be built from (`dist/check.js` ← `src/check.ts`). */
function sourceForms(file: string): string[] {
  const out = new Set<string>([file]);
  const stem = file.replace(/\.[cm]?[jt]sx?$/, '');
  for (const ext of ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx']) out.add(stem + ext);
  const m = /(^|[\\/])(dist|build|out|lib)[\\/]/.exec(stem);
  if (m) for (const ext of ['.ts', '.mts', '.js']) out.add(join(stem.slice(0, m.index) + m[1], 'src', stem.slice(m.index + m[0].length)) + ext);
  return [...out];
}
