/**
 * Loads the device simulator's inventory JSON into the catalog (idempotent).
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/catalog/src/tools/load-inventory.ts path/to/inventory.json
 */
import { readFile } from 'node:fs/promises';
import type { Inventory } from '@toolkit/device-sim';
import { loadInventory } from './inventory-loader';
import { toolContext } from './inventory-sync';
import { runTool } from './tool-runtime';

void runTool('load-inventory', async (catalog, _config, logger) => {
  const path = process.argv[2];
  if (!path) throw new Error('usage: load-inventory.ts <inventory.json>');
  const inventory = JSON.parse(await readFile(path, 'utf8')) as Inventory;
  const started = performance.now();
  const counts = await loadInventory(catalog, inventory, toolContext());
  const seconds = (performance.now() - started) / 1000;
  const devices = inventory.devices.length;
  const interfaces = inventory.devices.reduce((n, d) => n + d.interfaces.length, 0);
  const timing = {
    seconds: Number(seconds.toFixed(2)),
    devices_per_s: Number((devices / seconds).toFixed(1)),
    interfaces_per_s: Number((interfaces / seconds).toFixed(1)),
  };
  logger.info({ counts, devices, interfaces, timing }, 'inventory loaded');
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  process.stdout.write(
    `${devices} devices, ${interfaces} interfaces in ${timing.seconds} s: ` +
      `${timing.devices_per_s} devices/s, ${timing.interfaces_per_s} interfaces/s\n`,
  );
});
