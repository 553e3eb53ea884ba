import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { CommandLogRepository, SortSpec } from '@toolkit/analytics-data-access';
import { csvRow, parseDay } from '@toolkit/analytics-domain';
import type { CommandLogRecord, QueryFilter } from '@toolkit/analytics-domain';
import { COMMAND_LOG_CSV_COLUMNS, EXPORT_FORMATS } from '@toolkit/api-contracts';
import type { CommandLogRepresentation } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';
import { commandLogRepresentation } from './representations';

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `format`/`export_format` and the inclusive `start_date`/`end_date` days (UTC). */
export function parseExportParameters(passthrough: Record<string, string[]>): {
  format: ExportFormat;
  range: QueryFilter;
} {
  const errors: FieldErrors = {};
  const requested = passthrough['export_format']?.at(-1) ?? passthrough['format']?.at(-1) ?? 'json';
  const key = passthrough['export_format'] ? 'export_format' : 'format';
  if (!(EXPORT_FORMATS as readonly string[]).includes(requested))
    errors[key] = [`Select a valid choice. ${requested} is not one of csv, json, ndjson.`];
  const range: Record<string, Date> = {};
  for (const [name, op] of [
    ['start_date', '$gte'],
    ['end_date', '$lt'],
  ] as const) {
    const value = passthrough[name]?.at(-1);
    if (value === undefined) continue;
    const day = parseDay(value);
    if (!day) errors[name] = [`Invalid ${name} format. Use YYYY-MM-DD.`];
    else range[op] = op === '$gte' ? day.start : day.endExclusive;
  }
  const first = Object.values(errors)[0]?.[0];
  if (first !== undefined)
    throw new AppError({
      code: 'invalid-export-query',
      category: 'validation',
      message: first,
      // The original's `{"error": "Invalid start_date format. Use YYYY-MM-DD."}`.
      details: { fields: errors, legacyError: first },
    });
  return {
    format: requested as ExportFormat,
    range: Object.keys(range).length > 0 ? { execution_time: range } : {},
  };
}

function csvValues(log: CommandLogRepresentation): (string | number | boolean | null)[] {
  return [
    log.id,
    log.command.name,
    log.device.name,
    log.user.username,
    log.success,
    log.created,
    log.execution_time,
    log.error_message,
    log.username,
    log.execution_duration,
    log.platform,
    log.error_class,
    log.rendered_command,
    log.command_type,
    log.syntax_error.detected,
    log.parsed_output,
    log.execution_id,
    log.bulk_job,
    log.attempts,
    log.notes,
    log.output,
  ];
}

const CHUNK_BYTES = 64 * 1024;
const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Streams every matching log from a cursor: chunks of about 64 KiB go through a
 * Readable piped into the response, so backpressure pauses the cursor (constant memory,
 * no row cap) and a client that goes away closes it. JSON is `{"results": [...],
 * "count": n}` with the count written last, so it is exact.
 */
export async function streamExport(options: {
  res: Response;
  logs: CommandLogRepository;
  filter: QueryFilter;
  sort: SortSpec;
  format: ExportFormat;
  base: string;
  logger: Logger;
  now: Date;
}): Promise<void> {
  const { res, format } = options;
  const stamp = options.now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="command_logs_${stamp}.${format}"`);
  res.setHeader('Cache-Control', 'no-store');
  const cursor = options.logs.cursor(options.filter, options.sort);
  async function* chunks(): AsyncGenerator<string> {
    let buffer =
      format === 'csv' ? csvRow(COMMAND_LOG_CSV_COLUMNS) : format === 'json' ? '{"results":[' : '';
    let count = 0;
    try {
      for await (const doc of cursor) {
        const log = commandLogRepresentation(doc as unknown as CommandLogRecord, options.base);
        if (format === 'csv') buffer += csvRow(csvValues(log));
        else if (format === 'json') buffer += (count === 0 ? '' : ',') + JSON.stringify(log);
        else buffer += `${JSON.stringify(log)}\n`;
        count++;
        if (buffer.length >= CHUNK_BYTES) {
          yield buffer;
          buffer = '';
        }
      }
      if (format === 'json') buffer += `],"count":${count}}`;
      if (buffer) yield buffer;
    } finally {
      await cursor.close();
    }
  }
  try {
    await pipeline(Readable.from(chunks()), res);
  } catch (error) {
    // Headers are sent: the client sees a truncated body; we log once.
    options.logger.warn({ err: error }, 'export stream ended early');
    res.destroy();
  }
}
