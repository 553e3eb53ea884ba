import { z } from 'zod';
import { MAX_BULK_ITEMS, NOTES_MAX_LENGTH } from '@toolkit/contracts';
import { API_ERROR_CLASSES, EXECUTION_STATUSES } from '../analytics/choices.contract';
import { parsedOutputViewSchema } from '../analytics/executions.contract';
import {
  EXECUTION_TIMEOUT_SECONDS,
  executeLoginProblems,
  loginFields,
  objectId,
  timeoutSecondsSchema,
  variablesSchema,
} from './execute.contract';

/** `POST /api/plugins/toolkit/commands/bulk-execute/` */
export const BULK_EXECUTE_PATH = '/api/plugins/toolkit/commands/bulk-execute/';
/** `POST /api/plugins/toolkit/bulk-jobs/{id}/cancel/` */
export const BULK_JOB_CANCEL_SUFFIX = 'cancel/';

/**
 * One item: a command on a device. Its login is its own or the request's shared one
 * (an item that gives either part of a login uses its own entirely).
 */
export const bulkExecuteItemSchema = z
  .object({
    command_id: objectId,
    device_id: objectId,
    ...loginFields,
    variables: variablesSchema.optional(),
    timeout: timeoutSecondsSchema.optional(),
    notes: z.string().max(NOTES_MAX_LENGTH).optional(),
  })
  .strict();
export type BulkExecuteItem = z.output<typeof bulkExecuteItemSchema>;

/**
 * The request: items (parsed one by one: a malformed item is refused with its position
 * and the rest run), a shared login, timeout and notes for the items without their own.
 */
export const bulkExecuteRequestSchema = z
  .object({
    executions: z
      .array(z.unknown())
      .min(1, { error: 'Give at least one execution.' })
      .max(MAX_BULK_ITEMS, {
        error: `At most ${MAX_BULK_ITEMS} executions per request: split the list.`,
      }),
    ...loginFields,
    timeout: timeoutSecondsSchema.default(EXECUTION_TIMEOUT_SECONDS.default),
    async: z.boolean().default(false),
    /** Publish every item's output while it is read (follow them at their `stream/` URL). */
    stream: z.boolean().optional(),
    notes: z.string().max(NOTES_MAX_LENGTH).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    for (const problem of executeLoginProblems(body, { required: false }))
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });
export type BulkExecuteRequestBody = z.output<typeof bulkExecuteRequestSchema>;

/** The request as the API document shows it (items typed; each is parsed on its own). */
export const bulkExecuteRequestDocumentSchema = z
  .object({
    executions: z.array(bulkExecuteItemSchema).min(1).max(MAX_BULK_ITEMS),
    ...loginFields,
    timeout: timeoutSecondsSchema.optional(),
    async: z.boolean().optional(),
    stream: z.boolean().optional(),
    notes: z.string().max(NOTES_MAX_LENGTH).optional(),
  })
  .strict();

/** An item's state in a bulk answer: an execution's status, or `rejected` (never run). */
export const BULK_ITEM_STATUSES = [...EXECUTION_STATUSES, 'rejected'] as const;

export const bulkExecuteResultSchema = z.object({
  position: z.number().int(),
  /** Null for a rejected item. */
  execution_id: z.uuid().nullable(),
  url: z.string().nullable(),
  status: z.enum(BULK_ITEM_STATUSES),
  command: z.object({ id: z.number().int().nullable(), name: z.string().nullable() }),
  device: z.object({ id: z.number().int().nullable(), name: z.string().nullable() }),
  /** Null while pending. */
  success: z.boolean().nullable(),
  output: z.string().nullable(),
  error_message: z.string().nullable(),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  command_log_id: z.number().int().nullable(),
  /** Seconds the device work took. */
  execution_time: z.number().nullable(),
  parsed_output: parsedOutputViewSchema.nullable(),
  /** A rejected item: the HTTP status and NetBox-style body a single execute would have had. */
  status_code: z.number().int().optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});
export type BulkExecuteResult = z.output<typeof bulkExecuteResultSchema>;

export const bulkSummarySchema = z.object({
  total: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  rejected: z.number().int(),
  pending: z.number().int(),
});
export type BulkSummary = z.output<typeof bulkSummarySchema>;

/** The synchronous answer (streamed: results in position order, then the summary). */
export const bulkExecuteResponseSchema = z.object({
  bulk_job: z.object({ id: z.uuid(), url: z.string() }).nullable(),
  results: z.array(bulkExecuteResultSchema),
  summary: bulkSummarySchema,
});

/** The asynchronous answer (202): the job, and the items refused before it started. */
export const bulkExecuteAcceptedSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  status: z.literal('queued'),
  executions_url: z.string(),
  summary: bulkSummarySchema,
  rejected: z.array(bulkExecuteResultSchema),
});
