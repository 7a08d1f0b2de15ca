import { basename } from 'node:path';
import { isSecretName, locatedString, resolvedInt } from '../yaml/common.js';
import { get, mapEntries, parseYaml, scalarString, type LNode } from '../yaml/located.js';
import { parseJsExpressionFile } from '../yaml/located-js.js';
import type { EnvVarFact, Resolved, ServerlessFacts, ServerlessFunction } from '../yaml/types.js';
import { capProblemsPerFile } from '../../core/limits.js';
import { dollarReferences } from '../env/expand.js';

/**
 * Reads a Serverless Framework `serverless.yml` or a Vercel `vercel.json`.
 * Netlify (`netlify.toml`) is not read: its functions have no concurrency setting to read.
 */
export function extractServerless(text: string, file: string): ServerlessFacts {
  const facts = readServerless(text, file);
  facts.problems = capProblemsPerFile(facts.problems);
  return facts;
}

function readServerless(text: string, file: string): ServerlessFacts {
  if (basename(file).toLowerCase() === 'vercel.json') return extractVercel(text, file);
  const parsed = parseYaml(text, file);
  const facts: ServerlessFacts = { file, kind: 'serverless', framework: 'serverless', providerEnvironment: [], functions: [], problems: [...parsed.problems] };
  const root = parsed.documents.find((d) => d.root !== null)?.root;
  if (!root) return facts;
  const service = locatedString(get(root, 'service')) ?? locatedString(get(root, 'service', 'name'));
  if (service) facts.service = service;
  const provider = get(root, 'provider');
  const providerName = locatedString(get(provider, 'name')) ?? locatedString(provider);
  if (providerName) facts.provider = providerName;
  const runtime = locatedString(get(provider, 'runtime'));
  if (runtime) facts.runtime = runtime;
  facts.providerEnvironment = envBlock(get(provider, 'environment'));
  const providerMemory = intOrVariable(get(provider, 'memorySize'));
  const providerTimeout = intOrVariable(get(provider, 'timeout'));
  for (const e of mapEntries(get(root, 'functions'))) {
    const fn = e.value;
    const f: ServerlessFunction = {
      name: e.key,
      range: fn.range,
      maxConcurrency: {
        value: undefined,
        provenance: {
          kind: 'unknown',
          reason: 'no reservedConcurrency: concurrent executions are bounded only by the AWS account limit (1,000 per region by default)',
        },
      },
      environment: envBlock(get(fn, 'environment')),
    };
    const handler = locatedString(get(fn, 'handler'));
    if (handler) {
      f.handler = handler;
      // `path/to/module.export` (AWS Lambda handler syntax): the export follows the last dot.
      const dot = handler.value.lastIndexOf('.');
      if (dot > 0) {
        f.handlerModule = handler.value.slice(0, dot);
        f.handlerExport = handler.value.slice(dot + 1);
      }
    }
    const reserved = intOrVariable(get(fn, 'reservedConcurrency'));
    if (reserved) {
      f.reservedConcurrency = reserved;
      // AWS Lambda: reserved concurrency is both the minimum and the maximum of concurrent instances.
      if (reserved.value !== undefined) f.maxConcurrency = reserved;
    }
    const provisioned = intOrVariable(get(fn, 'provisionedConcurrency'));
    if (provisioned) f.provisionedConcurrency = provisioned;
    const memory = intOrVariable(get(fn, 'memorySize')) ?? providerMemory;
    if (memory) f.memoryMb = memory;
    const timeout = intOrVariable(get(fn, 'timeout')) ?? providerTimeout;
    if (timeout) f.timeoutSeconds = timeout;
    facts.functions.push(f);
  }
  return facts;
}

/** A number, or a Serverless variable (`${self:custom.x}`, `${env:X, 5}`) kept as unknown. */
function intOrVariable(node: LNode | undefined): Resolved<number> | undefined {
  const s = scalarString(node);
  if (s !== undefined && s.includes('${') && node) {
    const env = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?:\s*,\s*(\d+))?\s*\}$/.exec(s.trim());
    if (env) {
      const fallback = env[2] !== undefined ? Number(env[2]) : undefined;
      return { value: fallback, provenance: { kind: 'env', envVar: env[1]!, ...(fallback !== undefined ? { fallback } : {}) }, range: node.range };
    }
    return { value: undefined, provenance: { kind: 'unknown', reason: `Serverless variable ${s}` }, range: node.range };
  }
  return resolvedInt(node);
}

function envBlock(node: LNode | undefined): EnvVarFact[] {
  const out: EnvVarFact[] = [];
  for (const e of mapEntries(node)) {
    const f: EnvVarFact = { name: e.key, nameRange: e.keyRange, range: e.value.range, from: 'inline' };
    const v = scalarString(e.value);
    if (v !== undefined) {
      f.value = v;
      const vars = dollarReferences(v, true);
      if (vars.length > 0) f.unresolved = vars;
    }
    if (isSecretName(e.key)) f.secret = true;
    out.push(f);
  }
  return out;
}

/**
 * vercel.json `functions`: glob → { memory, maxDuration, runtime }. Vercel scales function
 * instances automatically and the file sets no concurrency limit, so it stays unknown.
 */
function extractVercel(text: string, file: string): ServerlessFacts {
  const parsed = parseJsExpressionFile(text, file);
  const facts: ServerlessFacts = { file, kind: 'serverless', framework: 'vercel', providerEnvironment: [], functions: [], problems: [...parsed.problems] };
  if (parsed.root && !parsed.strictJson) {
    facts.problems.push({ message: 'vercel.json is not strict JSON; Vercel will reject it.', range: parsed.root.range });
  }
  const root = parsed.root;
  if (!root) return facts;
  facts.provider = { value: 'vercel', range: root.range };
  facts.providerEnvironment = envBlock(get(root, 'env'));
  for (const e of mapEntries(get(root, 'functions'))) {
    const f: ServerlessFunction = {
      name: e.key,
      range: e.value.range,
      handler: { value: e.key, range: e.keyRange },
      maxConcurrency: { value: undefined, provenance: { kind: 'unknown', reason: 'Vercel scales function instances automatically; vercel.json sets no concurrency limit' } },
      environment: [],
    };
    const memory = resolvedInt(get(e.value, 'memory'));
    if (memory) f.memoryMb = memory;
    const maxDuration = resolvedInt(get(e.value, 'maxDuration'));
    if (maxDuration) f.timeoutSeconds = maxDuration;
    facts.functions.push(f);
  }
  return facts;
}

