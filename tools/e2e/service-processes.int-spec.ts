import { requiredServiceEnv, startServiceProcess, waitForLine } from '@toolkit/testing';
import type { ServiceProcess } from '@toolkit/testing';

/**
 * Every service as a real process: boots against the real servers, answers /readyz,
 * drains and exits 0 on SIGTERM; exits 1 with a clear message when a dependency is down
 * at boot or its configuration is invalid.
 */
const SERVICES = ['gateway', 'catalog', 'executor', 'analytics'] as const;

const REQUIRED_ENV = requiredServiceEnv('process-test');

function startService(service: string, env: Record<string, string>): ServiceProcess {
  return startServiceProcess(service, { ...REQUIRED_ENV, ...env });
}

describe.each(SERVICES)('the %s process', (service) => {
  it('when started against the real servers, then it becomes ready, serves metrics on its metrics port only, and drains on SIGTERM with exit code 0', async () => {
    const started = startService(service, {});
    try {
      const listening = await waitForLine(started, (l) => l['msg'] === `${service} listening`);
      const api = `http://127.0.0.1:${String(listening['port'])}`;
      const operations = `http://127.0.0.1:${String(listening['metricsPort'])}`;

      const ready = await fetch(`${api}/readyz`);
      const readyBody: unknown = await ready.json();
      const detailed: unknown = await (await fetch(`${operations}/readyz`)).json();
      const metrics = await fetch(`${operations}/metrics`);
      const metricsText = await metrics.text();
      const apiMetrics = await fetch(`${api}/metrics`);
      started.child.kill('SIGTERM');
      const code = await started.exited;

      expect([ready.status, readyBody]).toEqual([200, { status: 'ok' }]);
      expect(detailed).toEqual({ status: 'ok', checks: { mongodb: 'ok', kafka: 'ok' } });
      expect(metrics.status).toBe(200);
      expect(metricsText).toMatch(/^toolkit_dependency_up\{[^}]*dependency="kafka"[^}]*\} 1$/m);
      expect(apiMetrics.status).not.toBe(200);
      expect(code).toBe(0);
      // Ordered by each line's own timestamp: pino's asynchronous stdout writer has been seen
      // to deliver a line a few milliseconds late, after a later one.
      const closed = started.lines
        .filter((l) => l['msg'] === 'closed')
        .sort((a, b) => String(a['time']).localeCompare(String(b['time'])))
        .map((l) => l['closer']);
      // HTTP first, then (after the service's own closers) Kafka, then MongoDB, each once.
      expect(closed.filter((c) => c === 'http' || c === 'kafka' || c === 'mongodb')).toEqual([
        'http',
        'kafka',
        'mongodb',
      ]);
    } finally {
      started.child.kill('SIGKILL');
    }
  });
});

describe('a service at boot', () => {
  it('when Kafka is unreachable, then it exits 1 saying so', async () => {
    const started = startService('catalog', { KAFKA_BROKERS: '127.0.0.1:1' });

    const code = await started.exited;

    expect(code).toBe(1);
    expect(started.lines).toContainEqual(
      expect.objectContaining({ level: 'fatal', msg: 'catalog failed to start' }),
    );
    expect(JSON.stringify(started.lines)).toContain('Kafka is unavailable.');
  });

  it('when the catalog finds its template library, then it says how many templates it loaded; when the directory has no index, then it exits 1 naming it', async () => {
    const withLibrary = startService('catalog', {});
    const loaded = await waitForLine(withLibrary, (l) => l['msg'] === 'template library loaded');
    withLibrary.child.kill('SIGTERM');
    await withLibrary.exited;
    const missing = startService('catalog', { TEXTFSM_TEMPLATES_DIR: '/nonexistent/templates' });

    const code = await missing.exited;

    expect(loaded['templates']).toBeGreaterThan(900);
    expect(loaded['version']).toBe('9.3.0');
    expect(code).toBe(1);
    expect(JSON.stringify(missing.lines)).toContain('/nonexistent/templates/index');
  });

  it('when configuration is invalid, then it exits 1 naming every bad variable', async () => {
    const started = startService('gateway', {
      HTTP_PORT: 'eighty',
      MONGODB_URI: 'postgres://nope',
    });

    const code = await started.exited;

    expect(code).toBe(1);
    expect(started.lines).toContainEqual(
      expect.objectContaining({
        level: 'fatal',
        problems: [
          'HTTP_PORT: must be an integer',
          'MONGODB_URI: must be a mongodb:// or mongodb+srv:// URI',
        ],
      }),
    );
  });
});
