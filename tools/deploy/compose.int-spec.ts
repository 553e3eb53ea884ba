import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configProblems } from '@toolkit/config';
import type { z } from 'zod';
import { analyticsConfigSchema } from '../../apps/analytics/src/config';
import { catalogConfigSchema } from '../../apps/catalog/src/config';
import { executorConfigSchema } from '../../apps/executor/src/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config';
import { runCommand } from './run-command';
import type { RunResult } from './run-command';

/**
 * deploy/compose/compose.yaml against the Compose specification, with compose-go (the
 * specification's reference loader, which Docker Compose itself uses: interpolation, the
 * JSON schema, then consistency), built from the Go module proxy into a tiny program
 * (deploy/compose/validate). No Docker engine here: what runs in the containers is checked
 * through the files they are given (service configuration, mounts, scrape targets).
 */
const root = path.resolve(__dirname, '../..');
const COMPOSE_DIR = path.join(root, 'deploy/compose');
const COMPOSE_FILE = path.join(COMPOSE_DIR, 'compose.yaml');
const TOOLKIT = ['gateway', 'catalog', 'executor', 'analytics'] as const;
const run = (command: string, args: string[], cwd = root) =>
  runCommand(command, args, { cwd, installHint: 'Go: https://go.dev/dl, into /usr/local/go/bin' });

const SCHEMAS: Record<(typeof TOOLKIT)[number], z.ZodType> = {
  gateway: gatewayConfigSchema,
  catalog: catalogConfigSchema,
  executor: executorConfigSchema,
  analytics: analyticsConfigSchema,
};

interface Volume {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
}

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | null;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: Volume[];
  stop_grace_period?: string;
  ports?: { host_ip?: string; target: number }[];
}

interface Project {
  services: Record<string, Service>;
}

