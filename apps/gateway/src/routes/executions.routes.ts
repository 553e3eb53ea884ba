import type { Express, Request, Response } from 'express';
import type { RenderRequest } from '@toolkit/api-contracts';
import {
  EXECUTIONS_PATH,
  IDEMPOTENCY_KEY_HEADER,
  RATE_LIMIT_PATH,
  executeRequestSchema,
  rateLimitQuerySchema,
} from '@toolkit/api-contracts';
import { AppError, isAppError, parseInput } from '@toolkit/errors';
import type { ExecutionService, GroupRepository, SubmitOutcome } from '@toolkit/gateway-domain';
import { checkIdempotencyKey, executeAnswer, rateLimitOf } from '@toolkit/gateway-domain';
import { asyncHandler, pathId, pathUuid, rateLimitHeaders, searchParamsOf } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import { authOf, forbidden, grantOf } from '../auth/auth.middleware';
import { principalOf } from '../forwarding/forward.routes';
import { serviceHeaders } from '../forwarding/forward';
import type { UpstreamClient } from '../forwarding/upstream-client';
import type { GatewayMetrics } from '../gateway-metrics';
import { publicOrigin } from '../http/public-origin';

type RenderPermissions = RenderRequest['permissions'];

export interface ExecutionRoutesDeps {
  executions: ExecutionService;
  groups: GroupRepository;
  catalog: UpstreamClient;
  metrics: GatewayMetrics;
  logger: Logger;
  publicUrl: string | undefined;
  /** Group names exempt from the device limit: group names are looked up only if set. */
  bypassGroups: readonly string[];
}

/** Aborts when the client goes away before the answer is written. */
export function abortOnClose(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on('aborted', () => controller.abort());
  return controller.signal;
}

/**
 * What the caller may execute, as the catalog checks it per command; no execute action at
 * all is refused here (403) before the body is read.
 */
export function executePermissions(res: Response, metrics: GatewayMetrics): RenderPermissions {
  const show = grantOf(res, 'toolkit.command', 'execute_show');
  const config = grantOf(res, 'toolkit.command', 'execute_config');
  if (show === false && config === false) {
    metrics.permissionDenials.inc({ object_type: 'toolkit.command', action: 'execute' });
    throw forbidden();
  }
  return {
    execute_show: show,
    execute_config: config,
    view_command: grantOf(res, 'toolkit.command', 'view'),
    view_device: grantOf(res, 'dcim.device', 'view'),
  };
}

/** The caller's group names, looked up only when a rate-limit bypass group is configured. */
export async function groupNamesOf(
  res: Response,
  deps: { groups: GroupRepository; bypassGroups: readonly string[] },
): Promise<string[]> {
  const auth = authOf(res);
  if (deps.bypassGroups.length === 0 || auth.user.groupIds.length === 0) return [];
  return (await deps.groups.findByIds(auth.user.groupIds)).map((g) => g.name);
}

/**
 * `POST commands/{id}/execute/`, `POST executions/{id}/cancel/` and `GET rate-limit/`:
 * thin adapters over ExecutionService (parse, call, answer, count).
 */
