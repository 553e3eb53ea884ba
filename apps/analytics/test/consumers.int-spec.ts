import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { deadLetterTopic } from '@toolkit/contracts';
import {
  anExecutionEvent,
  anExecutionRequest,
  anExecutionResult,
  collectMessages,
  eventually,
  produceRaw,
} from '@toolkit/testing';
import { internalHeaders, wiredService } from './support';

describe('analytics consumers over real Kafka and the MongoDB-wire server', () => {
  let svc: Awaited<ReturnType<typeof wiredService>>;

  beforeAll(async () => {
    svc = await wiredService();
  });

  afterAll(async () => {
    await svc.close();
  });

  const api = () => request(svc.app);

  it('when the same result is delivered twice (and twice in one batch), then one log exists and rollups count it once', async () => {
    const device = {
      id: 900_001,
      name: `dup-${randomUUID().slice(0, 6)}`,
      platform: 'cisco_ios' as const,
    };
    const result = anExecutionResult({ device });
    await svc.infra.messaging.publishMany(svc.topics.results, [result, result]);
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/command-logs/?device_id=${device.id}`)
        .set(internalHeaders());
      expect(r.body.count).toBe(1);
    });
    await svc.infra.messaging.publish(svc.topics.results, result);
    const marker = anExecutionResult({ device });
    await svc.infra.messaging.publish(svc.topics.results, marker);
    // Announced once its log, rollups and execution are written (a log is readable before
    // its rollups are incremented): everything before it on the partition is counted.
    await collectMessages(svc.topics.completions.topic, {
      count: 1,
      predicate: (m) => (m.value ?? '').includes(marker.executionId),
    });

    const logs = await api()
      .get(`/api/plugins/toolkit/command-logs/?execution_id=${result.executionId}`)
      .set(internalHeaders());
    const stats = await api()
      .get(`/api/plugins/toolkit/command-logs/statistics/?device_id=${device.id}`)
      .set(internalHeaders());

    expect(logs.body.count).toBe(1);
    expect(logs.body.results[0]).toMatchObject({
      execution_id: result.executionId,
      success: true,
      username: 'admin',
      output: result.output,
      device: { id: device.id, name: device.name },
    });
    expect(stats.body.total_logs).toBe(2);
    const metrics = await api().get('/metrics');
    expect(metrics.text).toMatch(
      /toolkit_analytics_results_ingested_total\{[^}]*outcome="duplicate"[^}]*\} [1-9]/,
    );
  });

  it('when a result does not validate, then it goes to the dead-letter topic and later results still land', async () => {
    const key = `poison-${randomUUID()}`;
    await produceRaw(svc.topics.results.topic, [
      { key, value: JSON.stringify({ not: 'an envelope' }) },
    ]);
    const good = anExecutionResult({
      device: { id: 900_002, name: 'after-poison', platform: 'linux' },
    });
    await svc.infra.messaging.publish(svc.topics.results, good);

    const dead = await collectMessages(deadLetterTopic.topic, {
      count: 1,
      predicate: (m) => (m.value ?? '').includes(key),
    });

    expect(JSON.parse(dead[0]?.value ?? '{}').payload).toMatchObject({
      sourceTopic: svc.topics.results.topic,
      reason: 'invalid-envelope',
    });
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/executions/${good.executionId}/`)
        .set(internalHeaders());
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('succeeded');
    });
  });

  it('when request, started and result arrive out of order, then the execution ends succeeded with its request data and no credentials', async () => {
    const bulkJobId = randomUUID();
    const request0 = anExecutionRequest({
      bulkJobId,
      position: 0,
      device: { id: 900_003, name: 'bulk-a', host: '10.0.0.1', port: 22, platform: 'arista_eos' },
    });
    const request1 = anExecutionRequest({
      bulkJobId,
      position: 1,
      device: { id: 900_004, name: 'bulk-b', host: '10.0.0.2', port: 22, platform: 'linux' },
    });
    const result0 = anExecutionResult({
      executionId: request0.executionId,
      bulkJobId,
      position: 0,
      device: { id: 900_003, name: 'bulk-a', platform: 'arista_eos' },
    });
    // Result first, then started, then the request: the status must stay succeeded.
    await svc.infra.messaging.publish(svc.topics.results, result0);
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/executions/${request0.executionId}/`)
        .set(internalHeaders());
      expect(r.body.status).toBe('succeeded');
    });
    await svc.infra.messaging.publish(
      svc.topics.events,
      anExecutionEvent({
        executionId: request0.executionId,
        device: { id: 900_003, name: 'bulk-a' },
        bulkJobId,
      }),
    );
    await svc.infra.messaging.publish(
      svc.topics.events,
      anExecutionEvent({
        executionId: request1.executionId,
        device: { id: 900_004, name: 'bulk-b' },
        bulkJobId,
      }),
    );
    // One batch per device, as the gateway publishes a bulk job.
    await svc.infra.messaging.publishMany(
      svc.topics.requests,
      [request0, request1].map((item) => ({
        kind: 'bulk-batch' as const,
        bulkJobId,
        device: { id: item.device.id, name: item.device.name },
        job: {
          total: 2,
          accepted: 2,
          rejected: 0,
          requestedBy: item.requestedBy,
          requestedAt: item.requestedAt,
        },
        queuedBehindMs: 0,
        items: [item],
      })),
    );

    const items = await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/executions/?bulk_job=${bulkJobId}&ordering=bulk_position`)
        .set(internalHeaders());
      expect(r.body.results.map((i: { status: string }) => i.status)).toEqual([
        'succeeded',
        'running',
      ]);
      expect(r.body.results[1].command).toEqual({ id: 1, name: 'Show version' });
      return r;
    });
    // Each consumer refreshes the job after its own writes: the last one sees them all.
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/bulk-jobs/${bulkJobId}/`)
        .set(internalHeaders());
      expect(r.body).toMatchObject({
        id: bulkJobId,
        url: `https://netbox.example.com/api/plugins/toolkit/bulk-jobs/${bulkJobId}/`,
        status: 'running',
        total: 2,
        done: 1,
        counts: { queued: 0, running: 1, succeeded: 1, failed: 0, unknown: 0, cancelled: 0 },
        summary: { total: 2, successful: 1, failed: 0, rejected: 0, pending: 1 },
      });
    });
    const listed = await api()
      .get(`/api/plugins/toolkit/executions/?bulk_job=${bulkJobId}&status=running`)
      .set(internalHeaders());
    const stored = await svc.infra.mongo.connection.db
      ?.collection('executions')
      .find({ bulk_job: bulkJobId })
      .toArray();

    expect(items.body.results[0].result).toMatchObject({
      success: true,
      output: result0.output,
    });
    expect(typeof items.body.results[0].result.command_log_id).toBe('number');
    expect(listed.body.count).toBe(1);
    expect(listed.body.results[0].id).toBe(request1.executionId);
    expect(JSON.stringify(stored)).not.toMatch(/credentials|"ct"|"iv"|password/);
  });

  it('when only a request arrived, then the execution is queued', async () => {
    const queued = anExecutionRequest({
      device: { id: 900_005, name: 'q', host: 'h', port: 22, platform: 'linux' },
    });
    await svc.infra.messaging.publish(svc.topics.requests, queued);

    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/executions/${queued.executionId}/`)
        .set(internalHeaders());
      expect(r.body).toMatchObject({
        id: queued.executionId,
        status: 'queued',
        result: null,
        user: { username: 'admin' },
      });
    });
  });

  it('when a result is recorded, then a completion announces it, and its execution and log are readable at once', async () => {
    const device = { id: 900_010, name: 'announced', platform: 'cisco_ios' as const };
    const result = anExecutionResult({
      device,
      notes: 'change ticket CHG-1234',
      parsedOutput: [{ VERSION: '15.2(4)M7' }],
      parseTemplate: 'cisco_ios_show_version.textfsm',
      syntaxError: { detected: false },
    });
    const failed = anExecutionResult({
      device,
      outcome: 'failed',
      success: false,
      errorClass: 'syntax_error',
      errorMessage: 'Cisco IOS rejected the command: % Invalid input',
      syntaxError: { detected: true, type: 'syntax', vendor: 'Cisco IOS', guidance: 'Check it.' },
    });
    await svc.infra.messaging.publishMany(svc.topics.results, [result, failed]);

    const completions = await collectMessages(svc.topics.completions.topic, {
      count: 2,
      predicate: (m) =>
        [result.executionId, failed.executionId].some((id) => (m.value ?? '').includes(id)),
    });
    const byId = new Map(
      completions.map((m) => {
        const payload = JSON.parse(m.value ?? '{}').payload;
        return [payload.executionId as string, payload];
      }),
    );
    const announced = byId.get(result.executionId);
    // No waiting: whoever is woken by the completion reads both at once.
    const log = await api()
      .get(`/api/plugins/toolkit/command-logs/${announced.commandLogId}/`)
      .set(internalHeaders());
    const execution = await api()
      .get(`/api/plugins/toolkit/executions/${failed.executionId}/`)
      .set(internalHeaders());
    const parsed = await api()
      .get(`/api/plugins/toolkit/executions/${result.executionId}/`)
      .set(internalHeaders());

    expect(announced).toMatchObject({
      outcome: 'succeeded',
      success: true,
      errorClass: null,
      device: { id: device.id, name: device.name },
      username: 'admin',
      requestedBy: { userId: 1, username: 'admin' },
    });
    expect(byId.get(failed.executionId)).toMatchObject({
      outcome: 'failed',
      success: false,
      errorClass: 'syntax_error',
    });
    expect(completions[0]?.key).toBe(String(device.id));
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({
      execution_id: result.executionId,
      notes: 'change ticket CHG-1234',
    });
    expect(execution.body.result).toMatchObject({
      success: false,
      error_class: 'syntax_error',
      syntax_error: {
        detected: true,
        type: 'syntax',
        vendor: 'Cisco IOS',
        guidance: 'Check it.',
        guidance_provided: true,
      },
      parsed_output: { success: false, method: null, template: null, data: [], error: null },
    });
    expect(parsed.body).toMatchObject({
      rendered_command: 'show version',
      notes: 'change ticket CHG-1234',
      result: {
        parsed_output: {
          success: true,
          method: 'textfsm',
          template: 'cisco_ios_show_version.textfsm',
          data: [{ VERSION: '15.2(4)M7' }],
          error: null,
        },
      },
    });
    expect(log.body).toMatchObject({
      parsed_output: true,
      parsed_data: [{ VERSION: '15.2(4)M7' }],
    });
  });

  it('when results name the template that parsed them or failed, then the execution shows it and the log keeps it', async () => {
    // Arrange
    const device = { id: 900_012, name: 'templated', platform: 'cisco_ios' as const };
    const empty = anExecutionResult({ device, parsedOutput: [], parseTemplate: 'inline' });
    const failed = anExecutionResult({
      device,
      parseError: 'Error: unexpected. Rule Line: 4. Input Line: % banner.',
      parseTemplate: 'custom-strict',
    });
    const ids = [empty.executionId, failed.executionId];

    // Act
    await svc.infra.messaging.publishMany(svc.topics.results, [empty, failed]);
    await collectMessages(svc.topics.completions.topic, {
      count: 2,
      predicate: (m) => ids.some((id) => (m.value ?? '').includes(id)),
    });
    const [emptyView, failedView] = await Promise.all(
      ids.map((id) => api().get(`/api/plugins/toolkit/executions/${id}/`).set(internalHeaders())),
    );
    const logs = await svc.infra.mongo.connection.db
      ?.collection<{ _id: string }>('command_logs')
      .find({ _id: { $in: ids } })
      .toArray();

    // Assert
    expect(emptyView?.body.result).toMatchObject({
      success: true,
      parsed_output: {
        success: true,
        method: 'textfsm',
        template: 'inline',
        data: [],
        error: null,
      },
    });
    expect(failedView?.body.result).toMatchObject({
      success: true,
      parsed_output: {
        success: false,
        method: 'textfsm',
        template: 'custom-strict',
        data: [],
        error: 'Error: unexpected. Rule Line: 4. Input Line: % banner.',
      },
    });
    const byId = new Map((logs ?? []).map((l) => [l._id, l]));
    expect(byId.get(empty.executionId)).toMatchObject({
      parsed_output: false,
      parsed_json: '[]',
      parse_template: 'inline',
    });
    expect(byId.get(failed.executionId)).toMatchObject({ parse_template: 'custom-strict' });
  });

  it('when logs carry notes, then they are filterable, searchable and exported with formulas neutralised', async () => {
    const device = {
      id: 900_011,
      name: `notes-${randomUUID().slice(0, 6)}`,
      platform: 'linux' as const,
    };
    const marker = `maint-${randomUUID().slice(0, 6)}`;
    const noted = anExecutionResult({ device, notes: `=HYPERLINK("x") ${marker}` });
    const plain = anExecutionResult({ device });
    await svc.infra.messaging.publishMany(svc.topics.results, [noted, plain]);
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/command-logs/?device_id=${device.id}`)
        .set(internalHeaders());
      expect(r.body.count).toBe(2);
    });

    const filtered = await api()
      .get(
        `/api/plugins/toolkit/command-logs/?device_id=${device.id}&notes__ic=${marker.toUpperCase()}`,
      )
      .set(internalHeaders());
    const searched = await api()
      .get(`/api/plugins/toolkit/command-logs/?q=${marker}`)
      .set(internalHeaders());
    const empty = await api()
      .get(`/api/plugins/toolkit/command-logs/?device_id=${device.id}&notes__empty=true`)
      .set(internalHeaders());
    const csv = await api()
      .get(
        `/api/plugins/toolkit/command-logs/export/?format=csv&device_id=${device.id}&notes__ic=${marker}`,
      )
      .set(internalHeaders());

    expect(filtered.body.results.map((l: { execution_id: string }) => l.execution_id)).toEqual([
      noted.executionId,
    ]);
    expect(searched.body.results.map((l: { execution_id: string }) => l.execution_id)).toEqual([
      noted.executionId,
    ]);
    expect(empty.body.results.map((l: { execution_id: string }) => l.execution_id)).toEqual([
      plain.executionId,
    ]);
    expect(csv.text.split('\r\n')[0]).toContain(',Notes,Output');
    expect(csv.text).toContain(`"'=HYPERLINK(""x"") ${marker}"`);
  });

  it('when output pieces for live streams arrive on the events topic, then analytics records nothing for them', async () => {
    // Arrange: same device, same partition: the marker is read after the pieces.
    const device = { id: 900_077, name: 'live-1' };
    const streamed = anExecutionEvent({
      phase: 'output',
      device,
      output: { offset: 0, text: 'Building configuration...' },
    });
    const marker = anExecutionEvent({ device });

    // Act
    await svc.infra.messaging.publishMany(svc.topics.events, [streamed, streamed, marker]);

    // Assert
    await eventually(async () => {
      const r = await api()
        .get(`/api/plugins/toolkit/executions/${marker.executionId}/`)
        .set(internalHeaders());
      expect(r.body.status).toBe('running');
    });
    const piece = await api()
      .get(`/api/plugins/toolkit/executions/${streamed.executionId}/`)
      .set(internalHeaders());
    expect(piece.status).toBe(404);
  });
});