describe('the compose file', () => {
  const dir = { path: '', validator: '', envFile: '' };

  /** The loader's verdict on `files` (paths relative to deploy/compose) with `envFile`. */
  function load(envFile: string, ...files: string[]): Promise<RunResult> {
    return run(dir.validator, ['-env-file', envFile, ...files], COMPOSE_DIR);
  }

  beforeAll(async () => {
    dir.path = await mkdtemp(path.join(tmpdir(), 'compose-'));
    dir.validator = path.join(dir.path, 'compose-validate');
    dir.envFile = path.join(dir.path, 'generated.env');
    // Cold: the compose-go module and its dependencies from the Go module proxy, then a build.
    const built = await run(
      'go',
      ['build', '-o', dir.validator, '.'],
      path.join(COMPOSE_DIR, 'validate'),
    );
    if (built.code !== 0) throw new Error(`building the validator failed:\n${built.stderr}`);
    const env = await run('bash', [path.join(COMPOSE_DIR, 'make-env.sh'), dir.envFile]);
    if (env.code !== 0) throw new Error(`make-env.sh failed:\n${env.stderr}`);
  }, 300_000);

  afterAll(async () => {
    if (dir.path) await rm(dir.path, { recursive: true, force: true });
  });

  async function project(): Promise<Project> {
    const loaded = await load(dir.envFile, 'compose.yaml');
    if (loaded.code !== 0) throw new Error(loaded.stderr);
    return JSON.parse(loaded.stdout) as Project;
  }

  it('when loaded with the secrets make-env.sh writes, then compose-go accepts it and every service is wired as documented', async () => {
    const { services } = await project();
    const builtApps = [...TOOLKIT, 'simulator'];

    expect(Object.keys(services).sort()).toEqual(
      [...builtApps, 'mongodb', 'kafka', 'prometheus', 'grafana'].sort(),
    );
    expect(services['mongodb']?.image).toMatch(/^mongo:7(\.|$)/);
    expect(services['kafka']?.image).toMatch(/^apache\/kafka:/);
    for (const app of builtApps)
      expect([app, services[app]?.build?.context, services[app]?.build?.dockerfile]).toEqual([
        app,
        root,
        'deploy/Dockerfile',
      ]);
    expect(builtApps.map((app) => services[app]?.build?.args?.['APP'])).toEqual(builtApps);
    expect(services['analytics']?.build?.args?.['NODE_OPTIONS']).toBe('--max-old-space-size=128');
    // Every container is health-checked, and waits for what it needs to be healthy.
    expect(
      Object.entries(services)
        .filter(([, s]) => (s.healthcheck?.test ?? []).length < 2)
        .map(([name]) => name),
    ).toEqual([]);
    const dependsOn = Object.entries(services).flatMap(([name, s]) =>
      Object.entries(s.depends_on ?? {}).map(([on, d]) => `${name} -> ${on}: ${d.condition}`),
    );
    expect(dependsOn.filter((d) => !d.endsWith('service_healthy'))).toEqual([]);
    for (const app of TOOLKIT)
      expect([app, ...Object.keys(services[app]?.depends_on ?? {})]).toEqual(
        expect.arrayContaining([app, 'mongodb', 'kafka']),
      );
    // Published ports are on loopback only.
    expect(
      Object.values(services)
        .flatMap((s) => s.ports ?? [])
        .filter((p) => p.host_ip !== '127.0.0.1'),
    ).toEqual([]);
  });

  it("when each service's compose environment goes through its configuration schema, then it is accepted, and the drain fits in the stop grace period", async () => {
    const { services } = await project();

    for (const app of TOOLKIT) {
      const environment = Object.fromEntries(
        Object.entries(services[app]?.environment ?? {}).map(([k, v]) => [k, v ?? undefined]),
      );
      const grace = Number(/^(\d+)s$/.exec(services[app]?.stop_grace_period ?? '')?.[1] ?? 0);

      const drainMs = Number(environment['SHUTDOWN_TIMEOUT_MS'] ?? 25_000);

      expect([app, configProblems(SCHEMAS[app], environment)]).toEqual([app, []]);
      expect([app, grace * 1000 > drainMs]).toEqual([app, true]);
    }
  });

  it('when Prometheus and Grafana start, then their mounted files hold what their configuration names', async () => {
    const { services } = await project();
    const mount = (service: string, source: string) =>
      services[service]?.volumes?.find((v) => v.type === 'bind' && v.source === source);
    const scrape = parseYaml(
      await readFile(path.join(root, 'deploy/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const datasources = parseYaml(
      await readFile(
        path.join(root, 'deploy/grafana/provisioning/datasources/prometheus.yaml'),
        'utf8',
      ),
    ) as { datasources: { url: string; type: string }[] };
    const providers = parseYaml(
      await readFile(
        path.join(root, 'deploy/grafana/provisioning/dashboards/toolkit.yaml'),
        'utf8',
      ),
    ) as { providers: { options: { path: string } }[] };
    const discovery = scrape.scrape_configs.find((j) => j.job_name === 'toolkit')
      ?.dns_sd_configs?.[0];

    // Prometheus: its config and the rule file beside it, scraping every toolkit service
    // on the metrics port the services are given.
    const prometheusDir = mount('prometheus', path.join(root, 'deploy/prometheus'));
    expect(prometheusDir).toMatchObject({ target: '/etc/prometheus', read_only: true });
    expect(services['prometheus']?.command).toContain(
      '--config.file=/etc/prometheus/prometheus.yml',
    );
    expect(scrape.rule_files).toEqual(['rules.yaml']);
    expect([...(discovery?.names ?? [])].sort()).toEqual([...TOOLKIT].sort());
    expect(TOOLKIT.map((app) => services[app]?.environment?.['METRICS_PORT'])).toEqual(
      TOOLKIT.map(() => String(discovery?.port)),
    );
    // Grafana: the provisioning folder, the dashboards where the provider looks, and a data
    // source that is the compose Prometheus.
    expect(mount('grafana', path.join(root, 'deploy/grafana/provisioning'))).toMatchObject({
      target: '/etc/grafana/provisioning',
    });
    expect(mount('grafana', path.join(root, 'deploy/grafana/dashboards'))?.target).toBe(
      providers.providers[0]?.options.path,
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('when a required secret is empty, as in the shipped .env.example, then loading fails naming it', async () => {
    const loaded = await load('.env.example', 'compose.yaml');

    expect(loaded.code).toBe(1);
    expect(loaded.stderr).toContain(
      'required variable INTERNAL_API_TOKEN is missing a value: run make-env.sh or set it in .env',
    );
  });

  it('when compose.yaml names a variable, then .env.example lists it', async () => {
    const compose = await readFile(COMPOSE_FILE, 'utf8');
    const example = await readFile(path.join(COMPOSE_DIR, '.env.example'), 'utf8');
    const named = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const listed = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));

    expect([...named].filter((n) => !listed.has(n))).toEqual([]);
    expect([...listed].filter((n) => !named.has(n))).toEqual([]);
  });

  it.each([
    [
      'an unknown service attribute',
      'services:\n  api:\n    image: nginx\n    imagee: nginx\n',
      'services.api.imagee',
    ],
    [
      'a healthcheck that is not a command',
      'services:\n  api:\n    image: nginx\n    healthcheck:\n      test: 42\n',
      'services.api.healthcheck.test',
    ],
    [
      'a dependency on a service that does not exist',
      'services:\n  api:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_healthy\n',
      'depends on undefined service',
    ],
  ])('when a document has %s, then compose-go refuses it', async (_what, document, message) => {
    const file = path.join(dir.path, `invalid-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, document);

    const loaded = await load(dir.envFile, file);

    expect([loaded.code, loaded.stdout]).toEqual([1, '']);
    expect(loaded.stderr).toContain(message);
  });
});
