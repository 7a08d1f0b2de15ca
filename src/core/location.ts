/**
 * Positions are 1-based lines and 1-based columns counted in UTF-16 code units,
 * the convention of ESLint's JSON output and of SARIF's default column kind.
 * `endColumn` is exclusive (points one past the last character), like ESLint.
 */
export interface SourceRange {
  /** Absolute path of the file. Formatters decide how to print it. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function rangeOnLine(file: string, line: number, column: number, length: number): SourceRange {
  return { file, line, column, endLine: line, endColumn: column + Math.max(length, 0) };
}

/** Maps offsets in a text to line/column. Handles \n, \r\n and lone \r line ends. */
export class LineIndex {
  private readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
  range(file: string, start: number, end: number): SourceRange {
    const a = this.position(start);
    const b = this.position(end);
    return { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
  /** The 0-based offset of a 1-based line and column (undefined past the text's lines). */
  offset(line: number, column: number): number | undefined {
    const start = this.starts[line - 1];
    return start === undefined ? undefined : start + column - 1;
  }
  /** The line end the text uses (its first one; "\n" when it has none). */
  get eol(): string {
    const m = /\r\n|\n|\r/.exec(this.text);
    return m ? m[0] : '\n';
  }
  /** Text of a 1-based line without its line terminator. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }
}

/**
 * A running server or pooler as the location of a finding (`pgconn-lint live`): its URL without
 * the password (`postgresql://app@db:5432/app`) stands where a file path would. Formatters print it
 * as it is, without a line and column and without a source frame.
 */
export function isTargetLocation(file: string): boolean {
  return /^postgresql:\/\//.test(file);
}

/** The range of a finding about a running server: line 1, column 1 of its URL. */
export function targetRange(display: string): SourceRange {
  return { file: display, line: 1, column: 1, endLine: 1, endColumn: 1 };
}
