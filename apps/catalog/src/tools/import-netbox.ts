/**
 * Imports devices, platforms, sites, interfaces, VLANs and IP addresses from NetBox
 * (NETBOX_URL, NETBOX_TOKEN) into the catalog (idempotent).
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   NETBOX_URL=https://netbox.example.com NETBOX_TOKEN=... node --import tsx apps/catalog/src/tools/import-netbox.ts
 */
import { toolContext } from './inventory-sync';
import { importFromNetbox } from './netbox-importer';
import { runTool } from './tool-runtime';

void runTool('import-netbox', async (catalog, config, logger) => {
  if (!config.NETBOX_URL || !config.NETBOX_TOKEN)
    throw new Error('NETBOX_URL and NETBOX_TOKEN are required');
  const counts = await importFromNetbox(
    catalog,
    { url: config.NETBOX_URL, token: config.NETBOX_TOKEN },
    toolContext(),
  );
  logger.info({ counts }, 'NetBox import finished');
  process.stdout.write(`${JSON.stringify(counts)}\n`);
});
