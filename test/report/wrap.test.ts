/** Stylish output fits the terminal: messages, notes and help wrap at its width (80 when not a TTY). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { outputWidth, wrapWords } from '../../src/report/wrap.js';
import { tempProject } from '../support/lint-helpers.js';

function cli(args: string[], cwd: string, env: Record<string, string> = {}, tty?: number) {
  let stdout = '';
  const code = runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: () => undefined, isTTY: tty !== undefined, env: { NO_COLOR: '1', ...env }, ...(tty ? { columns: tty } : {}) });
  return { code, stdout };
}

describe('wrapWords', () => {
  it('breaks at spaces, indents continuation lines, never cuts a word', () => {
    expect(wrapWords('aaa bbb ccc ddd', 9, 0, 2)).toEqual(['aaa bbb', '  ccc ddd']);
    expect(wrapWords('aaa bbb', 9, 6, 0)).toEqual(['aaa', 'bbb']);
    const url = 'https://example.com/' + 'x'.repeat(100);
    expect(wrapWords(`see ${url} now`, 40, 0, 4)).toEqual(['see', `    ${url}`, '    now']);
    expect(wrapWords('', 40, 0, 0)).toEqual(['']);
  });
  it('counts code points, not UTF-16 units', () => {
    expect(wrapWords('€€€€ €€€€', 9, 0, 0)).toEqual(['€€€€ €€€€']);
    expect(wrapWords('😀😀😀😀 😀😀😀😀', 9, 0, 0)).toEqual(['😀😀😀😀 😀😀😀😀']);
  });
  it('takes the terminal width, else COLUMNS, else 80, within 40..1000', () => {
    expect(outputWidth(120, { COLUMNS: '60' })).toBe(120);
    expect(outputWidth(undefined, { COLUMNS: '60' })).toBe(60);
    expect(outputWidth(undefined, { COLUMNS: 'wide' })).toBe(80);
    expect(outputWidth(undefined, {})).toBe(80);
    expect(outputWidth(10, {})).toBe(40);
    expect(outputWidth(undefined, { COLUMNS: '99999' })).toBe(1000);
  });
});

describe('stylish at the output width', () => {
  const dir = tempProject({ 'postgresql.conf': `max_connections = 500\nshared_buffers = 16MB\nwork_mem = 64MB\n# ${'x'.repeat(300)}\nlisten_addresses = '*' ${' '.repeat(150)} # a very long line that a frame must cut\n` });
  const prose = (out: string) => out.split('\n').filter((l) => !/^\s*\d* \|/.test(l));

  it('wraps messages and help at 80 columns when not on a terminal, aligned under their text', () => {
    const { stdout } = cli(['.'], dir);
    expect(stdout).toContain('warning[');
    const long = prose(stdout).filter((l) => [...l].length > 80 && / \S/.test(l.trim()));
    expect(long).toEqual([]);
    // Continuation lines of `= help:` start under the help text.
    expect(stdout).toMatch(/\n  = help: [^\n]+\n {10}\S/);
  });

  it('uses the terminal width on a TTY and COLUMNS elsewhere', () => {
    const wide = cli(['.'], dir, {}, 300).stdout;
    const lines = (t: string) => t.split('\n').length;
    expect(lines(wide)).toBeLessThan(lines(cli(['.'], dir).stdout));
    expect(cli(['.'], dir, { COLUMNS: '300' }).stdout).toBe(wide);
  });

  it('cuts a long source line to the width in the frame', () => {
    const { stdout } = cli(['.'], dir);
    const frames = stdout.split('\n').filter((l) => /^\s*\d+ \| /.test(l));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect([...f].length).toBeLessThanOrEqual(80);
  });

  it('does not wrap what is written to a file (--output-file)', () => {
    cli(['.', '--output-file', 'report.txt'], dir);
    const text = readFileSync(`${dir}/report.txt`, 'utf8');
    expect(text).toBe(cli(['.'], dir, {}, 1000).stdout);
  });
});
