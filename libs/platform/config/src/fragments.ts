import { z } from 'zod';
import { envBoolean, envInt, envList, envPort, envSecret, logLevel } from './env-types';

/**
 * Fragments shared by every service. A service's schema is
 * `z.object({ ...serviceEnv, ...kafkaEnv, ...mongoEnv, ...its own }).transform(...)`.
 */
export const serviceEnv = {
  LOG_LEVEL: logLevel,
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: envPort(),
  /**
   * A port for /metrics and the detailed /readyz (Prometheus, the kubelet); unset, the
   * HTTP port serves them. The gateway, which is public, always separates them.
   */
  METRICS_PORT: envPort().optional(),
  /** Address of the metrics port; defaults to HTTP_HOST. */
  METRICS_HOST: z.string().min(1).optional(),
  /** Must be shorter than the Kubernetes termination grace period. */
  SHUTDOWN_TIMEOUT_MS: envInt({ min: 1_000, max: 600_000, default: 25_000 }),
  HTTP_BODY_LIMIT_BYTES: envInt({ min: 1_024, max: 64 * 1024 * 1024, default: 1024 * 1024 }),
};

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * Spread into a service's z.object; the rules between its variables (`refineKafkaEnv`)
 * go on the object: `z.object({ ...kafkaEnv, ... }).superRefine(refineKafkaEnv)`.
 */
export const kafkaEnv = {
  KAFKA_BROKERS: envList(),
  KAFKA_CLIENT_ID: z.string().optional(),
  KAFKA_SSL: envBoolean(false),
  /**
   * SASL on the Kafka connection (over TLS with KAFKA_SSL=true, else SASL_PLAINTEXT); unset:
   * none. Set, it needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (`kafkaEnvProblems`).
   */
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { error: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  /** A secret: the logger redacts `password` fields; config problems never quote values. */
  KAFKA_SASL_PASSWORD: envSecret().optional(),
  /**
   * PEM files read at boot and for every new broker connection (`readKafkaSecurity`: a
   * rotated certificate needs no restart); any of them needs KAFKA_SSL=true. The
   * CA replaces Node's CA store for the brokers; the certificate and key (both or neither)
   * authenticate this client (mTLS).
   */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_CONNECTION_TIMEOUT_MS: envInt({ min: 100, max: 60_000, default: 3_000 }),
  /** Create the topics this service uses at boot (local stack); off where ops own topics. */
  KAFKA_CREATE_TOPICS: envBoolean(true),
  KAFKA_TOPIC_PARTITIONS: envInt({ min: 1, max: 1_000, default: 12 }),
  KAFKA_REPLICATION_FACTOR: envInt({ min: 1, max: 7, default: 1 }),
  /**
   * Put before every topic and consumer group name (`staging.` ->
   * `staging.toolkit.execution.requests.v1`, `staging.toolkit-executor`): environments
   * sharing one cluster never share messages or groups. Every service of a deployment must
   * use the same prefix.
   */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, { error: 'must be at most 100 of A-Z a-z 0-9 . _ -' })
    .default(''),
};

export const mongoEnv = {
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { error: 'must be a mongodb:// or mongodb+srv:// URI' }),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be a database name' })
    .optional(),
};

export type ServiceEnv = z.output<z.ZodObject<typeof serviceEnv>>;
export type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnv>>;
export type MongoEnv = z.output<z.ZodObject<typeof mongoEnv>>;
