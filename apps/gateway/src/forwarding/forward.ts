import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Constraints, Principal } from '@toolkit/contracts';
import { INTERNAL_HEADERS, encodeHeaderJson } from '@toolkit/contracts';
import type { Logger } from '@toolkit/logger';
import type { UpstreamClient } from './upstream-client';
import { HOP_BY_HOP } from './upstream-client';
import { publicOrigin } from '../http/public-origin';

/** JSON answers up to this size are checked for leaked internal URLs; bigger ones stream. */
const REWRITE_LIMIT_BYTES = 16 * 1024 * 1024;

/** Response headers the gateway owns: an upstream never overrides them. */
const GATEWAY_OWNED = new Set([
  'x-request-id',
  'api-version',
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'vary',
  'content-length',
]);

const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-language', 'user-agent', 'if-none-match'];

export interface ForwardContext {
  principal: Principal;
  constraints: Constraints;
  publicUrl: string | undefined;
  logger: Logger;
}

/** The internal headers of @toolkit/contracts' internal HTTP contract. */
export function internalHeaders(
  req: Request,
  res: Response,
  context: Pick<ForwardContext, 'principal' | 'constraints' | 'publicUrl'>,
): Record<string, string> {
  const headers = serviceHeaders({
    origin: publicOrigin(req, context.publicUrl),
    principal: context.principal,
    constraints: context.constraints,
    requestId: String(res.locals['requestId'] ?? ''),
  });
  if (req.ip) headers['x-forwarded-for'] = req.ip;
  return headers;
}

/** The same headers for a call the gateway makes on its own (executions). */
export function serviceHeaders(call: {
  origin: string;
  principal: Principal;
  constraints: Constraints;
  requestId?: string | undefined;
}): Record<string, string> {
  const origin = new URL(call.origin);
  return {
    [INTERNAL_HEADERS.principal]: encodeHeaderJson(call.principal),
    [INTERNAL_HEADERS.constraints]: encodeHeaderJson(call.constraints),
    [INTERNAL_HEADERS.requestId]: call.requestId ?? '',
    [INTERNAL_HEADERS.forwardedProto]: origin.protocol.replace(':', ''),
    [INTERNAL_HEADERS.forwardedHost]: origin.host,
  };
}

/**
 * Sends the public request to the owning service with path and query unchanged, and its
 * answer back: JSON answers with `url`/`next`/`previous` checked for leaked internal
 * origins (rewritten to the public one), anything else (exports) piped without buffering.
 */
export async function forward(
  req: Request,
  res: Response,
  upstream: UpstreamClient,
  context: ForwardContext,
): Promise<void> {
  const headers = internalHeaders(req, res, context);
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.header(name);
    if (value) headers[name] = value;
  }
  let body: Buffer | undefined;
  if (req.body !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    body = Buffer.from(JSON.stringify(req.body), 'utf8');
    headers['content-type'] = 'application/json';
  }
  const aborter = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) aborter.abort();
  };
  res.on('close', onClose);
  const response = await upstream.request({
    method: req.method,
    path: req.url,
    headers,
    body,
    signal: aborter.signal,
  });
  res.status(response.statusCode ?? 502);
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || GATEWAY_OWNED.has(name)) continue;
    res.setHeader(name, value);
  }
  const contentType = String(response.headers['content-type'] ?? '');
  const length = Number(response.headers['content-length'] ?? NaN);
  const rewritable =
    /^application\/json\b/i.test(contentType) &&
    !response.headers['content-disposition'] &&
    Number.isFinite(length) &&
    length <= REWRITE_LIMIT_BYTES;
  try {
    if (rewritable) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const origin = publicOrigin(req, context.publicUrl);
      const rewritten = text.includes(upstream.origin)
        ? text.split(upstream.origin).join(origin)
        : text;
      res.setHeader('content-length', Buffer.byteLength(rewritten));
      res.end(rewritten);
    } else {
      if (Number.isFinite(length)) res.setHeader('content-length', length);
      await pipeline(response, res);
    }
  } catch (error) {
    // Headers are sent: the only honest signal left is a cut connection.
    context.logger.warn({ err: error, service: upstream.name }, 'upstream body failed');
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}
