import { z } from 'zod';
import { API_ERROR_CLASSES, EXECUTION_STATUSES } from './choices.contract';

/** `/api/plugins/toolkit/bulk-jobs/{id}/`: progress and per-item results of a bulk execution. */
export const BULK_JOBS_PATH = '/api/plugins/toolkit/bulk-jobs/';

export const bulkJobItemSchema = z.object({
  position: z.number().int().nullable(),
  execution_id: z.uuid(),
  status: z.enum(EXECUTION_STATUSES),
  command: z.object({ id: z.number().int().nullable(), name: z.string() }).nullable(),
  device: z.object({ id: z.number().int(), name: z.string() }),
  success: z.boolean().nullable(),
  output: z.string().nullable(),
  error_message: z.string().nullable(),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  command_log_id: z.number().int().nullable(),
  execution_time: z.string().nullable(),
});

export const bulkJobSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  display: z.string(),
  /** `running` while any item is queued or running, else `completed`. */
  status: z.enum(['running', 'completed']),
  /** Items known to analytics (every published request once the requests consumer saw it). */
  total: z.number().int(),
  done: z.number().int(),
  counts: z.object(
    Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, z.number().int()])) as Record<
      (typeof EXECUTION_STATUSES)[number],
      z.ZodNumber
    >,
  ),
  summary: z.object({
    total: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
  }),
  results: z.array(bulkJobItemSchema),
});
export type BulkJobRepresentation = z.output<typeof bulkJobSchema>;
