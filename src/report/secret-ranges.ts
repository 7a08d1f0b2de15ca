import { LineIndex, type SourceRange } from '../core/location.js';
import type { ProjectModel } from '../model/project-model.js';
import type { ProjectFacts } from '../model/project.js';
import type { EnvVarFact } from '../sources/yaml/types.js';
import { isPasswordKey, isPasswordReference, isSecretOptionName, redactSourceText, secretSpans } from '../core/redact.js';

/**
 * Where the parsers found a secret, by file: a password item of a PgBouncer connection string, a
 * `password=` inside a postgresql.conf value, a *PASSWORD* variable of a .env file, compose
 * service or container, every value of a Kubernetes Secret, a password or TLS key in a pool's
 * options (and the constant it comes from), every connection string with a password. Source
 * frames mask these ranges whatever the syntax of the line (issue 16), on top of what the line
 * scanners of redact.ts find on their own.
 */
export function secretRangesByFile(model: ProjectModel): Map<string, SourceRange[]> {
  const facts = model.facts;
  const out = new Map<string, SourceRange[]>();
  const indexes = new Map<string, LineIndex | undefined>();
  const lineTexts = new Map<string, string | undefined>();
  /** The text written at `r`, when it is on one line (each line is cut out once: a minified file is one long line). */
  const written = (r: SourceRange): string | undefined => {
    if (r.line !== r.endLine) return undefined;
    const key = `${r.line}:${r.file}`;
    if (!lineTexts.has(key)) {
      if (!indexes.has(r.file)) {
        const text = facts.sources.get(r.file)?.text;
        indexes.set(r.file, text === undefined ? undefined : new LineIndex(text));
      }
      lineTexts.set(key, indexes.get(r.file)?.lineText(r.line));
    }
    return lineTexts.get(key)?.slice(r.column - 1, r.endColumn - 1);
  };
  const add = (range: SourceRange | undefined): void => {
    if (range === undefined) return;
    // a string literal keeps its quotes in the frame: `password: '***'`
    const text = written(range);
    const q = text?.[0];
    const r = text !== undefined && text.length >= 2 && (q === "'" || q === '"' || q === '`') && text.endsWith(q) ? { ...range, column: range.column + 1, endColumn: range.endColumn - 1 } : range;
    const list = out.get(r.file);
    if (list) list.push(r);
    else out.set(r.file, [r]);
  };
  /**
   * A value that holds a secret somewhere inside (a URL, a conninfo string): the secret's own spans
   * when the file holds the value as it was read (no quotes or escapes in between), else the whole value.
   */
  const addInside = (value: string | undefined, r: SourceRange | undefined, raw?: string): void => {
    if (value === undefined || r === undefined) return;
    const spans = secretSpans(value);
    const rawSpans = raw !== undefined && raw !== value ? secretSpans(raw) : [];
    if (spans.length === 0 && rawSpans.length === 0) return;
    const text = written(r);
    if (text !== undefined && (text === value || text === raw)) {
      for (const s of text === value ? spans : rawSpans) add({ file: r.file, line: r.line, column: r.column + s.start, endLine: r.line, endColumn: r.column + s.end });
    } else add(r);
  };
  const addEnvVars = (vars: readonly EnvVarFact[]): void => {
    for (const v of vars) {
      if (v.from !== 'inline' || v.value === undefined) continue;
      if (v.secret || isPasswordKey(v.name)) {
        if (!isPasswordReference(v.raw ?? v.value)) add(v.range);
      } else addInside(v.value, v.range, v.raw);
    }
  };

  for (const cfg of facts.pgbouncer) {
    for (const e of [...cfg.databases, ...cfg.users]) {
      for (const item of e.items) if (isPasswordKey(item.key)) add(item.valueRange);
      addInside(e.entry.value, e.entry.valueRange);
    }
    for (const e of [...cfg.settings, ...cfg.peers, ...cfg.other]) {
      if (isPasswordKey(e.key)) add(e.valueRange);
      else addInside(e.value, e.valueRange);
    }
  }

  for (const cfg of facts.postgresql) {
    for (const e of cfg.entries) {
      if (isPasswordKey(e.key)) {
        add(e.valueRange);
        continue;
      }
      if (secretSpans(e.value).length === 0) continue;
      if (!e.quoted && e.rawValue === e.value) {
        addInside(e.value, e.valueRange);
        continue;
      }
      // A quoted value with escapes (`password=''x''`, `pass\word`): from the first password key to the end.
      const r = e.valueRange;
      const text = written(r);
      const key = text === undefined ? null : /p(?:ass(?:word|wd)?|wd)\s*=/i.exec(text);
      const from = key ? key.index + key[0].length : e.quoted ? 1 : 0;
      add({ ...r, column: r.column + from, endColumn: e.quoted && r.line === r.endLine ? r.endColumn - 1 : r.endColumn });
    }
  }

  for (const f of facts.envFiles) {
    for (const e of f.entries) {
      if (isPasswordKey(e.key)) {
        if (!isPasswordReference(e.value)) add(e.valueRange);
      } else addInside(e.value, e.valueRange);
    }
  }

  for (const c of facts.compose) for (const s of c.services) addEnvVars(s.environment);
  for (const k of facts.kubernetes) {
    for (const w of k.workloads) for (const c of [...w.containers, ...w.initContainers]) addEnvVars(c.env);
    for (const s of k.secrets) for (const d of s.data) add(d.range);
    for (const m of k.configMaps) for (const d of m.data) (isPasswordKey(d.key) ? add(d.range) : addInside(d.value, d.range));
  }
  for (const p of facts.pm2) for (const a of p.apps) for (const vars of [a.env, ...Object.values(a.envByName)]) addEnvVars(vars);
  for (const s of facts.serverless) {
    addEnvVars(s.providerEnvironment);
    for (const fn of s.functions) addEnvVars(fn.environment);
  }

  for (const f of facts.js) {
    for (const pool of f.pools) {
      for (const o of [...pool.options, ...pool.startupParameters.map((p) => ({ name: p.name, value: p.value, range: p.range }))]) {
        if (!isSecretOptionName(o.name)) continue;
        if (o.value.provenance.kind === 'env' && o.value.provenance.fallback === undefined) continue;
        add(o.value.range ?? o.range);
        if (o.value.provenance.kind === 'constant') add(o.value.provenance.definedAt);
      }
      const cs = pool.connectionString;
      if (cs?.provenance.kind === 'constant' && typeof cs.value === 'string' && secretSpans(cs.value).length > 0) add(cs.provenance.definedAt);
    }
    // Connection strings written as literals anywhere in code: the password inside the quotes.
    for (const lit of f.connectionLiterals ?? []) {
      const r = lit.range;
      const text = written(r);
      if (r.line === r.endLine && text !== undefined && text.slice(1).startsWith(lit.text)) {
        for (const sp of secretSpans(lit.text)) add({ file: r.file, line: r.line, column: r.column + 1 + sp.start, endLine: r.line, endColumn: r.column + 1 + sp.end });
      } else if (secretSpans(lit.text).length > 0) add(r);
    }
  }

  for (const c of model.connections.strings) {
    // A reference (`${PW}`) or a placeholder is masked too: `pa$Sword` reads as a reference.
    if (c.password === 'none') continue;
    // The parser found a password; where the line scanners cannot place it, the whole string is masked.
    const text = written(c.range);
    const spans = text === undefined ? [] : secretSpans(text);
    if (spans.length === 0) add(c.range);
    for (const s of spans) add({ ...c.range, column: c.range.column + s.start, endColumn: c.range.column + s.end });
  }
  return out;
}

/** The text of every source as frames may show it: secrets masked (`redactSourceText` with the parsers' ranges). */
export function redactedSources(model: ProjectModel): (file: string) => { text: string; kind: string } | undefined {
  const facts = model.facts;
  let ranges: Map<string, SourceRange[]> | undefined;
  const cache = new Map<string, { text: string; kind: string }>();
  return (file) => {
    const s = facts.sources.get(file);
    if (s === undefined) return undefined;
    let r = cache.get(file);
    if (r === undefined) {
      ranges ??= secretRangesByFile(model);
      r = { text: redactSourceText(s.text, s.kind, ranges.get(file)), kind: s.kind };
      cache.set(file, r);
    }
    return r;
  };
}
