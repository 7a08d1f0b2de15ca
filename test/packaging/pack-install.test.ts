/**
 * Issue 12: installable as packages. Packs both packages as `npm pack` does for a release, installs
 * the tarballs into an empty project beside ESLint 10 and 9 (npm's cache first, then the registry, as
 * .ci/run's own `npm ci` does), and runs `npx pgconn-lint` and `npx eslint` as README says.
 * Outside CI, with no registry and an empty cache, it skips with a note; with CI=true it fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const CI = process.env.CI === 'true';

function pack(dir: string, dest: string): string {
  // npm test has built dist/ already: no prepack build here.
  execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: dir, stdio: 'pipe' });
  const names = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  return join(dest, names.sort((a, b) => b.length - a.length).find((n) => n.includes(dir.endsWith('eslint-plugin') ? 'eslint-plugin-pgconn' : 'pgconn-lint-'))!);
}

const LEAK = `import pg from 'pg';
const pool = new pg.Pool({ max: 5, connectionTimeoutMillis: 5000 });
export async function count() {
  const client = await pool.connect();
  const r = await client.query('select count(*) from t');
  client.release();
  return r.rows[0];
}
`;

describe('npm pack, then install into an empty project', () => {
  const dest = mkdtempSync(join(tmpdir(), 'pgconn-lint-pack-'));
  const core = pack(REPO_ROOT, dest);
  const plugin = pack(join(REPO_ROOT, 'eslint-plugin'), mkdtempSync(join(tmpdir(), 'pgconn-lint-pack-')));

  for (const eslint of ['eslint@10.15.0', 'eslint@9.39.5']) {
    it(`with ${eslint}: npx pgconn-lint and npx eslint work from the tarballs`, (ctx) => {
      const app = mkdtempSync(join(tmpdir(), 'pgconn-lint-app-'));
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
      writeFileSync(join(app, 'eslint.config.js'), "import pgconn from 'eslint-plugin-pgconn';\nexport default [pgconn.configs.recommended];\n");
      mkdirSync(join(app, 'src'));
      writeFileSync(join(app, 'src', 'db.js'), LEAK);
      const install = spawnSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--save-dev', core, plugin, eslint], { cwd: app, encoding: 'utf8', timeout: 300_000 });
      if (install.status !== 0) {
        const reason = `npm could not install ${eslint} and the tarballs (no registry and not in npm's cache) (${(install.stderr.match(/npm (?:error|ERR!) code (\w+)/) ?? [])[1] ?? 'error'}): run npm ci in this repository first`;
        if (CI) throw new Error(`${reason}\n${install.stderr}`);
        ctx.skip(reason);
      }
      // The parser cut from TypeScript (D60) ships, with TypeScript's licence and notices beside it.
      for (const f of ['typescript-parser.cjs', 'typescript-LICENSE.txt', 'typescript-ThirdPartyNoticeText.txt']) expect(existsSync(join(app, 'node_modules', 'pgconn-lint', 'dist', 'vendor', f)), f).toBe(true);
      const lint = spawnSync(join(app, 'node_modules', '.bin', 'pgconn-lint'), ['--format', 'json', '.'], { cwd: app, encoding: 'utf8' });
      expect(lint.status).toBe(1);
      const ids = (JSON.parse(lint.stdout) as Array<{ messages: Array<{ ruleId: string }> }>).flatMap((f) => f.messages.map((m) => m.ruleId));
      expect(ids).toContain('release-in-finally');
      const explain = spawnSync(join(app, 'node_modules', '.bin', 'pgconn-lint'), ['explain', 'release-in-finally'], { cwd: app, encoding: 'utf8' });
      expect(explain.stdout).toMatch(/^# release-in-finally\n/);
      const es = spawnSync(join(app, 'node_modules', '.bin', 'eslint'), ['--format', 'json', 'src'], { cwd: app, encoding: 'utf8' });
      const esIds = (JSON.parse(es.stdout) as Array<{ messages: Array<{ ruleId: string }> }>).flatMap((f) => f.messages.map((m) => m.ruleId));
      expect(esIds).toContain('pgconn/release-in-finally');
    });
  }
});
