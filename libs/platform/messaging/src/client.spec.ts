import type { ConnectionOptions } from 'node:tls';
import { kafkaClientOptions } from './client';
import type { KafkaTlsOptions } from './messaging';

const base = { service: 'catalog', brokers: ['a:9093', 'b:9093'] };

describe('kafkaClientOptions', () => {
  it('when nothing secures the connection, then kafkajs gets plaintext and no SASL', () => {
    expect(kafkaClientOptions(base)).toEqual({
      clientId: 'catalog',
      brokers: ['a:9093', 'b:9093'],
      ssl: false,
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 200, retries: 5 },
    });
  });

  it("when TLS is on without files, then kafkajs checks the brokers against Node's CA store", () => {
    expect(kafkaClientOptions({ ...base, ssl: true })).toMatchObject({ ssl: true });
    expect(kafkaClientOptions({ ...base, ssl: true })).not.toHaveProperty('sasl');
  });

  it('when SCRAM and a client certificate are given, then kafkajs gets sasl and ssl with verification on', () => {
    const ca = Buffer.from('ca');
    const cert = Buffer.from('cert');
    const key = Buffer.from('key');

    const options = kafkaClientOptions({
      ...base,
      clientId: 'catalog-1',
      connectionTimeoutMs: 5_000,
      ssl: { ca, cert, key },
      sasl: { mechanism: 'scram-sha-256', username: 'toolkit', password: 'secret' },
    });

    expect(options).toEqual({
      clientId: 'catalog-1',
      brokers: ['a:9093', 'b:9093'],
      ssl: { ca, cert, key, rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-256', username: 'toolkit', password: 'secret' },
      connectionTimeout: 5_000,
      retry: { initialRetryTime: 200, retries: 5 },
    });
  });

  it('when the PEM fields read their files on access, then every connection kafkajs opens reads them again, with verification on whatever was given', () => {
    let cert = Buffer.from('first');
    // Given unchecked (kafkajs would take it): verification is forced on anyway.
    const unchecked = { rejectUnauthorized: false } as KafkaTlsOptions;
    const ssl = Object.defineProperty(unchecked, 'cert', {
      enumerable: true,
      get: () => cert,
    });

    const options = kafkaClientOptions({ ...base, ssl }).ssl as ConnectionOptions;
    // What kafkajs' socket factory does for each connection.
    const first: ConnectionOptions = Object.assign({ host: 'a', port: 9093 }, options);
    cert = Buffer.from('renewed');
    const second: ConnectionOptions = Object.assign({ host: 'a', port: 9093 }, options);

    expect([first.cert, second.cert]).toEqual([Buffer.from('first'), Buffer.from('renewed')]);
    expect(second.rejectUnauthorized).toBe(true);
  });

  it('when SASL/PLAIN runs without TLS, then ssl stays off (SASL_PLAINTEXT)', () => {
    const options = kafkaClientOptions({
      ...base,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });

    expect(options).toMatchObject({
      ssl: false,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
  });
});
