export {
  ConfigError,
  configProblems,
  loadConfig,
  loadConfigOrExit,
  orExitOnConfigError,
} from './load-config';
export type { Env } from './load-config';
export { readDefault } from './read-default';
export {
  envBoolean,
  envInt,
  envKey256,
  envList,
  envPort,
  envSecret,
  envUrl,
  logLevel,
} from './env-types';
export { KAFKA_SASL_MECHANISMS, kafkaEnv, mongoEnv, serviceEnv } from './fragments';
export type { KafkaEnv, KafkaSaslMechanism, MongoEnv, ServiceEnv } from './fragments';
export { kafkaEnvProblems, readKafkaSecurity, refineKafkaEnv } from './kafka-security';
export type { KafkaEnvProblem, KafkaSecurity, StalePemFile } from './kafka-security';
