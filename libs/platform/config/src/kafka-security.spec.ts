import { z } from 'zod';
import { ConfigError, configProblems, loadConfig } from './load-config';
import { kafkaEnv } from './fragments';
import { readKafkaSecurity, refineKafkaEnv } from './kafka-security';

const schema = z.object({ ...kafkaEnv }).superRefine(refineKafkaEnv);
const base = { KAFKA_BROKERS: 'kafka:9093' };
const PASSWORD = 'pa55-w0rd-never-shown';
const sasl = {
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'toolkit',
  KAFKA_SASL_PASSWORD: PASSWORD,
};
const mtls = {
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: '/tls/ca.crt',
  KAFKA_SSL_CERT_FILE: '/tls/tls.crt',
  KAFKA_SSL_KEY_FILE: '/tls/tls.key',
};
const pem = (label: string) =>
  Buffer.from(`-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`);
const files: Record<string, Buffer> = {
  '/tls/ca.crt': pem('CERTIFICATE'),
  '/tls/tls.crt': pem('CERTIFICATE'),
  '/tls/tls.key': pem('PRIVATE KEY'),
};
function readFake(path: string): Buffer {
  const found = files[path];
  if (!found) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return found;
}

/** The files as a mounted Secret holds them, changed by the test as a rotation would. */
function mounted() {
  const current: Record<string, Buffer> = { ...files };
  const read = (path: string) => {
    const found = current[path];
    if (!found) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return found;
  };
  return { current, read };
}

