/**
 * The one answer to "is this file production code?" (issue 15). Tests, fixtures, mocks, e2e and
 * perf suites, seeds, migrations and one-off scripts are code no long-running production process
 * runs: rules whose harm is production harm stay silent there (each rule's `meta.nonProduction`,
 * applied by the engine and the ESLint plugin), and the deployment model never counts their pools
 * or the services their deployment files define. Decided by gitignore-style patterns:
 * `DEFAULT_NON_PRODUCTION`, then the config file's `codePaths.nonProduction` (which adds, and
 * takes away with `!pattern`; `!**` drops every default), then the files that only package.json
 * test or one-off (seed, migration, perf) scripts run, then compose files that say they are a
 * local-development or test stack (`localStackEvidence`). Pure: reads facts and settings, no file.
 */
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { LintSettings } from '../engine/settings.js';
import { isOneShotPythonFileName, isOneShotScriptName, isStartScriptName, launchesOfShell } from '../sources/command/launch.js';
import type { ComposeFacts } from '../sources/yaml/types.js';
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
  // test runners' setup files by their conventional names (vitest/jest globalSetup, setupFiles; CRA setupTests)
  'test-setup.*',
  'setup-tests.*',
  'setupTests.*',
  'global-setup.*',
  'globalSetup.*',
  'global-teardown.*',
  'globalTeardown.*',
  '.env.test*',
  // folders named for tests (`test-migrations/`, `api-tests/`, `web-e2e/`)
  'test-*/',
  'tests-*/',
  '*-test/',
  '*-tests/',
  '*-e2e/',
  // a development server's own env file (Next.js, Vite and dotenv-flow load it only in development)
  '.env.development',
  '.env.development.*',
  // documentation code: README examples, example apps
  'examples/',
  'example/',
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

/** Script names that run a test suite (the rest of TEST_SCRIPT, perf and load runs, are one-off processes). */
const TEST_SUITE_SCRIPT = /^(pre|post)?(test|tests|e2e|integration|cypress|playwright|jest|vitest|spec)([:.\-_]|$)/i;

/** The default patterns of one-off code (a process that runs once and exits). */
const ONE_OFF_PATTERNS: ReadonlySet<string> = new Set(['perf*/', 'bench*/', 'k6/', 'load-test*/', 'loadtest*/', 'scripts/', 'seed*/', 'migrations/']);

/** package.json script names that run tests (and their pre/post hooks): `test`, `test:e2e`, `e2e`, `cypress:run`, `bench`. One-off scripts (seeds, migrations) are `isOneShotScriptName`'s. */
const TEST_SCRIPT = /^(pre|post)?(test|tests|e2e|integration|cypress|playwright|jest|vitest|spec|bench|benchmark|perf|load-?test|k6)([:.\-_]|$)/i;

