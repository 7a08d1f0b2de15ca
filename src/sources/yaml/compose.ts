import { dirname, isAbsolute, resolve } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import { postgresClientProgram } from './postgres-args.js';
import { commandFact, isSecretName, locatedString, postgresFacts, resolvedBytes, resolvedInt } from './common.js';
import { pgbouncerImageFacts } from './image-env.js';
import { parseImageRef, pgbouncerImageKind, pgbouncerVersionFromTag } from './images.js';
import { interpolate } from './interpolate.js';
import { get, mapEntries, parseYaml, scalarString, seqItems, type LNode } from './located.js';
import { parseComposeBytes } from './units.js';
import type { BindMount, ComposeFacts, ComposeService, EnvSourceRef, EnvVarFact, LocatedString, PortMapping } from './types.js';
import { capProblemsPerFile } from '../../core/limits.js';

/**
 * Reads a compose file (compose specification, https://github.com/compose-spec/compose-spec).
 * `env` is the environment interpolation resolves against: the project's `.env` beside the
 * compose file (compose reads it for interpolation, never `env_file:` files). Variables it does
 * not define are kept as written and listed in `unresolved`.
 */
export function extractCompose(text: string, file: string, env: ReadonlyMap<string, string> = new Map()): ComposeFacts {
  const facts = readCompose(text, file, env);
  facts.problems = capProblemsPerFile(facts.problems);
  return facts;
}

function readCompose(text: string, file: string, env: ReadonlyMap<string, string> = new Map()): ComposeFacts {
  const parsed = parseYaml(text, file);
  const problems: InputProblem[] = [...parsed.problems];
  const facts: ComposeFacts = { file, kind: 'compose', services: [], problems };
  const header = headerComment(text, file);
  if (header) facts.headerComment = header;
  const doc = parsed.documents.find((d) => d.root !== null);
  if (parsed.documents.filter((d) => d.root !== null).length > 1) {
    problems.push({ message: 'A compose file holds one YAML document; only the first was read.', severity: 'warning', range: parsed.documents[1]!.range });
  }
  const root = doc?.root;
  if (!root) return facts;
  if (root.kind !== 'map') {
    problems.push({ message: 'A compose file must be a mapping at the top level.', range: root.range });
    return facts;
  }
  const name = locatedString(get(root, 'name'), env);
  if (name) facts.projectName = name;
  const services = get(root, 'services');
  if (services && services.kind !== 'map' && !(services.kind === 'scalar' && services.value === null)) {
    problems.push({ message: '`services` must be a mapping of service names to definitions.', range: services.range });
    return facts;
  }
  const baseDir = dirname(file);
  for (const e of mapEntries(services)) {
    if (e.value.kind !== 'map') {
      if (!(e.value.kind === 'scalar' && e.value.value === null)) problems.push({ message: `Service "${e.key}" must be a mapping.`, range: e.value.range });
      continue;
    }
    facts.services.push(readService(e.key, e.keyRange, e.value, env, baseDir));
  }
  return facts;
}

