export { ConfigError, configProblems, loadConfig, loadConfigOrExit } from './load-config';
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
export { kafkaEnv, mongoEnv, serviceEnv } from './fragments';
export type { KafkaEnv, MongoEnv, ServiceEnv } from './fragments';
