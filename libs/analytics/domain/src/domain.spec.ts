import { csvRow, parseCsv } from './csv';
import {
  PERCENTILE_RELATIVE_ERROR,
  bucketIndex,
  bucketLowerMs,
  bucketUpperMs,
  percentileMs,
} from './duration-histogram';
import { anExecutionResult } from '@toolkit/testing';
import { commandLogFromResult } from './command-log';
import { canTransition, completionsOf, foldStatus } from './execution-status';
import { rollupIncrements } from './rollups';
import { planStatistics, splitTimeBounds, wholeHours } from './statistics-plan';
import { bucketStart, parseDay } from './time-buckets';

describe('duration histogram', () => {
  it('when a duration is bucketed, then it lies inside its bucket', () => {
    for (const ms of [0, 0.4, 1, 1.1, 9.99, 250, 1234.5, 60_000, 599_999]) {
      const i = bucketIndex(ms);
      expect(ms).toBeGreaterThanOrEqual(bucketLowerMs(i));
      expect(ms).toBeLessThan(bucketUpperMs(i));
    }
  });

  it('when percentiles are read, then they are within the documented relative error of nearest-rank', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 5000));
    const hist: Record<string, number> = {};
    for (const v of values) hist[`b${bucketIndex(v)}`] = (hist[`b${bucketIndex(v)}`] ?? 0) + 1;
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
      expect(Math.abs((percentileMs(hist, p) as number) - exact) / exact).toBeLessThanOrEqual(
        PERCENTILE_RELATIVE_ERROR + 1e-9,
      );
    }
    expect(percentileMs({}, 50)).toBeUndefined();
  });
});

describe('CSV', () => {
  it('when values hold commas, quotes and newlines, then RFC 4180 round-trips them', () => {
    const values = ['a,b', 'say "hi"', 'l1\r\nl2\nl3', '', 'plain', 'ok =1'];
    expect(parseCsv(csvRow(values) + csvRow(['x']))).toEqual([values, ['x']]);
    expect(csvRow(['a"b'])).toBe('"a""b"\r\n');
  });

  it('when a text starts like a spreadsheet formula, then it gets a leading quote; numbers stay numbers', () => {
    expect(parseCsv(csvRow(['=1+1', '+x', '-2', '@SUM(A1)', '\tx', -2, true]))).toEqual([
      ["'=1+1", "'+x", "'-2", "'@SUM(A1)", "'\tx", '-2', 'true'],
    ]);
  });
});

describe('time buckets and days', () => {
  it('when bucketing, then hours and days are UTC', () => {
    const d = new Date('2026-05-01T13:45:00.000Z');
    expect(bucketStart(d, 'hour').toISOString()).toBe('2026-05-01T13:00:00.000Z');
    expect(bucketStart(d, 'day').toISOString()).toBe('2026-05-01T00:00:00.000Z');
  });

  it('when a day is parsed, then the end is exclusive next midnight and bad dates are refused', () => {
    expect(parseDay('2026-02-28')?.endExclusive.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseDay('2026-02-30')).toBeUndefined();
    expect(parseDay('20260101')).toBeUndefined();
  });
});

