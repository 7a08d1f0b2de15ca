import type { SourceRange } from '../../core/location.js';
import { bitnamiPostgresSettings, officialImageSuperuser, trimTrailingSlashes } from './image-env.js';
import { isBitnamiPostgres, isPostgresImage, postgresMajorFromImage } from './images.js';
import { interpolate } from './interpolate.js';
import { scalarString, type LNode } from './located.js';
import { isPostgresProgram, parsePostgresArgs, shellSplit } from './postgres-args.js';
import type { BindMount, CommandFact, EnvVarFact, ImageRef, LocatedString, PostgresServerFacts, Resolved, ServerSettingFact } from './types.js';

/** A scalar as a located string; compose interpolation applied when `env` is given. */
export function locatedString(node: LNode | undefined, env?: ReadonlyMap<string, string>): LocatedString | undefined {
  const v = scalarString(node);
  if (v === undefined || !node) return undefined;
  const out: LocatedString = { value: v, range: node.range };
  if (env) {
    const r = interpolate(v, env);
    if (r.changed) {
      out.value = r.value;
      out.raw = v;
    }
    if (r.unresolved.length > 0) out.unresolved = r.unresolved;
  }
  if (node.via) out.via = node.via;
  return out;
}

/**
 * A whole number written as a YAML int or a numeric string. With compose interpolation, the
 * provenance is `env` (first variable) and the value the resolved number (from the environment,
 * else the `${VAR:-default}` default); unknown when a variable is undefined.
 */
export function resolvedInt(node: LNode | undefined, env?: ReadonlyMap<string, string>): Resolved<number> | undefined {
  if (!node || node.kind === 'map' || node.kind === 'seq') return undefined;
  if (node.kind === 'unknown') {
    return { value: undefined, provenance: node.env ? { kind: 'env', envVar: node.env.name, ...(node.env.fallback !== undefined ? { fallback: node.env.fallback } : {}) } : { kind: 'unknown', reason: node.reason }, range: node.range };
  }
  if (node.value === null) return undefined;
  if (typeof node.value === 'number') {
    return Number.isInteger(node.value)
      ? { value: node.value, provenance: { kind: 'literal' }, range: node.range }
      : { value: undefined, provenance: { kind: 'unknown', reason: `${node.source} is not a whole number` }, range: node.range };
  }
  const text = String(node.value);
  if (env && text.includes('$')) {
    const r = interpolate(text, env);
    const envVar = r.variables[0] ?? text;
    if (r.unresolved.length > 0) return { value: undefined, provenance: { kind: 'env', envVar }, range: node.range };
    const n = toInt(r.value);
    return n === undefined
      ? { value: undefined, provenance: { kind: 'unknown', reason: `"${r.value}" (from ${text}) is not a whole number` }, range: node.range }
      : { value: n, provenance: { kind: 'env', envVar, fallback: n }, range: node.range };
  }
  const n = toInt(text);
  return n === undefined
    ? { value: undefined, provenance: { kind: 'unknown', reason: `"${text}" is not a whole number` }, range: node.range }
    : { value: n, provenance: { kind: 'literal' }, range: node.range };
}

export function toInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

/** A resolved byte size from a compose or Kubernetes size string. */
export function resolvedBytes(node: LNode | undefined, parse: (t: string | number) => number | undefined, env?: ReadonlyMap<string, string>): Resolved<number> | undefined {
  if (!node || node.kind !== 'scalar' || node.value === null) return undefined;
  let text: string | number = typeof node.value === 'number' ? node.value : String(node.value);
  let envVar: string | undefined;
  if (env && typeof text === 'string' && text.includes('$')) {
    const r = interpolate(text, env);
    envVar = r.variables[0];
    if (r.unresolved.length > 0) return { value: undefined, provenance: { kind: 'env', envVar: envVar ?? text }, range: node.range };
    text = r.value;
  }
  const v = parse(text);
  if (v === undefined) return { value: undefined, provenance: { kind: 'unknown', reason: `"${String(text)}" is not a size` }, range: node.range };
  return { value: v, provenance: envVar ? { kind: 'env', envVar, fallback: v } : { kind: 'literal' }, range: node.range };
}

/** A command given as a string (split like a shell) or a list. */
export function commandFact(node: LNode | undefined, env?: ReadonlyMap<string, string>): CommandFact | undefined {
  if (!node) return undefined;
  if (node.kind === 'seq') {
    const args: LocatedString[] = [];
    for (const it of node.items) {
      const s = locatedString(it, env);
      if (s) args.push(s);
    }
    return { form: 'list', args, range: node.range };
  }
  const s = locatedString(node, env);
  if (!s || node.kind !== 'scalar') return undefined;
  const exact = node.lineMap.kind === 'exact' && s.raw === undefined;
  const args = shellSplit(s.value).map((w): LocatedString => {
    const range: SourceRange =
      exact && node.lineMap.kind === 'exact'
        ? { file: node.range.file, line: node.lineMap.firstLine, column: node.lineMap.columnOffset + w.start + 1, endLine: node.lineMap.firstLine, endColumn: node.lineMap.columnOffset + w.end + 1 }
        : node.range;
    const a: LocatedString = { value: w.word, range };
    if (s.unresolved) a.unresolved = s.unresolved;
    if (s.via) a.via = s.via;
    return a;
  });
  return { form: 'string', args, range: node.range };
}