export function mountExecutionRoutes(app: Express, deps: ExecutionRoutesDeps): void {
  const { executions, metrics } = deps;
  const executionUrl = (origin: string, id: string) => `${origin}${EXECUTIONS_PATH}${id}/`;

  app.post(
    '/api/plugins/toolkit/commands/:id/execute/',
    asyncHandler(async (req, res) => {
      const commandId = pathId(req.params['id'], 'command');
      const permissions = executePermissions(res, metrics);
      const body = parseInput(executeRequestSchema, req.body ?? {});
      const rawKey = req.header(IDEMPOTENCY_KEY_HEADER);
      const idempotencyKey = rawKey === undefined ? undefined : checkIdempotencyKey(rawKey);
      const mode = body.async ? 'async' : 'sync';
      const origin = publicOrigin(req, deps.publicUrl);
      const started = performance.now();
      let outcome: SubmitOutcome;
      try {
        outcome = await executions.submit({
          requester: principalOf(authOf(res)),
          groupNames: await groupNamesOf(res, deps),
          commandId,
          body,
          permissions,
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
          context: { origin, requestId: String(res.locals['requestId'] ?? '') },
          signal: abortOnClose(req, res),
        });
      } catch (error) {
        if (isAppError(error) && error.category === 'rate_limited')
          metrics.rateLimitRefusals.inc({ reason: error.code });
        if (isAppError(error) && error.category === 'forbidden')
          metrics.permissionDenials.inc({ object_type: 'toolkit.command', action: 'execute' });
        throw error;
      }
      if (outcome.replayed) {
        metrics.idempotentReplays.inc({ mode });
        res.setHeader('Idempotent-Replayed', 'true');
      } else metrics.executionsSubmitted.inc({ mode });
      if (outcome.rate) res.set(rateLimitHeaders(rateLimitOf(outcome.rate)));
      const url = executionUrl(origin, outcome.executionId);
      const waited = (performance.now() - started) / 1_000;
      switch (outcome.kind) {
        case 'accepted':
          metrics.executionsCompleted.inc({ mode, outcome: 'accepted' });
          res
            .status(202)
            .location(url)
            .json({
              execution_id: outcome.executionId,
              url,
              stream_url: `${url}stream/`,
              status: outcome.status,
            });
          return;
        case 'finished': {
          const answer = executeAnswer(outcome.execution);
          metrics.executionsCompleted.inc({ mode, outcome: answer.status });
          metrics.executionWait.observe({ outcome: answer.status }, waited);
          res.status(answer.success ? 200 : 400).json(answer);
          return;
        }
        case 'timed-out':
          metrics.executionsCompleted.inc({ mode, outcome: 'timeout' });
          metrics.executionWait.observe({ outcome: 'timeout' }, waited);
          res
            .status(504)
            .location(url)
            .json({
              detail:
                'The execution did not finish within its timeout: it goes on. Follow it at its URL.',
              execution_id: outcome.executionId,
              url,
              stream_url: `${url}stream/`,
              status: 'running',
            });
          return;
        case 'interrupted':
          if (res.destroyed || res.writableEnded) return; // the client went away
          // This replica is shutting down: the execution is accepted and goes on.
          metrics.executionsCompleted.inc({ mode, outcome: 'interrupted' });
          res.status(202).location(url).json({
            detail: 'This gateway is shutting down: the execution goes on. Follow it at its URL.',
            execution_id: outcome.executionId,
            url,
            status: 'running',
          });
      }
    }),
  );

  app.post(
    `${EXECUTIONS_PATH}:id/cancel/`,
    asyncHandler(async (req, res) => {
      const executionId = pathUuid(req.params['id'], 'execution');
      const origin = publicOrigin(req, deps.publicUrl);
      const url = executionUrl(origin, executionId);
      const outcome = await executions.cancel({
        executionId,
        caller: principalOf(authOf(res)),
        viewGrant: grantOf(res, 'toolkit.execution', 'view'),
        context: { origin, requestId: String(res.locals['requestId'] ?? '') },
      });
      if (outcome.kind === 'cancelled')
        res
          .status(200)
          .json({ detail: 'Cancelled.', execution_id: executionId, url, status: 'cancelled' });
      else
        res.status(202).location(url).json({
          detail:
            'Cancellation requested: the executor that takes the execution reports it cancelled.',
          execution_id: executionId,
          url,
          status: outcome.status,
        });
    }),
  );

  app.get(
    RATE_LIMIT_PATH,
    asyncHandler(async (req, res) => {
      const params = searchParamsOf(req);
      if (params.getAll('device_id').length > 1)
        throw AppError.validation({ device_id: ['Give a single device.'] });
      const query = parseInput(rateLimitQuerySchema, Object.fromEntries(params));
      const deviceId = query.device_id;
      const view = grantOf(res, 'dcim.device', 'view');
      const missing = AppError.validation({ device_id: [`Device with ID ${deviceId} not found.`] });
      if (view === false) throw missing;
      const auth = authOf(res);
      const answer = await deps.catalog.getJson(`/api/dcim/devices/${deviceId}/?brief=true`, {
        ...serviceHeaders({
          origin: publicOrigin(req, deps.publicUrl),
          principal: principalOf(auth),
          constraints: view,
          requestId: String(res.locals['requestId'] ?? ''),
        }),
        accept: 'application/json',
      });
      if (answer.status === 404) throw missing;
      if (answer.status !== 200) throw deps.catalog.unavailable();
      res.json(
        await executions.rateLimitStatus(
          deviceId,
          principalOf(auth),
          await groupNamesOf(res, deps),
        ),
      );
    }),
  );
}
