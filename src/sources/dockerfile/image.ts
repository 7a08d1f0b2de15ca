import { posix } from 'node:path';
import type { DockerCommand, DockerfileFacts, DockerStage } from './types.js';

/** A path of the build context (`/`-separated, relative, '' = the whole context) and where the image holds it. */
export interface ContextMapping {
  context: string;
  container: string;
}

/** What an image built from one stage of a Dockerfile holds and runs. */
export interface BuiltImage {
  stage: DockerStage;
  /** WORKDIR the container starts in (`/` when no stage of the chain sets one). */
  workdir: string;
  /** CMD and ENTRYPOINT in force (inherited from the base stage when the stage sets none). */
  cmd?: DockerCommand;
  entrypoint?: DockerCommand;
  /** Build-context paths the image holds, directly or through `COPY --from=<stage>`. */
  files: ContextMapping[];
}

/**
 * Entries kept per stage, and for all stages together: a real Dockerfile copies tens of paths;
 * a hostile one could multiply them through chains of stages (each stage starts with its base's).
 */
const MAX_MAPPINGS_PER_STAGE = 10_000;
const MAX_MAPPINGS_TOTAL = 200_000;

/** The stage `--target` names (case-insensitive), or the last stage; undefined when the Dockerfile has no such stage. */
export function targetStage(d: DockerfileFacts, target: string | undefined): DockerStage | undefined {
  if (target === undefined) return d.stages[d.stages.length - 1];
  const t = target.toLowerCase();
  return d.stages.find((s) => s.name === t);
}

/**
 * What the image of `stage` holds and runs: its own CMD/ENTRYPOINT or the nearest base stage's,
 * and every build-context path that reaches it (its base stages' files, its COPY/ADD from the
 * context, and what it copies from other stages, followed back to the context).
 */
export function builtImage(d: DockerfileFacts, stage: DockerStage): BuiltImage {
  const files = stageFiles(d, stage.index);
  let cmd: DockerCommand | undefined;
  let entrypoint: DockerCommand | undefined;
  let workdir: string | undefined;
  for (let s: DockerStage | undefined = stage, n = 0; s && n <= d.stages.length; s = s.baseStage !== undefined ? d.stages[s.baseStage] : undefined, n++) {
    cmd ??= s.cmd;
    entrypoint ??= s.entrypoint;
    workdir ??= s.workdir;
  }
  const out: BuiltImage = { stage, workdir: workdir ?? '/', files };
  if (cmd) out.cmd = cmd;
  if (entrypoint) out.entrypoint = entrypoint;
  return out;
}

