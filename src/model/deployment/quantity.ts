import type { SourceRange } from '../../core/location.js';
import type { Resolved } from '../../sources/js/types.js';
import type { Declared, Quantity } from './types.js';

/** Quantity constructors and arithmetic: unknown stays unknown (never zero); lower bounds are kept. */

export function derived(value: number | undefined, source: string, note = source, range?: SourceRange): Quantity {
  const q: Quantity = { value, source, provenance: { kind: 'derived', note } };
  if (range) q.range = range;
  return q;
}

export function defaulted(value: number | undefined, source: string, note: string): Quantity {
  return { value, source, provenance: { kind: 'default', note } };
}

export function unknownQ(source: string, reason: string, range?: SourceRange, lowerBound?: number): Quantity {
  const q: Quantity = { value: undefined, source, provenance: { kind: 'unknown', reason } };
  if (range) q.range = range;
  if (lowerBound !== undefined) q.lowerBound = lowerBound;
  return q;
}

export function literal(value: number, source: string, range: SourceRange | undefined): Quantity {
  const q: Quantity = { value, source, provenance: { kind: 'literal' } };
  if (range) q.range = range;
  return q;
}

export function declared(d: Declared<number>, source: string): Quantity {
  return { value: d.value, source, provenance: { kind: 'config', note: `${source} (config file)` }, range: d.range };
}

/** A Resolved<number> of the extractors, with a message text. */
export function fromResolved(r: Resolved<number>, source: (v: number | undefined) => string): Quantity {
  const q: Quantity = { value: r.value, source: source(r.value), provenance: r.provenance };
  if (r.range) q.range = r.range;
  return q;
}

/** The smallest value the quantity can have: its value, or its lower bound, or 0 when nothing is known. */
export function atLeast(q: Quantity): number {
  return q.value ?? q.lowerBound ?? 0;
}

export function isKnown(q: Quantity): q is Quantity & { value: number } {
  return q.value !== undefined;
}

/** a × b; unknown if either is; the lower bound multiplies. */
export function times(a: Quantity, b: Quantity, source: string): Quantity {
  if (isKnown(a) && isKnown(b)) return derived(a.value * b.value, source);
  const lb = atLeast(a) * atLeast(b);
  return unknownQ(source, `${!isKnown(a) ? a.source : b.source} is unknown`, undefined, lb > 0 ? lb : undefined);
}

/** Σ items; unknown if any is, with the known part as lower bound. */
export function sum(items: readonly Quantity[], source: string): Quantity {
  let total = 0;
  const unknown: string[] = [];
  for (const q of items) {
    if (isKnown(q)) total += q.value;
    else {
      unknown.push(q.source);
      total += q.lowerBound ?? 0;
    }
  }
  if (unknown.length === 0) return derived(total, source);
  return unknownQ(source, `unknown: ${unknown.join('; ')}`, undefined, total > 0 ? total : undefined);
}

/** Renders a quantity for messages and tables: "20", "≥ 2", "?". */
export function show(q: Quantity): string {
  if (q.value !== undefined) return String(q.value);
  if (q.lowerBound !== undefined && q.lowerBound > 0) return `≥ ${q.lowerBound}`;
  return '?';
}
