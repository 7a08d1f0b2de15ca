import { describe, expect, it } from 'vitest';
import { parseTexts } from '../../src/sources/tree-sitter/runtime.js';
import { child, syntaxErrors, textOf, walk } from '../../src/sources/tree-sitter/syntax.js';

describe('Python parser (tree-sitter-python through web-tree-sitter, in a worker)', () => {
  it('gives offsets in UTF-16 code units, also after non-ASCII text before a call', () => {
    const text = 'x = "é€😀"; engine = create_engine(url, pool_size=10)\n';
    const [r] = parseTexts('python', [text]);
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    const call = [...walk(r.root)].find((n) => n.type === 'call')!;
    expect(textOf(text, call)).toBe('create_engine(url, pool_size=10)');
    expect(call.start).toBe(text.indexOf('create_engine'));
    expect(textOf(text, child(call, 'function')!)).toBe('create_engine');
  });

  it('locates syntax errors and keeps the rest of the file', () => {
    const text = 'def f(:\n    pass\nengine = create_engine("postgresql://db/app")\n';
    const [r] = parseTexts('python', [text]);
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    expect(syntaxErrors(r.root).length).toBeGreaterThan(0);
    expect([...walk(r.root)].some((n) => n.type === 'call' && textOf(text, n).startsWith('create_engine'))).toBe(true);
  });

  it('reads Python 2 print statements without failing', () => {
    const [r] = parseTexts('python', ['print "hello"\nx = 1\n']);
    expect(r?.ok).toBe(true);
  });
});