/** The build-context path behind a container path of the image, when a COPY put it there. */
export function contextPathOf(image: BuiltImage, containerPath: string): string | undefined {
  let best: ContextMapping | undefined;
  for (const f of image.files) {
    if ((containerPath === f.container || containerPath.startsWith(f.container === '/' ? '/' : `${f.container}/`)) && (!best || f.container.length > best.container.length)) best = f;
  }
  if (!best) {
    // A directory that holds copied trees laid out as in the context (`WORKDIR /app`, `COPY dist ./dist`):
    // it is the context directory those trees sit in.
    for (const f of image.files) {
      if (!f.container.startsWith(containerPath === '/' ? '/' : `${containerPath}/`)) continue;
      const r = posix.relative(containerPath, f.container);
      if (f.context === r) return '';
      if (f.context.endsWith(`/${r}`)) return f.context.slice(0, -(r.length + 1));
    }
    return undefined;
  }
  const rest = posix.relative(best.container, containerPath);
  return posix.join(best.context, rest).replace(/^\.$/, '').replace(/^\.\//, '');
}

/**
 * The context paths of every stage up to `last`, in file order: a stage reads only earlier ones
 * (FROM and COPY --from name earlier stages), so one pass suffices and nothing recurses.
 */
function stageFiles(d: DockerfileFacts, last: number): ContextMapping[] {
  const all: ContextMapping[][] = [];
  const names = new Map<string, number>();
  for (const st of d.stages) if (st.name !== undefined && !names.has(st.name)) names.set(st.name, st.index);
  let total = 0;
  for (let index = 0; index <= last && index < d.stages.length; index++) {
    const stage = d.stages[index]!;
    // Past the total cap, stages hold nothing known (the model then counts the whole context).
    const out: ContextMapping[] = total < MAX_MAPPINGS_TOTAL && stage.baseStage !== undefined ? [...(all[stage.baseStage] ?? [])] : [];
    if (total >= MAX_MAPPINGS_TOTAL) {
      all.push(out);
      continue;
    }
    for (const c of stage.copies) {
      if (out.length >= MAX_MAPPINGS_PER_STAGE) break;
      const dest = posix.resolve(c.workdir, c.dest);
      const destIsDir = c.dest.endsWith('/') || c.sources.length > 1;
      if (c.from === undefined) {
        for (const src of c.sources) {
          const ctx = normalizeContextPath(src);
          if (ctx === undefined) continue;
          // A directory's contents go into dest; a file goes into dest/ when dest is a directory.
          out.push({ context: ctx, container: destIsDir && looksLikeFile(src) ? posix.join(dest, posix.basename(ctx)) : dest });
        }
        continue;
      }
      const fromIdx = stageIndex(d, c.from, index, names);
      if (fromIdx === undefined) continue; // an image outside the repository
      const inner = all[fromIdx] ?? [];
      for (const src of c.sources) {
        const p = posix.resolve('/', src);
        for (const f of inner) {
          if (p === f.container || p.startsWith(f.container === '/' ? '/' : `${f.container}/`)) {
            // Part of a copied tree: its context path is the same part of the tree's.
            const ctx = posix.join(f.context, posix.relative(f.container, p)).replace(/^\.$/, '');
            out.push({ context: ctx, container: destIsDir && looksLikeFile(p) ? posix.join(dest, posix.basename(p)) : dest });
          } else if (f.container.startsWith(p === '/' ? '/' : `${p}/`)) {
            // A tree that contains a copied path: that path moves with it.
            out.push({ context: f.context, container: posix.join(dest, posix.relative(p, f.container)) });
          }
        }
      }
    }
    const kept = out.length > MAX_MAPPINGS_PER_STAGE ? out.slice(0, MAX_MAPPINGS_PER_STAGE) : out;
    total += kept.length;
    all.push(kept);
  }
  return all[last] ?? [];
}

/** `--from=<name>` or `--from=<index>` of an earlier stage; anything else is an image. */
function stageIndex(d: DockerfileFacts, from: string, before: number, names: ReadonlyMap<string, number>): number | undefined {
  if (/^\d+$/.test(from)) {
    const n = Number(from);
    return n < before ? n : undefined;
  }
  const i = names.get(from.toLowerCase());
  return i !== undefined && i < before ? i : undefined;
}

/** A source path relative to the context (`./apps/api/` → `apps/api`, `.` → ''); undefined for URLs and paths that leave it. */
function normalizeContextPath(src: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith('git@')) return undefined;
  const n = posix.normalize(src.replace(/^\/+/, ''));
  if (n === '..' || n.startsWith('../')) return undefined;
  return n === '.' || n === './' ? '' : n.replace(/\/+$/, '');
}

/** `package.json`, `tsconfig*.json`, `*.lock` are files; `apps/api`, `src`, `.` are directories. */
function looksLikeFile(p: string): boolean {
  const base = posix.basename(p.replace(/\/+$/, ''));
  return !p.endsWith('/') && (/[^.]\.[A-Za-z0-9*]+$/.test(base) || EXTENSIONLESS_FILES.test(base));
}

/** Well-known files without an extension that Dockerfiles copy alone (Ruby's Gemfile, Python's Pipfile …). */
const EXTENSIONLESS_FILES = /^(Gemfile|Rakefile|Procfile|Pipfile|Makefile|Dockerfile|Brewfile|Guardfile|Capfile|LICENSE|README|VERSION|mvnw|gradlew|\.(ruby|python|node)-version|\.nvmrc|\.npmrc|\.tool-versions)$/;
