import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { analyticsConfigSchema } from './config';
import { wireAnalytics } from './wiring';

const config = loadConfigOrExit(analyticsConfigSchema);

void runService({
  service: 'analytics',
  config,
  topics: ALL_TOPICS,
  wire: (infra) => wireAnalytics(infra, config),
});
