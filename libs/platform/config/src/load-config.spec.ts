import { z } from 'zod';
import { ConfigError, configProblems, loadConfig } from './load-config';
import { envBoolean, envKey256, envList } from './env-types';
import { kafkaEnv, mongoEnv, serviceEnv } from './fragments';

const schema = z.object({ ...serviceEnv, ...kafkaEnv, ...mongoEnv, FEATURE: envBoolean(false) });
const valid = {
  HTTP_PORT: '8080',
  KAFKA_BROKERS: 'a:9092, b:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:1/x',
};

describe('loadConfig', () => {
  it('when every variable is valid, then it returns a typed, frozen config with defaults', () => {
    const config = loadConfig(schema, valid);

    expect(config).toMatchObject({
      HTTP_PORT: 8080,
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      LOG_LEVEL: 'info',
      FEATURE: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('when variables are missing or malformed, then every problem is named at once', () => {
    const problems = configProblems(schema, { HTTP_PORT: 'eighty', MONGODB_URI: 'postgres://x' });

    expect(problems).toEqual(
      expect.arrayContaining([
        'HTTP_PORT: must be an integer',
        'KAFKA_BROKERS: required but not set',
        'MONGODB_URI: must be a mongodb:// or mongodb+srv:// URI',
      ]),
    );
    expect(problems).toHaveLength(3);
    expect(() => loadConfig(schema, { HTTP_PORT: 'eighty', MONGODB_URI: 'postgres://x' })).toThrow(
      expect.objectContaining({ name: ConfigError.name, problems }),
    );
    expect(configProblems(schema, valid)).toEqual([]);
  });

  it('when a variable is set to the empty string, then it counts as unset', () => {
    expect(configProblems(schema, { ...valid, KAFKA_BROKERS: '' })).toEqual([
      'KAFKA_BROKERS: required but not set',
    ]);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['true', true],
    ['1', true],
  ])('when a boolean is spelled %s, then it parses to %s', (spelled, expected) => {
    expect(loadConfig(schema, { ...valid, FEATURE: spelled }).FEATURE).toBe(expected);
  });

  it('when a boolean is not a boolean word, then it is refused instead of coerced', () => {
    expect(configProblems(schema, { ...valid, FEATURE: 'off' })).toEqual([
      'FEATURE: must be one of true, false, 1, 0, yes, no',
    ]);
  });

  it('when a list has only separators, then it is refused', () => {
    const listSchema = z.object({ L: envList() });
    expect(() => loadConfig(listSchema, { L: ' , ' })).toThrow(/L: must list at least one item/);
  });

  it('when a 256-bit key is given in hex or base64, then it becomes 32 bytes; otherwise it is refused', () => {
    const keySchema = z.object({ K: envKey256() });
    const hex = 'ab'.repeat(32);

    expect(loadConfig(keySchema, { K: hex }).K).toHaveLength(32);
    expect(loadConfig(keySchema, { K: Buffer.alloc(32, 7).toString('base64') }).K).toEqual(
      Buffer.alloc(32, 7),
    );
    expect(() => loadConfig(keySchema, { K: 'short' })).toThrow(/K: must be 32 bytes/);
  });
});
