import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { createApp } from './app';
import { executorConfigSchema } from './config';
import { createExecutor } from './executor';

const config = loadConfigOrExit(executorConfigSchema);

void runService({
  service: 'executor',
  config,
  topics: ALL_TOPICS,
  // An executor only consumes: without Kafka it cannot do anything.
  kafkaRequired: true,
  wire: async (infra) => {
    const executor = await createExecutor({
      settings: config,
      logger: infra.logger,
      registry: infra.registry,
      messaging: infra.messaging,
      mongo: infra.mongo,
    });
    return {
      app: createApp({
        ...infra,
        bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
        status: () => executor.status(),
      }),
      start: () => executor.start(),
      // Stop fetching, drain in-flight executions (results published, offsets committed),
      // leave the group, then close SSH sessions and breakers; Kafka and MongoDB follow.
      closers: [{ name: 'executor', close: () => executor.stop() }],
    };
  },
});
