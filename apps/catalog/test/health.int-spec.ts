import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';

describe('catalog service health, readiness and metrics', () => {
  itServesHealthEndpoints('catalog', (deps) => createApp({ ...deps, bodyLimitBytes: 1024 * 1024 }));
});
