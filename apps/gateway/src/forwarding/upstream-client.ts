import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { INTERNAL_HEADERS } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';

export type ServiceName = 'catalog' | 'analytics';

export interface UpstreamOptions {
  name: ServiceName;
  /** e.g. http://catalog:8001 (no path). */
  baseUrl: string;
  internalToken: string;
  /** Time allowed to open a TCP connection. */
  connectTimeoutMs: number;
  /** Time allowed until the response headers arrive, and idle time allowed between body chunks. */
  responseTimeoutMs: number;
  logger: Logger;
  maxSockets?: number;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query, unchanged from the public request. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Aborts the upstream call (the client went away). */
  signal?: AbortSignal;
}

/** Hop-by-hop headers are never forwarded (RFC 9110 7.6.1). */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * One keep-alive HTTP client per service behind the gateway, with a connect timeout and a
 * response timeout; every failure to get an answer (refused, reset, timed out) becomes
 * `{"detail": "The <service> service is unavailable."}` (503). A request that failed on a
 * reused keep-alive socket the server had just closed is retried once on a new one.
 */
export class UpstreamClient {
  readonly name: ServiceName;
  readonly origin: string;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly options: UpstreamOptions) {
    const url = new URL(options.baseUrl);
    this.name = options.name;
    this.origin = url.origin;
    this.transport = url.protocol === 'https:' ? https : http;
    const AgentClass = url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxSockets: options.maxSockets ?? 256,
      maxFreeSockets: 64,
      // Free sockets are closed before the services' keep-alive timeout (65 s) closes them.
      timeout: 60_000,
    });
  }

  unavailable(cause?: unknown): AppError {
    return new AppError({
      code: 'upstream-unavailable',
      category: 'unavailable',
      message: `The ${this.name} service is unavailable.`,
      cause,
      details: { dependency: this.name },
    });
  }

  /** Resolves with the response (headers received; body not read yet). */
  async request(request: UpstreamRequest): Promise<IncomingMessage> {
    try {
      return await this.attempt(request);
    } catch (error) {
      if ((error as { retriableReuse?: boolean }).retriableReuse && !request.signal?.aborted) {
        try {
          return await this.attempt(request);
        } catch (retryError) {
          throw this.unavailable(retryError);
        }
      }
      throw this.unavailable(error);
    }
  }

  /** A small JSON call (status page, visibility checks). */
  getJson(
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
    return this.json({ method: 'GET', path, headers });
  }

  /** A small JSON call with a JSON body (internal operations such as rendering). */
  postJson(
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
    return this.json({
      method: 'POST',
      path,
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    });
  }

  private async json(
    request: UpstreamRequest,
  ): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
    const response = await this.request(request);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of response) chunks.push(chunk as Buffer);
    } catch (error) {
      throw this.unavailable(error);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.statusCode ?? 502, body, headers: response.headers };
  }

  close(): void {
    this.agent.destroy();
  }

  private attempt(request: UpstreamRequest): Promise<IncomingMessage> {
    const { connectTimeoutMs, responseTimeoutMs } = this.options;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const url = new URL(request.path, this.origin);
      const headers: Record<string, string> = {
        ...request.headers,
        [INTERNAL_HEADERS.token]: this.options.internalToken,
      };
      if (request.body) headers['content-length'] = String(request.body.length);
      const outgoing = this.transport.request(url, {
        method: request.method,
        agent: this.agent,
        headers,
      });
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const responseTimer = setTimeout(() => {
        outgoing.destroy(
          Object.assign(new Error('upstream response timeout'), { code: 'ETIMEDOUT' }),
        );
      }, responseTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(responseTimer);
        clearTimeout(connectTimer);
        if (settled) return;
        settled = true;
        const code = (error as { code?: string }).code;
        if (outgoing.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
          Object.assign(error, { retriableReuse: true });
        }
        reject(error);
      };
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          outgoing.destroy(
            Object.assign(new Error('upstream connect timeout'), { code: 'ETIMEDOUT' }),
          );
        }, connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      outgoing.on('error', fail);
      outgoing.on('response', (response) => {
        clearTimeout(responseTimer);
        clearTimeout(connectTimer);
        settled = true;
        // An upstream that stalls mid-body is cut off rather than holding the client forever.
        response.setTimeout(responseTimeoutMs, () => {
          response.destroy(new Error('upstream body idle timeout'));
        });
        resolve(response);
      });
      const onAbort = () => outgoing.destroy(new Error('client aborted'));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('close', () => request.signal?.removeEventListener('abort', onAbort));
      outgoing.end(request.body);
    });
  }
}
