import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { z } from 'zod';
import { configProblems } from '@toolkit/config';
import { ALL_TOPICS, KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '@toolkit/contracts';
import { KafkaMessaging } from '@toolkit/messaging';
import { memoryLogger, testInfra, uniqueSuffix } from '@toolkit/testing';
import { analyticsConfigSchema } from '../../apps/analytics/src/config';
import { catalogConfigSchema } from '../../apps/catalog/src/config';
import { executorConfigSchema } from '../../apps/executor/src/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config';
import { runCommand } from './run-command';

/**
 * The Helm chart (deploy/helm/toolkit) through its validator (deploy/validate, Go): Helm
 * renders it as a library, every object is decoded strictly into the published API types of
 * Kubernetes, KEDA and the Prometheus Operator, and the chart's own rules are checked. Here:
 * the default and production renders pass; each service's rendered environment passes that
 * service's own config schema; the topic Job creates the contracts' topics on a real broker;
 * and the checks fail when they should.
 */

const repo = resolve(__dirname, '../..');
const moduleDir = join(repo, 'deploy/validate');
const chartDir = join(repo, 'deploy/helm/toolkit');

interface EnvValue {
  value: string;
  from: string;
  external?: boolean;
  optional?: boolean;
}
interface RenderedObject {
  apiVersion: string;
  kind: string;
  name: string;
  source: string;
  object: Record<string, unknown>;
}
interface CaseReport {
  name: string;
  ok: boolean;
  errors: string[];
  warnings: string[];
  objects: RenderedObject[];
  env: Record<string, Record<string, EnvValue>>;
  external: string[];
}
interface Report {
  ok: boolean;
  cases: CaseReport[];
}

const SERVICES = {
  gateway: gatewayConfigSchema,
  catalog: catalogConfigSchema,
  analytics: analyticsConfigSchema,
  executor: executorConfigSchema,
} as const;

/** Variables Node.js itself reads (the heap cap, a private CA for Kafka TLS). */
const NODE_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/** Valid values for secrets the chart does not render (existingSecret), by variable. */
const EXTERNAL_PLACEHOLDERS: Record<string, string> = {
  MONGODB_URI: 'mongodb+srv://toolkit:secret@mongodb.example.com/?tls=true',
  INTERNAL_API_TOKEN: 'i'.repeat(32),
  INTERNAL_API_TOKEN_PREVIOUS: 'p'.repeat(32),
  CREDENTIAL_KEYS: `k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`,
  EXECUTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  IDEMPOTENCY_KEY_SECRET: 'd'.repeat(40),
  SUPERUSER_PASSWORD: 'correct horse battery',
  SUPERUSER_API_TOKEN: 't'.repeat(40),
  KAFKA_SASL_PASSWORD: 'kafka user password',
};

/** SASL (SCRAM, password in a Secret of the operator's) over mutual TLS. */
const SASL_MTLS = [
  'kafka.tls.enabled=true',
  'kafka.tls.caSecret.name=kafka-ca',
  'kafka.tls.clientCertSecret.name=kafka-client',
  'kafka.sasl.enabled=true',
  'kafka.sasl.mechanism=scram-sha-256',
  'kafka.sasl.existingSecret.name=kafka-user',
  'kafka.sasl.existingSecret.usernameKey=user',
];

let workDir: string;
let validator: string;
let standard: Report;

const run = (
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) =>
  runCommand(command, args, {
    timeoutMs: 120_000,
    installHint: 'Go: https://go.dev/dl',
    ...options,
  }).then((r) => ({ ...r, code: r.code ?? 1 }));

async function validate(args: string[]): Promise<{ code: number; report: Report }> {
  const { code, stdout, stderr } = await run(validator, ['-chart', chartDir, '-json', ...args]);
  if (code > 1) throw new Error(`validator failed to run (${code}): ${stderr}`);
  return { code, report: JSON.parse(stdout) as Report };
}

/** Renders with `-set` overrides: the exit code and the first case's errors. */
async function renderErrors(sets: string[]): Promise<{ code: number; errors: string }> {
  const { code, report } = await validate(sets.flatMap((s) => ['-set', s]));
  return { code, errors: report.cases[0]?.errors.join('\n') ?? '' };
}

function caseNamed(report: Report, name: string): CaseReport {
  const found = report.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found;
}

function objectOf(c: CaseReport, kind: string, name: string): Record<string, unknown> {
  const found = c.objects.find((o) => o.kind === kind && o.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return structuredClone(found.object);
}

/** Writes manifests (JSON is YAML) to a file and validates them without rendering. */
async function validateManifests(
  manifests: Record<string, unknown>[],
): Promise<{ code: number; errors: string[] }> {
  const file = join(workDir, `manifests-${uniqueSuffix()}.yaml`);
  await writeFile(file, manifests.map((m) => JSON.stringify(m, null, 2)).join('\n---\n'));
  const { code, report } = await validate(['-file', file]);
  return { code, errors: report.cases.flatMap((c) => c.errors) };
}

/** Path access into a decoded manifest, for the negative cases. */
function at(object: unknown, ...path: (string | number)[]): Record<string, unknown> {
  let current = object;
  for (const key of path) current = (current as Record<string | number, unknown>)[key];
  return current as Record<string, unknown>;
}

/** A service's environment as its process would read it (external secrets filled in). */
function processEnv(env: Record<string, EnvValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, v]) => [
      name,
      v.external ? (EXTERNAL_PLACEHOLDERS[name] ?? `unknown external ${name}`) : v.value,
    ]),
  );
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'toolkit-chart-'));
  validator = join(workDir, 'validate');
  // Cold (empty Go build cache) this compiles Helm, client-go and the API types: minutes.
  const build = await run('go', ['build', '-o', validator, '.'], {
    cwd: moduleDir,
    timeoutMs: 20 * 60_000,
  });
  if (build.code !== 0) throw new Error(`go build ./deploy/validate failed:\n${build.stderr}`);
  const { report } = await validate([]);
  standard = report;
}, 25 * 60_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the Helm chart, rendered and validated against the published API types', () => {
  it('when rendered with the default and the production values, then every object decodes strictly and passes the checks', () => {
    const summary = standard.cases.map((c) => ({ name: c.name, ok: c.ok, errors: c.errors }));

    expect(summary).toEqual([
      { name: 'default', ok: true, errors: [] },
      { name: 'production', ok: true, errors: [] },
    ]);
    expect(standard.ok).toBe(true);
  });

  it('when rendered, then each case has the kinds an operator expects, one Deployment, Service and PDB per service', () => {
    const kinds = (c: CaseReport) => [...new Set(c.objects.map((o) => o.kind))].sort();
    const named = (c: CaseReport, kind: string) =>
      c.objects
        .filter((o) => o.kind === kind)
        .map((o) => o.name)
        .sort();
    const def = caseNamed(standard, 'default');
    const prod = caseNamed(standard, 'production');
    const perService = [
      'toolkit-analytics',
      'toolkit-catalog',
      'toolkit-executor',
      'toolkit-gateway',
    ];

    expect(kinds(def)).toEqual([
      'ConfigMap',
      'Deployment',
      'Ingress',
      'Job',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'ScaledObject',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    expect(kinds(prod)).toEqual([
      'ConfigMap',
      'Deployment',
      'Ingress',
      'Job',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'PrometheusRule',
      'ScaledObject',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
      'TriggerAuthentication',
    ]);
    for (const c of [def, prod]) {
      expect(named(c, 'Deployment')).toEqual(perService);
      expect(named(c, 'Service')).toEqual(perService);
      expect(named(c, 'PodDisruptionBudget')).toEqual(perService);
    }
    // Production keeps every secret in the operator's Secret: nothing secret is rendered.
    expect(prod.external).toEqual(
      expect.arrayContaining(['Secret/toolkit-secrets', 'ConfigMap/network-known-hosts']),
    );
  });

  it.each(['default', 'production'])(
    'when rendered with the %s values, then every service boots with its environment (its own config schema) and sets no variable it ignores',
    (name) => {
      const c = caseNamed(standard, name);
      for (const [service, schema] of Object.entries(SERVICES)) {
        const env = processEnv(c.env[service] ?? {});
        const known = Object.keys((schema as z.ZodObject).shape);
        const ignored = Object.keys(env).filter(
          (v) => !known.includes(v) && !NODE_VARIABLES.includes(v),
        );

        expect({ service, problems: configProblems(schema, env), ignored }).toEqual({
          service,
          problems: [],
          ignored: [],
        });
      }
    },
  );

  it('when rendered, then the topic Job creates exactly the contracts topics, with at least their message limits and their retention', () => {
    for (const c of standard.cases) {
      const prefix = c.env['gateway']?.['KAFKA_TOPIC_PREFIX']?.value ?? '';
      const topics = Object.values(
        JSON.parse(c.env['topics']?.['TOPICS_JSON']?.value ?? '{}') as Record<
          string,
          { name: string; config: Record<string, string> }
        >,
      );

      expect(topics.map((t) => t.name).sort()).toEqual(
        ALL_TOPICS.map((t) => `${prefix}${t.topic}`).sort(),
      );
      for (const contract of ALL_TOPICS) {
        const topic = topics.find((t) => t.name === `${prefix}${contract.topic}`);
        expect(Number(topic?.config['max.message.bytes'])).toBeGreaterThanOrEqual(
          contract.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
        );
        if (contract.retentionMs !== undefined)
          expect(topic?.config['retention.ms']).toBe(String(contract.retentionMs));
      }
    }
  });

  it('when the rendered manifests are fed back as a file, then file mode accepts them as rendering did', async () => {
    const def = caseNamed(standard, 'default');

    const result = await validateManifests(def.objects.map((o) => o.object));

    expect(result).toEqual({ code: 0, errors: [] });
  });
});