function readService(name: string, nameRange: SourceRange, svc: LNode, env: ReadonlyMap<string, string>, baseDir: string): ComposeService {
  const s: ComposeService = {
    name,
    nameRange,
    range: svc.range,
    environment: readEnvironment(get(svc, 'environment'), env),
    envFiles: readEnvFiles(get(svc, 'env_file'), env, baseDir),
    replicas: { value: 1, provenance: { kind: 'default', note: 'compose runs one container per service unless deploy.replicas or scale is set' } },
    binds: [],
    ports: [],
    profiles: [],
    dependsOn: [],
    dependsOnCompleted: [],
  };
  const imageStr = locatedString(get(svc, 'image'), env);
  if (imageStr) s.image = parseImageRef(imageStr.value, imageStr.range, imageStr.unresolved);
  const build = get(svc, 'build');
  if (build) {
    const context = build.kind === 'map' ? locatedString(get(build, 'context'), env) : locatedString(build, env);
    const ctx: LocatedString = context ?? { value: '.', range: build.range };
    const b: NonNullable<ComposeService['build']> = { context: ctx, resolvedContext: resolvePath(baseDir, ctx.value), range: build.range };
    const dockerfile = build.kind === 'map' ? locatedString(get(build, 'dockerfile'), env) : undefined;
    if (dockerfile) b.dockerfile = dockerfile;
    const target = build.kind === 'map' ? locatedString(get(build, 'target'), env) : undefined;
    if (target) b.target = target;
    const args: Record<string, string> = {};
    const argsNode = build.kind === 'map' ? get(build, 'args') : undefined;
    for (const e of mapEntries(argsNode)) {
      const v = e.value.kind === 'scalar' && e.value.value !== null ? locatedString(e.value, env) : undefined;
      if (v && !v.unresolved) args[e.key] = v.value;
    }
    for (const it of seqItems(argsNode)) {
      const v = locatedString(it, env);
      const eq = v?.value.indexOf('=') ?? -1;
      if (v && !v.unresolved && eq > 0) args[v.value.slice(0, eq)] = v.value.slice(eq + 1);
    }
    if (Object.keys(args).length > 0) b.args = args;
    s.build = b;
  }
  const command = commandFact(get(svc, 'command'), env);
  if (command) s.command = command;
  const entrypoint = commandFact(get(svc, 'entrypoint'), env);
  if (entrypoint) s.entrypoint = entrypoint;

  // deploy.replicas wins over the legacy `scale` (compose-go loader: scale is copied into deploy.replicas when unset).
  const deploy = get(svc, 'deploy');
  const mode = scalarString(get(deploy, 'mode'));
  const replicas = resolvedInt(get(deploy, 'replicas'), env) ?? resolvedInt(get(svc, 'scale'), env);
  if (mode === 'global') {
    s.replicas = { value: undefined, provenance: { kind: 'unknown', reason: 'deploy.mode: global runs one container per Swarm node' }, range: get(deploy, 'mode')!.range };
  } else if (replicas) s.replicas = replicas;
  const mem = resolvedBytes(get(deploy, 'resources', 'limits', 'memory'), parseComposeBytes, env) ?? resolvedBytes(get(svc, 'mem_limit'), parseComposeBytes, env);
  if (mem) s.memoryLimitBytes = mem;
  const memRes =
    resolvedBytes(get(deploy, 'resources', 'reservations', 'memory'), parseComposeBytes, env) ?? resolvedBytes(get(svc, 'mem_reservation'), parseComposeBytes, env);
  if (memRes) s.memoryReservationBytes = memRes;

  for (const v of seqItems(get(svc, 'volumes'))) {
    const b = readVolume(v, env, baseDir);
    if (b) s.binds.push(b);
  }
  for (const p of seqItems(get(svc, 'ports'))) {
    const port = readPort(p, env);
    if (port) s.ports.push(port);
  }
  const networkMode = locatedString(get(svc, 'network_mode'), env);
  if (networkMode) s.networkMode = networkMode;
  const hostname = locatedString(get(svc, 'hostname'), env);
  if (hostname) s.hostname = hostname;
  const containerName = locatedString(get(svc, 'container_name'), env);
  if (containerName) s.containerName = containerName;
  for (const p of seqItems(get(svc, 'profiles'))) {
    const v = locatedString(p, env);
    if (v) s.profiles.push(v);
  }
  const dependsOn = get(svc, 'depends_on');
  if (dependsOn?.kind === 'seq') {
    for (const d of dependsOn.items) {
      const v = locatedString(d, env);
      if (v) s.dependsOn.push(v);
    }
  } else {
    for (const d of mapEntries(dependsOn)) {
      s.dependsOn.push({ value: d.key, range: d.keyRange });
      if (scalarString(get(d.value, 'condition')) === 'service_completed_successfully') s.dependsOnCompleted.push({ value: d.key, range: d.keyRange });
    }
  }
  const workingDir = locatedString(get(svc, 'working_dir'), env);
  if (workingDir) s.workingDir = workingDir;
  const restart = locatedString(get(svc, 'restart'), env);
  if (restart) s.restart = restart;

  const hint = /postgres|pgsql/i.test(`${s.build?.dockerfile?.value ?? ''} ${s.build?.context.value ?? ''}`);
  const shape = {
    env: s.environment,
    binds: s.binds,
    postgresHint: hint,
    ...(s.image ? { image: s.image } : {}),
    ...(s.entrypoint ? { program: s.entrypoint.args } : {}),
    ...(s.command ? { args: s.command.args } : {}),
  };
  const client = postgresClientProgram(s.entrypoint?.args ?? s.command?.args ?? []);
  if (client) s.postgresClient = client;
  // A postgres image that runs psql (to create a database, wait for the server) is a client, not a server.
  const pg = client ? undefined : postgresFacts(shape);
  if (pg) s.postgres = pg;
  const kind = s.image ? pgbouncerImageKind(s.image) : undefined;
  if (kind && s.image) {
    const v = pgbouncerVersionFromTag(s.image.tag);
    s.pgbouncer = pgbouncerImageFacts(
      kind,
      s.environment,
      s.binds.map((b) => ({ containerPath: b.containerPath, bind: b })),
      v ? { value: v, range: s.image.range } : undefined,
    );
  }
  return s;
}

