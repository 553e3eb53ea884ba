import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';

describe('analytics service health, readiness and metrics', () => {
  itServesHealthEndpoints('analytics', (deps) =>
    createApp({ ...deps, bodyLimitBytes: 1024 * 1024 }),
  );
});