describe('Kafka SASL and mutual TLS', () => {
  it('when SCRAM over mutual TLS is configured, then it renders, decodes strictly, passes each service schema and gives KEDA the same credentials', async () => {
    const { code, report } = await validate(SASL_MTLS.flatMap((s) => ['-set', s]));
    const c = report.cases[0] as CaseReport;

    expect({ code, errors: c.errors }).toEqual({ code: 0, errors: [] });
    for (const [service, schema] of Object.entries(SERVICES)) {
      const env = processEnv(c.env[service] ?? {});
      expect({ service, problems: configProblems(schema, env) }).toEqual({ service, problems: [] });
      expect(env).toMatchObject({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SSL_CA_FILE: '/etc/toolkit/kafka-tls/ca.crt',
        KAFKA_SSL_CERT_FILE: '/etc/toolkit/kafka-tls/tls.crt',
        KAFKA_SSL_KEY_FILE: '/etc/toolkit/kafka-tls/tls.key',
      });
      expect(c.env[service]?.['KAFKA_SASL_PASSWORD']?.from).toBe('secret/kafka-user/password');
      expect(c.env[service]?.['KAFKA_SASL_USERNAME']?.from).toBe('secret/kafka-user/user');
    }
    expect(c.env['topics']?.['KAFKA_SASL_MECHANISM']?.value).toBe('scram-sha-256');
    const auth = objectOf(c, 'TriggerAuthentication', 'toolkit-executor-kafka');
    expect(at(auth, 'spec')['secretTargetRef']).toEqual([
      { parameter: 'ca', name: 'kafka-ca', key: 'ca.crt' },
      { parameter: 'cert', name: 'kafka-client', key: 'tls.crt' },
      { parameter: 'key', name: 'kafka-client', key: 'tls.key' },
      { parameter: 'username', name: 'kafka-user', key: 'user' },
      { parameter: 'password', name: 'kafka-user', key: 'password' },
    ]);
    const scaled = objectOf(c, 'ScaledObject', 'toolkit-executor');
    expect(at(scaled, 'spec', 'triggers', 0, 'metadata')).toMatchObject({
      tls: 'enable',
      sasl: 'scram_sha256',
    });
    expect(c.external).toEqual(
      expect.arrayContaining(['Secret/kafka-ca', 'Secret/kafka-client', 'Secret/kafka-user']),
    );
  });

  it('when the password is given in values (topics created outside the chart), then it is written to the chart Secret and the services read it from there', async () => {
    const { code, report } = await validate(
      [
        'kafka.sasl.enabled=true',
        'kafka.sasl.username=toolkit',
        'kafka.sasl.password=pw-123',
        'kafka.topics.job.enabled=false',
      ].flatMap((s) => ['-set', s]),
    );
    const c = report.cases[0] as CaseReport;

    expect({ code, errors: c.errors }).toEqual({ code: 0, errors: [] });
    for (const [service, schema] of Object.entries(SERVICES)) {
      const env = processEnv(c.env[service] ?? {});
      expect({ service, problems: configProblems(schema, env) }).toEqual({ service, problems: [] });
      expect(env).toMatchObject({ KAFKA_SASL_USERNAME: 'toolkit', KAFKA_SASL_PASSWORD: 'pw-123' });
    }
  });

  it('when a previous internal token is given (rotation), then the catalog and analytics read it from the chart Secret, and only they', async () => {
    const { code, report } = await validate([
      '-set',
      `secrets.internalApiToken=${'n'.repeat(32)}`,
      '-set',
      `secrets.internalApiTokenPrevious=${'o'.repeat(32)}`,
    ]);
    const c = report.cases[0] as CaseReport;
    const previous = Object.fromEntries(
      Object.keys(SERVICES).map((service) => [
        service,
        processEnv(c.env[service] ?? {})['INTERNAL_API_TOKEN_PREVIOUS'],
      ]),
    );

    expect({ code, errors: c.errors }).toEqual({ code: 0, errors: [] });
    expect(previous).toEqual({
      gateway: undefined,
      catalog: 'o'.repeat(32),
      analytics: 'o'.repeat(32),
      executor: undefined,
    });
    for (const [service, schema] of Object.entries(SERVICES)) {
      const env = processEnv(c.env[service] ?? {});
      expect({ service, problems: configProblems(schema, env) }).toEqual({ service, problems: [] });
    }
  });

  it.each([
    [
      'SASL has no password source',
      ['kafka.sasl.enabled=true', 'kafka.sasl.username=toolkit'],
      'kafka.sasl.enabled: no password source',
    ],
    [
      'a client certificate is set without TLS',
      ['kafka.tls.clientCertSecret.name=kafka-client'],
      'need kafka.tls.enabled: true',
    ],
    [
      'the password is in values while the topic Job (a pre-install hook) needs it',
      ['kafka.sasl.enabled=true', 'kafka.sasl.username=toolkit', 'kafka.sasl.password=pw'],
      'use kafka.sasl.existingSecret, or kafka.topics.job.enabled=false',
    ],
    [
      'the password is in values while the operator owns the Secret',
      [
        'secrets.existingSecret=mine',
        'kafka.sasl.enabled=true',
        'kafka.sasl.username=toolkit',
        'kafka.sasl.password=pw',
      ],
      'use kafka.sasl.existingSecret',
    ],
  ])('when %s, then rendering fails', async (_what, sets, message) => {
    expect(await renderErrors(sets)).toEqual({ code: 1, errors: expect.stringContaining(message) });
  });

  it('when the TriggerAuthentication names a parameter KEDA does not read or loses the password, then it is refused', async () => {
    const { report } = await validate(SASL_MTLS.flatMap((s) => ['-set', s]));
    const c = report.cases[0] as CaseReport;
    const others = c.objects.filter((o) => o.kind !== 'TriggerAuthentication').map((o) => o.object);
    const auth = objectOf(c, 'TriggerAuthentication', 'toolkit-executor-kafka');
    const refs = at(auth, 'spec')['secretTargetRef'] as { parameter: string }[];
    at(auth, 'spec')['secretTargetRef'] = refs
      .filter((r) => r.parameter !== 'password')
      .map((r) => (r.parameter === 'ca' ? { ...r, parameter: 'caCert' } : r));

    const { code, errors } = await validateManifests([...others, auth]);

    expect(code).toBe(1);
    expect(errors).toEqual(
      expect.arrayContaining([
        'ScaledObject/toolkit-executor: TriggerAuthentication toolkit-executor-kafka: parameter "caCert" is not one the kafka scaler reads from a TriggerAuthentication',
        'ScaledObject/toolkit-executor: the executors set KAFKA_SASL_PASSWORD but the TriggerAuthentication gives KEDA no password',
      ]),
    );
  });
});

