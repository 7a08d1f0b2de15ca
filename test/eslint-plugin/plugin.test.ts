/**
 * The plugin's shape (meta and configs generated from the shared RuleMeta) and the
 * adapter's behaviour beyond the fixtures: messageIds, options, suppression comments,
 * imports from other files, unsaved editor text.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pgconn, { CODE_RULES } from '../../eslint-plugin/src/index.js';
import { HELP_KEY } from '../../eslint-plugin/src/meta.js';
import { ALL_RULES } from '../../rules/index.js';
import { docsUrl } from '../../src/engine/rule.js';
import { tempProject } from '../support/lint-helpers.js';
import { FLAVOURS, PARSERS } from './support.js';

describe('plugin shape', () => {
  it('offers every rule that reads code, and only those', () => {
    const code = ALL_RULES.filter((r) => r.meta.inputs.includes('js')).map((r) => r.meta.id);
    expect(Object.keys(pgconn.rules).sort()).toEqual([...code].sort());
    expect(code).toEqual(expect.arrayContaining(['release-in-finally', 'pool-in-handler', 'missing-connection-timeout', 'serverless-pool-size', 'transaction-on-pool', 'ineffective-pool-option']));
  });

  for (const rule of CODE_RULES) {
    it(`generates the ESLint meta of ${rule.meta.id} from its RuleMeta`, () => {
      const meta = pgconn.rules[rule.meta.id]!.meta!;
      expect(meta.type).toBe(rule.meta.type);
      expect(meta.docs).toEqual({ description: rule.meta.description, recommended: rule.meta.recommended, url: docsUrl(rule.meta.id) });
      expect(Object.keys(meta.messages!)).toEqual(Object.keys(rule.meta.messages));
      for (const [id, template] of Object.entries(rule.meta.messages)) expect(meta.messages![id]).toBe(`${template}{{ ${HELP_KEY} }}`);
      const options = Object.entries(rule.meta.options);
      if (options.length === 0) expect(meta.schema).toEqual([]);
      else {
        const schema = (meta.schema as Array<{ properties: Record<string, { type: string; description: string }>; additionalProperties: boolean }>)[0]!;
        expect(schema.additionalProperties).toBe(false);
        for (const [name, o] of options) expect(schema.properties[name]).toMatchObject({ type: o.type, description: o.description });
      }
    });
  }

  it('builds the recommended and strict configs from meta, registering the plugin as pgconn', () => {
    const rec = pgconn.configs.recommended;
    expect(rec.plugins).toEqual({ pgconn });
    expect(rec.files).toBeUndefined();
    const expected: Record<string, string> = {};
    for (const r of CODE_RULES) if (r.meta.recommended) expected[`pgconn/${r.meta.id}`] = r.meta.defaultSeverity === 'error' ? 'error' : 'warn';
    expect(rec.rules).toEqual(expected);
    expect(Object.keys(pgconn.configs.strict.rules!)).toHaveLength(CODE_RULES.length);
    expect(pgconn.meta.name).toBe('eslint-plugin-pgconn');
  });
});

for (const flavour of FLAVOURS) {
  const { RuleTester } = flavour;
  RuleTester.describe = describe;
  RuleTester.it = it;
  RuleTester.itOnly = it.only;
  RuleTester.afterAll = afterAll;
}

/** A repository on disk: the handler under test imports its pool from here. */
const repo = tempProject({
  '.git/HEAD': 'ref: refs/heads/main\n',
  'package.json': JSON.stringify({ dependencies: { pg: '8.16.0', express: '5.1.0' } }),
  'src/db.ts': "import { Pool } from 'pg';\nimport { POOL_MAX } from './settings';\n\nexport const pool = new Pool({ max: POOL_MAX, connectionTimeoutMillis: 5000 });\n",
  'src/settings.ts': 'export const POOL_MAX = 0;\n',
});

const leakyHandler = [
  "import { pool } from './db';",
  '',
  'export async function listUsers() {',
  '  const client = await pool.connect();',
  "  const { rows } = await client.query('SELECT * FROM users');",
  '  client.release();',
  '  return rows;',
  '}',
  '',
].join('\n');

const lambdaPool = ["import { Pool } from 'pg';", '', 'const pool = new Pool({ max: 4, connectionTimeoutMillis: 2000 });', '', "export const handler = async () => (await pool.query('SELECT 1')).rows;", ''].join('\n');

