import type { Express, Request } from 'express';
import { asyncHandler } from '@toolkit/http';
import { publicOrigin } from '../http/public-origin';
import { API_VERSION } from '../http/edge.middleware';
import type { ServiceName, UpstreamClient } from '../forwarding/upstream-client';

export const TOOLKIT_VERSION = '0.1.0';

export interface StatusProbes {
  mongodb: () => Promise<void>;
  kafka: () => Promise<void>;
  /** Members of the executor consumer group; undefined when unknown. */
  executors: () => Promise<number | undefined>;
}

const APPS: Record<string, Record<string, string>> = {
  dcim: {
    devices: 'devices/',
    interfaces: 'interfaces/',
    platforms: 'platforms/',
    sites: 'sites/',
  },
  ipam: { 'ip-addresses': 'ip-addresses/', vlans: 'vlans/' },
  core: { 'object-changes': 'object-changes/' },
  users: { groups: 'groups/', permissions: 'permissions/', tokens: 'tokens/', users: 'users/' },
  'plugins/toolkit': {
    'bulk-jobs': 'bulk-jobs/',
    'command-logs': 'command-logs/',
    commands: 'commands/',
    'credential-sets': 'credential-sets/',
    executions: 'executions/',
    'parsing-templates': 'parsing-templates/',
  },
};

async function reachable(probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch {
    return false;
  }
}

/** API root, application roots, plugins and `/api/status/`. */
export function mountRootRoutes(
  app: Express,
  deps: {
    publicUrl: string | undefined;
    upstreams: Record<ServiceName, UpstreamClient>;
    probes: StatusProbes;
  },
): void {
  const base = (req: Request) => `${publicOrigin(req, deps.publicUrl)}/api/`;
  app.get('/api/', (req, res) => {
    const root = base(req);
    res.json({
      core: `${root}core/`,
      dcim: `${root}dcim/`,
      ipam: `${root}ipam/`,
      plugins: `${root}plugins/`,
      status: `${root}status/`,
      users: `${root}users/`,
    });
  });
  for (const [app_, resources] of Object.entries(APPS)) {
    app.get(`/api/${app_}/`, (req, res) => {
      const root = `${base(req)}${app_}/`;
      res.json(
        Object.fromEntries(
          Object.entries(resources).map(([name, path]) => [name, `${root}${path}`]),
        ),
      );
    });
  }
  app.get('/api/plugins/', (req, res) => {
    res.json({ toolkit: `${base(req)}plugins/toolkit/` });
  });

  app.get(
    '/api/status/',
    asyncHandler(async (_req, res) => {
      const [mongodb, kafka, executors, services] = await Promise.all([
        reachable(deps.probes.mongodb),
        reachable(deps.probes.kafka),
        deps.probes.executors().catch(() => undefined),
        Promise.all(
          Object.values(deps.upstreams).map(async (upstream) => {
            try {
              const answer = await upstream.getJson('/healthz', {});
              const body = (answer.body ?? {}) as { version?: unknown };
              return [
                upstream.name,
                {
                  status: answer.status === 200 ? 'ok' : 'unavailable',
                  version: typeof body.version === 'string' ? body.version : TOOLKIT_VERSION,
                },
              ] as const;
            } catch {
              return [upstream.name, { status: 'unavailable', version: null }] as const;
            }
          }),
        ),
      ]);
      res.json({
        'netbox-version': `${API_VERSION}.0`,
        'toolkit-version': TOOLKIT_VERSION,
        'node-version': process.versions.node,
        plugins: { toolkit: TOOLKIT_VERSION },
        services: {
          gateway: { status: 'ok', version: TOOLKIT_VERSION },
          ...Object.fromEntries(services),
        },
        kafka: { reachable: kafka },
        mongodb: { reachable: mongodb },
        executors: executors ?? null,
        'rq-workers-running': executors ?? 0,
      });
    }),
  );
}
