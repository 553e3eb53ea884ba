import { Router } from 'express';
import type { Express, Request, Response } from 'express';
import type { CommandLogRepository } from '@toolkit/analytics-data-access';
import {
  COMMAND_LOGS_PATH,
  COMMAND_LOG_BRIEF_FIELDS,
  STATISTICS_BUCKETS,
  COMMAND_LOG_BULK_DELETE_MAX,
  commandLogExportListSpec,
  commandLogListSpec,
  commandLogStatisticsListSpec,
} from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler, mountResourceRoutes, searchParamsOf } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import { allOf, parseListQuery } from '@toolkit/netbox-list';
import { analyticsContext, pagedList } from '../http/internal-request';
import type { AnalyticsContext } from '../http/internal-request';
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
  const context = (req: Request, res: Response) =>
    analyticsContext(req, res, commandLogListSpec, 'command logs');
  const router = Router();
  app.use(router);

  // Before the resource routes: `statistics/` and `export/` are not object ids.
  router.get(
    `${path}statistics/`,
    asyncHandler(async (req, res) => {
      const query = parseListQuery(commandLogStatisticsListSpec, searchParamsOf(req));
      const options = statisticsOptions(query.passthrough);
      const filter = allOf(query.filter, context(req, res).visible);
      res.json(await deps.logs.statistics(filter, { ...options, now: deps.now() }));
    }),
  );

  router.get(
    `${path}export/`,
    asyncHandler(async (req, res) => {
      const { request, visible } = context(req, res);
      const query = parseListQuery(commandLogExportListSpec, searchParamsOf(req));
      const { format, range } = parseExportParameters(query.passthrough);
      await streamExport({
        res,
        logs: deps.logs,
        filter: allOf(query.filter, range, visible),
        sort: query.sort,
        format,
        base: request.baseUrl,
        logger: deps.logger,
        now: deps.now(),
      });
    }),
  );

  mountResourceRoutes<AnalyticsContext>(router, {
    path,
    context,
    list: pagedList(
      commandLogListSpec,
      deps.logs,
      commandLogRepresentation,
      COMMAND_LOG_BRIEF_FIELDS,
    ),
    get: async ({ request, visible }, id) => {
      const doc = await deps.logs.findOne(allOf({ _id: id }, visible));
      if (!doc) throw AppError.notFound('command log');
      return commandLogRepresentation(doc, request.baseUrl);
    },
    delete: async ({ visible }, ids) => {
      await deps.logs.deleteByIds(ids, visible);
    },
    maxBulk: COMMAND_LOG_BULK_DELETE_MAX,
  });
}
