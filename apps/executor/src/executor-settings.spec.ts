import { executorConfigSchema } from './config';
import { settingOrDefault } from './executor';

describe('executor settings', () => {
  it('when a setting is left out, then it takes the configuration default, not a copy of it', () => {
    const parsed = executorConfigSchema.parse({
      EXECUTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
      KAFKA_BROKERS: '127.0.0.1:9092',
      MONGODB_URI: 'mongodb://127.0.0.1:27017/',
      INTERNAL_API_TOKEN: 'x'.repeat(32),
    });

    for (const key of [
      'EXECUTOR_STARTED_EVENTS',
      'EXECUTOR_STARTED_EVENT_DELAY_MS',
      'EXECUTOR_FETCH_MAX_WAIT_MS',
      'EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION',
    ] as const)
      expect([key, settingOrDefault({}, key)]).toEqual([key, parsed[key]]);
    expect(
      settingOrDefault({ EXECUTOR_STARTED_EVENT_DELAY_MS: 0 }, 'EXECUTOR_STARTED_EVENT_DELAY_MS'),
    ).toBe(0);
  });
});
