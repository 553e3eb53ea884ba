import { z } from 'zod';
import { createHash } from 'node:crypto';
import type {
  BulkJobRepresentation,
  BulkRenderRequest,
  BulkRenderResponse,
  ExecutionRepresentation,
  RenderRequest,
  RenderResponse,
} from '@toolkit/api-contracts';
import {
  BULK_JOBS_PATH,
  BULK_RENDER_PATH,
  EXECUTIONS_PATH,
  RENDER_PATH,
  bulkJobSchema,
  bulkRenderResponseSchema,
  executionSchema,
  renderResponseSchema,
} from '@toolkit/api-contracts';
import { chunksOf, executionCancellationsTopic, executionRequestsTopic } from '@toolkit/contracts';
import type {
  Constraints,
  ExecutionBatch,
  ExecutionCancellation,
  ExecutionRequest,
  Principal,
} from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { ErrorCategory } from '@toolkit/errors';
import type {
  BulkBus,
  BulkJobReader,
  BulkRenderer,
  CallContext,
  CommandRenderer,
  ExecutionBus,
  ExecutionReader,
} from '@toolkit/gateway-domain';
import type { Messaging } from '@toolkit/messaging';
import { serviceHeaders } from '../forwarding/forward';
import type { UpstreamClient } from '../forwarding/upstream-client';

const CATEGORY_BY_STATUS: Record<number, ErrorCategory> = {
  400: 'validation',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};

/**
 * A refusal from a service behind the gateway, answered as the service worded it (its
 * status and body: per-variable errors with suggestions, credential problems, ...).
 */
export function relayed(service: string, status: number, body: unknown): AppError {
  const category = CATEGORY_BY_STATUS[status];
  if (!category || typeof body !== 'object' || body === null)
    return new AppError({
      code: 'upstream-unexpected',
      category: 'unavailable',
      message: `The ${service} service is unavailable.`,
      details: { dependency: service, status },
    });
  const detail = (body as { detail?: unknown }).detail;
  return new AppError({
    code: 'upstream-refused',
    category,
    message: typeof detail === 'string' ? detail : `Refused by the ${service} service.`,
    details: { relayed: body },
  });
}

/** The catalog's `/internal/render`: the command rendered, the device target, the sealed login. */
export class CatalogRenderer implements CommandRenderer, BulkRenderer {
  constructor(private readonly catalog: UpstreamClient) {}

  async render(request: RenderRequest, context: CallContext): Promise<RenderResponse> {
    const answer = await this.catalog.postJson(
      RENDER_PATH,
      request,
      this.headers(request.requester, context),
    );
    if (answer.status !== 200) throw relayed('catalog', answer.status, answer.body);
    const parsed = renderResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw this.catalog.unavailable(parsed.error);
    return parsed.data;
  }

  /**
   * `/internal/render/bulk`: every item's render or refusal, aligned with the items. Sent in
   * calls of at most RENDER_CALL_BYTES of JSON (a shared login is repeated in every item, so
   * the catalog's body limit could otherwise be passed by a request the gateway accepted).
   */
  async renderMany(request: BulkRenderRequest, context: CallContext): Promise<BulkRenderResponse> {
    const results: BulkRenderResponse['results'] = [];
    for (const items of chunksOf(request.items, RENDER_CALL_BYTES)) {
      const answer = await this.catalog.postJson(
        BULK_RENDER_PATH,
        { ...request, items },
        this.headers(request.requester, context),
      );
      if (answer.status !== 200) throw relayed('catalog', answer.status, answer.body);
      const parsed = bulkRenderResponseSchema.safeParse(answer.body);
      if (!parsed.success || parsed.data.results.length !== items.length)
        throw this.catalog.unavailable(parsed.error);
      results.push(...parsed.data.results);
    }
    return { results };
  }

  private headers(requester: { id: number; username: string }, context: CallContext) {
    return serviceHeaders({
      origin: context.origin,
      principal: { id: requester.id, username: requester.username, isSuperuser: false },
      constraints: null,
      requestId: context.requestId,
    });
  }
}

/** Most JSON sent to the catalog in one bulk render call (its body limit is 1 MiB by default). */
const RENDER_CALL_BYTES = 256 * 1024;

/** A name-based UUID (RFC 9562 version 5, SHA-1): the same namespace and name, the same id. */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Headers of a read from analytics on behalf of `requester` (constraints null: theirs). */
function analyticsHeaders(requester: Principal, context: CallContext, constraints: Constraints) {
  return {
    ...serviceHeaders({
      origin: context.origin,
      principal: requester,
      constraints,
      requestId: context.requestId,
    }),
    accept: 'application/json',
  };
}

