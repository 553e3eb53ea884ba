export { CORRELATION_HEADER, KafkaMessaging } from './kafka-messaging';
export type {
  BatchConsumerOptions,
  ConsumedMessage,
  MessageConsumerOptions,
  MessageMeta,
  MessagingOptions,
  PublishOptions,
  RunningConsumer,
} from './kafka-messaging';
export { backoffMs, decideOnFailure, decodeEnvelope, encodeEnvelope, toDeadLetter } from './codec';
export type { DecodeFailureReason, Decoded, FailureDecision } from './codec';
