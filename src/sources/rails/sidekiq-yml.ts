import type { AppSetting, ProcessConfigFile } from '../app/types.js';
import { expandErb, tagsIn } from '../ruby/erb.js';
import { numberSetting } from '../ruby/values.js';
import { mapEntries, parseYaml, type LNode } from '../yaml/located.js';

/**
 * Sidekiq's config/sidekiq.yml (Sidekiq 8.1 lib/sidekiq/cli.rb parse_config): ERB, then YAML with
 * keys symbolized (`concurrency:` and `:concurrency:` are the same key), then the section of the
 * current environment merged over the top level (`production: { concurrency: 20 }`).
 */
export function extractSidekiqConfig(text: string, file: string): ProcessConfigFile {
  const erb = expandErb(text, file);
  const yaml = parseYaml(erb.text, file);
  const out: ProcessConfigFile = { file, server: 'sidekiq', problems: [...erb.problems, ...yaml.problems], concurrency: { value: 'threads', source: 'Sidekiq runs each job on one of its threads' } };
  const root = yaml.documents[0]?.root;
  if (!root || root.kind !== 'map') return out;
  const key = (k: string) => k.replace(/^:/, '');
  const concurrencyOf = (node: LNode | undefined): AppSetting<number> | undefined => {
    const e = mapEntries(node).find((x) => key(x.key) === 'concurrency');
    if (!e) return undefined;
    const v = e.value;
    if (v.kind !== 'scalar') return { value: undefined, provenance: { kind: 'unknown', reason: 'concurrency is not a number' }, range: v.range };
    if (typeof v.value === 'number') return { value: v.value, provenance: { kind: 'literal' }, range: v.range };
    if (typeof v.value === 'string') {
      const t = tagsIn(v.value, erb.tags);
      if (t.whole) return numberSetting(t.whole.value, t.whole.range);
      if (/^\d+$/.test(v.value.trim())) return { value: Number(v.value.trim()), provenance: { kind: 'literal' }, range: v.range };
    }
    return { value: undefined, provenance: { kind: 'unknown', reason: `concurrency \`${String(v.value)}\` is not a number` }, range: v.range };
  };
  const top = concurrencyOf(root);
  if (top) out.threads = top;
  const byEnv: NonNullable<ProcessConfigFile['byEnvironment']> = [];
  for (const e of root.entries) {
    if (e.value.kind !== 'map') continue;
    const c = concurrencyOf(e.value);
    if (c) byEnv.push({ environment: key(e.key), threads: c });
  }
  if (byEnv.length > 0) out.byEnvironment = byEnv;
  return out;
}
