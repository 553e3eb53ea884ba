import type { Express } from 'express';
import type { ExecutionRepository } from '@toolkit/analytics-data-access';
import {
  BULK_JOBS_PATH,
  EXECUTIONS_PATH,
  EXECUTION_BRIEF_FIELDS,
  executionListSpec,
} from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { asyncHandler } from '@toolkit/http';
import { and, baseUrl, constraintFilter, listHandler } from '../http/internal-request';
import { bulkJobRepresentation, executionRepresentation } from './representations';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function mountExecutionRoutes(
  app: Express,
  deps: { executions: ExecutionRepository },
): void {
  app.get(
    EXECUTIONS_PATH,
    listHandler(
      executionListSpec,
      deps.executions,
      executionRepresentation,
      EXECUTION_BRIEF_FIELDS,
    ),
  );

  app.get(
    `${EXECUTIONS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = String(req.params['id'] ?? '');
      if (!UUID.test(id)) throw AppError.notFound('execution');
      const doc = await deps.executions.findOne(
        and({ _id: id.toLowerCase() }, constraintFilter(req, executionListSpec)),
      );
      if (!doc) throw AppError.notFound('execution');
      res.json(executionRepresentation(doc, baseUrl(req)));
    }),
  );

  app.get(
    `${BULK_JOBS_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const id = String(req.params['id'] ?? '');
      if (!UUID.test(id)) throw AppError.notFound('bulk job');
      const items = await deps.executions.bulkJobItems(
        id.toLowerCase(),
        constraintFilter(req, executionListSpec),
      );
      if (items.length === 0) throw AppError.notFound('bulk job');
      res.json(bulkJobRepresentation(id.toLowerCase(), items, baseUrl(req)));
    }),
  );
}
