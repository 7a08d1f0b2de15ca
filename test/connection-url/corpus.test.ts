import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { isParseError, parseConnectionString } from '../../src/sources/connection-url/parse.js';
import { classifyEndpoint } from '../../src/sources/connection-url/poolers.js';
import { CORPUS_ROOT, describeCorpus } from '../support/corpus.js';
import { deepJson } from './helpers.js';

function files(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else out.push(p);
  }
  return out;
}

describeCorpus('the shared corpus', () => {
  const corpus = files(CORPUS_ROOT).filter((f) => !f.endsWith('SOURCES.md'));

  test('is complete', () => {
    expect(corpus.length).toBeGreaterThan(40);
  });

  test('every line, and every value after "=" or ":", parses without throwing', () => {
    for (const f of corpus) {
      for (const line of readFileSync(f, 'utf8').split(/\r?\n/)) {
        const candidates = [line, line.trim()];
        const eq = line.indexOf('=');
        if (eq >= 0) candidates.push(line.slice(eq + 1).trim().replace(/^["']|["']$/g, ''));
        const colon = line.indexOf(': ');
        if (colon >= 0) candidates.push(line.slice(colon + 2).trim().replace(/^["']|["']$/g, ''));
        for (const c of candidates) expect(() => parseConnectionString(c), `${f}: ${c}`).not.toThrow();
      }
    }
  });

  test('every connection string found reads, classifies and never shows its password', () => {
    const found: string[] = [];
    for (const f of corpus) {
      const t = readFileSync(f, 'utf8');
      for (const m of t.matchAll(/postgres(?:ql)?:\/\/[^\s"'`]+/g)) found.push(m[0]);
      for (const m of t.matchAll(/Host=[^"'\n]+/g)) found.push(m[0]);
    }
    expect(found.length).toBeGreaterThanOrEqual(10);
    for (const s of found) {
      const r = parseConnectionString(s);
      expect(isParseError(r), s).toBe(false);
      if (isParseError(r)) continue;
      expect(() => classifyEndpoint(r, { pgbouncerListenPorts: [6432] })).not.toThrow();
      // Corpus passwords are short and common ("postgres", "123"), so check the
      // exact password text taken from the URL rather than a marker.
      const pw = /^[a-z]+:\/\/[^:/@]*:([^@/]+)@/.exec(s)?.[1] ?? /Password=([^;]+)/.exec(s)?.[1];
      if (pw) {
        expect(r.hasPassword, s).toBe(true);
        expect(r.redacted, s).not.toContain(`:${pw}@`);
        expect(r.redacted, s).not.toContain(`Password=${pw}`);
        expect([...r.params.values()]).not.toContain(pw);
        // Only meaningful when the password is not also the user or database name ("postgres").
        if (!s.replace(`:${pw}@`, ':@').replace(`Password=${pw}`, '').includes(pw)) {
          expect(deepJson(r), s).not.toContain(`"${pw}"`);
        }
      }
    }
  });
});
