import type { Express, Response } from 'express';
import {
  BULK_EXECUTE_PATH,
  BULK_JOBS_PATH,
  BULK_JOB_CANCEL_SUFFIX,
  EXECUTIONS_PATH,
  IDEMPOTENCY_KEY_HEADER,
  bulkExecuteRequestSchema,
} from '@toolkit/api-contracts';
import type { BulkExecuteResult, ExecutionRepresentation } from '@toolkit/api-contracts';
import type { Constraints, Principal } from '@toolkit/contracts';
import { isAppError, parseInput } from '@toolkit/errors';
import type {
  BulkExecutionService,
  BulkSubmitOutcome,
  CallContext,
  GroupRepository,
} from '@toolkit/gateway-domain';
import {
  BulkTally,
  bulkResultOf,
  checkIdempotencyKey,
  pendingResultOf,
  rejectedResultOf,
} from '@toolkit/gateway-domain';
import { asyncHandler, pathUuid } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import { authOf, grantOf } from '../auth/auth.middleware';
import { principalOf } from '../forwarding/forward.routes';
import type { GatewayMetrics } from '../gateway-metrics';
import { publicOrigin } from '../http/public-origin';
import { abortOnClose, executePermissions, groupNamesOf } from './executions.routes';

/** Port: a job's executions in position order, a page at a time (analytics). */
export interface BulkJobPages {
  executions(
    jobId: string,
    requester: Principal,
    context: CallContext,
    offset: number,
    limit: number,
    constraints?: Constraints,
  ): Promise<{ count: number; results: ExecutionRepresentation[] }>;
}

export interface BulkRoutesDeps {
  bulk: BulkExecutionService;
  pages: BulkJobPages;
  groups: GroupRepository;
  metrics: GatewayMetrics;
  logger: Logger;
  publicUrl: string | undefined;
  bypassGroups: readonly string[];
}

/**
 * Executions read from analytics per page while the answer streams: a page of outputs is
 * held at a time (outputs are up to 4 MB each), never the whole job's.
 */
const PAGE = 20;

/**
 * `POST commands/bulk-execute/` and `POST bulk-jobs/{id}/cancel/`: thin adapters over
 * BulkExecutionService; a synchronous answer streams its results in position order.
 */
export function mountBulkExecutionRoutes(app: Express, deps: BulkRoutesDeps): void {
  const { bulk, metrics } = deps;

  app.post(
    BULK_EXECUTE_PATH,
    asyncHandler(async (req, res) => {
      const permissions = executePermissions(res, metrics);
      const body = parseInput(bulkExecuteRequestSchema, req.body ?? {});
      const rawKey = req.header(IDEMPOTENCY_KEY_HEADER);
      const idempotencyKey = rawKey === undefined ? undefined : checkIdempotencyKey(rawKey);
      const origin = publicOrigin(req, deps.publicUrl);
      const context = { origin, requestId: String(res.locals['requestId'] ?? '') };
      const requester = principalOf(authOf(res));
      const mode = body.async ? 'bulk-async' : 'bulk-sync';
      let outcome: BulkSubmitOutcome;
      try {
        outcome = await bulk.submit({
          requester,
          groupNames: await groupNamesOf(res, deps),
          body,
          permissions,
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
          context,
          signal: abortOnClose(req, res),
        });
      } catch (error) {
        if (isAppError(error) && error.category === 'forbidden')
          metrics.permissionDenials.inc({ object_type: 'toolkit.command', action: 'execute' });
        throw error;
      }
      if (outcome.replayed) {
        metrics.idempotentReplays.inc({ mode });
        res.setHeader('Idempotent-Replayed', 'true');
      } else metrics.executionsSubmitted.inc({ mode }, outcome.accepted.length);
      for (const r of outcome.rejected)
        if (r.status === 429) metrics.rateLimitRefusals.inc({ reason: 'bulk-item' });
      const jobUrl = `${origin}${BULK_JOBS_PATH}${outcome.jobId}/`;
      const executionsUrl = `${origin}${EXECUTIONS_PATH}?bulk_job=${outcome.jobId}&ordering=bulk_position`;
      metrics.executionsCompleted.inc({ mode, outcome: outcome.kind });
      if (outcome.kind === 'accepted') {
        const tally = new BulkTally(outcome.total);
        const rejected = outcome.rejected.map(rejectedResultOf);
        for (const r of rejected) tally.add(r);
        res
          .status(202)
          .location(jobUrl)
          .json({
            id: outcome.jobId,
            url: jobUrl,
            status: 'queued',
            executions_url: executionsUrl,
            summary: tally.summary(outcome.total - rejected.length),
            rejected,
          });
        return;
      }
      if (res.destroyed || res.writableEnded) return; // the client went away
      await streamAnswer(res, outcome, {
        jobUrl,
        pages: deps.pages,
        requester,
        context,
        origin,
        logger: deps.logger,
      });
    }),
  );

  app.post(
    `${BULK_JOBS_PATH}:id/${BULK_JOB_CANCEL_SUFFIX}`,
    asyncHandler(async (req, res) => {
      const jobId = pathUuid(req.params['id'], 'bulk job');
      const origin = publicOrigin(req, deps.publicUrl);
      const url = `${origin}${BULK_JOBS_PATH}${jobId}/`;
      const outcome = await bulk.cancel({
        jobId,
        caller: principalOf(authOf(res)),
        viewGrant: grantOf(res, 'toolkit.bulkjob', 'view'),
        context: { origin, requestId: String(res.locals['requestId'] ?? '') },
      });
      res.status(202).location(url).json({
        detail:
          'Cancellation requested: items not started yet are reported cancelled; running items finish.',
        id: jobId,
        url,
        status: outcome.status,
      });
    }),
  );
}

