import { decideOnFailure } from './codec';
import { sendError } from './producer';

/** As kafkajs reports a broker's answer: a protocol error with its type, wrapped after retries. */
const fromBroker = (type: string) =>
  Object.assign(new Error('KafkaJSNonRetriableError'), {
    cause: Object.assign(new Error(type), { type }),
  });

describe('a send Kafka failed', () => {
  it.each(['INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TOPIC_EXCEPTION'])(
    'when the broker refused the records (%s), then it is permanent: dead-lettered, never retried forever',
    (type) => {
      const error = sendError(fromBroker(type), 'toolkit.execution.results.v1');

      expect([error.category, error.retriable]).toEqual(['internal', false]);
      expect(error.message).toContain(type);
      expect(decideOnFailure(error, 1, 5)).toBe('dead-letter');
    },
  );

  it.each([
    ['a lost connection', new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    ['a leader moving', fromBroker('NOT_LEADER_FOR_PARTITION')],
    ['an ACL an operator can fix', fromBroker('TOPIC_AUTHORIZATION_FAILED')],
  ])('when it failed with %s, then Kafka is unavailable: retried until it is back', (_w, cause) => {
    const error = sendError(cause, 'toolkit.execution.results.v1');

    expect([error.category, error.retriable]).toEqual(['unavailable', true]);
    expect(decideOnFailure(error, 50, 5)).toBe('retry');
  });
});
