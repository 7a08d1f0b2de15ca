import { basename } from 'node:path';
import type { YamlFileKind } from './types.js';

/**
 * Cheap classification of a deployment file by name, then by a look at its top-level keys
 * (no YAML parse). `helm-values` files are YAML without apiVersion/kind that feed a chart:
 * not manifests, skipped.
 */
/** Named like a compose file (`compose.yaml`, `docker-compose.prod.yml`): ours even when it does not parse. */
export function isComposeName(path: string): boolean {
  return /^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/.test(basename(path).toLowerCase());
}

/**
 * `services:` followed by a mapping of service definitions (compose), not a list (a Render
 * blueprint `render.yaml`, other tools' files): the first entry under it is `name:`, not `- …`.
 */
function servicesIsMapping(head: string): boolean {
  const m = /^services[^\S\r\n]*:[^\S\r\n]*(\S.*)?$/m.exec(head);
  if (!m) return false;
  const inline = m[1]?.replace(/\s+#.*$/, '');
  if (inline !== undefined && !inline.startsWith('#')) return inline.startsWith('{');
  for (const line of head.slice(m.index + m[0].length).split(/\r?\n/).slice(1, 200)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    return /^[^\S\r\n]+/.test(line) && !t.startsWith('-');
  }
  return false;
}

export function classifyYamlFile(path: string, text: string): YamlFileKind {
  const name = basename(path).toLowerCase();
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  if (isComposeName(path)) return 'compose';
  // GitHub Actions workflows have `services:` under a job, never a compose file.
  if (/(^|[\\/])\.github[\\/]workflows[\\/]/.test(path)) return 'other';
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
  // Guessed from content: only when `services` is a mapping of service definitions.
  if (topKeys.has('services') && !topKeys.has('apiVersion') && servicesIsMapping(head)) return 'compose';
  // A line `[- ]script:`. Not /^\s*-?\s*script\s*:/m: its two `\s*` span lines and share every blank
  // run, so 8,000 blank lines took minutes (cubic); same lines matched.
  if (topKeys.has('apps') && /^[^\S\r\n\u2028\u2029]*(?:-[^\S\r\n\u2028\u2029]*)?script\s*:/m.test(head)) return 'pm2';
  if (topKeys.has('functions') && topKeys.has('provider')) return 'serverless';
  if (/^values([.-][\w.-]+)?\.ya?ml$/.test(name) || /\.values\.ya?ml$/.test(name)) return 'helm-values';
  return 'other';
}
