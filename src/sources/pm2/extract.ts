import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import { isSecretName, locatedString } from '../yaml/common.js';
import { get, mapEntries, parseYaml, scalarString, type LNode } from '../yaml/located.js';
import { parseJsExpressionFile, parseJsModuleExport } from '../yaml/located-js.js';
import type { EnvVarFact, Pm2App, Pm2Facts, Resolved } from '../yaml/types.js';
import { capProblemsPerFile } from '../../core/limits.js';

export interface ExtractPm2Options {
  /** CPU count of the machine PM2 runs on: resolves `instances: 'max'`, 0 and negative counts. */
  cpuCount?: number;
}

/**
 * Reads a PM2 ecosystem file without running it: `ecosystem.config.{js,cjs,mjs}` (the
 * exported object), `.json` (PM2 evaluates it as a JS expression, so JSON5-like files work)
 * and `.yml`/`.yaml`. The apps list is `apps`, else `pm2`, else the file's value itself
 * (an array or one app) — PM2 lib/API.js _startJson.
 */
export function extractPm2(text: string, file: string, options: ExtractPm2Options = {}): Pm2Facts {
  const facts = readPm2(text, file, options);
  facts.problems = capProblemsPerFile(facts.problems);
  return facts;
}

function readPm2(text: string, file: string, options: ExtractPm2Options = {}): Pm2Facts {
  let root: LNode | null = null;
  let format: Pm2Facts['format'];
  const problems: InputProblem[] = [];
  if (/\.(ya?ml)$/i.test(file)) {
    format = 'yaml';
    const parsed = parseYaml(text, file);
    problems.push(...parsed.problems);
    root = parsed.documents.find((d) => d.root !== null)?.root ?? null;
  } else if (/\.json5?$/i.test(file)) {
    const parsed = parseJsExpressionFile(text, file);
    format = parsed.strictJson ? 'json' : 'js-object';
    problems.push(...parsed.problems);
    root = parsed.root;
  } else {
    format = 'js';
    const parsed = parseJsModuleExport(text, file);
    problems.push(...parsed.problems);
    root = parsed.root;
  }
  const facts: Pm2Facts = { file, kind: 'pm2', format, apps: [], problems };
  if (!root) return facts;
  const list = get(root, 'apps') ?? get(root, 'pm2') ?? root;
  const apps = list.kind === 'seq' ? list.items : [list];
  for (const app of apps) {
    if (app.kind !== 'map') {
      if (app.kind !== 'unknown') problems.push({ message: 'A PM2 app must be an object.', severity: 'warning', range: app.range });
      continue;
    }
    facts.apps.push(readApp(app, options));
  }
  return facts;
}

function readApp(app: LNode, options: ExtractPm2Options): Pm2App {
  const instances = readInstances(get(app, 'instances'), options.cpuCount);
  const script = locatedString(get(app, 'script'));
  const out: Pm2App = {
    range: app.range,
    instances,
    execMode: readExecMode(get(app, 'exec_mode'), get(app, 'instances'), get(app, 'exec_interpreter') ?? get(app, 'interpreter'), script?.value),
    env: readEnvBlock(get(app, 'env')),
    envByName: {},
  };
  const name = locatedString(get(app, 'name'));
  if (name) out.name = name;
  if (script) out.script = script;
  const cwd = locatedString(get(app, 'cwd'));
  if (cwd) out.cwd = cwd;
  for (const e of mapEntries(app)) {
    if (e.key.startsWith('env_') && e.key.length > 4) out.envByName[e.key.slice(4)] = readEnvBlock(e.value);
  }
  return out;
}

/**
 * PM2 lib/Common.js verifyConfs: `'max'` → 0, a string → parseInt(…) || 0; lib/God.js prepare:
 * 0 → CPU count, n < 0 → CPU count + n, then at least 1. No `instances` → one process.
 */
