import {
  anExecutionBatch,
  anExecutionEvent,
  anExecutionRequest,
  anExecutionResult,
} from '@toolkit/testing';
import {
  ALL_TOPICS,
  catalogEventsTopic,
  envelopeSchema,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  isBatch,
  requestsOf,
} from './index';

describe('message contracts', () => {
  it('when topics are listed, then each is versioned and unique', () => {
    const names = ALL_TOPICS.map((t) => t.topic);

    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^toolkit\.[a-z.-]+\.v\d+$/);
  });

  it('when an execution request is valid, then it parses and is keyed by device id', () => {
    const request = anExecutionRequest({
      device: { id: 42, name: 'R42', host: '10.0.0.1', port: 22, platform: 'arista_eos' },
    });

    const parsed = executionRequestsTopic.payload.parse(request);

    expect(parsed).toEqual(request);
    expect(executionRequestsTopic.keyOf(parsed)).toBe('42');
  });

  it.each([
    ['a line break in the command', { renderedCommand: 'show version\nreload' }, 'renderedCommand'],
    [
      'a control character in the command',
      { renderedCommand: 'show \u0003version' },
      'renderedCommand',
    ],
    ['a timeout above the cap', { timeoutMs: 301_000 }, 'timeoutMs'],
    ['a timeout below the floor', { timeoutMs: 1_000 }, 'timeoutMs'],
    ['an unknown command type', { commandType: 'reload' }, 'commandType'],
    ['a malformed execution id', { executionId: 'abc' }, 'executionId'],
  ])('when a request has %s, then validation fails on that field', (_what, change, field) => {
    const result = executionRequestsTopic.payload.safeParse({ ...anExecutionRequest(), ...change });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it('when a config request is a multi-line snippet, then it is valid; the same text as a show command is not', () => {
    const snippet = 'interface Gi1/0/1\n description uplink';

    expect(
      executionRequestsTopic.payload.safeParse(
        anExecutionRequest({ commandType: 'config', renderedCommand: snippet }),
      ).success,
    ).toBe(true);
    expect(
      executionRequestsTopic.payload.safeParse(
        anExecutionRequest({ commandType: 'show', renderedCommand: snippet }),
      ).success,
    ).toBe(false);
    expect(
      executionRequestsTopic.payload.safeParse(
        anExecutionRequest({ commandType: 'config', renderedCommand: 'vlan 10\r\n name x' }),
      ).success,
    ).toBe(false);
  });

  it('when a request has clear-text credentials instead of a sealed box, then it is refused', () => {
    const result = executionRequestsTopic.payload.safeParse({
      ...anExecutionRequest(),
      credentials: { username: 'admin', password: 'secret' },
    });

    expect(result.success).toBe(false);
  });

  it('when a result or event is valid, then it parses; with an unknown error class it does not', () => {
    expect(executionResultsTopic.payload.safeParse(anExecutionResult()).success).toBe(true);
    expect(executionEventsTopic.payload.safeParse(anExecutionEvent()).success).toBe(true);
    expect(
      executionResultsTopic.payload.safeParse(anExecutionResult({ errorClass: 'flaky' as never }))
        .success,
    ).toBe(false);
  });

  it('when a reader gets a payload with an unknown extra field, then it still parses (additive change)', () => {
    const result = executionResultsTopic.payload.safeParse({
      ...anExecutionResult(),
      addedLater: 1,
    });
    expect(result.success).toBe(true);
  });

  it('when a catalog event is keyed, then the key names entity and id', () => {
    expect(catalogEventsTopic.keyOf({ entity: 'device', action: 'created', id: 7 })).toBe(
      'device:7',
    );
  });

  it('when an envelope lacks an event id or has a bad timestamp, then it is refused', () => {
    const good = {
      eventId: '6f1d1c6e-3f57-4a53-9c38-3c8a2e0bd5b1',
      type: 'x',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      producer: 'test',
      payload: {},
    };
    expect(envelopeSchema.safeParse(good).success).toBe(true);
    expect(envelopeSchema.safeParse({ ...good, eventId: undefined }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...good, occurredAt: 'yesterday' }).success).toBe(false);
  });

  it('when a bulk batch is published, then it parses; an item for another device or out of order is refused naming the item', () => {
    const device = { id: 9, name: 'r9', host: 'h', port: 22, platform: 'cisco_ios' as const };
    const batch = anExecutionBatch([
      anExecutionRequest({ device }),
      anExecutionRequest({ device }),
    ]);
    const other = anExecutionBatch([
      anExecutionRequest({ device }),
      anExecutionRequest({ device: { ...device, id: 10 } }),
    ]);
    const reordered = { ...batch, items: [...batch.items].reverse() };

    const parsed = executionRequestsTopic.payload.parse(batch);

    expect(isBatch(parsed)).toBe(true);
    expect(requestsOf(parsed).map((r) => r.position)).toEqual([0, 1]);
    expect(executionRequestsTopic.keyOf(parsed)).toBe('9');
    for (const bad of [other, reordered]) {
      const result = executionRequestsTopic.payload.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path.slice(0, 2)).toEqual(['items', 1]);
    }
  });
});
