/**
 * `--fix` and `--fix-dry-run` (issue 12), with ESLint's semantics: only the safe, mechanical edits
 * rules attach to their findings (`Diagnostic.fix`) are applied; everything else stays a finding.
 * Edits are applied to the text as read (BOM and line ends kept: rules write the file's own line
 * end); edits that overlap one applied earlier in the same pass wait for the next pass (the CLI
 * re-lints, at most MAX_FIX_PASSES times).
 */
import { LineIndex, type SourceRange } from '../core/location.js';
import type { TextEdit } from '../core/diagnostic.js';
import type { LintResult } from './lint.js';

export const MAX_FIX_PASSES = 10;

export interface FixPass {
  /** The new text of every file an edit applies to, by absolute path. */
  output: Map<string, string>;
  /** Findings fixed in this pass. */
  fixed: number;
}

function offsetOf(index: LineIndex, text: string, line: number, column: number): number | undefined {
  const off = index.offset(line, column);
  return off !== undefined && column >= 1 && off <= text.length ? off : undefined;
}

/** One pass: every finding's edits, all or none, skipping those that overlap an edit already taken. */
export function computeFixes(result: LintResult): FixPass {
  const byFile = new Map<string, Array<{ start: number; end: number; text: string }>>();
  let fixed = 0;
  const indexes = new Map<string, LineIndex>();
  const indexOf = (file: string): LineIndex | undefined => {
    let idx = indexes.get(file);
    if (!idx) {
      const src = result.facts.sources.get(file);
      if (!src) return undefined;
      idx = new LineIndex(src.text);
      indexes.set(file, idx);
    }
    return idx;
  };
  const span = (r: SourceRange): { start: number; end: number } | undefined => {
    const src = result.facts.sources.get(r.file);
    const idx = indexOf(r.file);
    if (!src || !idx) return undefined;
    const start = offsetOf(idx, src.text, r.line, r.column);
    const end = offsetOf(idx, src.text, r.endLine, r.endColumn);
    return start !== undefined && end !== undefined && end >= start ? { start, end } : undefined;
  };
  for (const f of result.files) {
    for (const d of f.diagnostics) {
      if (!d.fix || d.fix.length === 0) continue;
      const planned: Array<{ file: string; start: number; end: number; text: string }> = [];
      let ok = true;
      for (const e of d.fix as TextEdit[]) {
        const s = span(e.range);
        if (!s) {
          ok = false;
          break;
        }
        planned.push({ file: e.range.file, ...s, text: e.text });
      }
      if (!ok) continue;
      // Edits that overlap or touch wait for the next pass, as ESLint's SourceCodeFixer does
      // (`lastPos >= start`): an insertion right where a removal ends would land on the wrong text.
      const overlaps = planned.some((p) => (byFile.get(p.file) ?? []).some((q) => p.start <= q.end && q.start <= p.end));
      if (overlaps) continue;
      for (const p of planned) {
        const list = byFile.get(p.file) ?? [];
        list.push({ start: p.start, end: p.end, text: p.text });
        byFile.set(p.file, list);
      }
      fixed++;
    }
  }
  const output = new Map<string, string>();
  for (const [file, edits] of byFile) {
    const text = result.facts.sources.get(file)!.text;
    let out = '';
    let at = 0;
    for (const e of edits.sort((a, b) => a.start - b.start)) {
      out += text.slice(at, e.start) + e.text;
      at = e.end;
    }
    output.set(file, out + text.slice(at));
  }
  return { output, fixed };
}
