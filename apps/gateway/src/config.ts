import { z } from 'zod';
import { envPort, kafkaEnv, mongoEnv, serviceEnv } from '@toolkit/config';

export const gatewayConfigSchema = z.object({
  ...serviceEnv,
  ...kafkaEnv,
  ...mongoEnv,
  HTTP_PORT: envPort(8000),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
