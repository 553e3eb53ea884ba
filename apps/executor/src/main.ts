import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { createApp } from './app';
import { executorConfigSchema } from './config';

const config = loadConfigOrExit(executorConfigSchema);

void runService({
  service: 'executor',
  config,
  topics: ALL_TOPICS,
  wire: async (infra) => ({
    app: createApp({ ...infra, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES }),
  }),
});