describe('the Kafka security variables', () => {
  it('when none is set, then the connection is plaintext without SASL', () => {
    const config = loadConfig(schema, base);

    expect(readKafkaSecurity(config, readFake)).toEqual({ ssl: false });
  });

  it('when SCRAM and mutual TLS are configured, then the mechanism, credentials and PEM files are read', () => {
    const config = loadConfig(schema, { ...base, ...sasl, ...mtls });

    expect(readKafkaSecurity(config, readFake)).toEqual({
      ssl: { ca: files['/tls/ca.crt'], cert: files['/tls/tls.crt'], key: files['/tls/tls.key'] },
      sasl: { mechanism: 'scram-sha-512', username: 'toolkit', password: PASSWORD },
    });
  });

  it('when a PEM file is replaced after boot (a rotated certificate), then the next read gets the new one; unreadable or not PEM mid-rotation, the last good one', () => {
    const config = loadConfig(schema, { ...base, ...mtls });
    const { current, read } = mounted();
    const { ssl } = readKafkaSecurity(config, read);
    const renewed = pem('CERTIFICATE renewed');
    const certs: (Buffer | undefined)[] = [];
    const tls = ssl as { cert?: Buffer };

    certs.push(tls.cert);
    current['/tls/tls.crt'] = renewed;
    certs.push(tls.cert);
    delete current['/tls/tls.crt'];
    certs.push(tls.cert);
    current['/tls/tls.crt'] = Buffer.from('half written');
    certs.push(tls.cert);

    expect(certs).toEqual([files['/tls/tls.crt'], renewed, renewed, renewed]);
  });

  it('when a PEM file cannot be used after boot, then that is reported once until it reads well again', () => {
    const config = loadConfig(schema, { ...base, ...mtls });
    const { current, read } = mounted();
    const reports: unknown[] = [];
    const tls = readKafkaSecurity(config, read, (file) => reports.push(file)).ssl as {
      ca: Buffer;
    };

    current['/tls/ca.crt'] = Buffer.from('-----BEGIN CERTIFICATE-----\nMII');
    void [tls.ca, tls.ca];
    delete current['/tls/ca.crt'];
    void tls.ca;
    current['/tls/ca.crt'] = pem('CERTIFICATE renewed');
    void tls.ca;
    delete current['/tls/ca.crt'];
    void tls.ca;

    const of = (reason: string) => ({ variable: 'KAFKA_SSL_CA_FILE', path: '/tls/ca.crt', reason });
    expect(reports).toEqual([of('no whole PEM block'), of('ENOENT')]);
  });

  it('when the certificate is renewed before its key is in place, then the old pair is kept until both are, never a new certificate with an old key', () => {
    const config = loadConfig(schema, { ...base, ...mtls });
    const { current, read } = mounted();
    const tls = readKafkaSecurity(config, read).ssl as { cert: Buffer; key: Buffer };
    // What kafkajs' socket factory copies for each new connection.
    const connect = () => {
      const { cert, key } = Object.assign({}, tls);
      return [cert.toString(), key.toString()];
    };
    const renewed = { cert: pem('CERTIFICATE renewed'), key: pem('PRIVATE KEY renewed') };
    const old = [files['/tls/tls.crt']?.toString(), files['/tls/tls.key']?.toString()];

    current['/tls/tls.crt'] = renewed.cert;
    current['/tls/tls.key'] = Buffer.from('-----BEGIN PRIVATE KEY-----\nMII');
    const halfway = connect();
    current['/tls/tls.key'] = renewed.key;
    const done = connect();

    expect(halfway).toEqual(old);
    expect(done).toEqual([renewed.cert.toString(), renewed.key.toString()]);
  });

  it("when only KAFKA_SSL is true, then TLS uses Node's CA store", () => {
    const config = loadConfig(schema, { ...base, KAFKA_SSL: 'true' });

    expect(readKafkaSecurity(config, readFake)).toEqual({ ssl: true });
  });

  it.each([
    [
      'a mechanism without credentials',
      { KAFKA_SASL_MECHANISM: 'plain' },
      [
        'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set',
        'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
      ],
    ],
    [
      'credentials without a mechanism',
      { KAFKA_SASL_USERNAME: 'toolkit', KAFKA_SASL_PASSWORD: PASSWORD },
      [
        'KAFKA_SASL_USERNAME: set without KAFKA_SASL_MECHANISM (no SASL)',
        'KAFKA_SASL_PASSWORD: set without KAFKA_SASL_MECHANISM (no SASL)',
      ],
    ],
    [
      'an unknown mechanism',
      { ...sasl, KAFKA_SASL_MECHANISM: 'gssapi' },
      ['KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512'],
    ],
    [
      'a certificate without its key',
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/tls/tls.crt' },
      ['KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE'],
    ],
    [
      'a key without its certificate',
      { KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: '/tls/tls.key' },
      ['KAFKA_SSL_CERT_FILE: required with KAFKA_SSL_KEY_FILE'],
    ],
    [
      'TLS files without KAFKA_SSL=true',
      { ...mtls, KAFKA_SSL: 'false' },
      [
        'KAFKA_SSL_CA_FILE: needs KAFKA_SSL=true',
        'KAFKA_SSL_CERT_FILE: needs KAFKA_SSL=true',
        'KAFKA_SSL_KEY_FILE: needs KAFKA_SSL=true',
      ],
    ],
  ])('when %s is configured, then loading names each variable', (_what, env, expected) => {
    const problems = configProblems(schema, { ...base, ...env });

    expect(problems).toEqual(expected);
    expect(problems.join('\n')).not.toContain(PASSWORD);
  });

  it('when a file is missing or holds no PEM, then reading fails naming the variable and the path', () => {
    const config = loadConfig(schema, {
      ...base,
      ...mtls,
      KAFKA_SSL_CA_FILE: '/tls/missing.crt',
      KAFKA_SSL_KEY_FILE: '/tls/plain.txt',
    });
    files['/tls/plain.txt'] = Buffer.from('not a key');

    expect(() => readKafkaSecurity(config, readFake)).toThrow(
      expect.objectContaining({
        name: ConfigError.name,
        problems: [
          'KAFKA_SSL_CA_FILE: cannot read /tls/missing.crt (ENOENT)',
          'KAFKA_SSL_KEY_FILE: /tls/plain.txt holds no PEM block',
        ],
      }),
    );
  });

  it('when the rules were not applied by the schema, then reading refuses the configuration all the same', () => {
    const unrefined = loadConfig(z.object({ ...kafkaEnv }), {
      ...base,
      KAFKA_SASL_MECHANISM: 'plain',
    });

    expect(() => readKafkaSecurity(unrefined, readFake)).toThrow(
      expect.objectContaining({
        problems: [
          'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set',
          'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
        ],
      }),
    );
  });
});
