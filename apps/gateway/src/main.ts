import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { gatewayConfigSchema } from './config';
import { wireGateway } from './wiring';

const config = loadConfigOrExit(gatewayConfigSchema);

void runService({
  service: 'gateway',
  config,
  topics: ALL_TOPICS,
  wire: (infra) => wireGateway(infra, config),
});
