import {
  MAX_EXTERNAL_CHANGES,
  OBJECT_CHANGES_INTERNAL_PATH,
  userDeletedPath,
  userDeletedResponseSchema,
} from '@toolkit/api-contracts';
import type { Principal } from '@toolkit/contracts';
import type {
  CallContext,
  ChangeRecord,
  ChangeRecorder,
  UserObjects,
} from '@toolkit/gateway-domain';
import { relayed } from '../executions/execution-adapters';
import { serviceHeaders } from './forward';
import type { UpstreamClient } from './upstream-client';

/** The catalog's `/internal/users/{id}/deleted`: the user's private credential sets go. */
export class CatalogUserObjects implements UserObjects {
  constructor(private readonly catalog: UpstreamClient) {}

  async userDeleted(userId: number, actor: Principal, context: CallContext): Promise<number> {
    const answer = await this.catalog.postJson(
      userDeletedPath(userId),
      {},
      serviceHeaders({
        origin: context.origin,
        principal: actor,
        constraints: null,
        requestId: context.requestId,
      }),
    );
    if (answer.status !== 200) throw relayed('catalog', answer.status, answer.body);
    const parsed = userDeletedResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw this.catalog.unavailable(parsed.error);
    return parsed.data.credential_sets;
  }
}

/** The catalog's `/internal/object-changes/`: the gateway's changes in the one change log. */
export class CatalogChangeRecorder implements ChangeRecorder {
  constructor(private readonly catalog: UpstreamClient) {}

  async record(
    changes: readonly ChangeRecord[],
    actor: Principal,
    context: CallContext,
  ): Promise<void> {
    const headers = serviceHeaders({
      origin: context.origin,
      principal: actor,
      constraints: null,
      requestId: context.requestId,
    });
    // The catalog takes at most MAX_EXTERNAL_CHANGES records per call.
    for (let start = 0; start < changes.length; start += MAX_EXTERNAL_CHANGES) {
      const answer = await this.catalog.postJson(
        OBJECT_CHANGES_INTERNAL_PATH,
        { changes: changes.slice(start, start + MAX_EXTERNAL_CHANGES) },
        headers,
      );
      if (answer.status !== 201) throw relayed('catalog', answer.status, answer.body);
    }
  }
}
