// Creates the platform's Kafka topics and keeps their settings: the chart's topic Job (a
// Helm hook before install and upgrade) runs it with a service image's Node.js and kafkajs
// (NODE_PATH=/app/node_modules). Idempotent: a missing topic is created; an existing one
// gets more partitions if it has fewer than asked (never fewer: Kafka cannot remove
// partitions) and the asked settings (its other overrides are kept). Replication factors
// are reported, not changed (that is a partition reassignment).
//
// Environment: KAFKA_BROKERS (comma list), KAFKA_SSL (true|false), KAFKA_SSL_CA_FILE,
// KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE (PEM paths), KAFKA_SASL_MECHANISM,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD (as the services read them),
// KAFKA_CONNECTION_TIMEOUT_MS, TOPICS_JSON ({"<id>": {"name", "partitions",
// "replicationFactor", "config": {"retention.ms": "...", ...}}}). Exit 0 when every topic
// is as asked (a warning for what it leaves alone), 1 otherwise.
'use strict';
const { readFileSync } = require('node:fs');
const { ConfigResourceTypes, ConfigSource, Kafka, logLevel } = require('kafkajs');

function log(level, msg, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`,
  );
}

function readSettings(env) {
  const brokers = (env.KAFKA_BROKERS || '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set');
  const topics = Object.values(JSON.parse(env.TOPICS_JSON || '{}'));
  if (topics.length === 0) throw new Error('TOPICS_JSON names no topic');
  for (const t of topics) {
    if (!t.name || !(t.partitions >= 1) || !(t.replicationFactor >= 1))
      throw new Error(
        `TOPICS_JSON: ${JSON.stringify(t)} needs name, partitions and replicationFactor`,
      );
  }
  const files = {};
  for (const [option, variable] of [
    ['ca', 'KAFKA_SSL_CA_FILE'],
    ['cert', 'KAFKA_SSL_CERT_FILE'],
    ['key', 'KAFKA_SSL_KEY_FILE'],
  ]) {
    if (!env[variable]) continue;
    try {
      files[option] = readFileSync(env[variable]);
    } catch (error) {
      throw new Error(`${variable}: cannot read ${env[variable]} (${error.code || error.message})`);
    }
  }
  const tls = env.KAFKA_SSL === 'true';
  if (!tls && Object.keys(files).length > 0)
    throw new Error('KAFKA_SSL_*_FILE need KAFKA_SSL=true');
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism && !['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism))
    throw new Error('KAFKA_SASL_MECHANISM: plain, scram-sha-256 or scram-sha-512');
  if (mechanism && !(env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD))
    throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  return {
    brokers,
    ssl: tls && Object.keys(files).length > 0 ? { ...files, rejectUnauthorized: true } : tls,
    sasl: mechanism
      ? { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
      : undefined,
    connectionTimeout: Number(env.KAFKA_CONNECTION_TIMEOUT_MS || 3000),
    topics,
  };
}

const entries = (config) =>
  Object.entries(config || {}).map(([name, value]) => ({ name, value: String(value) }));

async function createMissing(admin, wanted, existing) {
  const missing = wanted.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configEntries: entries(t.config),
    })),
  });
  log('info', 'created topics', { topics: missing.map((t) => t.name) });
  return missing.map((t) => t.name);
}

async function growPartitions(admin, present) {
  const { topics: metadata } = await admin.fetchTopicMetadata({
    topics: present.map((t) => t.name),
  });
  const grow = [];
  for (const t of present) {
    const found = metadata.find((m) => m.name === t.name);
    const have = found ? found.partitions.length : 0;
    const replicas = found && found.partitions[0] ? found.partitions[0].replicas.length : 0;
    if (have < t.partitions) grow.push({ topic: t.name, count: t.partitions });
    else if (have > t.partitions)
      log(
        'warn',
        'topic has more partitions than asked: left as is (the executors stay bounded by the smaller count)',
        {
          topic: t.name,
          partitions: have,
          asked: t.partitions,
        },
      );
    if (replicas !== t.replicationFactor)
      log(
        'warn',
        'replication factor differs from the one asked: reassign the partitions to change it',
        {
          topic: t.name,
          replicationFactor: replicas,
          asked: t.replicationFactor,
        },
      );
  }
  if (grow.length > 0) {
    await admin.createPartitions({ validateOnly: false, topicPartitions: grow });
    log('info', 'added partitions (keys of new messages may now map to other partitions)', {
      topics: grow,
    });
  }
}

/** Sets the asked settings, sending the topic's other overrides again (alterConfigs replaces them all). */
async function applySettings(admin, present) {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name })),
  });
  const changes = [];
  for (const t of present) {
    const resource = resources.find((r) => r.resourceName === t.name);
    const current = new Map(
      (resource ? resource.configEntries : [])
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
        .map((e) => [e.configName, e]),
    );
    const asked = entries(t.config);
    const differs = asked.filter(
      (e) => !current.has(e.name) || current.get(e.name).configValue !== e.value,
    );
    if (differs.length === 0) continue;
    const kept = [...current.values()].filter((e) => !asked.some((a) => a.name === e.configName));
    if (kept.some((e) => e.isSensitive || e.configValue === null))
      throw new Error(
        `topic ${t.name} has a sensitive override that cannot be sent again: set ${differs.map((e) => e.name).join(', ')} by hand`,
      );
    changes.push({
      type: ConfigResourceTypes.TOPIC,
      name: t.name,
      configEntries: [...kept.map((e) => ({ name: e.configName, value: e.configValue })), ...asked],
    });
    log('info', 'changing topic settings', {
      topic: t.name,
      settings: Object.fromEntries(differs.map((e) => [e.name, e.value])),
    });
  }
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
}

async function main(env = process.env) {
  const settings = readSettings(env);
  const kafka = new Kafka({
    clientId: 'toolkit-topics',
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl: settings.sasl,
    connectionTimeout: settings.connectionTimeout,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 8 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const created = await createMissing(admin, settings.topics, existing);
    const present = settings.topics.filter((t) => !created.includes(t.name));
    if (present.length > 0) {
      await growPartitions(admin, present);
      await applySettings(admin, present);
    }
    log('info', 'topics ready', { topics: settings.topics.map((t) => t.name) });
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log('error', 'topic setup failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  },
);
