import { Writable } from 'node:stream';
import { SECRET_VARIABLES, createLogger, runWithLogContext } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', level: 'debug', destination }) };
}

describe('createLogger', () => {
  it('when a record carries passwords, tokens or auth headers, then they are redacted', () => {
    const { lines, logger } = capture();

    logger.info(
      {
        password: 'hunter2',
        credentials: { password: 'p4ss', username: 'admin' },
        req: { headers: { authorization: 'Token abc' } },
      },
      'login',
    );

    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/hunter2|p4ss|Token abc/);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'test',
      msg: 'login',
      credentials: { username: 'admin' },
    });
  });

  it('when a record carries Kafka SASL credentials as options or as configuration, then the password is redacted', () => {
    const { lines, logger } = capture();

    logger.info(
      {
        kafka: { sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 's3cr3t-a' } },
        config: { KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 's3cr3t-b' },
        KAFKA_SASL_PASSWORD: 's3cr3t-c',
      },
      'kafka',
    );

    expect(JSON.stringify(lines)).not.toMatch(/s3cr3t/);
    expect(lines[0]).toMatchObject({
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'svc', password: '[REDACTED]' } },
      config: { KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: '[REDACTED]' },
    });
  });

  it('when a configuration object is logged whole, then every secret variable in it is redacted', () => {
    const { lines, logger } = capture();
    const config = Object.fromEntries(SECRET_VARIABLES.map((name) => [name, `s3cr3t-${name}`]));

    logger.info({ config, ...config, LOG_LEVEL: 'info' }, 'config');

    expect(JSON.stringify(lines)).not.toMatch(/s3cr3t/);
    expect(lines[0]?.['LOG_LEVEL']).toBe('info');
  });

  it('when logging inside a context, then its correlation id is on every line', () => {
    const { lines, logger } = capture();

    runWithLogContext({ correlationId: 'req-1' }, () => {
      logger.info('first');
      runWithLogContext({ topic: 't' }, () => logger.debug('second'));
    });
    logger.info('outside');

    expect(lines.map((l) => [l['msg'], l['correlationId'], l['topic']])).toEqual([
      ['first', 'req-1', undefined],
      ['second', 'req-1', 't'],
      ['outside', undefined, undefined],
    ]);
  });
});
