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
  const counts = await loadInventory(catalog, inventory, toolContext());
  logger.info({ counts, devices: inventory.devices.length }, 'inventory loaded');
  process.stdout.write(`${JSON.stringify(counts)}\n`);
});
