import { z } from 'zod';
import { envPort, kafkaEnv, mongoEnv, serviceEnv } from '@toolkit/config';

export const analyticsConfigSchema = z.object({
  ...serviceEnv,
  ...kafkaEnv,
  ...mongoEnv,
  HTTP_PORT: envPort(8103),
});

export type AnalyticsConfig = z.output<typeof analyticsConfigSchema>;
