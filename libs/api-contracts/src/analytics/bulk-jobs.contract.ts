import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import { EXECUTION_STATUSES } from './choices.contract';

/**
 * `/api/plugins/toolkit/bulk-jobs/`: one bulk execution's progress, id = bulk job id. Its
 * items are executions (`/executions/?bulk_job=<id>&ordering=bulk_position`), read page
 * by page: the job never carries their outputs.
 */
export const BULK_JOBS_PATH = '/api/plugins/toolkit/bulk-jobs/';

/**
 * `queued` while no item has started, `running` until every accepted item has finished
 * (also while the number of accepted items is not known yet), then `completed`.
 */
export const BULK_JOB_STATUSES = ['queued', 'running', 'completed'] as const;
export type BulkJobStatus = (typeof BULK_JOB_STATUSES)[number];

const count = z.number().int().min(0);
const dateTime = z.string();

export const bulkJobCountsSchema = z.object(
  Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, count])) as Record<
    (typeof EXECUTION_STATUSES)[number],
    typeof count
  >,
);
export type BulkJobCounts = z.output<typeof bulkJobCountsSchema>;

export const bulkJobSummarySchema = z.object({
  /** Items in the bulk request, refused ones included. */
  total: count,
  /** Items that succeeded. */
  successful: count,
  /** Items that failed, ended in an unknown outcome, or were cancelled. */
  failed: count,
  /** Items refused when the job was submitted (never run). */
  rejected: count,
  /** Accepted items not finished yet: queued, running, or not recorded yet. */
  pending: count,
});
export type BulkJobSummary = z.output<typeof bulkJobSummarySchema>;

export const bulkJobSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  display: z.string(),
  status: z.enum(BULK_JOB_STATUSES),
  /** Who submitted it; null only while none of its messages naming the requester was read. */
  user: z.object({ id: z.number().int().nullable(), username: z.string() }).nullable(),
  notes: z.string(),
  /** Items in the bulk request; `total`, `accepted` and `rejected` are null until known. */
  total: count.nullable(),
  /** Items published for execution. */
  accepted: count.nullable(),
  /** Items refused when the job was submitted. */
  rejected: count.nullable(),
  /** Items finished (succeeded, failed, unknown or cancelled). */
  done: count,
  /** Recorded items by execution status. */
  counts: bulkJobCountsSchema,
  summary: bulkJobSummarySchema,
  created: dateTime,
  /** When its first item started. */
  started_at: dateTime.nullable(),
  /** When its last item finished, once the job is completed. */
  finished_at: dateTime.nullable(),
  last_updated: dateTime,
  /** Its items, by position. */
  executions_url: z.string(),
});
export type BulkJobRepresentation = z.output<typeof bulkJobSchema>;

export const BULK_JOB_BRIEF_FIELDS = ['id', 'url', 'display', 'status'] as const;

export const bulkJobListSpec: ListSpec = {
  filters: [
    { name: 'id', type: 'string', path: '_id' },
    { name: 'user', type: 'string', path: 'user.username' },
    { name: 'user_id', type: 'integer', path: 'user.id' },
    { name: 'status', type: 'enum', choices: BULK_JOB_STATUSES },
    { name: 'created', type: 'datetime' },
  ],
  ordering: {
    created: 'created',
    status: 'status',
    total: 'total',
    finished_at: 'finished_at',
  },
  defaultOrdering: ['-created'],
  search: ['user.username', 'notes'],
};
