import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import type {} from './skip-note.js'; // TaskMeta.skipNote

/**
 * Prints the plain closing line "tests: N passed, N failed, N skipped" that CI
 * tooling outside the JavaScript world understands; it is always the last line.
 *
 * "failed" is vitest's count of failed tests ("Tests … failed") plus each test
 * file that failed outside any test (it crashed while loading, or a suite hook
 * failed) and each unhandled error, which vitest counts under "Test Files" and
 * "Errors" instead: a run that failed never reads "0 failed". When the two
 * counts differ, the line above says by what.
 *
 * Before it, one "note:" line per reason tests were skipped on this machine
 * (a missing binary or corpus: skip-note.ts), so a skip is never silent.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failedTests = 0;
    let skipped = 0;
    const failedFiles: string[] = [];
    const skipNotes = new Map<string, number>();
    for (const m of testModules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') {
          failedTests++;
          failedHere++;
        } else {
          skipped++;
          const result = t.result();
          const note = t.meta().skipNote ?? (result.state === 'skipped' ? result.note : undefined);
          if (note) skipNotes.set(note, (skipNotes.get(note) ?? 0) + 1);
        }
      }
      if (m.state() === 'failed' && failedHere === 0) failedFiles.push(m.relativeModuleId);
    }
    const failed = failedTests + failedFiles.length + unhandledErrors.length;

    const lines: string[] = [];
    for (const [note, n] of skipNotes) lines.push(`note: ${n} ${n === 1 ? 'test' : 'tests'} skipped: ${note}`);
    if (failed !== failedTests) {
      const parts = [`${failedTests} failed ${failedTests === 1 ? 'test' : 'tests'} (vitest's "Tests")`];
      if (failedFiles.length > 0) {
        const names = failedFiles.length > 5 ? `${failedFiles.slice(0, 5).join(', ')}, …` : failedFiles.join(', ');
        parts.push(`${failedFiles.length} test ${failedFiles.length === 1 ? 'file' : 'files'} that failed outside any test (vitest's "Test Files": ${names})`);
      }
      if (unhandledErrors.length > 0) parts.push(`${unhandledErrors.length} unhandled ${unhandledErrors.length === 1 ? 'error' : 'errors'} (vitest's "Errors")`);
      lines.push(`failed: ${failed} = ${parts.join(' + ')}`);
    }
    lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
