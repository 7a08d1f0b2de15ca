/**
 * The Dockerfile extractor against the Dockerfile reference grammar
 * (https://docs.docker.com/reference/dockerfile/): parser directives, comments, continuations,
 * here-documents, multi-stage builds, COPY --from, CMD/ENTRYPOINT in exec and shell form, ARG.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtImage, contextPathOf, targetStage } from '../../src/sources/dockerfile/image.js';
import { parseDockerfile } from '../../src/sources/dockerfile/parse.js';
import { REPO_ROOT } from '../support/paths.js';

const fixture = (name: string) => {
  const file = join(REPO_ROOT, 'fixtures/dockerfile', name);
  return parseDockerfile(readFileSync(file, 'utf8'), file);
};
const parse = (text: string) => parseDockerfile(text, '/repo/Dockerfile');

describe('Dockerfile extractor', () => {
  it('reads a multi-stage build: stages, bases, global ARG in FROM, WORKDIR inheritance', () => {
    const d = fixture('multi-stage.Dockerfile');
    expect(d.problems).toEqual([]);
    expect(d.globalArgs).toEqual([expect.objectContaining({ name: 'NODE_VERSION', default: '20' })]);
    expect(d.stages.map((s) => [s.name, s.base, s.baseStage, s.workdir])).toEqual([
      ['base', 'node:20-alpine', undefined, '/app'],
      ['deps', 'base', 0, '/app'],
      ['build', 'deps', 1, '/app'],
      ['api', 'base', 0, '/app'],
      ['web', 'nginx:1.27-alpine', undefined, undefined],
    ]);
    const build = d.stages[2]!;
    // The continued RUN is one instruction spanning two lines.
    expect(build.runs[0]).toMatchObject({ text: 'npm run build -w api  && npm run build -w web', range: { line: 14, endLine: 15 } });
    const api = d.stages[3]!;
    expect(api.cmd).toMatchObject({ form: 'exec', argv: ['node', 'apps/api/dist/main.js'], range: { line: 23 } });
    expect(api.copies.map((c) => [c.from, c.sources, c.dest])).toEqual([
      ['deps', ['/app/node_modules'], './node_modules'],
      ['build', ['/app/apps/api/dist'], './apps/api/dist'],
      ['build', ['/app/apps/api/package.json'], './apps/api/'],
    ]);
  });

  it('follows COPY --from back to the build context, per target', () => {
    const d = fixture('multi-stage.Dockerfile');
    const api = builtImage(d, targetStage(d, 'api')!);
    expect(api.workdir).toBe('/app');
    expect(contextPathOf(api, '/app/apps/api/dist/main.js')).toBe('apps/api/dist/main.js');
    expect(api.files.map((f) => f.context)).not.toContain('apps/web/dist');
    const web = builtImage(d, targetStage(d, 'WEB')!); // stage names are case-insensitive
    expect(web.files.map((f) => [f.context, f.container])).toEqual([['apps/web/dist', '/usr/share/nginx/html']]);
    expect(web.cmd).toBeUndefined(); // nginx's own CMD: not in the repository
    expect(targetStage(d, undefined)?.name).toBe('web'); // no target: the last stage
    expect(targetStage(d, 'nope')).toBeUndefined();
  });

  it('honours the escape directive (backtick) and drops comments inside a continued instruction', () => {
    const d = fixture('escape-backtick.Dockerfile');
    expect(d.escape).toBe('`');
    expect(d.problems).toEqual([]);
    const s = d.stages[0]!;
    expect(s.runs[0]!.text).toBe('powershell -Command     Write-Host hello');
    expect(s.entrypoint).toMatchObject({ form: 'shell', text: 'node server\\index.js' });
    expect(s.copies[0]).toMatchObject({ sources: ['server'], dest: 'C:\\app\\server' });
  });

  it('skips here-document bodies and reads the instructions after them', () => {
    const d = fixture('heredoc.Dockerfile');
    expect(d.problems).toEqual([]);
    const s = d.stages[0]!;
    expect(s.cmd).toMatchObject({ form: 'shell', argv: ['node', 'src/index.js', '--port', '8080'], range: { line: 11 } });
    expect(s.copies.map((c) => [c.sources, c.dest])).toEqual([[[], '/srv/app.conf'], [['src/'], './src/']]);
    expect(contextPathOf(builtImage(d, s), '/srv/src/index.js')).toBe('src/index.js');
  });

  it('ENTRYPOINT resets an inherited CMD; a stage inherits CMD and ENTRYPOINT from its base stage', () => {
    const d = parse('FROM node:20 AS a\nCMD ["node", "a.js"]\nFROM a AS b\nENTRYPOINT ["tini", "--"]\nFROM a AS c\n');
    expect(builtImage(d, d.stages[1]!).cmd?.argv).toEqual([]);
    expect(builtImage(d, d.stages[1]!).entrypoint?.argv).toEqual(['tini', '--']);
    expect(builtImage(d, d.stages[2]!).cmd?.argv).toEqual(['node', 'a.js']);
  });

  it('takes a malformed JSON array as the shell form, as Docker does', () => {
    const d = parse("FROM node:20\nCMD ['node', 'x.js']\n");
    expect(d.stages[0]!.cmd?.form).toBe('shell');
  });

  it('substitutes ARG and ENV in COPY, WORKDIR and --from', () => {
    const d = parse('ARG APP=api\nFROM node:20 AS build\nARG APP\nENV ROOT=/srv\nWORKDIR $ROOT/${APP}\nCOPY apps/${APP} .\nFROM node:20\nCOPY --from=build /srv/api /app\n');
    expect(d.stages[0]!.workdir).toBe('/srv/api');
    expect(d.stages[0]!.copies[0]!.sources).toEqual(['apps/api']);
    const img = builtImage(d, d.stages[1]!);
    expect(contextPathOf(img, '/app/src/db.ts')).toBe('apps/api/src/db.ts');
  });

  it('reads FROM ${ARG} with an ARG that has no default as an unknown image, not an empty FROM (trigger.dev base-images)', () => {
    const d = fixture('from-build-arg.Dockerfile');
    expect(d.problems).toEqual([]);
    expect(d.stages.map((s) => [s.name, s.base, s.baseUnknown])).toEqual([
      ['runtime', '${BASE_IMAGE}', 'the image is ${BASE_IMAGE}, and ARG BASE_IMAGE has no default: it is given with --build-arg'],
      ['app', 'node:20-slim', undefined],
    ]);
    // The RUN belongs to the runtime stage, not "before the first FROM".
    expect(d.stages[0]!.runs.map((r) => r.range.line)).toEqual([8]);
    // A --build-arg (compose build.args) makes it known.
    const withArg = parseDockerfile(readFileSync(join(REPO_ROOT, 'fixtures/dockerfile/from-build-arg.Dockerfile'), 'utf8'), '/repo/Dockerfile', { BASE_IMAGE: 'debian:bookworm-slim' });
    expect(withArg.stages[0]).toMatchObject({ base: 'debian:bookworm-slim' });
    expect(withArg.stages[0]!.baseUnknown).toBeUndefined();
    // A default in the FROM itself, or an ARG set to nothing.
    expect(parse('ARG B\nFROM ${B:-node:20}\n').stages[0]).toMatchObject({ base: 'node:20' });
    expect(parse('ARG B=\nFROM ${B}\n').problems.map((p) => [p.range.line, p.message])).toEqual([
      [2, 'FROM needs an image or a stage name: ${B} is empty.'],
      [1, 'This Dockerfile has no FROM instruction: Docker cannot build it.'],
    ]);
  });

  it('reports what Docker refuses as located warnings, never throws', () => {
    const d = parse('RUN echo hi\nFROM\nFROM node:20 AS x\nFROM node:20 AS X\nBOGUS thing\nCOPY onlyone\nRUN <<EOF\necho\n');
    expect(d.problems.map((p) => [p.range.line, p.severity, p.message.split(':')[0]])).toEqual([
      [7, 'warning', 'The here-document EOF of this RUN is never closed'],
      [1, 'warning', 'RUN before the first FROM'],
      [2, 'warning', 'FROM needs an image or a stage name.'],
      [4, 'warning', 'Stage name "x" is used twice'],
      [5, 'warning', 'Unknown instruction BOGUS'],
      [6, 'warning', 'COPY needs at least one source and a destination.'],
    ]);
    expect(parse('').stages).toEqual([]);
    expect(parse('# just a comment\n').problems).toEqual([]);
    expect(parse('CMD x\n').problems.map((p) => p.message)).toContain('This Dockerfile has no FROM instruction: Docker cannot build it.');
  });
});

describe('Dockerfile discovery', () => {
  it('finds Dockerfile, Dockerfile.<variant> and <variant>.Dockerfile, not ignore files or templates', async () => {
    const { classifyByName } = await import('../../src/discovery/discover.js');
    for (const n of ['Dockerfile', 'dockerfile', 'Dockerfile.prod', 'api.Dockerfile', 'web.dockerfile']) expect(classifyByName(`/r/${n}`)).toBe('dockerfile');
    for (const n of ['Dockerfile.dockerignore', '.dockerignore', 'Dockerfile.j2', 'Dockerfile.template']) expect(classifyByName(`/r/${n}`)).not.toBe('dockerfile');
  });
});

describe('Dockerfile bounds (docs/security.md)', () => {
  it('stays linear: 300,000 continued lines, 5,000 stages each copying the previous one, an unclosed here-document', () => {
    let text = 'FROM node:20 AS s0\nWORKDIR /app\nCOPY . .\nRUN true \\\n' + '  && true \\\n'.repeat(300_000) + '  && true\n';
    for (let i = 1; i < 5_000; i++) text += `FROM node:20 AS s${i}\nCOPY --from=s${i - 1} /app /app\n`;
    text += 'RUN <<EOF\n' + 'echo\n'.repeat(100_000);
    const started = Date.now();
    const d = parse(text);
    const img = builtImage(d, d.stages[d.stages.length - 1]!);
    expect(Date.now() - started).toBeLessThan(10_000); // the bound of test/security/resources.test.ts
    expect(d.stages).toHaveLength(5_000);
    expect(contextPathOf(img, '/app/src/db.ts')).toBe('src/db.ts');
    expect(d.problems.map((p) => p.message)).toEqual(['The here-document EOF of this RUN is never closed: Docker reads to the end of the file and the instruction fails.']);
  });
});

describe('Dockerfile bounds: chains of stages', () => {
  it('5,000 stages each built FROM the previous one with 50 COPY lines stay bounded', () => {
    let text = 'FROM node:20 AS s0\nCOPY . /app\n';
    const copies = Array.from({ length: 50 }, (_, i) => `COPY d${i} /x/d${i}\n`).join('');
    for (let i = 1; i < 5_000; i++) text += `FROM s${i - 1} AS s${i}\n${copies}`;
    const started = Date.now();
    const d = parse(text);
    builtImage(d, d.stages[d.stages.length - 1]!);
    expect(Date.now() - started).toBeLessThan(10_000); // the bound of test/security/resources.test.ts
  });
});

describe('build arguments', () => {
  it('a --build-arg (compose build.args) sets a declared ARG, globally and in a stage; undeclared ones do nothing', () => {
    const text = 'ARG BASE=node:18\nFROM ${BASE} AS b\nARG APP=api\nARG BASE\nCOPY apps/${APP} /app/${NOPE}x\nWORKDIR /w/${BASE}\n';
    const d = parseDockerfile(text, '/r/Dockerfile', { APP: 'web', BASE: 'node:22', NOPE: 'y' });
    expect(d.buildArgs).toEqual({ APP: 'web', BASE: 'node:22', NOPE: 'y' });
    expect(d.stages[0]!.base).toBe('node:22');
    expect(d.stages[0]!.copies[0]).toMatchObject({ sources: ['apps/web'], dest: '/app/x' });
    expect(d.stages[0]!.workdir).toBe('/w/node:22');
    expect(parse(text).stages[0]!.copies[0]!.sources).toEqual(['apps/api']);
  });
});