/** Why a file is non-production code: the pattern that matched, and where that pattern comes from. */
export interface NonProductionMatch {
  /** The pattern as written (`test/`, `*.spec.*`), or the script's text for a file a test script runs. */
  pattern: string;
  /**
   * `local-stack`: a compose file that says it is a local-development or test stack (`pattern` is the evidence);
   * `python-script`: a Python file run as a program whose name says it runs once (`migrate.py`).
   */
  source: 'default' | 'config' | 'package.json' | 'local-stack' | 'python-script';
  /**
   * One-off code: a process that runs once and exits (scripts, seeds, migrations, perf and load
   * runs, a published package's tooling), not a test suite whose cases share pools.
   */
  oneOff?: true;
  /** Short text for messages: "it matches `test/`, a codePaths.nonProduction default", "only package.json script \"test:db\" runs it", "it is a local-development stack: its header says …". */
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

export function buildCodePaths(facts: Pick<ProjectFacts, 'root' | 'packages'> & Partial<Pick<ProjectFacts, 'compose' | 'python'>>, settings: Pick<LintSettings, 'codePaths'>): CodePaths {
  const own = settings.codePaths;
  const ig: Ignore = ignore().add([...DEFAULT_NON_PRODUCTION]);
  if (own) ig.add(own.nonProduction);
  const configured = new Set(own?.nonProduction ?? []);
  const negated = (own?.nonProduction ?? []).filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const takenBack = negated.length > 0 ? ignore().add(negated) : undefined;
  const base = own?.base ?? facts.root;
  const byScript = testOnlyFiles(facts);
  const stacks = localStacks(facts);
  const devPackages = devOnlyPackages(facts.packages, facts.root);
  const pyScripts = oneOffPythonScripts(facts);
  const cache = new Map<string, NonProductionMatch | undefined>();
  const decide = (file: string): NonProductionMatch | undefined => {
    const rel = matchable(base, file) ?? matchable(facts.root, file);
    if (rel !== undefined) {
      const t = ig.test(rel);
      if (t.ignored && t.rule) {
        const pattern = t.rule.pattern;
        const source = configured.has(pattern) ? 'config' : 'default';
        return { pattern, source, ...(ONE_OFF_PATTERNS.has(pattern) ? { oneOff: true as const } : {}), describe: `it matches \`${pattern}\`, ${source === 'default' ? 'a codePaths.nonProduction default' : 'in codePaths.nonProduction'}` };
      }
      if (t.unignored) return undefined;
      // `!docker/` in the config takes back a path no pattern matched too: the script and compose evidence below.
      if (takenBack?.ignores(rel)) return undefined;
    }
    const script = byScript.get(file);
    if (script) return { pattern: script.label, source: 'package.json', ...(script.oneOff ? { oneOff: true as const } : {}), describe: `only ${script.label} runs it` };
    const dev = devPackages.find((p) => matchable(p.dir, file) !== undefined);
    if (dev) return { pattern: dev.name, source: 'package.json', describe: `it is in workspace package ${dev.name}, which ${dev.users.length > 1 ? `the ${dev.users.length} packages that use it list` : `${dev.users[0]} lists`} only in devDependencies` };
    const py = pyScripts.get(file);
    if (py) return { pattern: py, source: 'python-script', oneOff: true, describe: `it is a one-off script: ${py}` };
    const stack = stacks.get(file);
    if (stack) return { pattern: stack, source: 'local-stack', describe: `it is a local-development or test stack: ${stack}` };
    return undefined;
  };
  return {
    nonProduction(file) {
      if (!cache.has(file)) cache.set(file, decide(file));
      return cache.get(file);
    },
  };
}

/**
 * Python files run as programs (`if __name__ == "__main__":`) whose name says they run once
 * (`migrate.py`, `seed_db.py`: `isOneShotPythonFileName`): a migration or seed runner started by
 * hand, by a Makefile or by a deploy step, which exits when done. A module without the guard is
 * imported by the application (a `migrate.py` the app calls at start-up is production code), and
 * `manage.py` is not one-off.
 */
function oneOffPythonScripts(facts: Partial<Pick<ProjectFacts, 'python' | 'root'>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of facts.python ?? []) {
    if (!f.mainGuard || !isOneShotPythonFileName(f.file.split(sep).join('/'))) continue;
    const name = f.file.slice(f.file.lastIndexOf(sep) + 1);
    out.set(f.file, `${name} is named for a migration, seed or set-up run and runs as a program (if __name__ == "__main__" at line ${f.mainGuard.line})`);
  }
  return out;
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
function testOnlyFiles(facts: Pick<ProjectFacts, 'root' | 'packages'>): Map<string, { label: string; oneOff: boolean }> {
  const byTests = new Map<string, { label: string; oneOff: boolean }>();
  const byOthers = new Set<string>();
  for (const pkg of facts.packages) {
    const shipped = publishedFiles(pkg);
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
      const label = `${relative(facts.root, join(pkg.dir, 'package.json')).split(sep).join('/')} script "${s.name}"`;
      for (const abs of files) {
        // A published package's maintainer tooling: a file its `files` does not ship, run by a
        // script that does not start the package (`"towerDefence": "cd towerDefence && node ./run.mjs"`).
        // A dev script runs the package's own code in watch mode: not tooling.
        const tooling = !offline && !isStartScriptName(s.name) && !DEV_SCRIPT.test(s.name) && shipped !== undefined && !shipped(abs);
        for (const f of sourceForms(abs)) {
          if (!offline && !tooling) byOthers.add(f);
          else if (!byTests.has(f)) byTests.set(f, { label: tooling ? `${label}, outside the package's published files,` : label, oneOff: tooling || !TEST_SUITE_SCRIPT.test(s.name) });
        }
      }
    }
  }
  for (const f of byOthers) byTests.delete(f);
  return byTests;
}

