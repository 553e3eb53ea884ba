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
import { parseListQuery, selectFields, toPage } from '@toolkit/netbox-list';
import { and, baseUrl, constraintFilter, queryParams, requestUrl } from '../http/internal-request';
import { bulkJobRepresentation, executionRepresentation } from './representations';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function mountExecutionRoutes(
  app: Express,
  deps: { executions: ExecutionRepository },
): void {
  app.get(
    EXECUTIONS_PATH,
    asyncHandler(async (req, res) => {
      const query = parseListQuery(executionListSpec, queryParams(req));
      const filter = and(query.filter, constraintFilter(req, executionListSpec));
      const { count, results } = await deps.executions.list(
        filter,
        query.sort,
        query.offset,
        query.limit,
      );
      const base = baseUrl(req);
      res.json(
        toPage(
          requestUrl(req),
          count,
          query.limit,
          query.offset,
          results.map((doc) =>
            selectFields(executionRepresentation(doc, base), query, EXECUTION_BRIEF_FIELDS),
          ),
        ),
      );
    }),
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