export interface ContainerShape {
  image?: ImageRef;
  /**
   * The argv the container runs when known: `program` is the overridden entrypoint/command
   * (compose `entrypoint`, Kubernetes `command`), `args` what is passed to it (compose
   * `command`, Kubernetes `args`), both undefined when the image's defaults apply.
   */
  program?: LocatedString[];
  args?: LocatedString[];
  env: EnvVarFact[];
  binds: BindMount[];
  /** Build context / Dockerfile / container name mentions postgres: lets `-c …`-only args count. */
  postgresHint: boolean;
}

/**
 * Recognises a container that runs the PostgreSQL server and reads its settings.
 * The official image's docker-entrypoint.sh runs `postgres "$@"` when the first argument starts
 * with `-` (`if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"`), so args-only commands
 * (`command: [-c, max_connections=500]`) configure the server.
 */
export function postgresFacts(c: ContainerShape): PostgresServerFacts | undefined {
  const imagePg = c.image !== undefined && isPostgresImage(c.image);
  const program = c.program ?? [];
  const args = c.args ?? [];
  let pgArgs: LocatedString[] | undefined;
  let detectedBy: PostgresServerFacts['detectedBy'] | undefined = imagePg ? 'image' : undefined;
  const first = program[0]?.value;
  if (first !== undefined) {
    // An overridden entrypoint: only `postgres …` (or the stock entrypoint script) is understood.
    if (isPostgresProgram(first)) {
      pgArgs = [...program.slice(1), ...args];
      detectedBy ??= 'command';
    } else {
      // The stock docker-entrypoint.sh, or a wrapper script (they end in `exec docker-entrypoint.sh "$@"`):
      // its arguments are read like the stock entrypoint's.
      const rest = /docker-entrypoint(\.sh)?$/.test(first) ? [...program.slice(1), ...args] : args;
      const viaEntrypoint = entrypointArgs(rest, imagePg || c.postgresHint);
      if (viaEntrypoint) {
        pgArgs = viaEntrypoint;
        if (rest[0] && isPostgresProgram(rest[0].value)) detectedBy ??= 'command';
      }
    }
  } else if (args.length > 0) {
    if (isPostgresProgram(args[0]!.value)) {
      pgArgs = args.slice(1);
      detectedBy ??= 'command';
    } else if (args[0]!.value.startsWith('-') && (imagePg || c.postgresHint)) {
      pgArgs = args;
      detectedBy ??= 'args-to-postgres-image';
    }
  }
  if (!detectedBy) return undefined;
  const settings: ServerSettingFact[] = [];
  if (pgArgs) settings.push(...parsePostgresArgs(pgArgs).settings);
  const bitnami = c.image !== undefined && isBitnamiPostgres(c.image);
  if (bitnami) settings.unshift(...bitnamiPostgresSettings(c.env));
  const majorVersion: Resolved<number> = c.image
    ? postgresMajorFromImage(c.image)
    : { value: undefined, provenance: { kind: 'unknown', reason: 'the image is built from a Dockerfile' } };
  const facts: PostgresServerFacts = { detectedBy, majorVersion, settings, mountedConfFiles: [] };
  const cfg = [...settings].reverse().find((s) => s.name === 'config_file');
  if (cfg) {
    facts.configFile = { containerPath: cfg.value, range: cfg.range };
    const mount = findMountFor(cfg.value, c.binds);
    if (mount) {
      facts.configFile.mount = mount.bind;
      facts.configFile.hostPath = mount.hostPath;
    }
  }
  const pgdata = c.env.filter((e) => e.name === 'PGDATA' && e.value).pop()?.value;
  const defaultConfs = pgdata ? [`${trimTrailingSlashes(pgdata)}/postgresql.conf`] : ['/var/lib/postgresql/data/postgresql.conf'];
  for (const b of c.binds) {
    if (!b.containerPath.endsWith('.conf')) continue;
    const loaded = cfg ? b.containerPath === cfg.value : defaultConfs.includes(b.containerPath);
    facts.mountedConfFiles.push({ ...b, loaded });
  }
  if (!bitnami) {
    const su = officialImageSuperuser(c.env);
    if (su) facts.superuser = su;
  }
  return facts;
}

/** docker-entrypoint.sh argument handling: `-…` → postgres args; `postgres …` → the rest. */
function entrypointArgs(rest: LocatedString[], postgresImage: boolean): LocatedString[] | undefined {
  const first = rest[0]?.value;
  if (first === undefined) return undefined;
  if (first.startsWith('-')) return postgresImage ? rest : undefined;
  if (isPostgresProgram(first)) return rest.slice(1);
  return undefined;
}

/** The bind mount providing a container path: the file itself, or a mounted parent directory. */
export function findMountFor(containerPath: string, binds: BindMount[]): { bind: BindMount; hostPath: string } | undefined {
  let best: { bind: BindMount; hostPath: string } | undefined;
  for (const b of binds) {
    const target = trimTrailingSlashes(b.containerPath);
    if (containerPath === target) return { bind: b, hostPath: b.resolvedHostPath };
    if (containerPath.startsWith(`${target}/`) && (!best || target.length > best.bind.containerPath.length)) {
      best = { bind: b, hostPath: `${trimTrailingSlashes(b.resolvedHostPath)}${containerPath.slice(target.length)}` };
    }
  }
  return best;
}

/** Env var names whose values are credentials: flagged so that no output prints them. */
export function isSecretName(name: string): boolean {
  return /PASSW(OR)?D|PASSPHRASE/i.test(name);
}
