import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/**
 * Facts of one Dockerfile (https://docs.docker.com/reference/dockerfile/): its build stages and,
 * per stage, what decides which code the image runs: the base (an image or an earlier stage),
 * the files copied in, the working directory, CMD and ENTRYPOINT. Plain data, every fact located.
 */
export interface DockerfileFacts {
  file: string;
  kind: 'dockerfile';
  /** The escape character (`\` unless a `# escape=` parser directive says `` ` ``). */
  escape: '\\' | '`';
  /** The `--build-arg` values these facts were read with (compose `build.args`); absent: the ARG defaults. */
  buildArgs?: Record<string, string>;
  /** ARGs declared before the first FROM (usable in FROM lines), with their defaults. */
  globalArgs: DockerArg[];
  stages: DockerStage[];
  problems: InputProblem[];
}

export interface DockerArg {
  name: string;
  default?: string;
  range: SourceRange;
}

export interface DockerStage {
  /** 0-based position in the file (`--target` and `COPY --from=<n>` may name it). */
  index: number;
  /** `AS <name>`, lower-cased (stage names are case-insensitive). */
  name?: string;
  /** The FROM argument after ARG substitution (`node:20-alpine`, or an earlier stage's name). */
  base: string;
  /** Why the base image is unknown: a variable of `FROM ${BASE_IMAGE}` that no ARG default or --build-arg sets (`base` is then the text as written). */
  baseUnknown?: string;
  /** Index of the earlier stage this one builds on, when `base` names one. */
  baseStage?: number;
  range: SourceRange;
  /** WORKDIR after this stage's last WORKDIR (relative ones joined to the previous); undefined = inherited or `/`. */
  workdir?: string;
  copies: DockerCopy[];
  cmd?: DockerCommand;
  entrypoint?: DockerCommand;
  /** Every RUN's command text (a `cd x && npm run build` tells which package a stage builds). */
  runs: Array<{ text: string; range: SourceRange }>;
}

export interface DockerCopy {
  instruction: 'COPY' | 'ADD';
  /** `--from=<stage name | index | image>`; the build context when absent. */
  from?: string;
  /** Source paths as written (after ARG/ENV substitution): relative to the build context, or to the `--from` stage's root. */
  sources: string[];
  /** Destination; relative ones are joined to the stage's WORKDIR at that point (`workdir`). */
  dest: string;
  /** The WORKDIR in force when the instruction ran. */
  workdir: string;
  range: SourceRange;
}

export interface DockerCommand {
  /** exec form (a JSON array) or shell form (run with `/bin/sh -c`). */
  form: 'exec' | 'shell';
  /** exec: the array; shell: the words of the command line (split like a shell). */
  argv: string[];
  /** The argument text as written. */
  text: string;
  range: SourceRange;
}