function resolvePath(baseDir: string, p: string): string {
  if (p.startsWith('~')) return p; // the home directory of whoever runs compose: not known
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** `environment:` as a mapping (`KEY: value`, `KEY:` = from the shell) or a list (`KEY=value`, `KEY`). */
function readEnvironment(node: LNode | undefined, env: ReadonlyMap<string, string>): EnvVarFact[] {
  const out: EnvVarFact[] = [];
  if (!node) return out;
  if (node.kind === 'map') {
    for (const e of node.entries) {
      const f: EnvVarFact = { name: e.key, nameRange: e.keyRange, range: e.keyRange, from: 'host' };
      if (e.value.kind === 'scalar' && e.value.value !== null) {
        const v = locatedString(e.value, env)!;
        f.value = v.value;
        f.range = v.range;
        f.from = 'inline';
        if (v.raw !== undefined) f.raw = v.raw;
        if (v.unresolved) f.unresolved = v.unresolved;
      }
      if (isSecretName(e.key)) f.secret = true;
      const via = e.value.via ?? e.merged;
      if (via) f.via = via;
      out.push(f);
    }
    return out;
  }
  for (const item of seqItems(node)) {
    const raw = scalarString(item);
    if (raw === undefined) continue;
    const eq = raw.indexOf('=');
    const name = eq === -1 ? raw : raw.slice(0, eq);
    const exact = item.kind === 'scalar' && item.lineMap.kind === 'exact' ? item.lineMap : undefined;
    const nameRange: SourceRange = exact
      ? { file: item.range.file, line: exact.firstLine, column: exact.columnOffset + 1, endLine: exact.firstLine, endColumn: exact.columnOffset + 1 + name.length }
      : item.range;
    const f: EnvVarFact = { name, nameRange, range: nameRange, from: 'host' };
    if (eq !== -1) {
      const rawValue = raw.slice(eq + 1);
      const r = interpolate(rawValue, env);
      f.from = 'inline';
      f.value = r.value;
      f.range = exact ? { ...item.range, line: exact.firstLine, column: exact.columnOffset + eq + 2, endLine: exact.firstLine, endColumn: exact.columnOffset + raw.length + 1 } : item.range;
      if (r.changed) f.raw = rawValue;
      if (r.unresolved.length > 0) f.unresolved = r.unresolved;
    }
    if (isSecretName(name)) f.secret = true;
    if (item.via) f.via = item.via;
    out.push(f);
  }
  return out;
}

/** `env_file:` a path, a list of paths, or a list of `{ path, required }` (required defaults to true). */
function readEnvFiles(node: LNode | undefined, env: ReadonlyMap<string, string>, baseDir: string): EnvSourceRef[] {
  if (!node) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  const out: EnvSourceRef[] = [];
  for (const it of items) {
    const path = it.kind === 'map' ? locatedString(get(it, 'path'), env) : locatedString(it, env);
    if (!path) continue;
    const required = it.kind === 'map' ? get(it, 'required') : undefined;
    const optional = required?.kind === 'scalar' && (required.value === false || required.value === 'false');
    out.push({ kind: 'env-file', name: path.value, resolvedPath: resolvePath(baseDir, path.value), optional, range: it.range });
  }
  return out;
}

/** A bind mount from the short (`./a:/b:ro`) or long (`type: bind`) volume syntax; named volumes are skipped. */
function readVolume(node: LNode, env: ReadonlyMap<string, string>, baseDir: string): BindMount | undefined {
  if (node.kind === 'map') {
    const type = scalarString(get(node, 'type'));
    const source = locatedString(get(node, 'source'), env);
    const target = locatedString(get(node, 'target'), env);
    if (type !== 'bind' || !source || !target) return undefined;
    const ro = get(node, 'read_only');
    return { hostPath: source.value, resolvedHostPath: resolvePath(baseDir, source.value), containerPath: target.value, readOnly: ro?.kind === 'scalar' && ro.value === true, range: node.range };
  }
  const s = locatedString(node, env);
  if (!s) return undefined;
  // SOURCE:TARGET[:MODE]; a Windows drive (`C:\x`) keeps its colon.
  const m = /^((?:[A-Za-z]:[\\/])?[^:]*):([^:]+)(?::([^:]*))?$/.exec(s.value);
  if (!m) return undefined;
  const source = m[1]!;
  if (!/^(\.|\/|~|[A-Za-z]:[\\/])/.test(source)) return undefined; // a named volume
  const mode = (m[3] ?? '').split(',');
  return { hostPath: source, resolvedHostPath: resolvePath(baseDir, source), containerPath: m[2]!, readOnly: mode.includes('ro'), range: s.range };
}

function readPort(node: LNode, env: ReadonlyMap<string, string>): PortMapping | undefined {
  if (node.kind === 'map') {
    const target = locatedString(get(node, 'target'), env);
    if (!target) return undefined;
    const published = locatedString(get(node, 'published'), env);
    return { target: target.value, range: node.range, ...(published ? { published: published.value } : {}) };
  }
  const s = locatedString(node, env);
  if (!s) return undefined;
  // [HOST:][PUBLISHED:]TARGET[/PROTOCOL]
  const v = s.value.replace(/\/(tcp|udp|sctp)$/, '');
  const last = v.lastIndexOf(':');
  if (last === -1) return { target: v, range: s.range };
  const before = v.slice(0, last);
  const published = before.includes(':') ? before.slice(before.lastIndexOf(':') + 1) : before;
  return { target: v.slice(last + 1), published, range: s.range };
}

/** Longest header comment kept (characters): enough for a sentence or two of "what this file is". */
const MAX_HEADER = 2000;

/**
 * The comment block a file starts with (blank lines, `%` directives and a `---` marker may come
 * before it): what the author says the file is for ("Core local-dev stack", "for the test suite").
 */
export function headerComment(text: string, file: string): { text: string; range: SourceRange } | undefined {
  const lines = text.slice(0, 64 * 1024).split(/\r\n|\n|\r/);
  const out: string[] = [];
  let first = -1;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t.startsWith('#')) {
      if (first === -1) first = i;
      last = i;
      out.push(t.replace(/^#+\s?/, ''));
      if (out.join('\n').length > MAX_HEADER) break;
      continue;
    }
    if (first === -1 && (t === '' || t === '---' || t.startsWith('%'))) continue;
    if (first !== -1 && t === '') continue;
    break;
  }
  if (first === -1) return undefined;
  const joined = out.join('\n').slice(0, MAX_HEADER).trim();
  if (joined === '') return undefined;
  return { text: joined, range: { file, line: first + 1, column: 1, endLine: last + 1, endColumn: lines[last]!.length + 1 } };
}