/** One object from analytics: undefined when it answers 404, 503 when it cannot answer. */
async function readDetail<T>(
  analytics: UpstreamClient,
  path: string,
  schema: z.ZodType<T>,
  headers: Record<string, string>,
): Promise<T | undefined> {
  const answer = await analytics.getJson(path, headers);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw analytics.unavailable();
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) throw analytics.unavailable(parsed.error);
  return parsed.data;
}

/** Bulk jobs as analytics recorded them, and their executions a page at a time. */
export class AnalyticsBulkJobReader implements BulkJobReader {
  constructor(private readonly analytics: UpstreamClient) {}

  async get(
    jobId: string,
    requester: Principal,
    context: CallContext,
    constraints: Constraints = null,
  ): Promise<BulkJobRepresentation | undefined> {
    return readDetail(
      this.analytics,
      `${BULK_JOBS_PATH}${encodeURIComponent(jobId)}/`,
      bulkJobSchema,
      analyticsHeaders(requester, context, constraints),
    );
  }

  /**
   * The job's executions in position order, `limit` from `offset`, as `requester` sees
   * them (`constraints`: their view permission on executions; none for the job's own
   * requester waiting on it).
   */
  async executions(
    jobId: string,
    requester: Principal,
    context: CallContext,
    offset: number,
    limit: number,
    constraints: Constraints = null,
  ): Promise<{ count: number; results: ExecutionRepresentation[] }> {
    const query = new URLSearchParams({
      bulk_job: jobId,
      ordering: 'bulk_position',
      offset: String(offset),
      limit: String(limit),
    });
    const answer = await this.analytics.getJson(
      `${EXECUTIONS_PATH}?${query.toString()}`,
      analyticsHeaders(requester, context, constraints),
    );
    if (answer.status !== 200) throw this.analytics.unavailable();
    const parsed = executionPageSchema.safeParse(answer.body);
    if (!parsed.success) throw this.analytics.unavailable(parsed.error);
    return parsed.data;
  }
}

const executionPageSchema = z.object({
  count: z.number().int(),
  results: z.array(executionSchema),
});

/** Analytics' record of an execution (`/executions/{id}/`), as its requester sees it. */
export class AnalyticsExecutionReader implements ExecutionReader {
  constructor(private readonly analytics: UpstreamClient) {}

  async get(
    executionId: string,
    requester: Principal,
    context: CallContext,
    constraints: Constraints = null,
  ): Promise<ExecutionRepresentation | undefined> {
    return readDetail(
      this.analytics,
      `${EXECUTIONS_PATH}${encodeURIComponent(executionId)}/`,
      executionSchema,
      analyticsHeaders(requester, context, constraints),
    );
  }
}

/** After a failed publish, publishes fail at once for this long (the broker is likely down). */
const FAIL_FAST_MS = 5_000;

/**
 * Execution requests and cancellations on Kafka (acks from every in-sync replica). While
 * the broker is down, kafkajs retries each send for seconds: after one failure the next
 * sends fail at once for FAIL_FAST_MS, so that requests answer 503 quickly instead of
 * piling up, and nothing unpublished is ever accepted.
 */
export class KafkaExecutionBus implements ExecutionBus, BulkBus {
  private failingUntil = 0;

  constructor(
    private readonly messaging: Pick<Messaging, 'publish' | 'publishMany'>,
    private readonly topics: {
      requests: typeof executionRequestsTopic;
      cancellations: typeof executionCancellationsTopic;
    } = { requests: executionRequestsTopic, cancellations: executionCancellationsTopic },
    private readonly now: () => number = Date.now,
  ) {}

  publishRequest(request: ExecutionRequest, correlationId?: string): Promise<void> {
    return this.send(() =>
      this.messaging.publish(this.topics.requests, request, correlationId ? { correlationId } : {}),
    );
  }

  /** A bulk job's device messages, in one producer call (every one acknowledged). */
  publishBatches(batches: readonly ExecutionBatch[], correlationId?: string): Promise<void> {
    return this.send(() =>
      this.messaging.publishMany(
        this.topics.requests,
        batches,
        correlationId ? { correlationId } : {},
      ),
    );
  }

  publishCancellation(cancellation: ExecutionCancellation, correlationId?: string): Promise<void> {
    return this.send(() =>
      this.messaging.publish(
        this.topics.cancellations,
        cancellation,
        correlationId ? { correlationId } : {},
      ),
    );
  }

  private async send(publish: () => Promise<unknown>): Promise<void> {
    if (this.now() < this.failingUntil)
      throw AppError.unavailable('Kafka (failing fast after a failed publish)');
    try {
      await publish();
    } catch (error) {
      if (!(error instanceof AppError) || error.category === 'unavailable')
        this.failingUntil = this.now() + FAIL_FAST_MS;
      throw error;
    }
  }
}