describe('the checks refuse what would break a deployment', () => {
  it('when maxReplicas is above the requests topic partitions, then rendering fails naming both', async () => {
    const { code, report } = await validate([
      '-set',
      'kafka.topics.requests.partitions=8',
      '-set',
      'executor.autoscaling.maxReplicas=9',
    ]);

    expect(code).toBe(1);
    expect(report.cases[0]?.errors).toEqual([
      expect.stringContaining(
        "executor.autoscaling.maxReplicas (9) is above the requests topic's partitions (8)",
      ),
    ]);
  });

  it.each([
    [
      'the executor drains for less than a command may run',
      ['executor.shutdownTimeoutMs=60000'],
      'is shorter than EXECUTOR_MAX_COMMAND_TIMEOUT_MS (300000)',
    ],
    [
      'scale-down stabilisation is shorter than a drain',
      ['executor.autoscaling.scaleDown.stabilizationWindowSeconds=60'],
      "is shorter than the executors' grace period (340s)",
    ],
    [
      'a key ring entry is not kid:<32-byte key>',
      ['secrets.executionKeys=k1:c2hvcnQ='],
      'secrets.executionKeys: each key must be written kid:',
    ],
    ['a values key is misspelt', ['executor.autoscalng.maxReplicas=3'], "'autoscalng' not allowed"],
    [
      'a service env sets a variable the chart owns',
      ['catalog.env.HTTP_PORT=80'],
      'catalog.env.HTTP_PORT: the chart sets HTTP_PORT itself',
    ],
  ])('when %s, then rendering fails', async (_what, sets, message) => {
    expect(await renderErrors(sets)).toEqual({ code: 1, errors: expect.stringContaining(message) });
  });

  it('when a manifest has an unknown, a wrongly cased or a mistyped field, then strict decoding refuses it', async () => {
    const def = caseNamed(standard, 'default');
    const misspelt = objectOf(def, 'Deployment', 'toolkit-gateway');
    const container = at(misspelt, 'spec', 'template', 'spec', 'containers', 0);
    container['livenessprobe'] = container['livenessProbe'];
    const cased = objectOf(def, 'Service', 'toolkit-catalog');
    at(cased, 'spec')['Type'] = 'ClusterIP';
    const mistyped = objectOf(def, 'PodDisruptionBudget', 'toolkit-executor');
    at(mistyped, 'spec')['unhealthyPodEvictionPolicy'] = 7;
    const badQuantity = objectOf(def, 'Deployment', 'toolkit-catalog');
    at(badQuantity, 'spec', 'template', 'spec', 'containers', 0, 'resources', 'limits')['memory'] =
      '512 megs';
    const keda = objectOf(def, 'ScaledObject', 'toolkit-executor');
    at(keda, 'spec')['maxReplicas'] = 4;

    const { code, errors } = await validateManifests([
      misspelt,
      cased,
      mistyped,
      badQuantity,
      keda,
    ]);

    expect(code).toBe(1);
    const text = errors.join('\n');
    expect(text).toContain(
      'Deployment: strict decoding: unknown field "spec.template.spec.containers[0].livenessprobe"',
    );
    expect(text).toContain('Service: strict decoding: unknown field "spec.Type"');
    expect(text).toMatch(
      /PodDisruptionBudget: json: cannot unmarshal number into Go struct field .*unhealthyPodEvictionPolicy/,
    );
    expect(text).toMatch(/Deployment: quantities must match the regular expression/);
    expect(text).toContain('ScaledObject: strict decoding: unknown field "spec.maxReplicas"');
  });

  it('when a YAML document repeats a key or renders a kind the chart does not own, then it is refused', async () => {
    const file = join(workDir, 'raw.yaml');
    await writeFile(
      file,
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\ndata:\n  a: "1"\n  a: "2"\n',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: too-much\n',
      ].join('---\n'),
    );

    const { code, report } = await validate(['-file', file]);

    expect(code).toBe(1);
    expect(report.cases[0]?.errors).toEqual([
      expect.stringMatching(/YAML: [\s\S]*key "a" already set in map/),
      expect.stringContaining(
        'rbac.authorization.k8s.io/v1, Kind=ClusterRoleBinding is not a kind this chart renders',
      ),
    ]);
  });

  it('when a Deployment lacks a probe, a read-only root or enough grace for its drain, then the semantic checks say which', async () => {
    const def = caseNamed(standard, 'default');
    const others = def.objects
      .filter((o) => !(o.kind === 'Deployment' && o.name === 'toolkit-analytics'))
      .map((o) => o.object);
    const analytics = objectOf(def, 'Deployment', 'toolkit-analytics');
    const pod = at(analytics, 'spec', 'template', 'spec');
    const container = at(pod, 'containers', 0);
    delete container['readinessProbe'];
    at(container, 'securityContext')['readOnlyRootFilesystem'] = false;
    pod['terminationGracePeriodSeconds'] = 20;
    delete at(container, 'resources', 'limits')['cpu'];

    const { code, errors } = await validateManifests([...others, analytics]);

    expect(code).toBe(1);
    expect(errors).toEqual(
      expect.arrayContaining([
        'Deployment/toolkit-analytics: no readinessProbe',
        'Deployment/toolkit-analytics container analytics: readOnlyRootFilesystem must be true',
        'Deployment/toolkit-analytics container analytics: no cpu limit',
        'Deployment/toolkit-analytics: terminationGracePeriodSeconds 20 must be above preStop (5 s) + SHUTDOWN_TIMEOUT_MS (25000 ms)',
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('when the KEDA trigger drops persistent lag, misspells a parameter or watches another group, then it is refused', async () => {
    const def = caseNamed(standard, 'default');
    const others = def.objects.filter((o) => o.kind !== 'ScaledObject').map((o) => o.object);
    const scaled = objectOf(def, 'ScaledObject', 'toolkit-executor');
    const metadata = at(scaled, 'spec', 'triggers', 0, 'metadata');
    metadata['excludePersistentLag'] = 'true';
    metadata['lagTreshold'] = metadata['lagThreshold'];
    delete metadata['lagThreshold'];
    metadata['consumerGroup'] = 'executors';

    const { code, errors } = await validateManifests([...others, scaled]);

    expect(code).toBe(1);
    expect(errors).toEqual([
      'ScaledObject/toolkit-executor: consumerGroup "executors" is not the executors\' group "toolkit-executor" (KAFKA_TOPIC_PREFIX + EXECUTOR_GROUP_ID)',
      "ScaledObject/toolkit-executor: lagThreshold must be set explicitly (KEDA's docs and code disagree on its default)",
      'ScaledObject/toolkit-executor: excludePersistentLag would drop partitions whose executor is busy on a long command, scaling down under load',
      'ScaledObject/toolkit-executor trigger requests-lag: metadata "lagTreshold" is not a parameter the kafka scaler reads from metadata',
    ]);
  });

  it('when a NetworkPolicy lets another namespace reach the catalog API or anyone reach an executor, then it is refused', async () => {
    const def = caseNamed(standard, 'default');
    const others = def.objects
      .filter(
        (o) =>
          !(o.kind === 'NetworkPolicy' && ['toolkit-catalog', 'toolkit-executor'].includes(o.name)),
      )
      .map((o) => o.object);
    const catalog = objectOf(def, 'NetworkPolicy', 'toolkit-catalog');
    at(catalog, 'spec', 'ingress', 1)['from'] = [{ namespaceSelector: {} }];
    const executor = objectOf(def, 'NetworkPolicy', 'toolkit-executor');
    (at(executor, 'spec')['ingress'] as unknown[]).push({ ports: [{ port: 'http' }] });

    const { code, errors } = await validateManifests([...others, catalog, executor]);

    expect(code).toBe(1);
    expect(errors).toEqual([
      'Deployment/toolkit-catalog: NetworkPolicy toolkit-catalog admits {"namespaceSelector":{}} on its API port; only the gateway calls it',
      'Deployment/toolkit-executor: NetworkPolicy toolkit-executor admits traffic from anywhere',
    ]);
  });
});

describe('the topic Job on a real broker', () => {
  const suffix = uniqueSuffix();
  const prefix = `test.chart.${suffix}.`;
  let kafka: Kafka;

  beforeAll(() => {
    kafka = new Kafka({
      clientId: 'chart-test',
      brokers: testInfra().brokers,
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  /** Renders the chart with the prefix and runs its topic Job's script as the Job would. */
  async function runTopicJob(sets: string[]): Promise<{ code: number; stdout: string }> {
    const { code, report } = await validate([
      '-set',
      `kafka.topicPrefix=${prefix}`,
      '-set',
      'kafka.topics.partitions=2',
      '-set',
      'executor.autoscaling.maxReplicas=2',
      ...sets.flatMap((s) => ['-set', s]),
    ]);
    const c = report.cases[0];
    if (code !== 0 || !c) throw new Error(`render failed: ${JSON.stringify(report)}`);
    const hook = objectOf(c, 'ConfigMap', 'toolkit-topics') as { data: Record<string, string> };
    const script = join(workDir, `create-topics-${uniqueSuffix()}.js`);
    await writeFile(script, hook.data['create-topics.js'] ?? '');
    const env = c.env['topics'] ?? {};
    return run('node', [script], {
      env: {
        PATH: process.env['PATH'] ?? '',
        // The image has kafkajs in /app/node_modules; here it is the repository's.
        NODE_PATH: join(repo, 'node_modules'),
        KAFKA_BROKERS: testInfra().brokers.join(','),
        KAFKA_SSL: env['KAFKA_SSL']?.value ?? 'false',
        KAFKA_CONNECTION_TIMEOUT_MS: env['KAFKA_CONNECTION_TIMEOUT_MS']?.value ?? '3000',
        TOPICS_JSON: env['TOPICS_JSON']?.value ?? '',
      },
      timeoutMs: 90_000,
    });
  }

  async function describeTopics(): Promise<
    Record<string, { partitions: number; config: Record<string, string> }>
  > {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const names = ALL_TOPICS.map((t) => `${prefix}${t.topic}`);
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      });
      return Object.fromEntries(
        topics.map((t) => {
          const entries = resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
          const config = Object.fromEntries(
            entries
              .filter((e) =>
                ['retention.ms', 'max.message.bytes', 'cleanup.policy'].includes(e.configName),
              )
              .map((e) => [e.configName, e.configValue]),
          );
          return [t.name.slice(prefix.length), { partitions: t.partitions.length, config }];
        }),
      );
    } finally {
      await admin.disconnect();
    }
  }

  it('when the Job runs, then every contract topic exists as the values say, and the services boot against them without creating any', async () => {
    const first = await runTopicJob(['kafka.topics.requests.partitions=3']);

    expect(first.code).toBe(0);
    const topics = await describeTopics();
    expect(topics['toolkit.execution.requests.v1']).toEqual({
      partitions: 3,
      config: {
        'retention.ms': '604800000',
        'max.message.bytes': '1048588',
        'cleanup.policy': 'delete',
      },
    });
    expect(topics['toolkit.execution.results.v1']).toEqual({
      partitions: 2,
      config: {
        'retention.ms': '604800000',
        'max.message.bytes': '16777216',
        'cleanup.policy': 'delete',
      },
    });
    expect(topics['toolkit.execution.cancellations.v1']?.config['retention.ms']).toBe('3600000');
    // What a service does at boot with KAFKA_CREATE_TOPICS=false: every topic must exist.
    const { logger, lines } = memoryLogger('chart-test');
    const messaging = new KafkaMessaging({
      service: 'chart-test',
      brokers: testInfra().brokers,
      logger,
      topicPrefix: prefix,
    });
    await messaging.connect();
    try {
      await expect(
        messaging.checkTopics(ALL_TOPICS, { partitions: 2, replicationFactor: 1 }),
      ).resolves.toBeUndefined();
    } finally {
      await messaging.disconnect();
    }
    expect(lines().filter((l) => l['level'] === 'warn')).toEqual([]);
  });

  it('when the Job runs again with more partitions and another retention, then it grows and changes the topics in place', async () => {
    const again = await runTopicJob([
      'kafka.topics.requests.partitions=4',
      'kafka.topics.events.retentionMs=7200000',
    ]);

    expect(again.code).toBe(0);
    expect(again.stdout).toContain('added partitions');
    const topics = await describeTopics();
    expect(topics['toolkit.execution.requests.v1']?.partitions).toBe(4);
    expect(topics['toolkit.execution.events.v1']?.config['retention.ms']).toBe('7200000');
    expect(topics['toolkit.execution.results.v1']?.config['max.message.bytes']).toBe('16777216');
  });
});
