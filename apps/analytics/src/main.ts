import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { createApp } from './app';
import { analyticsConfigSchema } from './config';

const config = loadConfigOrExit(analyticsConfigSchema);

void runService({
  service: 'analytics',
  config,
  topics: ALL_TOPICS,
  wire: async (infra) => ({
    app: createApp({ ...infra, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES }),
  }),
});
