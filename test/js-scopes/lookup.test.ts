/**
 * `JsModule.lookupName` answers a name no declaration of the module carries without walking up the
 * scopes (src/sources/js/module.ts `declaredNamesOf`, issue 11). The shortcut must give what the walk
 * gives for every identifier of real code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsModule, type ModuleHost } from '../../src/sources/js/module.js';
import { parseJsFile } from '../../src/sources/js/parse.js';
import ts from '../../src/sources/js/typescript.cjs';
import { walk } from '../../src/sources/js/walk.js';
import { codeFilesUnder, REPO_ROOT } from '../support/paths.js';

const NO_HOST = {} as ModuleHost;

function moduleOf(file: string, text: string): JsModule {
  return new JsModule(file, parseJsFile(text, file).sourceFile, NO_HOST);
}

describe('lookup of names no declaration carries', () => {
  it("gives the scopes' answer for every identifier of the repository's code and fixtures", () => {
    const files = ['fixtures', 'src', 'rules', 'test'].flatMap((d) => codeFilesUnder(join(REPO_ROOT, d)));
    expect(files.length).toBeGreaterThan(700);
    let identifiers = 0;
    let declared = 0;
    for (const file of files) {
      const m = moduleOf(file, readFileSync(file, 'utf8'));
      walk(m.sourceFile, (n) => {
        if (!ts.isIdentifier(n)) return undefined;
        identifiers++;
        const want = m.lookupInScopes(n.text, n);
        if (want !== undefined) declared++;
        if (m.lookup(n) !== want) expect.fail(`${file}:${m.rangeOf(n).line}: ${n.text}`);
        return undefined;
      });
    }
    expect(identifiers).toBeGreaterThan(150_000);
    expect(declared).toBeGreaterThan(identifiers / 10);
  });

  it('finds every kind of declaration a scope holds', () => {
    const src = [
      "import def, { named as local } from 'a';",
      "import * as ns from 'b';",
      "import eq = require('c');",
      'enum E { A }',
      'namespace N { export const x = 1; }',
      'class C {}',
      'function f(p, { q, r: [s] }, ...rest) { return p; }',
      'const g = function inner() { return inner; };',
      'for (const [i, { j }] of []) i + j;',
      'try {} catch ({ message }) { message; }',
      'var v; let w; const { deep: { z } } = {};',
      'use(def, local, ns, eq, E, N, C, f, g, v, w, z, q, s, rest, console);',
    ].join('\n');
    const m = moduleOf('/x/a.ts', src);
    const found = new Map<string, boolean>();
    walk(m.sourceFile, (n) => {
      if (ts.isIdentifier(n)) found.set(n.text, found.get(n.text) === true || m.lookup(n) !== undefined);
      return undefined;
    });
    for (const name of ['def', 'local', 'ns', 'eq', 'E', 'N', 'C', 'f', 'g', 'inner', 'p', 'q', 's', 'rest', 'i', 'j', 'message', 'v', 'w', 'z']) {
      expect(found.get(name), name).toBe(true);
    }
    expect(found.get('console')).toBe(false);
    expect(found.get('use')).toBe(false);
  });

  it("answers for an identifier of another module's tree by that tree's declarations (the tracer asks so)", () => {
    const other = moduleOf('/x/config.ts', "import { registerAs } from '@nestjs/config';\nexport default registerAs('db', () => ({ max: 5 }));\n");
    const here = moduleOf('/x/app.ts', 'console.log(1);\n');
    let seen = 0;
    walk(other.sourceFile, (n) => {
      if (ts.isIdentifier(n) && n.text === 'registerAs' && ts.isCallExpression(n.parent)) {
        seen++;
        expect(here.lookup(n)?.kind).toBe('import');
      }
      return undefined;
    });
    expect(seen).toBe(1);
  });
});
