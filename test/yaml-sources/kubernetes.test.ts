import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePgbouncerIni } from '../../src/sources/pgbouncer-ini/parse.js';
import { extractKubernetes, mapEmbeddedRange, surgePods } from '../../src/sources/yaml/index.js';
import { REPO_ROOT } from '../support/paths.js';

const file = join(REPO_ROOT, 'fixtures', 'yaml-sources', 'k8s', 'pgbouncer-configmap.yaml');
const text = readFileSync(file, 'utf8');
const lines = text.split('\n');
const f = extractKubernetes(text, file);

describe('ConfigMap-embedded pgbouncer.ini', () => {
  test('the literal block is returned verbatim with an exact line map', () => {
    const ini = f.configMaps[0]!.iniFiles.find((i) => i.key === 'pgbouncer.ini')!;
    expect(ini.text.startsWith('[databases]\napp = host=cluster-rw')).toBe(true);
    expect(ini.lineMap).toEqual({ kind: 'exact', firstLine: 7, columnOffset: 4 });
  });

  test('positions found by the real pgbouncer.ini parser map onto the YAML text', () => {
    const ini = f.configMaps[0]!.iniFiles.find((i) => i.key === 'pgbouncer.ini')!;
    const parsed = parsePgbouncerIni(ini.text, 'embedded.ini');
    expect(parsed.problems).toEqual([]);
    for (const e of parsed.entries) {
      const r = mapEmbeddedRange(ini.lineMap, file, e.valueRange);
      expect(r.file).toBe(file);
      expect(lines[r.line - 1]!.slice(r.column - 1, r.endColumn - 1)).toBe(e.value);
      const k = mapEmbeddedRange(ini.lineMap, file, e.keyRange);
      expect(lines[k.line - 1]!.slice(k.column - 1, k.endColumn - 1)).toBe(e.key);
    }
    const poolMode = parsed.entries.find((e) => e.key === 'pool_mode')!;
    expect(mapEmbeddedRange(ini.lineMap, file, poolMode.range).line).toBe(11);
  });

  test('folded scalars map approximately to the scalar; one-line quoted scalars exactly', () => {
    const folded = f.configMaps[0]!.iniFiles.find((i) => i.key === 'folded.ini')!;
    expect(folded.lineMap).toMatchObject({ kind: 'approximate', line: 14 });
    const oneline = f.configMaps[0]!.iniFiles.find((i) => i.key === 'oneline.ini')!;
    expect(oneline.lineMap).toEqual({ kind: 'exact', firstLine: 17, columnOffset: 16 });
    expect(lines[16]!.slice(16, 16 + oneline.text.length)).toBe('[pgbouncer]');
  });
});

describe('Secrets', () => {
  const secret = f.secrets[0]!;
  test('stringData kept, base64 data decoded, every value marked secret', () => {
    expect(secret.data.map((d) => [d.key, d.secret])).toEqual([
      ['PASSWORD', true],
      ['DATABASE_URL', true],
    ]);
    expect(secret.data.find((d) => d.key === 'PASSWORD')?.value).toBe('Base64Secret-7c2');
  });
  test('invalid base64 is a located problem that does not quote the value; no secret appears in any problem', () => {
    const p = f.problems.find((x) => /BROKEN/.test(x.message))!;
    expect(p.range.line).toBe(28);
    expect(p.message).not.toContain('not*base64');
    const all = JSON.stringify(f.problems);
    for (const s of ['Base64Secret-7c2', 'StringDataSecret-9f1', 'QmFzZTY0U2VjcmV0LTdjMg==']) expect(all).not.toContain(s);
  });
});