for (const flavour of FLAVOURS) {
  for (const parser of PARSERS.filter((p) => p.name !== 'espree')) {
    describe(`${flavour.name} with ${parser.name}: adapter`, () => {
      const tester = new flavour.RuleTester({ languageOptions: parser.languageOptions });
      // The handler is never saved: its text is the editor's, its import is read from disk.
      const handlerFile = join(repo, 'src', 'users.ts');
      tester.run('pgconn/release-in-finally', pgconn.rules['release-in-finally']!, {
        valid: [
          { name: 'pgconn-lint comment', filename: handlerFile, code: leakyHandler.replace('  const client', '  // pgconn-lint-disable-next-line release-in-finally -- released by the caller\n  const client') },
        ],
        invalid: [
          {
            name: 'pool imported from another file, unsaved text',
            filename: handlerFile,
            code: leakyHandler,
            errors: [{ messageId: 'poolLeak', line: 4, column: 24, endLine: 4, endColumn: 38 }],
          },
          {
            name: 'a pgconn-lint comment for another rule does not hide it',
            filename: handlerFile,
            code: leakyHandler.replace('  const client', '  // pgconn-lint-disable-next-line pool-in-handler\n  const client'),
            errors: [{ messageId: 'poolLeak', line: 5 }],
          },
        ],
      });
      tester.run('pgconn/ineffective-pool-option', pgconn.rules['ineffective-pool-option']!, {
        valid: [],
        invalid: [
          {
            name: 'constant from a module two imports away',
            filename: join(repo, 'src', 'db.ts'),
            code: "import { Pool } from 'pg';\nimport { POOL_MAX } from './settings';\n\nexport const pool = new Pool({ max: POOL_MAX, connectionTimeoutMillis: 5000 });\n",
            errors: [{ messageId: 'pgMaxZero', line: 4 }],
          },
        ],
      });
      tester.run('pgconn/serverless-pool-size', pgconn.rules['serverless-pool-size']!, {
        valid: [{ name: 'option raises the limit', filename: join(repo, 'lambda.ts'), code: lambdaPool, options: [{ max: 4 }] }],
        invalid: [
          {
            name: 'default limit, help names the option',
            filename: join(repo, 'lambda.ts'),
            code: lambdaPool,
            errors: [{ messageId: 'tooLarge', line: 3, column: 30, endColumn: 31 }],
          },
        ],
      });
      tester.run('pgconn/missing-connection-timeout', pgconn.rules['missing-connection-timeout']!, {
        valid: [],
        invalid: [
          {
            name: 'the suggested timeout comes from the options',
            filename: join(repo, 'pool.mjs'),
            code: "import pg from 'pg';\nexport const pool = new pg.Pool({ max: 5 });\n",
            options: [{ suggested: 1234 }],
            errors: [{ messageId: 'unset', line: 2 }],
            output: "import pg from 'pg';\nexport const pool = new pg.Pool({ max: 5, connectionTimeoutMillis: 1234 });\n",
          },
        ],
      });
    });
  }
}

describe('messages carry the help line', () => {
  const linter = new FLAVOURS[0]!.Linter({ configType: 'flat', cwd: repo });
  it('renders message and help from the rule templates, options included', () => {
    const messages = linter.verify(
      "import pg from 'pg';\nexport const pool = new pg.Pool({ max: 5 });\n",
      [{ ...pgconn.configs.recommended, rules: { 'pgconn/missing-connection-timeout': ['warn', { suggested: 1234 }] } }],
      join(repo, 'pool.mjs'),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).not.toContain('\n');
    const [message, help] = messages[0]!.message.split(' — ');
    expect(message).toMatch(/^new pg\.Pool sets no connectionTimeoutMillis/);
    expect(help).toContain('1234');
    expect(messages[0]!.messageId).toBe('unset');
    expect(messages[0]!.severity).toBe(1);
  });

  it('leaves ESLint directives to ESLint, which then counts them as used', () => {
    const config = [pgconn.configs.recommended, { files: ['**/*.ts'], languageOptions: PARSERS[1]!.languageOptions, linterOptions: { reportUnusedDisableDirectives: 'error' as const } }];
    const file = join(repo, 'src', 'users.ts');
    expect(linter.verify(leakyHandler, config, file).map((m) => m.ruleId)).toEqual(['pgconn/release-in-finally']);
    const disabled = leakyHandler.replace('  const client', '  // eslint-disable-next-line pgconn/release-in-finally -- released by the caller\n  const client');
    expect(linter.verify(disabled, config, file)).toEqual([]);
    const elsewhere = leakyHandler.replace('  return rows', '  // eslint-disable-next-line pgconn/release-in-finally\n  return rows');
    expect(linter.verify(elsewhere, config, file).map((m) => m.ruleId ?? m.message)).toEqual(['pgconn/release-in-finally', expect.stringMatching(/Unused eslint-disable directive/)]);
  });

  it('fixes what --fix fixes and offers judgement calls as suggestions (issue 12)', () => {
    const config = [{ ...pgconn.configs.recommended }];
    const code = "import pg from 'pg';\nexport const pool = new pg.Pool({ max: 0 });\n";
    const fixed = linter.verifyAndFix(code, config, join(repo, 'fix.mjs'));
    expect(fixed.output).toBe("import pg from 'pg';\nexport const pool = new pg.Pool({ connectionTimeoutMillis: 5000 });\n");
    const knex = "import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 5, acquireTimeout: 5000 } });\n";
    const [m] = linter.verify(knex, config, join(repo, 'knex.mjs')).filter((x) => x.ruleId === 'pgconn/ineffective-pool-option');
    expect(m!.fix).toBeUndefined();
    expect(m!.suggestions?.map((sg) => sg.desc)).toEqual(['Rename pool.acquireTimeout to pool.acquireTimeoutMillis']);
    const s = m!.suggestions![0]!.fix;
    expect(knex.slice(0, s.range[0]) + s.text + knex.slice(s.range[1])).toContain('acquireTimeoutMillis: 5000');
  });

  it('rejects options the rule does not have', () => {
    expect(() =>
      linter.verify('const a = 1;\n', [{ ...pgconn.configs.recommended, rules: { 'pgconn/missing-connection-timeout': ['warn', { sugested: 1 }] } }], join(repo, 'a.mjs')),
    ).toThrow(/sugested|additional/i);
  });
});
