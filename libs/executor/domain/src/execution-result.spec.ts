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
  const encodedSize = (r: unknown) => Buffer.byteLength(JSON.stringify(r));

  it('when a result was too large for its topic, then its output is cut to fit, records dropped, and the message starts with what was done', () => {
    const result = {
      ...withOutput('line of running-config\n'.repeat(100_000)), // 2.3 MB
      parsedOutput: [{ LINE: 'x' }],
      parseTemplate: 'cisco_ios_show_running-config.textfsm',
      errorMessage: 'earlier words',
    };

    const shrunk = shrinkToFit(result, encodedSize(result), 100_000);

    expect(encodedSize(shrunk)).toBeLessThanOrEqual(100_000);
    expect(encodedSize(shrunk)).toBeGreaterThan(95_000);
    expect(result.output.startsWith(shrunk.output)).toBe(true);
    expect(shrunk).toMatchObject({
      outcome: 'succeeded',
      parsedOutput: null,
      parseError: 'Parsed records were dropped with the cut output.',
      parseTemplate: 'cisco_ios_show_running-config.textfsm',
      errorMessage: expect.stringMatching(
        /^Output cut to \d+ of 2300000 bytes: the results topic accepts messages up to 100000 bytes\. earlier words$/,
      ),
    });
    expect(executionResultSchema.safeParse(shrunk).success).toBe(true);
  });

  it('when a shrunk result is shrunk again, then the note keeps the original size and appears once', () => {
    const result = withOutput('x'.repeat(500_000));
    const once = shrinkToFit(result, encodedSize(result), 200_000);

    const twice = shrinkToFit(once, encodedSize(once), 100_000);

    expect(twice.errorMessage).toMatch(/^Output cut to \d+ of 500000 bytes: [^.]*100000 bytes\.$/);
    expect(encodedSize(twice)).toBeLessThanOrEqual(100_000);
  });

  it('when everything but the output is already too large, then the output is dropped and says so', () => {
    const result = withOutput('short');

    const shrunk = shrinkToFit(result, 2_000_000, 1_000_000);

    expect(shrunk.output).toBe('');
    expect(shrunk.errorMessage).toMatch(/^Output dropped of 5 bytes: /);
  });

  it('when the cut falls inside a character, then the character goes whole and a real U+FFFD before it stays', () => {
    const result = withOutput(`${'a'.repeat(9)}\uFFFD${'€'.repeat(2_000_000)}`);

    const shrunk = shrinkToFit(result, encodedSize(result), 100_000);

    expect(shrunk.output.startsWith(`${'a'.repeat(9)}\uFFFD€`)).toBe(true);
    expect(result.output.startsWith(shrunk.output)).toBe(true);
  });
});