describe('statistics plan', () => {
  it('when the time range is not hour-aligned, then whole hours go to rollups and edges to logs', () => {
    const split = splitTimeBounds({
      $and: [
        { platform: 'linux' },
        { execution_time: { $gte: new Date('2026-01-01T10:30:00Z') } },
        { execution_time: { $lte: new Date('2026-01-01T14:59:59.999Z') } },
      ],
    });
    expect(split?.rest).toEqual({ platform: 'linux' });
    const w = wholeHours(split as NonNullable<typeof split>);
    expect(w.from?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(w.to?.toISOString()).toBe('2026-01-01T15:00:00.000Z');
  });

  it('when a filter reads fields rollups lack, then those sections come from the logs', () => {
    expect(planStatistics({ username: 'x' }, ['totals']).fromLogs).toEqual(['totals']);
    expect(planStatistics({ 'device.id': 3 }, ['totals', 'commands', 'devices']).fromLogs).toEqual([
      'commands',
    ]);
    expect(planStatistics({ $or: [{ execution_time: null }] }, ['totals']).fromLogs).toEqual([
      'totals',
    ]);
  });
});

describe('rollup increments', () => {
  it('when a batch has logs in the same cell, then they are pre-aggregated and names never become keys', () => {
    const hour = new Date('2026-01-01T10:00:00Z');
    const log = {
      hour,
      platform: 'linux',
      success: false,
      error_class: 'auth_failed',
      command: { id: 1, name: 'show ip route 10.0.0.0' },
      device: { id: 2, name: 'r1.example.com' },
      error_message: 'Authentication failed',
      execution_duration: 0.25,
    };
    const increments = rollupIncrements([log, log]);
    expect(increments.map((i) => i.grain).sort()).toEqual([
      'commands',
      'devices',
      'errors',
      'totals',
    ]);
    for (const i of increments) {
      expect(i.cell.count).toBe(2);
      expect(Object.keys(i.cell.hist).every((k) => /^b\d+$/.test(k))).toBe(true);
    }
    expect(rollupIncrements([log], -1)[0]?.cell.count).toBe(-1);
  });
});

describe('execution status', () => {
  it('when events arrive out of order, then the status only moves forward', () => {
    expect(
      foldStatus([
        { status: 'succeeded', attempt: 1 },
        { status: 'running', attempt: 1 },
        { status: 'queued', attempt: 1 },
      ]),
    ).toEqual({ status: 'succeeded', attempt: 1 });
    expect(canTransition({ status: 'unknown', attempt: 1 }, { status: 'failed', attempt: 2 })).toBe(
      true,
    );
    expect(
      canTransition({ status: 'failed', attempt: 2 }, { status: 'succeeded', attempt: 2 }),
    ).toBe(false);
  });

  it('when a definitive outcome follows unknown for the same attempt, then it wins; unknown never replaces it', () => {
    expect(
      canTransition({ status: 'unknown', attempt: 1 }, { status: 'succeeded', attempt: 1 }),
    ).toBe(true);
    expect(
      canTransition({ status: 'succeeded', attempt: 1 }, { status: 'unknown', attempt: 1 }),
    ).toBe(false);
    expect(canTransition({ status: 'failed', attempt: 1 }, { status: 'unknown', attempt: 2 })).toBe(
      false,
    );
  });
});

describe('completions', () => {
  it('when an unknown and a definitive result of one execution are recorded together, then one completion announces the definitive status', () => {
    const unknown = anExecutionResult({
      outcome: 'unknown',
      success: false,
      errorClass: 'outcome_unknown',
    });
    const definitive = {
      ...unknown,
      outcome: 'succeeded' as const,
      success: true,
      errorClass: null,
    };
    const other = anExecutionResult({
      outcome: 'cancelled',
      success: false,
      errorClass: 'cancelled',
    });

    const completions = completionsOf(
      [unknown, definitive, other],
      new Map([
        [unknown.executionId, { status: 'succeeded' as const, attempt: 1 }],
        [other.executionId, { status: 'cancelled' as const, attempt: 1 }],
      ]),
      new Map([[unknown.executionId, 41]]),
    );

    expect(
      completions.map((c) => [c.executionId, c.outcome, c.success, c.errorClass, c.commandLogId]),
    ).toEqual([
      [unknown.executionId, 'succeeded', true, null, 41],
      [other.executionId, 'cancelled', false, 'cancelled', null],
    ]);
  });
});

describe('command log from a result', () => {
  it('when a result was parsed with a named template, then the log keeps the name; the parsed flag means records exist', () => {
    // Arrange
    const now = new Date('2026-12-01T10:00:00.000Z');
    const parsed = anExecutionResult({
      parsedOutput: [{ VERSION: '15.2(4)M7' }],
      parseTemplate: 'cisco_ios_show_version.textfsm',
    });
    const empty = anExecutionResult({ parsedOutput: [], parseTemplate: 'inline' });
    const failed = anExecutionResult({
      parseError: 'Invalid regular expression',
      parseTemplate: 'x',
    });

    // Act
    const [parsedLog, emptyLog, failedLog, plainLog] = [
      parsed,
      empty,
      failed,
      anExecutionResult(),
    ].map((r, i) => commandLogFromResult(r, i + 1, now));

    // Assert
    expect(parsedLog).toMatchObject({
      parsed_output: true,
      parsed_json: '[{"VERSION":"15.2(4)M7"}]',
      parse_error: null,
      parse_template: 'cisco_ios_show_version.textfsm',
    });
    expect(emptyLog).toMatchObject({
      parsed_output: false,
      parsed_json: '[]',
      parse_template: 'inline',
    });
    expect(failedLog).toMatchObject({
      parsed_output: false,
      parsed_json: null,
      parse_template: 'x',
    });
    expect(plainLog).toMatchObject({
      parsed_output: false,
      parsed_json: null,
      parse_template: null,
    });
  });
});
