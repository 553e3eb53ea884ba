import type { Express } from 'express';
import type { ExecutionRepository } from '@toolkit/analytics-data-access';
import {
  BULK_JOBS_PATH,
  EXECUTIONS_PATH,
  EXECUTION_BRIEF_FIELDS,
  executionListSpec,
} from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler, internalRequest, pathUuid } from '@toolkit/http';
import { allOf } from '@toolkit/netbox-list';
import { constraintFilter, listHandler } from '../http/internal-request';
import { bulkJobRepresentation, executionRepresentation } from './representations';

export function mountExecutionRoutes(
  app: Express,
  deps: { executions: ExecutionRepository },
): void {
  app.get(
    EXECUTIONS_PATH,
    listHandler(
      executionListSpec,
      'executions',
      deps.executions,
      executionRepresentation,
      EXECUTION_BRIEF_FIELDS,
    ),
  );

  app.get(
    `${EXECUTIONS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = pathUuid(req.params['id'], 'execution');
      const doc = await deps.executions.findOne(
        allOf({ _id: id }, constraintFilter(req, res, executionListSpec, 'executions')),
      );
      if (!doc) throw AppError.notFound('execution');
      res.json(executionRepresentation(doc, internalRequest(req, res).baseUrl));
    }),
  );

  app.get(
    `${BULK_JOBS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = pathUuid(req.params['id'], 'bulk job');
      const items = await deps.executions.bulkJobItems(
        id,
        constraintFilter(req, res, executionListSpec, 'executions'),
      );
      if (items.length === 0) throw AppError.notFound('bulk job');
      res.json(bulkJobRepresentation(id, items, internalRequest(req, res).baseUrl));
    }),
  );
}
