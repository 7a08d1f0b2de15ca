import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extractCompose, extractKubernetes } from '../../src/sources/yaml/index.js';
import { get, parseYaml, scalarString, type LNode } from '../../src/sources/yaml/located.js';
import { REPO_ROOT } from '../support/paths.js';

const fx = join(REPO_ROOT, 'fixtures', 'yaml-sources');

describe('parseYaml: positions, merge keys, errors', () => {
  test('merge keys: explicit keys win wherever they stand; earlier mappings in `<<: [*a, *b]` win', () => {
    const text = ['a: &a { x: 1, y: 1 }', 'b: &b { y: 2, z: 2 }', 'c:', '  x: 0', '  <<: [*a, *b]', 'd:', '  <<: *b', '  z: 9', ''].join('\n');
    const { documents, problems } = parseYaml(text, 'm.yaml');
    expect(problems).toEqual([]);
    const root = documents[0]!.root!;
    const val = (path: string[]) => scalarString(get(root, ...path));
    expect([val(['c', 'x']), val(['c', 'y']), val(['c', 'z'])]).toEqual(['0', '1', '2']);
    expect([val(['d', 'y']), val(['d', 'z'])]).toEqual(['2', '9']);
    // A merged value keeps the range of its definition and names the merge key as `via`.
    const cy = get(root, 'c', 'y')!;
    expect([cy.range.line, cy.range.column]).toEqual([1, 18]);
    expect(cy.via?.line).toBe(5);
  });

  test('duplicate keys are located errors (uniqueKeys); the last value is used', () => {
    const { documents, problems } = parseYaml('a: 1\na: 2\n', 'd.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ range: { line: 2, column: 1 } });
    expect(problems[0]!.message).toMatch(/unique/);
    expect(scalarString(get(documents[0]!.root, 'a'))).toBe('2');
  });

  test('invalid YAML gives a located problem whose message does not echo the source', () => {
    const text = readFileSync(join(fx, 'invalid.yaml'), 'utf8');
    const f = extractKubernetes(text, join(fx, 'invalid.yaml'));
    expect(f.problems.length).toBeGreaterThan(0);
    const p = f.problems[0]!;
    expect(p.range.file).toBe(join(fx, 'invalid.yaml'));
    expect(p.range.line).toBeGreaterThanOrEqual(6);
    expect(p.message).not.toContain('unclosed');
    expect(p.message).not.toContain('\n');
  });

  test('CRLF line ends and a BOM: line/column as an editor shows them; block scalar mapped exactly', () => {
    const file = join(fx, 'k8s', 'crlf-bom.yaml');
    const raw = readFileSync(file, 'utf8');
    expect(raw.charCodeAt(0)).toBe(0xfeff);
    const f = extractKubernetes(raw, file);
    expect(f.problems).toEqual([]);
    expect(f.objects[0]).toMatchObject({ kind: 'ConfigMap', name: 'crlf', range: { line: 1, column: 1 } });
    const ini = f.configMaps[0]!.iniFiles[0]!;
    expect(ini.text).toBe('[pgbouncer]\npool_mode = statement\n');
    expect(ini.lineMap).toEqual({ kind: 'exact', firstLine: 7, columnOffset: 4 });
  });

  test('alias bomb ("billion laughs"): a located problem, in bounded time, and the rest of the file still read', () => {
    const file = join(fx, 'alias-bomb.yaml');
    const started = performance.now();
    const f = extractCompose(readFileSync(file, 'utf8'), file);
    expect(performance.now() - started).toBeLessThan(2000);
    const bomb = f.problems.find((p) => /alias bomb/.test(p.message));
    expect(bomb).toBeDefined();
    expect(bomb!.range.line).toBeGreaterThan(1);
    expect(f.services[0]).toMatchObject({ name: 'api', image: { repository: 'node', tag: '20' } });
  });

  test('a recursive alias is a problem, not an infinite loop', () => {
    const { problems } = parseYaml('a: &a [1, *a]\n', 'r.yaml');
    expect(problems.some((p) => /recursive alias/.test(p.message))).toBe(true);
  });

  test('a huge generated file (5,000 documents, ~1.3 MB) is read in bounded time', () => {
    const doc = (i: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\nspec:\n  replicas: ${(i % 7) + 1}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: example/app:${i}\n          env:\n            - { name: DATABASE_URL, value: "postgres://db-${i}:5432/app" }\n`;
    const text = Array.from({ length: 5000 }, (_, i) => doc(i)).join('---\n');
    expect(text.length).toBeGreaterThan(1_000_000);
    const started = performance.now();
    const f = extractKubernetes(text, 'huge.yaml');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(f.workloads).toHaveLength(5000);
    expect(f.workloads[4999]!.replicas.value).toBe((4999 % 7) + 1);
    expect(f.workloads[4999]!.meta.range.line).toBe(4999 * 14 + 1);
  });

  test('scalar ranges are 1-based with an exclusive end', () => {
    const { documents } = parseYaml('key:  "quoted"\n', 'q.yaml');
    const v = get(documents[0]!.root, 'key') as LNode;
    expect(v.range).toMatchObject({ line: 1, column: 7, endLine: 1, endColumn: 15 });
  });
});