describe('workloads, HPA, Services, operators', () => {
  const web = f.workloads.find((w) => w.meta.name === 'web')!;
  test('Deployment without replicas: default 1 with the HPA note; default maxSurge 25% rounded up', () => {
    expect(web.replicas).toMatchObject({ value: 1, provenance: { kind: 'default' } });
    expect(web.maxSurge).toMatchObject({ value: '25%', provenance: { kind: 'default' } });
    expect(surgePods(web.maxSurge!.value, 12)).toBe(3);
    expect(surgePods('25%', 5)).toBe(2); // 1.25 rounded up
    expect(surgePods('25%', 1)).toBe(1);
    expect(surgePods(0, 10)).toBe(0);
  });
  test('container env: value, $(VAR) expansion, $$ escape, secretKeyRef/configMapKeyRef; envFrom with prefix', () => {
    const c = web.containers[0]!;
    expect(c.env.map((e) => [e.name, e.from])).toEqual([
      ['PGHOST', 'inline'],
      ['DATABASE_URL', 'secretKeyRef'],
      ['POOL', 'configMapKeyRef'],
      ['CONN', 'inline'],
    ]);
    expect(c.env[1]).toMatchObject({ ref: { name: 'db-credentials', key: 'DATABASE_URL' }, secret: true });
    expect(c.env[2]!.ref).toEqual({ name: 'app-config', key: 'POOL_MAX', optional: true });
    expect(c.env[3]).toMatchObject({ value: 'host=pgbouncer port=5432 $(NOT_EXPANDED)', raw: 'host=$(PGHOST) port=5432 $$(NOT_EXPANDED)' });
    expect(c.envFrom).toEqual([
      expect.objectContaining({ kind: 'configMapRef', name: 'app-config', optional: false }),
      expect.objectContaining({ kind: 'secretRef', name: 'db-credentials', prefix: 'DB_' }),
    ]);
    expect([c.memoryRequestBytes?.value, c.memoryLimitBytes?.value]).toEqual([256 * 2 ** 20, 1e9]);
  });
  test('autoscaling/v1 HPA: minReplicas defaults to 1', () => {
    expect(f.hpas[0]).toMatchObject({ target: { kind: 'Deployment', name: 'web' }, minReplicas: { value: 1, provenance: { kind: 'default' } }, maxReplicas: { value: 12 } });
  });
  test('StatefulSet running postgres with args only: settings, version, memory', () => {
    const pg = f.workloads.find((w) => w.meta.name === 'pg')!.containers[0]!.postgres!;
    expect(pg.detectedBy).toBe('image');
    expect(pg.majorVersion.value).toBe(16);
    expect(pg.settings.map((s) => [s.name, s.value])).toEqual([
      ['max_connections', '300'],
      ['shared_buffers', '1GB'],
    ]);
  });
  test('edoburu pgbouncer Deployment: Recreate means no surge; a mounted /etc/pgbouncer makes env settings ignored', () => {
    const d = f.workloads.find((w) => w.meta.name === 'pgbouncer')!;
    expect(d.maxSurge?.value).toBe(0);
    expect(d.containers[0]!.pgbouncer).toMatchObject({ image: 'edoburu', envSettingsIgnored: true, version: { value: '1.25.2' } });
    expect(f.services.find((s) => s.meta.name === 'pgbouncer')).toMatchObject({ selector: { app: 'pgbouncer' }, ports: [{ port: 5432, targetPort: 'pg' }] });
  });
  test('CNPG Pooler defaults (1 instance, session, rw) and Zalando pooler defaults (transaction, 60 server connections)', () => {
    expect(f.cnpgPoolers[0]).toMatchObject({ instances: { value: 1, provenance: { kind: 'default' } }, poolMode: { value: 'session', provenance: { kind: 'default' } }, type: { value: 'rw' } });
    expect(f.zalandoClusters[0]!.connectionPooler).toMatchObject({ numberOfInstances: { value: 3 }, mode: { value: 'transaction' }, maxDBConnections: { value: 60 } });
  });
  test('kind: List items are read', () => {
    expect(f.services.find((s) => s.meta.name === 'listed')?.ports[0]?.port).toBe(80);
  });
});
