/** Small HTTP control API (127.0.0.1) to inspect the fleet and inject faults at run time. */
import http from 'node:http';
import type { Socket } from 'node:net';
import { validateFaults } from './faults';
import type { Fleet } from './fleet';

export interface ControlApi {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ControlApiOptions {
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > 1_000_000) throw new HttpError(413, 'body too large');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

export async function startControlApi(
  fleet: Fleet,
  options: ControlApiOptions = {},
): Promise<ControlApi> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();

  const handle = async (req: http.IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const [first, name, sub] = parts;
    if (method === 'GET' && first === 'health' && parts.length === 1)
      return { status: 200, body: { status: 'ok', devices: fleet.devices.length } };
    if (method === 'GET' && first === 'inventory' && parts.length === 1)
      return { status: 200, body: fleet.inventory };
    if (first === 'faults' && parts.length === 1) {
      if (method === 'DELETE') {
        await Promise.all(fleet.devices.map((d) => d.clearFaults()));
        return { status: 200, body: { cleared: fleet.devices.length } };
      }
      if (method === 'PUT' || method === 'PATCH') {
        const body = await readJson(req);
        try {
          validateFaults(body);
        } catch (error) {
          throw new HttpError(400, (error as Error).message);
        }
        await Promise.all(
          fleet.devices.map((d) => (method === 'PUT' ? d.setFaults(body) : d.updateFaults(body))),
        );
        return { status: 200, body: { updated: fleet.devices.length } };
      }
    }
    if (first === 'devices') {
      if (name === undefined && method === 'GET') {
        return {
          status: 200,
          body: fleet.devices.map((d) => ({
            name: d.name,
            platform: d.platformId,
            host: d.host,
            port: d.port,
            listening: d.listening,
            connections: d.connections,
            faults: d.faults.current,
          })),
        };
      }
      if (name === undefined) throw new HttpError(405, 'method not allowed');
      const device = fleet.devices.find((d) => d.name === name);
      if (!device) throw new HttpError(404, `no device named ${name}`);
      if (sub === undefined && method === 'GET') {
        return {
          status: 200,
          body: {
            ...device.inventoryEntry(),
            listening: device.listening,
            connections: device.connections,
            hostname: device.state.hostname,
            receivedCommands: device.receivedCommands,
          },
        };
      }
      if (sub === 'faults' && parts.length === 3) {
        if (method === 'GET') return { status: 200, body: device.faults.current };
        if (method === 'DELETE') {
          await device.clearFaults();
          return { status: 200, body: device.faults.current };
        }
        if (method === 'PUT' || method === 'PATCH') {
          const body = await readJson(req);
          try {
            validateFaults(body);
          } catch (error) {
            throw new HttpError(400, (error as Error).message);
          }
          if (method === 'PUT') await device.setFaults(body);
          else await device.updateFaults(body);
          return { status: 200, body: device.faults.current };
        }
      }
      if (sub === 'drop' && method === 'POST') {
        device.dropConnections();
        return { status: 200, body: { dropped: true } };
      }
    }
    throw new HttpError(404, 'not found');
  };

  const server = http.createServer((req, res) => {
    handle(req)
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(body)}\n`);
      })
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify({ error: (error as Error).message })}\n`);
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
