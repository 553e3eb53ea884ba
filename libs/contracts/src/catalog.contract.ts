import { z } from 'zod';
import { defineTopic } from './envelope.contract';

export const CATALOG_ENTITIES = [
  'command',
  'platform',
  'site',
  'device',
  'interface',
  'vlan',
  'ip-address',
  'credential-set',
  'parsing-template',
] as const;

export const catalogEventSchema = z.object({
  entity: z.enum(CATALOG_ENTITIES),
  action: z.enum(['created', 'updated', 'deleted']),
  id: z.number().int().positive(),
  /** The object after the change (before, for deletes), secrets removed. */
  data: z.record(z.string(), z.unknown()).optional(),
  actor: z.string().max(150).optional(),
});
export type CatalogEvent = z.output<typeof catalogEventSchema>;

export const catalogEventsTopic = defineTopic({
  topic: 'toolkit.catalog.events.v1',
  type: 'catalog.changed',
  schemaVersion: 1,
  payload: catalogEventSchema,
  keyOf: (p) => `${p.entity}:${p.id}`,
});
