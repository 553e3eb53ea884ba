import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';

describe('gateway service health, readiness and metrics', () => {
  itServesHealthEndpoints('gateway', (deps) => createApp({ ...deps, bodyLimitBytes: 1024 * 1024 }));
});