export function readInstances(node: LNode | undefined, cpuCount?: number): Resolved<number> {
  if (!node || (node.kind === 'scalar' && node.value === null)) {
    return { value: 1, provenance: { kind: 'default', note: 'PM2 starts one process when instances is not set' } };
  }
  if (node.kind === 'unknown') {
    return { value: undefined, provenance: node.env ? { kind: 'env', envVar: node.env.name, ...(node.env.fallback !== undefined ? { fallback: node.env.fallback } : {}) } : { kind: 'unknown', reason: node.reason }, range: node.range };
  }
  if (node.kind !== 'scalar') return { value: undefined, provenance: { kind: 'unknown', reason: 'instances is not a number' }, range: node.range };
  let n: number;
  if (node.value === 'max') n = 0;
  else if (typeof node.value === 'number') n = Math.trunc(node.value);
  else if (typeof node.value === 'string') n = Number.parseInt(node.value, 10) || 0;
  else n = 0;
  if (n > 0) return { value: n, provenance: { kind: 'literal' }, range: node.range };
  const what = n === 0 ? `${node.value === 'max' ? "'max'" : String(node.value)} = one process per CPU core` : `${n} = CPU cores ${n} (at least 1)`;
  if (cpuCount !== undefined && cpuCount > 0) {
    const v = Math.max(n === 0 ? cpuCount : cpuCount + n, 1);
    return { value: v, provenance: { kind: 'default', note: `PM2 instances ${what}; ${cpuCount} CPUs configured` }, range: node.range };
  }
  return { value: undefined, provenance: { kind: 'default', note: `PM2 instances ${what}; the CPU count is not configured` }, range: node.range };
}

/**
 * PM2 lib/Common.js determineExecMode: `cluster`/`fork` are aliases of `cluster_mode`/`fork_mode`;
 * without exec_mode, cluster mode when instances is set (≥ 1, 0 or -1 after 'max' → 0) and the
 * interpreter is node or bun (lib/API/interpreter.json: .js → node, .ts → bun; other scripts
 * get bash/python/… and fork mode).
 */
function readExecMode(mode: LNode | undefined, instances: LNode | undefined, interpreter: LNode | undefined, script: string | undefined): Resolved<'cluster' | 'fork'> {
  const m = scalarString(mode);
  if (m !== undefined && mode) {
    const v = m.replace(/_mode$/, '');
    if (v === 'cluster' || v === 'fork') return { value: v, provenance: { kind: 'literal' }, range: mode.range };
    return { value: undefined, provenance: { kind: 'unknown', reason: `exec_mode "${m}"` }, range: mode.range };
  }
  const interp = scalarString(interpreter);
  const ext = script ? /\.[^./]+$/.exec(script)?.[0] : undefined;
  const byExt: Record<string, string> = { '.sh': 'bash', '.py': 'python', '.rb': 'ruby', '.php': 'php', '.pl': 'perl', '.js': 'node', '.coffee': 'coffee', '.ls': 'lsc', '.ts': 'bun', '.tsx': 'bun' };
  const effective = interp ?? (ext ? byExt[ext] ?? 'node' : 'node');
  const nodeLike = /(^|\/)(node|bun)$/.test(effective) || effective === 'node' || effective === 'bun';
  let inst: number | undefined;
  if (instances?.kind === 'scalar' && instances.value !== null) {
    inst = instances.value === 'max' ? 0 : typeof instances.value === 'number' ? instances.value : Number.parseInt(String(instances.value), 10) || 0;
  }
  const clusterByInstances = inst !== undefined && (inst >= 1 || inst === 0 || inst === -1);
  if (clusterByInstances && nodeLike) return { value: 'cluster', provenance: { kind: 'default', note: 'PM2 uses cluster mode when instances is set and the interpreter is node/bun' } };
  return { value: 'fork', provenance: { kind: 'default', note: 'PM2 default exec_mode: fork' } };
}

function readEnvBlock(node: LNode | undefined): EnvVarFact[] {
  const out: EnvVarFact[] = [];
  for (const e of mapEntries(node)) {
    const f: EnvVarFact = { name: e.key, nameRange: e.keyRange, range: e.value.range, from: 'inline' };
    if (e.value.kind === 'scalar' && e.value.value !== null) f.value = scalarString(e.value)!;
    else if (e.value.kind === 'unknown') {
      f.unresolved = [e.value.env ? `process.env.${e.value.env.name}` : e.value.reason];
      if (e.value.env?.fallback !== undefined) f.value = String(e.value.env.fallback);
    }
    if (isSecretName(e.key)) f.secret = true;
    const via: SourceRange | undefined = e.value.via ?? e.merged;
    if (via) f.via = via;
    out.push(f);
  }
  return out;
}
