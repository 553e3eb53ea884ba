import { configProblems, loadConfig } from '@toolkit/config';
import { gatewayConfigSchema } from './config';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/toolkit',
  INTERNAL_API_TOKEN: 'internal-token-0123456789',
  CATALOG_URL: 'http://catalog:8101',
  ANALYTICS_URL: 'http://analytics:8103',
};

describe('gateway configuration', () => {
  it('when only the required variables are set, then executions take the original defaults and no proxy is trusted', () => {
    const config = loadConfig(gatewayConfigSchema, base);

    expect(config).toMatchObject({
      TRUSTED_PROXIES: [],
      RATE_LIMIT_ENABLED: true,
      RATE_LIMIT_DEVICE_LIMIT: 10,
      RATE_LIMIT_WINDOW_MINUTES: 5,
      RATE_LIMIT_BYPASS_USERS: [],
      DEVICE_AUTH_FAILURE_LIMIT: 3,
      EXECUTION_WAIT_GRACE_MS: 5_000,
      AUTH_CACHE_TTL_MS: 1_000,
      KAFKA_TOPIC_PREFIX: '',
    });
  });

  it('when trusted proxies are addresses, CIDRs or keywords, then they are kept; anything else is refused by name', () => {
    const config = loadConfig(gatewayConfigSchema, {
      ...base,
      TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::1, loopback',
      RATE_LIMIT_BYPASS_GROUPS: 'noc, automation',
    });

    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '2001:db8::1', 'loopback']);
    expect(config.RATE_LIMIT_BYPASS_GROUPS).toEqual(['noc', 'automation']);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/1', 'everyone'])
      expect(configProblems(gatewayConfigSchema, { ...base, TRUSTED_PROXIES: bad })).toEqual([
        expect.stringMatching(/^TRUSTED_PROXIES: /),
      ]);
  });

  it('when the topic prefix or the instance id has characters a group name cannot, then it is refused by name', () => {
    expect(
      configProblems(gatewayConfigSchema, {
        ...base,
        KAFKA_TOPIC_PREFIX: 'prod env/',
        GATEWAY_INSTANCE_ID: 'a b',
        IDEMPOTENCY_KEY_SECRET: 'short',
      }),
    ).toEqual([
      expect.stringMatching(/^KAFKA_TOPIC_PREFIX: /),
      expect.stringMatching(/^GATEWAY_INSTANCE_ID: /),
      expect.stringMatching(/^IDEMPOTENCY_KEY_SECRET: /),
    ]);
  });
});
