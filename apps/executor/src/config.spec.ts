import { configProblems, loadConfig } from '@toolkit/config';
import { executorConfigSchema } from './config';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/toolkit',
  EXECUTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
};

describe('executor configuration', () => {
  it('when only the required variables are set, then fetch settings take their defaults', () => {
    const config = loadConfig(executorConfigSchema, base);

    expect(config.EXECUTOR_FETCH_MAX_WAIT_MS).toBe(500);
    expect(config.EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION).toBe(256 * 1024);
    expect(config.EXECUTOR_KNOWN_HOSTS_MODE).toBe('accept-new');
  });

  it('when the fetch wait is set within bounds, then it is used', () => {
    const config = loadConfig(executorConfigSchema, { ...base, EXECUTOR_FETCH_MAX_WAIT_MS: '20' });

    expect(config.EXECUTOR_FETCH_MAX_WAIT_MS).toBe(20);
  });

  it('when the fetch wait is below 10 ms (a busy poll of the broker), then it is refused by name', () => {
    expect(
      configProblems(executorConfigSchema, { ...base, EXECUTOR_FETCH_MAX_WAIT_MS: '5' }),
    ).toEqual([expect.stringMatching(/^EXECUTOR_FETCH_MAX_WAIT_MS: /)]);
  });

  it('when the fetch wait is over a third of the session timeout (an idle member would miss heartbeats), then it is refused by name', () => {
    expect(
      configProblems(executorConfigSchema, {
        ...base,
        EXECUTOR_FETCH_MAX_WAIT_MS: '5000',
        EXECUTOR_SESSION_TIMEOUT_MS: '12000',
      }),
    ).toEqual([expect.stringMatching(/^EXECUTOR_FETCH_MAX_WAIT_MS: must be at most a third/)]);
    expect(
      loadConfig(executorConfigSchema, {
        ...base,
        EXECUTOR_FETCH_MAX_WAIT_MS: '4000',
        EXECUTOR_SESSION_TIMEOUT_MS: '12000',
      }).EXECUTOR_FETCH_MAX_WAIT_MS,
    ).toBe(4000);
  });

  it('when strict host keys are asked for without a known_hosts file, then the file is named', () => {
    expect(
      configProblems(executorConfigSchema, { ...base, EXECUTOR_KNOWN_HOSTS_MODE: 'strict' }),
    ).toEqual([expect.stringMatching(/^EXECUTOR_KNOWN_HOSTS_FILE: /)]);
  });
});