/**
 * `{"bulk_job": ..., "results": [...], "summary": ...}` written as it is read: the job's
 * executions from analytics a page at a time, merged in position order with the refused
 * items and (analytics not caught up yet) the accepted ones it does not know yet.
 */
async function streamAnswer(
  res: Response,
  outcome: BulkSubmitOutcome,
  options: {
    jobUrl: string;
    pages: BulkJobPages;
    requester: Principal;
    context: CallContext;
    origin: string;
    logger: Logger;
  },
): Promise<void> {
  const tally = new BulkTally(outcome.total);
  const rejected = outcome.rejected.map(rejectedResultOf);
  const accepted = [...outcome.accepted];
  const written = new Set<number>();
  let r = 0;
  let a = 0;
  let first = true;
  res.status(200).type('application/json');
  res.write(
    `{"bulk_job":${JSON.stringify({ id: outcome.jobId, url: options.jobUrl })},"results":[`,
  );
  const write = async (result: BulkExecuteResult) => {
    // A page read while analytics was still recording may repeat an item: once only.
    if (written.has(result.position)) return;
    tally.add(result);
    written.add(result.position);
    const chunk = `${first ? '' : ','}${JSON.stringify(result)}`;
    first = false;
    if (!res.write(chunk)) await drainedOrClosed(res);
  };
  // Everything before `position` that is not an execution analytics returned.
  const upTo = async (position: number) => {
    for (;;) {
      const nextRejected = rejected[r];
      const nextAccepted = accepted[a];
      const rp = nextRejected?.position ?? Infinity;
      const ap = nextAccepted?.position ?? Infinity;
      if (Math.min(rp, ap) >= position) return;
      if (rp < ap) {
        r++;
        await write(nextRejected as BulkExecuteResult);
      } else {
        a++;
        const item = nextAccepted as (typeof accepted)[number];
        if (!written.has(item.position))
          await write(
            pendingResultOf(item, `${options.origin}${EXECUTIONS_PATH}${item.executionId}/`),
          );
      }
    }
  };
  for (let offset = 0; ; offset += PAGE) {
    // The client went away (the request stream itself ends once its body is read).
    if (res.destroyed) return;
    let page: { count: number; results: ExecutionRepresentation[] };
    try {
      page = await options.pages.executions(
        outcome.jobId,
        options.requester,
        options.context,
        offset,
        PAGE,
      );
    } catch (error) {
      // Analytics unreachable: the rest is reported pending, with ids to follow them by.
      options.logger.warn({ err: error, jobId: outcome.jobId }, 'bulk answer without results');
      break;
    }
    for (const execution of page.results) {
      const result = bulkResultOf(execution);
      await upTo(result.position);
      // The accepted item of the same position is this execution.
      if (accepted[a]?.position === result.position) a++;
      await write(result);
    }
    if (page.results.length < PAGE || offset + PAGE >= page.count) break;
  }
  await upTo(Infinity);
  const missing = Math.max(0, outcome.total - written.size);
  res.end(`],"summary":${JSON.stringify(tally.summary(missing))}}`);
}

/** Until the client reads on (`drain`) or goes away (`close`): never forever. */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    if (res.destroyed) done();
  });
}
