import { RESULT_OUTPUT_MAX_BYTES, executionResultSchema } from '@toolkit/contracts';
import { anExecutionRequest } from '@toolkit/testing';
import { buildResult, shrinkToFit } from './execution-result';

const context = {
  executorId: 'ex-1',
  attempt: 1,
  username: 'admin',
  startedAt: new Date('2026-11-22T10:00:00Z'),
  finishedAt: new Date('2026-11-22T10:00:01Z'),
  connectMs: null,
};
const withOutput = (output: string) =>
  buildResult(anExecutionRequest(), context, {
    outcome: 'succeeded',
    output,
    errorClass: null,
    errorMessage: null,
  });

describe('result output cap', () => {
  it('when the output is longer than the cap in UTF-8, then it is cut at a character boundary to at most the cap', () => {
    // Two- and three-byte characters, 5 MiB in all: the cap falls inside a character.
    const output = 'é€'.repeat(1024 * 1024);

    const result = withOutput(output);

    const bytes = Buffer.byteLength(result.output, 'utf8');
    expect(bytes).toBeLessThanOrEqual(RESULT_OUTPUT_MAX_BYTES);
    expect(bytes).toBeGreaterThan(RESULT_OUTPUT_MAX_BYTES - 4);
    expect(output.startsWith(result.output)).toBe(true);
    expect(executionResultSchema.safeParse(result).success).toBe(true);
  });

  it('when the output fits, then it is kept whole, however many characters it has', () => {
    const output = 'x'.repeat(RESULT_OUTPUT_MAX_BYTES);

    expect(withOutput(output).output).toBe(output);
  });
});

describe('shrinking a refused result', () => {
  it('when a result was too large for its topic, then its output is cut in proportion, records dropped, and the message says so', () => {
    const result = {
      ...withOutput('line of running-config\n'.repeat(100_000)), // 2.3 MB
      parsedOutput: [{ LINE: 'x' }],
    };
    const encoded = Buffer.byteLength(JSON.stringify(result));

    const shrunk = shrinkToFit(result, encoded, 1_048_588);

    expect(Buffer.byteLength(JSON.stringify(shrunk))).toBeLessThan(1_048_588);
    expect(result.output.startsWith(shrunk.output)).toBe(true);
    expect(shrunk.output.length).toBeGreaterThan(800_000);
    expect(shrunk).toMatchObject({
      outcome: 'succeeded',
      parsedOutput: null,
      parseError: 'Parsed records were dropped with the cut output.',
      errorMessage: expect.stringMatching(
        /^Output cut to \d+ of 2300000 bytes: the results topic accepts messages up to 1048588 bytes\.$/,
      ),
    });
    expect(executionResultSchema.safeParse(shrunk).success).toBe(true);
  });

  it('when the output cannot make room, then it is cut anyway, so that a retry still shrinks', () => {
    const result = withOutput('short');

    expect(shrinkToFit(result, 2_000_000, 1_000_000).output.length).toBeLessThan(5);
  });
});
