// Prints the closing line CI reads: `N passed, N failed` (and skipped when any), and keeps
// it in $TOOLKIT_TEST_SUMMARY so tools/scripts/test.sh can repeat it as its very last line.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line =
      `${results.numPassedTests} passed, ${failed} failed` +
      (skipped ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
    if (process.env.TOOLKIT_TEST_SUMMARY)
      fs.writeFileSync(process.env.TOOLKIT_TEST_SUMMARY, `${line}\n`);
  }
}
module.exports = SummaryReporter;
