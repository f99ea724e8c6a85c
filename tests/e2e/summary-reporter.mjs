// Prints one plain line at the end of a run, for CI: `e2e: N passed, N failed[, N skipped]`.
// A run that fails without a failing test (web server did not start, no tests found, global
// timeout, interrupted) is reported with at least 1 failed, so a parser never reads it as green.
export default class SummaryReporter {
  onBegin(_config, suite) {
    this.suite = suite;
  }

  printsToStdio() {
    return true;
  }

  onEnd(result) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const test of this.suite ? this.suite.allTests() : []) {
      const outcome = test.outcome();
      if (outcome === 'expected' || outcome === 'flaky') passed++;
      else if (outcome === 'unexpected') failed++;
      else skipped++; // skipped, or never ran (interrupted, max failures)
    }
    if (result.status !== 'passed' && failed === 0) failed = 1;
    let line = `e2e: ${passed} passed, ${failed} failed`;
    if (skipped > 0) line += `, ${skipped} skipped`;
    process.stdout.write(`${line}\n`);
  }
}
