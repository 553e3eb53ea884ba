// Waits until Kafka answers a produce/consume round trip and the MongoDB-wire server a
// ping, or fails after TOOLKIT_READY_TIMEOUT_S (default 120) with what did not answer.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';

const brokers = process.env.KAFKA_BROKERS.split(',').map((b) => b.trim());
const mongoUri = process.env.MONGODB_URI;
const deadline = Date.now() + Number(process.env.TOOLKIT_READY_TIMEOUT_S ?? 120) * 1000;
const topic = 'toolkit.healthcheck.v1';

async function retry(what, fn) {
  let lastError;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`${what} did not answer: ${lastError?.message ?? 'timeout'}`);
}

async function kafkaRoundTrip() {
  const kafka = new Kafka({
    clientId: 'toolkit-wait-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic))
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const marker = randomUUID();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'ping', value: marker }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `toolkit-wait-ready-${marker}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('round trip timed out')), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === marker) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

async function mongoPing() {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 2000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

const started = Date.now();
try {
  await Promise.all([
    retry(`Kafka at ${brokers.join(',')}`, kafkaRoundTrip),
    retry(`MongoDB at ${mongoUri}`, mongoPing),
  ]);
  console.error(
    `[infra] ready: Kafka round trip and MongoDB ping answered in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  console.error(`[infra] ${error.message}`);
  process.exit(1);
}
