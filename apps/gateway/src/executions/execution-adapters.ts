import type {
  ExecutionRepresentation,
  RenderRequest,
  RenderResponse,
} from '@toolkit/api-contracts';
import { RENDER_PATH, executionSchema, renderResponseSchema } from '@toolkit/api-contracts';
import { executionCancellationsTopic, executionRequestsTopic } from '@toolkit/contracts';
import type {
  Constraints,
  ExecutionCancellation,
  ExecutionRequest,
  Principal,
} from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { ErrorCategory } from '@toolkit/errors';
import type {
  CallContext,
  CommandRenderer,
  ExecutionBus,
  ExecutionReader,
} from '@toolkit/gateway-domain';
import type { KafkaMessaging } from '@toolkit/messaging';
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
export class CatalogRenderer implements CommandRenderer {
  constructor(private readonly catalog: UpstreamClient) {}

  async render(request: RenderRequest, context: CallContext): Promise<RenderResponse> {
    const answer = await this.catalog.postJson(
      RENDER_PATH,
      request,
      serviceHeaders({
        origin: context.origin,
        principal: {
          id: request.requester.id,
          username: request.requester.username,
          isSuperuser: false,
        },
        constraints: null,
        requestId: context.requestId,
      }),
    );
    if (answer.status !== 200) throw relayed('catalog', answer.status, answer.body);
    const parsed = renderResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw this.catalog.unavailable(parsed.error);
    return parsed.data;
  }
}

/** Analytics' record of an execution (`/executions/{id}/`), as its requester sees it. */
export class AnalyticsExecutionReader implements ExecutionReader {
  constructor(private readonly analytics: UpstreamClient) {}

  async get(
    executionId: string,
    requester: Principal,
    context: CallContext,
    constraints: Constraints = null,
  ): Promise<ExecutionRepresentation | undefined> {
    const answer = await this.analytics.getJson(
      `/api/plugins/toolkit/executions/${encodeURIComponent(executionId)}/`,
      {
        ...serviceHeaders({
          origin: context.origin,
          principal: requester,
          constraints,
          requestId: context.requestId,
        }),
        accept: 'application/json',
      },
    );
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw this.analytics.unavailable();
    const parsed = executionSchema.safeParse(answer.body);
    if (!parsed.success) throw this.analytics.unavailable(parsed.error);
    return parsed.data;
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
export class KafkaExecutionBus implements ExecutionBus {
  private failingUntil = 0;

  constructor(
    private readonly messaging: Pick<KafkaMessaging, 'publish'>,
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
