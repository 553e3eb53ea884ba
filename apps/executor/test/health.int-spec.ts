import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';

describe('executor service health, readiness and metrics', () => {
  itServesHealthEndpoints(
    'executor',
    (deps) => createApp({ ...deps, bodyLimitBytes: 1024 * 1024 }),
    // An executor only consumes: without Kafka it has nothing to do (runService's kafkaRequired).
    { kafkaRequired: true },
  );
});
