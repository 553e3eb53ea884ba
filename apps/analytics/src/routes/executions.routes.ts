import { Router } from 'express';
import type { Express } from 'express';
import type { ExecutionRepository } from '@toolkit/analytics-data-access';
import { EXECUTIONS_PATH, EXECUTION_BRIEF_FIELDS, executionListSpec } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler, mountResourceRoutes, pathUuid } from '@toolkit/http';
import { allOf } from '@toolkit/netbox-list';
import { analyticsContext, pagedList } from '../http/internal-request';
import type { AnalyticsContext } from '../http/internal-request';
import { executionRepresentation } from './representations';

export function mountExecutionRoutes(
  app: Express,
  deps: { executions: ExecutionRepository },
): void {
  const context = (
    req: Parameters<typeof analyticsContext>[0],
    res: Parameters<typeof analyticsContext>[1],
  ) => analyticsContext(req, res, executionListSpec, 'executions');
  const router = Router();
  app.use(router);
  // Executions are named by UUID: the list is a resource route, the detail its own.
  mountResourceRoutes<AnalyticsContext>(router, {
    path: EXECUTIONS_PATH,
    context,
    list: pagedList(
      executionListSpec,
      deps.executions,
      executionRepresentation,
      EXECUTION_BRIEF_FIELDS,
    ),
  });

  router.get(
    `${EXECUTIONS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = pathUuid(req.params['id'], 'execution');
      const { request, visible } = context(req, res);
      const doc = await deps.executions.findOne(allOf({ _id: id }, visible));
      if (!doc) throw AppError.notFound('execution');
      res.json(executionRepresentation(doc, request.baseUrl));
    }),
  );
}