/** A package named for test tooling: `testcontainers`, `test-utils`, `e2e-helpers`, `db-fixtures`, `mocks`. */
const TEST_TOOLING_NAME = /(^|[-_.])(test|tests|testing|testcontainers|test-?utils|e2e|fixtures?|mocks?|bench|benchmarks?)([-_.]|$)|^test/i;

/**
 * Workspace packages that every package depending on them lists only in devDependencies
 * and whose name says test tooling (trigger.dev's `@internal/testcontainers`): never loaded by production code.
 */
function devOnlyPackages(packages: ProjectFacts['packages'], root: string): Array<{ dir: string; name: string; users: string[] }> {
  const out: Array<{ dir: string; name: string; users: string[] }> = [];
  for (const p of packages) {
    // Bundled apps list even their runtime code in devDependencies (Vite, SvelteKit): the package's
    // own name must say test tooling too.
    if (p.name === undefined || p.dir === root || !TEST_TOOLING_NAME.test(p.name.replace(/^@[^/]+\//, ''))) continue;
    const users = packages.filter((q) => q !== p && q.dependencies.includes(p.name!));
    if (users.length === 0 || !users.every((q) => q.devOnly?.includes(p.name!))) continue;
    out.push({ dir: p.dir, name: p.name, users: users.map((q) => q.name ?? 'package.json') });
  }
  // The innermost package first (a package inside another's folder).
  return out.sort((a, b) => b.dir.length - a.dir.length);
}

/** Whether a file is in what a published package ships (its `files`, `main`, `bin`); undefined when everything may ship. */
function publishedFiles(pkg: ProjectFacts['packages'][number]): ((abs: string) => boolean) | undefined {
  if (pkg.published === undefined) return undefined;
  const ig = ignore().add(pkg.published.map((f) => f.replace(/^\.\//, '')).map((f) => (f.startsWith('/') ? f : `/${f}`)));
  const ships = (f: string) => {
    const r = matchable(pkg.dir, f);
    return r !== undefined && ig.ignores(r);
  };
  // Shipped as is, or built into a shipped folder (`src/cli.ts` → `dist/cli.js`).
  return (abs) => {
    if (matchable(pkg.dir, abs) === undefined) return true;
    const forms = sourceForms(abs);
    const r = matchable(pkg.dir, abs)!;
    if (/^src\//.test(r)) for (const out of ['dist', 'lib', 'build', 'out']) forms.push(join(pkg.dir, out, r.slice(4).replace(/\.[cm]?tsx?$/, '.js')));
    return forms.some(ships);
  };
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

/*
 * Compose files that are a local-development or test stack although no folder or name pattern says
 * so (`docker/docker-compose.yml` "Core local-dev stack", pg-boss's test-suite database). Only what
 * the author wrote counts: a header comment, the file's name, the container or project name, or
 * being started only by package.json dev or test scripts. Placeholder secrets beside a password are
 * no evidence: self-hosting composes ship them too (`APP_SECRET: replace-me-with-a-random-string`).
 */

/** A header that calls the file a development or test setup. */
const DEV_HEADER = [
  /\blocal[- ]?dev(elopment)?\b/i,
  /\bdev(elopment)?[- ](only|stack|environment|setup|purposes?|database|server|workflows?)\b/i,
  /\bfor (local |the )?development\b/i,
  /\btest[- ]suite\b/i,
  /\b(for|to run|running) (the )?(unit |integration |e2e |end-to-end )?tests\b/i,
  /\btesting (only|purposes?|environment|stack)\b/i,
  /\bnot (meant |intended |suitable |ready )?(for|to be used in) production\b/i,
  /\bdo not use (this |it )?(file |stack )?in production\b/i,
];
/** A header that speaks of production or self-hosting (without "not for production") is no evidence. */
const PRODUCTION_HEADER = /\b(self-?host(ing|ed)?|in production|for production|production (deployment|setup|use|ready))\b/i;
const NOT_PRODUCTION = /\bnot (meant |intended |suitable |ready )?(for|to be used in) production\b|\bdo not use (this |it )?(file |stack )?in production\b/i;
/** Words of a compose file's name that say development or test: `dev-compose.yml`, `docker-compose.test.yaml`, `compose.local.yml`. */
const DEV_NAME_WORD = /^(dev|devel|development|local|test|tests|testing|ci|e2e)$/i;
/** A container or project named for development: `devdb`, `dev-postgres`, `app_local`, `test-db`. */
const DEV_CONTAINER = /^(dev|local|test)(db|pg|postgres|[-_.])|[-_.](dev|local|test)$/i;
/** package.json script names that start a development setup: `dev`, `dev:docker`, `docker:dev`, `start:dev`. */
const DEV_SCRIPT = /^(pre|post)?dev(elop)?([:.\-_]|$)|[:.\-_]dev$/i;

/** Evidence, in words, that a compose file is a local-development or test stack, by absolute path. */
function localStacks(facts: Partial<Pick<ProjectFacts, 'compose' | 'packages' | 'root'>>): Map<string, string> {
  const out = new Map<string, string>();
  const root = facts.root ?? '/';
  const rel = (f: string) => relative(root, f).split(sep).join('/');
  const byScripts = composeFilesOfScripts(facts.packages ?? [], root);
  for (const c of facts.compose ?? []) {
    const why = localStackEvidence(c, byScripts.get(c.file), rel);
    if (why !== undefined) out.set(c.file, why);
  }
  return out;
}

/** Why `c` is a local-development or test stack (a phrase for messages), or undefined. */
export function localStackEvidence(c: ComposeFacts, scripts: { dev: string[]; other: string[] } | undefined, rel: (f: string) => string = (f) => f): string | undefined {
  const h = c.headerComment;
  if (h) {
    const flat = h.text.replace(/\s+/g, ' ');
    const m = DEV_HEADER.map((re) => re.exec(flat)).find((x) => x !== null);
    if (m && (NOT_PRODUCTION.test(flat) || !PRODUCTION_HEADER.test(flat))) {
      const sentence = sentenceAround(flat, m.index);
      return `its header says "${sentence}" (${rel(c.file)}:${h.range.line})`;
    }
  }
  const name = basename(c.file).replace(/\.ya?ml$/i, '');
  const word = name.split(/[.\-_]/).find((w) => DEV_NAME_WORD.test(w));
  if (word !== undefined) return `its file name ${basename(c.file)} says "${word}"`;
  for (const svc of c.services) {
    const n = svc.containerName;
    if (n && DEV_CONTAINER.test(n.value)) return `its container_name ${n.value} is named for development (${rel(c.file)}:${n.range.line})`;
  }
  if (c.projectName && DEV_CONTAINER.test(c.projectName.value)) return `its project name ${c.projectName.value} is named for development (${rel(c.file)}:${c.projectName.range.line})`;
  if (scripts && scripts.dev.length > 0 && scripts.other.length === 0) return `only ${scripts.dev.join(', ')} start${scripts.dev.length > 1 ? '' : 's'} it`;
  return undefined;
}

/** The sentence of `text` around `at`, at most 120 characters. */
function sentenceAround(text: string, at: number): string {
  const dot = text.lastIndexOf('. ', at);
  const start = dot === -1 ? 0 : dot + 2;
  let end = text.indexOf('. ', at);
  if (end === -1) end = text.length;
  const s = text.slice(start, end).replace(/[.:]$/, '').trim();
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/** Compose files named by `-f`/`--file` in package.json scripts: the dev or test scripts that name each, and the others. */
function composeFilesOfScripts(packages: ProjectFacts['packages'], root: string): Map<string, { dev: string[]; other: string[] }> {
  const out = new Map<string, { dev: string[]; other: string[] }>();
  for (const pkg of packages) {
    for (const s of pkg.scripts) {
      const dev = DEV_SCRIPT.test(s.name) || TEST_SCRIPT.test(s.name);
      for (const m of s.command.matchAll(/(?:^|\s)(?:-f|--file)(?:=|\s+)["']?([^\s"';&|]+\.ya?ml)/g)) {
        const file = resolve(pkg.dir, m[1]!);
        const e = out.get(file) ?? { dev: [], other: [] };
        const label = `${relative(root, join(pkg.dir, 'package.json')).split(sep).join('/')} script "${s.name}"`;
        (dev ? e.dev : e.other).push(label);
        out.set(file, e);
      }
    }
  }
  return out;
}
