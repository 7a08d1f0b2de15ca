/**
 * Issue 11 in the editor: the analyses run on the tree ESLint's parser built when it is a
 * TypeScript tree of our TypeScript (typescript-eslint), with the same findings as a parse of
 * their own; imported files are parsed once while unchanged; the staleness check of the
 * project's facts runs at most once per interval; an edit that leaves the file's facts as they
 * were keeps the model.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Linter, SourceCode } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import pgconn from '../../eslint-plugin/src/index.js';
import { parses } from '../../eslint-plugin/src/file-facts.js';
import { tsTreeOf } from '../../eslint-plugin/src/eslint-tree.js';
import { modelKeyOf, projectBuilds, projectFactsFor, sameFacts, staleChecks, staleness } from '../../eslint-plugin/src/project-model.js';
import ts from '../../src/sources/js/typescript.cjs';
import { tempProject } from '../support/lint-helpers.js';
import { FLAVOURS } from './support.js';

const handler = (extra = '') => `import express from 'express';
import { pool } from './db.js';

const app = express();
app.get('/users', async (req, res) => {
  const client = await pool.connect();
  const { rows } = await client.query('SELECT * FROM users');
  client.release();
  res.json(rows);
});
${extra}`;
const db = `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 10 });\n`;

function repo(): string {
  return tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'package.json': JSON.stringify({ type: 'module', dependencies: { pg: '8.16.3', express: '4.21.2' } }),
    'src/db.js': db,
    'src/app.js': handler(),
  });
}

for (const flavour of FLAVOURS) {
  describe(`${flavour.name}: one syntax tree`, () => {
    it("analyses typescript-eslint's tree, and parses espree's files itself, with the same findings", () => {
      const root = repo();
      const linter = new flavour.Linter({ configType: 'flat', cwd: root });
      const file = join(root, 'src', 'app.js');
      // Unsaved text (the text on disk is answered from the project's facts, with no parse at all), a
      // new one for each parser (the same text would be answered from the last analysis).
      const run = (languageOptions: Linter.LanguageOptions, edit: string) =>
        linter.verify(handler(edit), [{ files: ['**/*.js'], languageOptions: { sourceType: 'module', ...languageOptions } }, pgconn.configs.recommended], file).map((m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId} ${m.message}`);

      const before = { ...parses };
      const withTs = run({ parser: tsParser as Linter.Parser }, '// unsaved\n');
      expect(parses.adopted - before.adopted).toBe(1);
      expect(parses.parsed - before.parsed).toBe(0);

      const mid = { ...parses };
      const withEspree = run({ ecmaVersion: 'latest' }, '// unsaved again\n');
      expect(parses.adopted - mid.adopted).toBe(0);
      expect(parses.parsed - mid.parsed).toBe(1);

      expect(withTs).toEqual(withEspree);
      expect(withTs.some((m) => m.includes('pgconn/release-in-finally'))).toBe(true);
    });

    it('parses an imported file once while its text is unchanged', () => {
      const root = repo();
      const linter = new flavour.Linter({ configType: 'flat', cwd: root });
      const file = join(root, 'src', 'app.js');
      const config: Linter.Config[] = [{ files: ['**/*.js'], languageOptions: { parser: tsParser as Linter.Parser, sourceType: 'module' } }, pgconn.configs.recommended, { settings: { pgconn: { projectModel: false } } }];
      linter.verify(handler('// 1\n'), config, file);
      const kept = parses.kept;
      linter.verify(handler('// 2\n'), config, file);
      expect(parses.kept - kept).toBe(1); // src/db.js
    });
  });
}

