import { isPasswordKey, secretSpans } from '../core/redact.js';

/**
 * Exact JSON for cached facts: a value read back is indistinguishable from the one written, so
 * the cache cannot change a result. Plain JSON loses `undefined` properties and array holes,
 * NaN, ±Infinity and -0, and turns an object reached twice into two objects; here each is kept
 * with a marker (keys starting with NUL, which no fact has). Anything else than plain objects,
 * arrays, strings, numbers, booleans, null and undefined (a Map, a class instance, a function, a
 * cycle) makes the value not cacheable: `encodeFacts` returns undefined.
 */

const UNDEFINED = '\u0000u';
const NUMBER = '\u0000n';
const DEF = '\u0000d';
const VALUE = '\u0000v';
const REF = '\u0000r';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

class NotCacheable extends Error {}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Objects reached more than once (shared), found before encoding; throws on a cycle or a foreign value. */
function sharedObjects(root: unknown): Set<object> {
  const seen = new Set<object>();
  const shared = new Set<object>();
  const onStack = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new NotCacheable();
      return;
    }
    if (onStack.has(v)) throw new NotCacheable();
    if (seen.has(v)) {
      shared.add(v);
      return;
    }
    if (!Array.isArray(v) && !isPlainObject(v)) throw new NotCacheable();
    seen.add(v);
    onStack.add(v);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(v[i]);
    else for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k]);
    onStack.delete(v);
  };
  visit(root);
  return shared;
}

/** The value as exact JSON, or undefined when it holds something JSON cannot carry exactly. */
export function encodeFacts(value: unknown): Json | undefined {
  let shared: Set<object>;
  try {
    shared = sharedObjects(value);
  } catch (err) {
    if (err instanceof NotCacheable) return undefined;
    throw err;
  }
  const ids = new Map<object, number>();
  const enc = (v: unknown): Json => {
    if (v === undefined) return { [UNDEFINED]: 1 };
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { [NUMBER]: Object.is(v, -0) ? '-0' : String(v) };
    if (v === null || typeof v !== 'object') return v as Json;
    const id = ids.get(v);
    if (id !== undefined) return { [REF]: id };
    let body: Json;
    if (Array.isArray(v)) {
      const arr: Json[] = [];
      // Array holes read as undefined, as every reader of facts reads them.
      for (let i = 0; i < v.length; i++) arr.push(enc(v[i]));
      body = arr;
    } else {
      const obj: Record<string, Json> = {};
      for (const k of Object.keys(v)) obj[k] = enc((v as Record<string, unknown>)[k]);
      body = obj;
    }
    if (!shared.has(v)) return body;
    // Shared: defined at its first place in key order (the order it is decoded in), referenced after.
    const n = ids.size;
    ids.set(v, n);
    return { [DEF]: n, [VALUE]: body };
  };
  // ids must be assigned before the body of a shared object is encoded when the body refers to it:
  // impossible without a cycle, which sharedObjects refused.
  return enc(value);
}

/** The value `encodeFacts` encoded; throws on anything it did not write (the caller discards the cache). */
export function decodeFacts(json: unknown): unknown {
  const defs = new Map<number, unknown>();
  const dec = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === UNDEFINED) return undefined;
    if (keys.length === 1 && keys[0] === NUMBER) {
      const s = o[NUMBER];
      if (s === '-0') return -0;
      if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return Number(s);
      throw new Error('bad number marker');
    }
    if (keys.length === 1 && keys[0] === REF) {
      const id = o[REF];
      if (typeof id !== 'number' || !defs.has(id)) throw new Error('bad reference marker');
      return defs.get(id);
    }
    if (keys.length === 2 && keys[0] === DEF && keys[1] === VALUE) {
      const id = o[DEF];
      if (typeof id !== 'number' || defs.has(id)) throw new Error('bad definition marker');
      const value = dec(o[VALUE]);
      defs.set(id, value);
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (k.startsWith('\u0000')) throw new Error('bad marker');
      out[k] = dec(o[k]);
    }
    return out;
  };
  return dec(json);
}

/**
 * Does the value hold something that may be a secret? A string with a password in it (a URL's
 * userinfo, `password=`, a `KEY=value` pair with a password key: src/core/redact.ts), or any
 * string written under a password-like name: an object key (`password: '…'`), the `value` of an
 * entry whose `name` is one (`{ name: 'password', value: … }`, pool options), the fallback of an
 * environment variable that is one (`process.env.DB_PASSWORD ?? '…'`). Conservative: a false
 * alarm only leaves a fact out of the cache.
 */
export function holdsSecret(value: unknown, hint?: string): boolean {
  if (typeof value === 'string') {
    if (value !== '' && hint !== undefined && isPasswordKey(hint)) return true;
    return secretSpans(value).length > 0;
  }
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsSecret(v, hint));
  const o = value as Record<string, unknown>;
  const own = typeof o.name === 'string' ? o.name : hint;
  for (const k of Object.keys(o)) {
    // A resolved value (`{ value, provenance: { fallback }, alternatives }`) keeps the name it is the value of.
    let childHint: string | undefined = k;
    if (k === 'value' || k === 'provenance' || k === 'alternatives') childHint = own;
    else if (k === 'fallback') childHint = typeof o.envVar === 'string' && isPasswordKey(o.envVar) ? o.envVar : own;
    if (holdsSecret(o[k], childHint)) return true;
  }
  return false;
}
