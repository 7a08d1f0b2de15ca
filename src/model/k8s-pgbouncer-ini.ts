/**
 * PgBouncer configurations embedded in Kubernetes ConfigMaps (`pgbouncer.ini: |`). Volume mounts are
 * not modelled: a PgBouncer workload without environment settings reads the ConfigMap ini of its
 * namespace (deployment/poolers.ts `k8sPooler`), and the endpoint classification
 * (connection-resolver.ts `endpointContext`) takes its listen_port and pool modes.
 */
import type { SourceRange } from '../core/location.js';
import { loadPgbouncerConfig } from '../sources/pgbouncer-ini/load.js';
import type { ConnstringItem, IniEntry, PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import { mapEmbeddedRange } from '../sources/yaml/located.js';
import type { EmbeddedLineMap } from '../sources/yaml/types.js';
import { DEFAULT_NAMESPACE } from './deployment/context.js';
import type { ProjectFacts } from './project.js';

export interface EmbeddedIni {
  id: string;
  ns: string;
  configMap: string;
  key: string;
  range: SourceRange;
  config: PgbouncerConfig;
}

const cache = new WeakMap<object, EmbeddedIni[]>();

/**
 * `pgbouncer.ini: |` keys of ConfigMaps, parsed with the PgBouncer reader and mapped back onto the
 * YAML lines; once per facts object (the deployment model's poolers and the endpoint classification
 * of both models read the same ones).
 */
export function embeddedPgbouncerInis(facts: Pick<ProjectFacts, 'root' | 'kubernetes'>): readonly EmbeddedIni[] {
  const hit = cache.get(facts.kubernetes);
  if (hit) return hit;
  const out: EmbeddedIni[] = [];
  cache.set(facts.kubernetes, out);
  for (const k8s of facts.kubernetes) {
    for (const cm of k8s.configMaps) {
      for (const ini of cm.iniFiles) {
        if (!/\[(pgbouncer|databases)\]/.test(ini.text)) continue;
        const virtual = `${k8s.file}#${cm.meta.name ?? 'configmap'}/${ini.key}`;
        const cfg = loadPgbouncerConfig(virtual, {
          repoRoot: facts.root,
          readFile: (p) => (p === virtual ? { ok: true, path: p, text: ini.text, hasBom: false, problems: [] } : { ok: false, path: p, problem: { message: 'not embedded', range: ini.range } }),
        });
        out.push({
          id: virtual,
          ns: cm.meta.namespace ?? DEFAULT_NAMESPACE,
          configMap: cm.meta.name ?? 'configmap',
          key: ini.key,
          range: ini.range,
          config: remapConfig(cfg, ini.lineMap, k8s.file),
        });
      }
    }
  }
  return out;
}

/** Moves every range of a config parsed from embedded text onto the YAML file that holds it. */
function remapConfig(cfg: PgbouncerConfig, lineMap: EmbeddedLineMap, yamlFile: string): PgbouncerConfig {
  const map = (r: SourceRange): SourceRange => mapEmbeddedRange(lineMap, yamlFile, r);
  const seen = new Set<object>();
  const entry = (e: IniEntry): void => {
    if (seen.has(e)) return;
    seen.add(e);
    e.file = yamlFile;
    e.keyRange = map(e.keyRange);
    e.valueRange = map(e.valueRange);
    e.range = map(e.range);
  };
  const item = (i: ConnstringItem): void => {
    if (seen.has(i)) return;
    seen.add(i);
    i.keyRange = map(i.keyRange);
    i.valueRange = map(i.valueRange);
  };
  for (const e of cfg.settings) entry(e);
  for (const e of cfg.effective.values()) entry(e);
  for (const e of [...cfg.peers, ...cfg.other]) entry(e);
  for (const d of [...cfg.databases, ...cfg.users]) {
    entry(d.entry);
    d.items.forEach(item);
    for (const i of d.params.values()) item(i);
  }
  cfg.mainFile = yamlFile;
  cfg.files = [yamlFile];
  cfg.problems = [];
  return cfg;
}