describe('the tree of another TypeScript', () => {
  it('is not used: its kind numbers may differ from ours', () => {
    const ast = { type: 'Program' };
    const ours = ts.createSourceFile('a.ts', 'const a = 1;', ts.ScriptTarget.Latest, true);
    const sourceCode = (tree: object) => ({ ast, parserServices: { esTreeNodeToTSNodeMap: new Map([[ast, tree]]) } }) as unknown as SourceCode;
    expect(tsTreeOf(sourceCode(ours))).toBe(ours);
    // A SourceFile-shaped object from a TypeScript module that is not loaded (another copy, another version).
    const foreign = Object.assign(Object.create({ foreign: true }) as object, { kind: ts.SyntaxKind.SourceFile, text: 'const a = 1;' });
    expect(tsTreeOf(sourceCode(foreign))).toBeUndefined();
    // espree: no parser services at all.
    expect(tsTreeOf({ ast, parserServices: {} } as unknown as SourceCode)).toBeUndefined();
  });
});

describe('staleness check of the project facts', () => {
  const interval = staleness.intervalMs;
  afterAll(() => {
    staleness.intervalMs = interval;
  });
  beforeAll(() => {
    staleness.intervalMs = 60_000;
  });

  it('runs at most once per interval; a change on disk is seen by the first lint after it', () => {
    const root = tempProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'package.json': JSON.stringify({ dependencies: { pg: '8.16.3' } }),
      'src/db.ts': db,
      'deploy/pgbouncer.ini': '[databases]\napp = host=db dbname=app\n\n[pgbouncer]\ndefault_pool_size = 20\n',
    });
    const file = join(root, 'src', 'db.ts');
    const first = projectFactsFor(file, db, root, {});
    const builds = projectBuilds.count;
    const checks = staleChecks.count;
    const ini = join(root, 'deploy', 'pgbouncer.ini');
    writeFileSync(ini, '[databases]\napp = host=db dbname=app\n\n[pgbouncer]\ndefault_pool_size = 5\n');
    utimesSync(ini, new Date(), new Date(Date.now() + 5000));
    // Within the interval: not checked, the facts are those of the last check.
    expect(projectFactsFor(file, db, root, {})).toBe(first);
    expect(staleChecks.count).toBe(checks);
    expect(projectBuilds.count).toBe(builds);
    // The interval over: checked once, rebuilt.
    staleness.intervalMs = 0;
    const second = projectFactsFor(file, db, root, {});
    expect(second).not.toBe(first);
    expect(staleChecks.count).toBe(checks + 1);
    expect(projectBuilds.count).toBe(builds + 1);
    expect(second.pgbouncer[0]?.effective.get('default_pool_size')?.value).toBe('5');
  });

  it("keeps the model when an edit leaves the file's facts as they were, with the editor's text for fixes", () => {
    const root = tempProject({ '.git/HEAD': 'ref: refs/heads/main\n', 'package.json': '{}', 'src/db.ts': db });
    const file = join(root, 'src', 'db.ts');
    const edited = projectFactsFor(file, `${db}// a comment\n`, root, {});
    const again = projectFactsFor(file, `${db}// another comment\n`, root, {});
    expect(modelKeyOf(again)).toBe(modelKeyOf(edited));
    expect(again.sources.get(file)?.text).toBe(`${db}// another comment\n`);
    const changed = projectFactsFor(file, db.replace('max: 10', 'max: 12'), root, {});
    expect(modelKeyOf(changed)).toBe(changed);
    expect(changed.js.find((f) => f.file === file)?.pools[0]?.max.value).toBe(12);
  });
});

describe('sameFacts', () => {
  it('compares plain data deeply and anything else by identity', () => {
    expect(sameFacts({ a: [1, { b: 'x' }], m: new Map([['k', { v: 1 }]]), s: new Set(['a']) }, { a: [1, { b: 'x' }], m: new Map([['k', { v: 1 }]]), s: new Set(['a']) })).toBe(true);
    expect(sameFacts({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(sameFacts({ a: undefined }, {})).toBe(false);
    expect(sameFacts(new Date(0), new Date(0))).toBe(false);
    expect(sameFacts({ r: { line: 1, column: 2 } }, { r: { line: 1, column: 3 } })).toBe(false);
  });
});
