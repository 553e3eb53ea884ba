// A real gateway process on a test stack's topics (TEST_TOPIC_ID): crash tests kill it
// with SIGKILL mid-wait; rate-limit tests run two of them against one database.
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import { gatewayConfigSchema } from '../../../apps/gateway/src/config';
import { wireGateway } from '../../../apps/gateway/src/wiring';
import { gatewayTopicsOf, stackTopics } from './stack-topics';

const id = process.env['TEST_TOPIC_ID'] ?? '';
const config = loadConfigOrExit(gatewayConfigSchema);
const topics = stackTopics(id);

void runService({
  service: 'gateway',
  config,
  topics: gatewayTopicsOf(id),
  wire: (infra) => wireGateway(infra, config, { topics }),
});
