import { randomBytes } from 'node:crypto';
import { createKeyring } from '@toolkit/crypto';
import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';

const keyring = createKeyring('k1', { k1: randomBytes(32) });

describe('catalog service health, readiness and metrics', () => {
  itServesHealthEndpoints('catalog', (deps) =>
    createApp({
      ...deps,
      bodyLimitBytes: 1024 * 1024,
      internalToken: 'health-check-token-0123456789',
      credentialKeys: keyring,
      executionKeys: keyring,
    }),
  );
});
