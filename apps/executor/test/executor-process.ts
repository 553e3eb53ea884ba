// A separate executor process for crash tests (killed with SIGKILL mid-command).
import { startNode, testSettings, uniqueTopics } from './executor-harness';

async function main(): Promise<void> {
  const env = process.env;
  const topics = uniqueTopics(Number(env['TEST_PARTITIONS'] ?? '1'), env['TEST_TOPIC_ID']);
  const node = await startNode(
    topics,
    env['TEST_MONGO_URI'] ?? '',
    testSettings(JSON.parse(env['TEST_SETTINGS'] ?? '{}')),
  );
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void node.close().then(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
