import type { Express, Response } from 'express';
import { BULK_JOBS_PATH, EXECUTIONS_PATH } from '@toolkit/api-contracts';
import type { BulkJobRepresentation, ExecutionRepresentation } from '@toolkit/api-contracts';
import type { Principal } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type {
  TicketStore,
  BulkJobReader,
  BulkJobStreams,
  ExecutionReader,
  ExecutionStreams,
  StreamEvent,
  StreamSink,
} from '@toolkit/gateway-domain';
import { parseLastEventId } from '@toolkit/gateway-domain';
import { asyncHandler, pathUuid, searchParamsOf } from '@toolkit/http';
import { authOf, forbidden, grantOf } from '../auth/auth.middleware';
import { principalOf } from '../forwarding/forward.routes';
import { publicOrigin } from '../http/public-origin';
import type { BulkJobPages } from './bulk-executions.routes';

export interface StreamRoutesDeps {
  hub: ExecutionStreams;
  reader: ExecutionReader;
  /**
   * What the gateway recorded when it accepted an execution or a bulk job: a stream opened
   * right after the 202, before analytics has recorded it, starts from it (requester and
   * superusers only).
   */
  tickets: TicketStore;
  /** Bulk job streams (absent: `/bulk-jobs/{id}/stream/` is not mounted). */
  bulk?: { hub: BulkJobStreams; jobs: BulkJobReader; pages: BulkJobPages };
  /** Streams one user may have open on this replica (429 beyond). */
  perUser: number;
  /** Streams this replica keeps open at most (503 beyond). */
  total: number;
  dropped(reason: string): void;
  publicUrl: string | undefined;
}

/** A comment line every this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** One event in the text/event-stream format (`data` on one line: JSON has no raw LF). */
export function formatEvent(event: StreamEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function sseSink(res: Response): StreamSink {
  return {
    write: (event) => (res.writableEnded ? true : res.write(formatEvent(event))),
    get buffered() {
      return res.writableLength;
    },
    onDrain: (listener) => {
      res.on('drain', listener);
    },
    close: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/**
 * `GET /executions/{id}/stream/`: Server-Sent Events of one execution (status changes, its
 * output in pieces for executions asked to stream, the result, then `end`), resumable with
 * `Last-Event-ID` (or `?last_event_id=`). Read permission as for the execution itself.
 */
export function mountStreamRoutes(app: Express, deps: StreamRoutesDeps): void {
  const perUser = new Map<number, number>();
  let open = 0;

  /** Accepted by this caller (or a superuser asks) and not recorded by analytics yet. */
  const acceptedByCaller = async (id: string, caller: Principal): Promise<boolean> => {
    const ticket = await deps.tickets.find(id);
    return ticket !== undefined && (ticket.userId === caller.id || caller.isSuperuser);
  };

  /** Counts the stream against the limits, sends the headers, and ends it cleanly. */
  const openStream = (
    res: Response,
    callerId: number,
    onClose: (sink: StreamSink) => void,
  ): StreamSink | undefined => {
    // Gone while its permissions and the execution were read: no slot is taken ('close'
    // has fired already and would never give it back).
    if (res.destroyed || res.closed) return undefined;
    const mine = perUser.get(callerId) ?? 0;
    if (mine >= deps.perUser) {
      deps.dropped('limit');
      throw new AppError({
        code: 'too-many-streams',
        category: 'rate_limited',
        message: `At most ${deps.perUser} live streams per user: close one first.`,
      });
    }
    if (open >= deps.total) {
      deps.dropped('limit');
      throw AppError.unavailable('live streams (this gateway has too many open)');
    }
    perUser.set(callerId, mine + 1);
    open += 1;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const sink = sseSink(res);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded && res.writableLength === 0) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    let released = false;
    res.on('close', () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      onClose(sink);
      const left = (perUser.get(callerId) ?? 1) - 1;
      if (left <= 0) perUser.delete(callerId);
      else perUser.set(callerId, left);
      open -= 1;
    });
    return sink;
  };

  app.get(
    `${EXECUTIONS_PATH}:id/stream/`,
    asyncHandler(async (req, res) => {
      const executionId = pathUuid(req.params['id'], 'execution');
      const caller = principalOf(authOf(res));
      const grant = grantOf(res, 'toolkit.execution', 'view');
      if (grant === false) throw forbidden();
      const resumeFrom = req.header('Last-Event-ID') ?? searchParamsOf(req).get('last_event_id');
      const origin = publicOrigin(req, deps.publicUrl);
      const context = { origin, requestId: String(res.locals['requestId'] ?? '') };
      const read = () => deps.reader.get(executionId, caller, context, grant ?? undefined);
      const view =
        (await read()) ??
        ((await acceptedByCaller(executionId, caller))
          ? ({ id: executionId, status: 'queued', result: null } as ExecutionRepresentation)
          : undefined);
      if (!view) throw AppError.notFound('execution');
      const sink = openStream(res, caller.id, (s) => deps.hub.unsubscribe(executionId, s));
      if (!sink) return;
      deps.hub.subscribe(view, sink, parseLastEventId(resumeFrom ?? undefined), read);
    }),
  );

  const bulk = deps.bulk;
  if (!bulk) return;
  app.get(
    `${BULK_JOBS_PATH}:id/stream/`,
    asyncHandler(async (req, res) => {
      const jobId = pathUuid(req.params['id'], 'bulk job');
      const caller = principalOf(authOf(res));
      const grant = grantOf(res, 'toolkit.bulkjob', 'view');
      // Its items are executions: reported as the caller may read them.
      const itemsGrant = grantOf(res, 'toolkit.execution', 'view');
      if (grant === false || itemsGrant === false) throw forbidden();
      const origin = publicOrigin(req, deps.publicUrl);
      const context = { origin, requestId: String(res.locals['requestId'] ?? '') };
      const job = () => bulk.jobs.get(jobId, caller, context, grant ?? undefined);
      const first =
        (await job()) ?? ((await acceptedByCaller(jobId, caller)) ? queuedJob(jobId) : undefined);
      if (!first) throw AppError.notFound('bulk job');
      const sink = openStream(res, caller.id, (s) => bulk.hub.unsubscribe(jobId, s));
      if (!sink) return;
      await bulk.hub.subscribe(first, sink, {
        job,
        items: (offset, limit) =>
          bulk.pages.executions(jobId, caller, context, offset, limit, itemsGrant),
      });
    }),
  );
}

/** A bulk job accepted a moment ago, before analytics has read its first message. */
function queuedJob(jobId: string): BulkJobRepresentation {
  return {
    id: jobId,
    status: 'queued',
    total: null,
    accepted: null,
    rejected: null,
    done: 0,
  } as BulkJobRepresentation;
}
