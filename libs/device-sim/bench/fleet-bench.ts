// Fleet benchmark: startup time and idle RSS for N devices, then login + `show version` round trips.
// Run: node --import tsx libs/device-sim/bench/fleet-bench.ts [--count 1000] [--samples 20]
import { parseArgs } from 'node:util';
import { Client } from 'ssh2';
import { startFleet } from '../src/index';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function loginAndShowVersion(host: string, port: number, privateKey: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('error', reject);
    client.once('ready', () => {
      client.exec('show version', (err, stream) => {
        if (err) {
          reject(err);
          return;
        }
        stream.on('data', () => undefined);
        stream.on('close', () => {
          client.end();
          resolve(performance.now() - started);
        });
      });
    });
    client.connect({ host, port, username: 'admin', privateKey });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000' },
      samples: { type: 'string', default: '20' },
    },
  });
  const count = Number(values.count);
  const samples = Number(values.samples);
  const baseline = process.memoryUsage().rss;
  const t0 = performance.now();
  const fleet = await startFleet({ count, platforms: ['ios', 'nxos', 'eos', 'junos'] });
  const startupMs = performance.now() - t0;
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const idleRss = process.memoryUsage().rss;

  const t1 = performance.now();
  const inventoryBytes = JSON.stringify(fleet.inventory).length;
  const inventoryMs = performance.now() - t1;
  global.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const rssWithState = process.memoryUsage().rss;

  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const d = fleet.devices[(i * 37) % fleet.devices.length];
    if (!d) continue;
    times.push(await loginAndShowVersion(d.host, d.port, fleet.keys.privateKey));
  }
  times.sort((a, b) => a - b);
  const afterRss = process.memoryUsage().rss;
  await fleet.close();

  const pct = (p: number): number =>
    times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
  const result = {
    devices: count,
    startupMs: Math.round(startupMs),
    rssBaseline: mb(baseline),
    rssIdle: mb(idleRss),
    inventoryMs: Math.round(inventoryMs),
    inventoryBytes,
    rssWithAllStateGenerated: mb(rssWithState),
    rssAfterSamples: mb(afterRss),
    loginShowVersionMs: {
      samples: times.length,
      p50: +pct(50).toFixed(1),
      p95: +pct(95).toFixed(1),
      max: +pct(100).toFixed(1),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();
