import { posix } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import { capProblemsPerFile } from '../../core/limits.js';
import { shellSplit } from '../yaml/postgres-args.js';
import type { DockerArg, DockerCommand, DockerCopy, DockerfileFacts, DockerStage } from './types.js';

/**
 * Reads a Dockerfile the way BuildKit's parser does (https://docs.docker.com/reference/dockerfile/,
 * moby/buildkit frontend/dockerfile/parser): parser directives at the top (`# escape=`), whole-line
 * comments, line continuations with the escape character (trailing blanks allowed), here-documents
 * (`RUN <<EOF` … `EOF`), then one instruction per logical line. Only the instructions that decide
 * what the image runs are read: FROM, ARG, ENV, WORKDIR, COPY, ADD, RUN, CMD, ENTRYPOINT.
 * Never throws; what Docker would refuse is a located problem.
 */
export function parseDockerfile(text: string, file: string, buildArgs?: Readonly<Record<string, string>>): DockerfileFacts {
  const facts: DockerfileFacts = { file, kind: 'dockerfile', escape: '\\', globalArgs: [], stages: [], problems: [] };
  if (buildArgs && Object.keys(buildArgs).length > 0) facts.buildArgs = { ...buildArgs };
  const lines = text.split(/\r\n|\n|\r/);
  let i = 0;

  // Parser directives: `# key=value` lines before anything else (a blank line, comment or instruction ends them).
  const seenDirectives = new Set<string>();
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (seenDirectives.has(key)) break; // a repeated directive is a comment
    seenDirectives.add(key);
    if (key === 'escape') {
      if (m[2] === '\\' || m[2] === '`') facts.escape = m[2];
      else facts.problems.push({ severity: 'warning', message: `Invalid escape directive "${m[2]}": Docker accepts only \\ or \`.`, range: lineRange(file, i + 1, lines[i]!) });
    }
  }

  const continuation = new RegExp(`${facts.escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const first = lines[i]!;
    if (/^\s*$/.test(first) || /^\s*#/.test(first)) {
      i++;
      continue;
    }
    const startLine = i + 1;
    let joined = '';
    let line = first;
    let endLine = startLine;
    for (;;) {
      if (continuation.test(line)) {
        joined += line.replace(continuation, '');
        i++;
        // Comment and empty lines inside a continued instruction are dropped (BuildKit).
        while (i < lines.length && (/^\s*#/.test(lines[i]!) || /^\s*$/.test(lines[i]!))) i++;
        if (i >= lines.length) break;
        line = lines[i]!;
        endLine = i + 1;
        continue;
      }
      joined += line;
      i++;
      break;
    }
    const range: SourceRange = { file, line: startLine, column: first.length - first.trimStart().length + 1, endLine, endColumn: (lines[endLine - 1] ?? '').length + 1 };
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(joined);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    // Here-documents (`<<EOF`, `<<-EOF`, `<<"EOF"`): their lines belong to the instruction, not to the file's instructions.
    const heredocs: string[] = [];
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') {
      for (const h of rest.matchAll(/<<(-?)(["']?)([A-Za-z_][\w.-]*)\2/g)) {
        const stripTabs = h[1] === '-';
        const word = h[3]!;
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const l = lines[i]!;
          i++;
          if ((stripTabs ? l.replace(/^\t+/, '') : l) === word) {
            closed = true;
            break;
          }
          body.push(l);
        }
        if (!closed) facts.problems.push({ severity: 'warning', message: `The here-document ${word} of this ${keyword} is never closed: Docker reads to the end of the file and the instruction fails.`, range });
        heredocs.push(body.join('\n'));
        range.endLine = i;
        range.endColumn = (lines[i - 1] ?? '').length + 1;
      }
    }
    instructions.push({ keyword, rest, range, heredocs });
  }

  readInstructions(facts, instructions);
  facts.problems = capProblemsPerFile(facts.problems);
  return facts;
}

interface Instruction {
  keyword: string;
  rest: string;
  range: SourceRange;
  heredocs: string[];
}

const KNOWN = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

/** Per stage while reading: variables (ARG and ENV) in force and the current WORKDIR. */
interface StageState {
  vars: Map<string, string>;
  env: Map<string, string>;
  workdir: string;
}

function readInstructions(facts: DockerfileFacts, list: Instruction[]): void {
  // A --build-arg sets a declared ARG, overriding its default (Dockerfile reference, "ARG").
  const given = new Map(Object.entries(facts.buildArgs ?? {}));
  const globals = new Map<string, string | undefined>();
  const states: StageState[] = [];
  const stageByName = new Map<string, number>();
  let stage: DockerStage | undefined;
  let state: StageState | undefined;
  // Warnings: pgconn-lint only reads what a Dockerfile runs; Docker itself reports the build error.
  const problem = (message: string, range: SourceRange) => facts.problems.push({ message, range, severity: 'warning' });

  for (const ins of list) {
    const { keyword, rest, range } = ins;
    if (!KNOWN.has(keyword)) {
      problem(`Unknown instruction ${keyword}: Docker refuses to build this Dockerfile.`, range);
      continue;
    }
    if (keyword === 'FROM') {
      const words = rest.split(/\s+/).filter((w) => w !== '' && !w.startsWith('--'));
      const globalVars = new Map([...globals].filter((e): e is [string, string] => e[1] !== undefined));
      const raw = words[0] ?? '';
      if (raw === '') {
        problem('FROM needs an image or a stage name.', range);
        continue;
      }
      // `ARG BASE_IMAGE` without a default, then `FROM ${BASE_IMAGE}`: valid (the image comes with
      // --build-arg); Docker refuses only an empty value at build time. The image is unknown, not empty.
      const unset = unsetVariables(raw, globalVars);
      const resolved = substitute(raw, globalVars);
      if (unset.length === 0 && resolved === '') {
        problem(`FROM needs an image or a stage name: ${raw} is empty.`, range);
        continue;
      }
      const base = unset.length > 0 ? raw : resolved;
      let name: string | undefined;
      if (words.length >= 3 && words[1]!.toUpperCase() === 'AS') name = words[2]!.toLowerCase();
      else if (words.length > 1) problem(`FROM takes an image and an optional "AS <name>"; "${words.slice(1).join(' ')}" is not understood.`, range);
      if (name !== undefined && stageByName.has(name)) problem(`Stage name "${name}" is used twice: Docker refuses the Dockerfile.`, range);
      const baseIdx = unset.length > 0 ? -1 : stageByName.get(base.toLowerCase()) ?? -1;
      const parent = baseIdx >= 0 ? states[baseIdx] : undefined;
      const baseUnknown = unset.length > 0 ? `the image is ${raw}, and ${unset.map((v) => `ARG ${v}`).join(', ')} ${unset.length > 1 ? 'have' : 'has'} no default: it is given with --build-arg` : undefined;
      stage = { index: facts.stages.length, base, range, copies: [], runs: [], ...(name !== undefined ? { name } : {}), ...(baseIdx >= 0 ? { baseStage: baseIdx } : {}), ...(baseUnknown !== undefined ? { baseUnknown } : {}) };
      // A stage built on an earlier one starts with its environment and working directory.
      state = { vars: new Map(parent?.env ?? []), env: new Map(parent?.env ?? []), workdir: parent?.workdir ?? '/' };
      if (parent) {
        const inherited = facts.stages[baseIdx]!.workdir;
        if (inherited !== undefined) stage.workdir = inherited;
      }
      facts.stages.push(stage);
      states.push(state);
      if (name !== undefined && !stageByName.has(name)) stageByName.set(name, stage.index);
      continue;
    }
    if (keyword === 'ARG') {
      for (const w of rest.split(/\s+/).filter((x) => x !== '')) {
        const eq = w.indexOf('=');
        const name = eq === -1 ? w : w.slice(0, eq);
        const dflt = eq === -1 ? undefined : unquote(w.slice(eq + 1));
        if (!stage || !state) {
          globals.set(name, given.get(name) ?? dflt);
          const a: DockerArg = { name, range };
          if (dflt !== undefined) a.default = dflt;
          facts.globalArgs.push(a);
        } else {
          // `ARG X` inside a stage takes the global default of X (Dockerfile reference, "Scope").
          const v = given.get(name) ?? (dflt !== undefined ? substitute(dflt, state.vars) : globals.get(name));
          if (v !== undefined) state.vars.set(name, v);
        }
      }
      continue;
    }
    if (!stage || !state) {
      problem(`${keyword} before the first FROM: only ARG may come before FROM.`, range);
      continue;
    }
    switch (keyword) {
      case 'ENV': {
        for (const [k, v] of envPairs(rest)) {
          const value = substitute(v, state.vars);
          state.vars.set(k, value);
          state.env.set(k, value);
        }
        break;
      }
      case 'WORKDIR': {
        const p = substitute(unquote(rest), state.vars);
        if (p === '') {
          problem('WORKDIR needs a path.', range);
          break;
        }
        state.workdir = posix.resolve(state.workdir, p);
        stage.workdir = state.workdir;
        break;
      }
      case 'COPY':
      case 'ADD': {
        const c = readCopy(keyword, rest, state, range, ins.heredocs.length > 0);
        if (typeof c === 'string') problem(c, range);
        else stage.copies.push(c);
        break;
      }
      case 'RUN':
        stage.runs.push({ text: rest, range });
        break;
      case 'CMD':
      case 'ENTRYPOINT': {
        const cmd = readCommand(rest, range);
        if (keyword === 'CMD') stage.cmd = cmd;
        else {
          stage.entrypoint = cmd;
          // "If CMD is defined from the base image, setting ENTRYPOINT will reset CMD to an empty value."
          if (stage.cmd === undefined) stage.cmd = { form: 'exec', argv: [], text: '', range };
        }
        break;
      }
      default:
        break;
    }
  }
  if (facts.stages.length === 0 && list.length > 0) problem('This Dockerfile has no FROM instruction: Docker cannot build it.', list[0]!.range);
}

/** COPY/ADD `[--flags] <src>... <dest>` or the JSON form `["<src>", … "<dest>"]`. */
function readCopy(instruction: 'COPY' | 'ADD', rest: string, state: StageState, range: SourceRange, heredoc: boolean): DockerCopy | string {
  let from: string | undefined;
  let words = rest.split(/\s+/).filter((w) => w !== '');
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    const m = /^--from=(.*)$/.exec(flag);
    if (m) from = substitute(unquote(m[1]!), state.vars);
  }
  const body = words.join(' ');
  if (body.startsWith('[')) {
    const json = jsonStrings(body);
    if (json) words = json;
  }
  // A here-document source (`COPY <<EOF /app/x`) is inline text, not a path of the context.
  words = words.filter((w) => !/^<<-?["']?[A-Za-z_]/.test(w));
  const paths = words.map((w) => substitute(w, state.vars));
  if (paths.length < (heredoc ? 1 : 2)) return `${instruction} needs at least one source and a destination.`;
  const dest = paths[paths.length - 1]!;
  const c: DockerCopy = { instruction, sources: paths.slice(0, -1), dest, workdir: state.workdir, range };
  if (from !== undefined) c.from = from;
  return c;
}

/** CMD/ENTRYPOINT: the exec form when the argument is a JSON array of strings, else the shell form. */
function readCommand(rest: string, range: SourceRange): DockerCommand {
  const json = rest.startsWith('[') ? jsonStrings(rest) : undefined;
  if (json) return { form: 'exec', argv: json, text: rest, range };
  return { form: 'shell', argv: shellSplit(rest).map((w) => w.word), text: rest, range };
}

function jsonStrings(s: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `ENV a=1 b="x y"` or the legacy `ENV a 1 2` (one variable, the rest is its value). */
function envPairs(rest: string): Array<[string, string]> {
  const words = shellSplit(rest);
  if (words.length === 0) return [];
  if (!words[0]!.word.includes('=')) {
    const value = rest.slice(words[0]!.end).trim();
    return [[words[0]!.word, unquote(value)]];
  }
  return words.map((w) => {
    const eq = w.word.indexOf('=');
    return eq === -1 ? [w.word, ''] : [w.word.slice(0, eq), w.word.slice(eq + 1)];
  });
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0] ? t.slice(1, -1) : t;
}

/**
 * Dockerfile variable substitution (reference, "Environment replacement"): `$VAR`, `${VAR}`,
 * `${VAR:-word}`, `${VAR:+word}`, `${VAR-word}`, `${VAR+word}`; `\$` is a literal dollar. An undefined
 * variable is the empty string, as in Docker.
 */
/** The variables `s` names (`$X`, `${X}`, not `${X:-default}`) that `vars` does not set. */
function unsetVariables(s: string, vars: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? m[3];
    if (name === undefined || (m[2] !== undefined && m[2].replace(/^:/, '').startsWith('-'))) continue;
    if (!vars.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

export function substitute(s: string, vars: ReadonlyMap<string, string>): string {
  if (!s.includes('$')) return s;
  return s.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, braced?: string, op?: string, word?: string, bare?: string) => {
    if (all === '\\$') return '$';
    const name = braced ?? bare!;
    const v = vars.get(name);
    if (op === undefined) return v ?? '';
    const set = op.startsWith(':') ? v !== undefined && v !== '' : v !== undefined;
    return op.endsWith('-') ? (set ? v! : word ?? '') : set ? word ?? '' : '';
  });
}

function lineRange(file: string, line: number, text: string): SourceRange {
  return { file, line, column: 1, endLine: line, endColumn: text.length + 1 };
}
