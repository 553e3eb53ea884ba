import { Router } from 'express';
import type { Express, Request, Response } from 'express';
import type { BulkJobRepository } from '@toolkit/analytics-data-access';
import { BULK_JOBS_PATH, BULK_JOB_BRIEF_FIELDS, bulkJobListSpec } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler, mountResourceRoutes, pathUuid } from '@toolkit/http';
import { analyticsContext, pagedList } from '../http/internal-request';
import type { AnalyticsContext } from '../http/internal-request';
import { bulkJobRepresentation } from './representations';

/** Bulk jobs: a NetBox list and a detail by UUID; their items are executions (`bulk_job`). */
export function mountBulkJobRoutes(app: Express, deps: { bulkJobs: BulkJobRepository }): void {
  const context = (req: Request, res: Response) =>
    analyticsContext(req, res, bulkJobListSpec, 'bulk jobs');
  const router = Router();
  app.use(router);
  // Bulk jobs are named by UUID: the list is a resource route, the detail its own.
  mountResourceRoutes<AnalyticsContext>(router, {
    path: BULK_JOBS_PATH,
    context,
    list: pagedList(bulkJobListSpec, deps.bulkJobs, bulkJobRepresentation, BULK_JOB_BRIEF_FIELDS),
  });

  router.get(
    `${BULK_JOBS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = pathUuid(req.params['id'], 'bulk job');
      const { request, visible } = context(req, res);
      // `_id` stays a top-level equality (FerretDB pushes it down; not inside `$and`).
      const scoped = Object.keys(visible).length === 0 ? {} : { $and: [visible] };
      const doc = await deps.bulkJobs.findOne({ _id: id, ...scoped });
      if (!doc) throw AppError.notFound('bulk job');
      res.json(bulkJobRepresentation(doc, request.baseUrl));
    }),
  );
}
