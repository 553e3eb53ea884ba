export { KafkaMessaging } from './kafka-messaging';
export { CORRELATION_HEADER } from './messaging';
export { kafkaClientOptions } from './client';
export type {
  BatchConsumerOptions,
  ConsumedMessage,
  ConsumerCommon,
  MessageConsumerOptions,
  MessageMeta,
  KafkaSaslOptions,
  KafkaTlsOptions,
  Messaging,
  MessagingOptions,
  PublishManyOptions,
  PublishOptions,
  RunningConsumer,
  TopicOptions,
} from './messaging';
export { HandlingPolicy } from './handling-policy';
export type { HandlingPolicyOptions, RawMessage } from './handling-policy';
export { backoffMs, decideOnFailure, decodeEnvelope, encodeEnvelope, toDeadLetter } from './codec';
export type { DeadLetterInput, DecodeFailureReason, Decoded, FailureDecision } from './codec';
