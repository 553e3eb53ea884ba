import { z } from 'zod';
import { envPort, kafkaEnv, mongoEnv, serviceEnv } from '@toolkit/config';

export const catalogConfigSchema = z.object({
  ...serviceEnv,
  ...kafkaEnv,
  ...mongoEnv,
  HTTP_PORT: envPort(8101),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
