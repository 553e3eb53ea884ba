import { z } from 'zod';
import { envPort, kafkaEnv, mongoEnv, serviceEnv } from '@toolkit/config';

export const executorConfigSchema = z.object({
  ...serviceEnv,
  ...kafkaEnv,
  ...mongoEnv,
  HTTP_PORT: envPort(8102),
});

export type ExecutorConfig = z.output<typeof executorConfigSchema>;
