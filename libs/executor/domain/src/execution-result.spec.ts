import { RESULT_OUTPUT_MAX_BYTES, executionResultSchema } from '@toolkit/contracts';
import { anExecutionRequest } from '@toolkit/testing';
import { buildResult } from './execution-result';

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
