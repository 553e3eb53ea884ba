import type { Express } from 'express';
import type { CommandLogRepository } from '@toolkit/analytics-data-access';
import {
  COMMAND_LOGS_PATH,
  COMMAND_LOG_BRIEF_FIELDS,
  STATISTICS_BUCKETS,
  commandLogBulkDeleteSchema,
  commandLogExportListSpec,
  commandLogListSpec,
  commandLogStatisticsListSpec,
} from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler, internalRequest, pathId, searchParamsOf } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import { allOf, parseListQuery } from '@toolkit/netbox-list';
import { constraintFilter, listHandler } from '../http/internal-request';
import { parseExportParameters, streamExport } from './command-log-export';
import { commandLogRepresentation } from './representations';

export interface CommandLogRoutesDeps {
  logs: CommandLogRepository;
  logger: Logger;
  now: () => Date;
}

function statisticsOptions(passthrough: Record<string, string[]>) {
  const bucket = passthrough['bucket']?.at(-1) ?? 'day';
  const topRaw = passthrough['top']?.at(-1) ?? '10';
  const errors: Record<string, string[]> = {};
  if (!(STATISTICS_BUCKETS as readonly string[]).includes(bucket))
    errors['bucket'] = [`Select a valid choice. ${bucket} is not one of hour, day.`];
  if (!/^\d{1,3}$/.test(topRaw) || Number(topRaw) < 1 || Number(topRaw) > 100)
    errors['top'] = ['Enter a whole number between 1 and 100.'];
  if (Object.keys(errors).length > 0) throw AppError.validation(errors, 'invalid-statistics-query');
  return { bucket: bucket as 'hour' | 'day', top: Number(topRaw) };
}

export function mountCommandLogRoutes(app: Express, deps: CommandLogRoutesDeps): void {
  const path = COMMAND_LOGS_PATH;

  app.get(
    path,
    listHandler(
      commandLogListSpec,
      'command logs',
      deps.logs,
      commandLogRepresentation,
      COMMAND_LOG_BRIEF_FIELDS,
    ),
  );

  app.get(
    `${path}statistics/`,
    asyncHandler(async (req, res) => {
      const query = parseListQuery(commandLogStatisticsListSpec, searchParamsOf(req));
      const options = statisticsOptions(query.passthrough);
      const filter = allOf(
        query.filter,
        constraintFilter(req, res, commandLogListSpec, 'command logs'),
      );
      res.json(await deps.logs.statistics(filter, { ...options, now: deps.now() }));
    }),
  );

  app.get(
    `${path}export/`,
    asyncHandler(async (req, res) => {
      const query = parseListQuery(commandLogExportListSpec, searchParamsOf(req));
      const { format, range } = parseExportParameters(query.passthrough);
      const filter = allOf(
        query.filter,
        range,
        constraintFilter(req, res, commandLogListSpec, 'command logs'),
      );
      await streamExport({
        res,
        logs: deps.logs,
        filter,
        sort: query.sort,
        format,
        base: internalRequest(req, res).baseUrl,
        logger: deps.logger,
        now: deps.now(),
      });
    }),
  );

  app.get(
    `${path}:id/`,
    asyncHandler(async (req, res) => {
      const id = pathId(req.params['id'], 'command log');
      const doc = await deps.logs.findOne(
        allOf({ _id: id }, constraintFilter(req, res, commandLogListSpec, 'command logs')),
      );
      if (!doc) throw AppError.notFound('command log');
      res.json(commandLogRepresentation(doc, internalRequest(req, res).baseUrl));
    }),
  );

  app.delete(
    `${path}:id/`,
    asyncHandler(async (req, res) => {
      await deps.logs.deleteByIds(
        [pathId(req.params['id'], 'command log')],
        constraintFilter(req, res, commandLogListSpec, 'command logs'),
      );
      res.status(204).end();
    }),
  );

  app.delete(
    path,
    asyncHandler(async (req, res) => {
      const parsed = commandLogBulkDeleteSchema.safeParse(req.body);
      if (!parsed.success)
        throw AppError.validation(
          { non_field_errors: ['Expected a list of {"id": <integer>} objects (at most 10000).'] },
          'invalid-bulk-delete',
        );
      await deps.logs.deleteByIds(
        parsed.data.map((item) => item.id),
        constraintFilter(req, res, commandLogListSpec, 'command logs'),
      );
      res.status(204).end();
    }),
  );
}
