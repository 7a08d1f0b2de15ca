/** Bad input never crashes the linter: each case gives a located diagnostic or a note, and the rest is still linted. */
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';

const GOOD_BOUNCER = '[pgbouncer]\nserver_pool_size = 20\n';

function lintDir(dir: string) {
  const result = lintPaths(dir, [dir], testConfig());
  return { result, ds: allDiagnostics(result) };
}

/** A healthy file next to the bad one must still be linted. */
function expectOtherFileLinted(ds: ReturnType<typeof allDiagnostics>) {
  expect(ds.some((d) => d.ruleId === 'unknown-setting' && d.range.file.endsWith(join('ok', 'pgbouncer.ini')))).toBe(true);
}

describe('bad input', () => {
  it('a binary file named pgbouncer.ini', () => {
    const dir = tempProject({ 'pgbouncer.ini': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0xff]), 'ok/pgbouncer.ini': GOOD_BOUNCER });
    const { ds } = lintDir(dir);
    const d = ds.find((x) => x.range.file === join(dir, 'pgbouncer.ini'))!;
    expect(d).toMatchObject({ ruleId: null, fatal: true, severity: 'error' });
    expect(d.message).toMatch(/binary/);
    expectOtherFileLinted(ds);
  });

  it('invalid UTF-8 is read (as PostgreSQL reads bytes) with a located warning', () => {
    const dir = tempProject({
      'postgresql.conf': Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nmax_connections = 100\n')]),
      'ok/pgbouncer.ini': GOOD_BOUNCER,
    });
    const { ds } = lintDir(dir);
    const d = ds.find((x) => x.range.file === join(dir, 'postgresql.conf') && x.ruleId === null)!;
    expect(d.message).toMatch(/not valid UTF-8/);
    expect(d.range).toMatchObject({ line: 1, column: 6 });
    expectOtherFileLinted(ds);
  });

  it('CRLF line ends and a BOM keep positions right', () => {
    const dir = tempProject({ 'pgbouncer.ini': '\ufeff[pgbouncer]\r\nlisten_port = 6432\r\nserver_pool_size = 20\r\n' });
    const { ds } = lintDir(dir);
    const d = ds.find((x) => x.ruleId === 'unknown-setting')!;
    expect(d.range).toMatchObject({ line: 3, column: 1, endLine: 3, endColumn: 17 });
  });

  it('a 20 MB file is skipped with a note, in bounded time', () => {
    const big = '# padding\n'.repeat(2 * 1024 * 1024);
    const dir = tempProject({ 'postgresql.conf': big, 'ok/pgbouncer.ini': GOOD_BOUNCER });
    const { ds } = lintDir(dir);
    const d = ds.find((x) => x.range.file === join(dir, 'postgresql.conf'))!;
    expect(d.message).toMatch(/over the 8 MiB limit/);
    expect(d.severity).toBe('warning');
    expectOtherFileLinted(ds);
  });

  it('an include cycle and a missing include are located errors', () => {
    const dir = tempProject({
      'postgresql.conf': "include 'a.conf'\ninclude 'missing.conf'\nmax_connections = 100\n",
      'a.conf': "include 'postgresql.conf'\n",
      'ok/pgbouncer.ini': GOOD_BOUNCER,
    });
    const { ds } = lintDir(dir);
    const problems = ds.filter((x) => x.ruleId === null);
    expect(problems.some((p) => /missing\.conf/.test(p.message) && p.range.line === 2)).toBe(true);
    expect(problems.some((p) => /nesting depth|cycle/i.test(p.message))).toBe(true);
    expectOtherFileLinted(ds);
  });

  it('a PgBouncer %include cycle is bounded', () => {
    const dir = tempProject({ 'pgbouncer.ini': '[pgbouncer]\n%include other.ini\n', 'other.ini': '%include pgbouncer.ini\n', 'ok/pgbouncer.ini': GOOD_BOUNCER });
    const { ds } = lintDir(dir);
    expect(ds.some((x) => x.ruleId === null && x.range.file.startsWith(dir))).toBe(true);
    expectOtherFileLinted(ds);
  });

  it('an unreadable file (as an unprivileged user: root reads everything)', () => {
    const dir = tempProject({ 'pgbouncer.ini': GOOD_BOUNCER, 'ok/pgbouncer.ini': GOOD_BOUNCER });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'ok'), 0o755);
    chmodSync(join(dir, 'ok', 'pgbouncer.ini'), 0o644);
    chmodSync(join(dir, 'pgbouncer.ini'), 0o000);
    const bin = resolve(__dirname, '../../dist/src/cli/bin.js');
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'runuser' : process.execPath;
    const args = asRoot ? ['-u', 'nobody', '--', process.execPath, bin, '--format', 'json', dir] : [bin, '--format', 'json', dir];
    const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    expect(r.stderr).toBe('');
    const files = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ message: string; fatal?: boolean; line: number }> }>;
    const bad = files.find((f) => f.filePath === join(dir, 'pgbouncer.ini'))!;
    expect(bad.messages[0]).toMatchObject({ fatal: true, line: 1 });
    expect(bad.messages[0]!.message).toMatch(/permission denied/);
    expect(files.find((f) => f.filePath === join(dir, 'ok', 'pgbouncer.ini'))!.messages.length).toBeGreaterThan(0);
  });

  it('a directory where a file is expected', async () => {
    const { readTextFile } = await import('../../src/core/read-text.js');
    const dir = tempProject({});
    mkdirSync(join(dir, 'pgbouncer.ini'));
    const r = readTextFile(join(dir, 'pgbouncer.ini'));
    expect(r.ok).toBe(false);
  });

  it('a symlink loop in the tree', () => {
    const dir = tempProject({ 'ok/pgbouncer.ini': GOOD_BOUNCER });
    symlinkSync(dir, join(dir, 'ok', 'loop'));
    symlinkSync(join(dir, 'self'), join(dir, 'self'));
    const { ds } = lintDir(dir);
    expect(ds.some((x) => /loop/i.test(x.message))).toBe(true);
    expect(ds.filter((d) => d.ruleId === 'unknown-setting')).toHaveLength(1);
  });

  it('a syntax error in postgresql.conf is located', () => {
    const dir = tempProject({ 'postgresql.conf': "max_connections = 100\nshared_buffers = = 128MB\nwork_mem = '4MB\n" });
    const { ds } = lintDir(dir);
    const fatal = ds.filter((d) => d.fatal);
    expect(fatal.length).toBeGreaterThan(0);
    expect(fatal[0]!.range.line).toBe(2);
  });

  describe('code files (the pre-filter reads their bytes)', () => {
    const LEAK = "import { Pool } from 'pg';\nconst pool = new Pool({ max: 5, connectionTimeoutMillis: 5000 });\nexport async function f() {\n  const client = await pool.connect();\n  await client.query('SELECT 1');\n  client.release();\n}\n";

    it('CRLF line ends and a BOM keep positions right', () => {
      const dir = tempProject({ 'src/db.ts': `\ufeff${LEAK.replace(/\n/g, '\r\n')}`, 'src/plain.ts': LEAK });
      const { ds } = lintDir(dir);
      const bom = ds.find((x) => x.ruleId === 'release-in-finally' && x.range.file.endsWith('db.ts'))!;
      const plain = ds.find((x) => x.ruleId === 'release-in-finally' && x.range.file.endsWith('plain.ts'))!;
      expect(bom.range).toMatchObject({ line: 4 });
      expect({ ...bom.range, file: '' }).toEqual({ ...plain.range, file: '' });
    });

    it('invalid UTF-8 in a database module: a located warning, and the module is still analysed', () => {
      const bad = Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from(`\n${LEAK}`)]);
      const dir = tempProject({ 'src/db.ts': bad });
      const { ds } = lintDir(dir);
      expect(ds.find((x) => x.ruleId === null && /not valid UTF-8/.test(x.message))?.range).toMatchObject({ line: 1 });
      expect(ds.find((x) => x.ruleId === 'release-in-finally')?.range).toMatchObject({ line: 5 });
    });

    it('a NUL character inside a template string of valid UTF-8 source is code, not binary (issue 15)', () => {
      // A large ORM's repository has one: `const SEP = \`\0\``, written as the raw character.
      const text = `const SEP = \`a\u0000b\`;\n${LEAK}`;
      expect(Buffer.from(text).indexOf(0)).toBe(14);
      const dir = tempProject({ 'src/db.ts': text });
      const { ds } = lintDir(dir);
      expect(ds.filter((x) => x.ruleId === null)).toEqual([]);
      expect(ds.find((x) => x.ruleId === 'release-in-finally')?.range).toMatchObject({ line: 5 });
    });

    it('a NUL byte in a file that is not valid UTF-8 is binary, with both reasons', () => {
      const dir = tempProject({ 'src/blob.ts': Buffer.concat([Buffer.from('const a = 1;\n'), Buffer.from([0, 0xc3, 0x28])]) });
      const { ds } = lintDir(dir);
      expect(ds.find((x) => x.range.file.endsWith('blob.ts'))?.message).toBe('File is binary (NUL byte at offset 13, and not valid UTF-8 at offset 14), not source code; it was not linted.');
    });

    it('a binary file named like code is skipped with a diagnostic; the other files are linted', () => {
      const dir = tempProject({ 'src/blob.js': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0xff]), 'src/db.ts': LEAK });
      const { ds } = lintDir(dir);
      expect(ds.find((x) => x.range.file.endsWith('blob.js'))?.message).toMatch(/binary/);
      expect(ds.some((x) => x.ruleId === 'release-in-finally' && x.range.file.endsWith('db.ts'))).toBe(true);
    });
  });
});
