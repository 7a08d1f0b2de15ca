import { basename } from 'node:path';
import type { YamlFileKind } from './types.js';

/**
 * Cheap classification of a deployment file by name, then by a look at its top-level keys
 * (no YAML parse). `helm-values` files are YAML without apiVersion/kind that feed a chart:
 * not manifests, skipped.
 */
export function classifyYamlFile(path: string, text: string): YamlFileKind {
  const name = basename(path).toLowerCase();
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  if (/^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/.test(name)) return 'compose';
  if (/^serverless(\.[\w-]+)?\.ya?ml$/.test(name) || name === 'vercel.json') return 'serverless';
  if (/^ecosystem([.-][\w-]+)*\.(config\.)?(c|m)?js$/.test(name) || /^ecosystem([.-][\w-]+)*\.(json5?|ya?ml)$/.test(name)) return 'pm2';
  if (/\.(c|m)?js$|\.json5?$/.test(name)) {
    // PM2 process files under other names (process.json, pm2.config.js): an `apps` list with `script`.
    // PM2 also accepts a top-level array of apps (lib/API.js _startJson).
    const script = /["']?script["']?\s*:/.test(head);
    return script && (/["']?apps["']?\s*:/.test(head) || /^\s*\[/.test(head)) ? 'pm2' : 'other';
  }
  if (!/\.ya?ml$/.test(name)) return 'other';
  // A Helm chart template is not YAML until rendered.
  if (/(^|[\\/])templates[\\/]/.test(path) && head.includes('{{')) return 'other';
  const topKeys = new Set<string>();
  for (const m of head.matchAll(/^([A-Za-z_][\w.-]*)\s*:/gm)) topKeys.add(m[1]!);
  if (topKeys.has('apiVersion') && topKeys.has('kind')) return 'kubernetes';
  if (topKeys.has('services') && !topKeys.has('apiVersion')) return 'compose';
  // A line `[- ]script:`. Not /^\s*-?\s*script\s*:/m: its two `\s*` span lines and share every blank
  // run, so 8,000 blank lines took minutes (cubic); same lines matched.
  if (topKeys.has('apps') && /^[^\S\r\n\u2028\u2029]*(?:-[^\S\r\n\u2028\u2029]*)?script\s*:/m.test(head)) return 'pm2';
  if (topKeys.has('functions') && topKeys.has('provider')) return 'serverless';
  if (/^values([.-][\w.-]+)?\.ya?ml$/.test(name) || /\.values\.ya?ml$/.test(name)) return 'helm-values';
  return 'other';
}
