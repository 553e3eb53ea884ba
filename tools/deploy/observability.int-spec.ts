import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { requiredServiceEnv, startServiceProcess, waitForLine } from '@toolkit/testing';
import type { ServiceProcess } from '@toolkit/testing';
import { exportedMetricNames, metricNamesOf, metricNamesOfVariableQuery } from './promql-names';
import { runCommand } from './run-command';

/**
 * The observability files of deploy/ checked against the real thing:
 *  - the alerting rules with promtool (`check rules`, and the unit tests of every alert);
 *  - every metric name in the rules and the Grafana dashboards is declared by one of the four
 *    services, started as real processes and scraped;
 *  - Prometheus (the same Debian package as promtool) scrapes those processes with the
 *    shipped scrape job, evaluates every rule without error and runs every dashboard query.
 * Fails, never skips, without promtool/prometheus: tools/scripts/system-deps.sh installs them.
 */
const root = path.resolve(__dirname, '../..');
const PROMETHEUS_DIR = path.join(root, 'deploy/prometheus');
const RULES = path.join(PROMETHEUS_DIR, 'rules.yaml');
const RULE_TESTS = path.join(PROMETHEUS_DIR, 'rules.test.yaml');
const SCRAPE_CONFIG = path.join(PROMETHEUS_DIR, 'prometheus.yml');
const DASHBOARDS_DIR = path.join(root, 'deploy/grafana/dashboards');
const SERVICES = ['gateway', 'catalog', 'executor', 'analytics'] as const;

const run = (command: string, args: string[], options: { cwd?: string } = {}) =>
  runCommand(command, args, { ...options, installHint: 'run bash tools/scripts/system-deps.sh' });

/**
 * Names used by the deployment files that no service exports, each with the reason. Only
 * Prometheus' own series: nothing here relies on an external exporter.
 */
const NOT_EXPORTED_BY_SERVICES: Record<string, string> = {
  up: 'written by Prometheus for every scrape target (1 when the scrape succeeded)',
};

async function readYaml(file: string): Promise<unknown> {
  return parseYaml(await readFile(file, 'utf8')) as unknown;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

async function rules(): Promise<Rule[]> {
  const file = (await readYaml(RULES)) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId: string; expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  allValue?: string;
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

async function dashboards(): Promise<{ file: string; dashboard: Dashboard }[]> {
  const files = (await readdir(DASHBOARDS_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      dashboard: JSON.parse(await readFile(path.join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard,
    })),
  );
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard's panels, with where it is. */
function panelExpressions(file: string, dashboard: Dashboard): { where: string; expr: string }[] {
  return allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      where: `${file} panel ${panel.id} "${panel.title}" ${t.refId}`,
      expr: t.expr ?? '',
    })),
  );
}

function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : variable.query.query;
}

/** Grafana's variables replaced by what they stand for, so that Prometheus can run the query. */
function withVariablesReplaced(expr: string, dashboard: Dashboard): string {
  const builtIn: Record<string, string> = {
    __rate_interval: '1m',
    __interval: '15s',
    __range: '1h',
  };
  const own = Object.fromEntries(
    dashboard.templating.list.map((v) => [v.name, v.allValue ?? '.*'] as const),
  );
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = builtIn[name] ?? own[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

describe('the alerting rules', () => {
  it('when promtool checks the rule file and the scrape config that loads it, then both are valid', async () => {
    const checkRules = await run('promtool', ['check', 'rules', RULES]);
    const checkConfig = await run('promtool', ['check', 'config', SCRAPE_CONFIG]);

    expect([checkRules.code, checkRules.stderr]).toEqual([0, '']);
    expect(checkRules.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect([checkConfig.code, checkConfig.stderr]).toEqual([0, '']);
    expect(checkConfig.stdout).toContain('SUCCESS: 1 rule files found');
  });

  it('when promtool runs the unit tests, then every test passes', async () => {
    const tested = await run('promtool', ['test', 'rules', RULE_TESTS], { cwd: PROMETHEUS_DIR });

    expect({ code: tested.code, output: tested.stdout + tested.stderr }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS') as unknown,
    });
  });

  it('when a unit test expects the wrong alert, then promtool fails it (the tests can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rules-test-'));
    try {
      await writeFile(
        path.join(dir, 'wrong.test.yaml'),
        stringifyYaml({
          rule_files: [RULES],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                { series: 'up{service="gateway", instance="g:9464"}', values: '1x10' },
              ],
              alert_rule_test: [
                {
                  eval_time: '5m',
                  alertname: 'ToolkitServiceDown',
                  exp_alerts: [{ exp_labels: { service: 'gateway', severity: 'critical' } }],
                },
              ],
            },
          ],
        }),
      );

      const tested = await run('promtool', ['test', 'rules', 'wrong.test.yaml'], { cwd: dir });

      expect(tested.code).toBe(1);
      expect(tested.stdout + tested.stderr).toContain('alertname: ToolkitServiceDown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when the unit tests are read, then every alert has a case where it fires and one where it does not', async () => {
    const alerts = (await rules()).flatMap((r) => (r.alert ? [r.alert] : []));
    const tests = (await readYaml(RULE_TESTS)) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const coverage = Object.fromEntries(
      alerts.map((alert) => {
        const own = cases.filter((c) => c.alertname === alert);
        return [
          alert,
          {
            fires: own.some((c) => (c.exp_alerts ?? []).length > 0),
            staysQuiet: own.some((c) => (c.exp_alerts ?? []).length === 0),
          },
        ];
      }),
    );

    expect(alerts.length).toBeGreaterThanOrEqual(10);
    expect(coverage).toEqual(
      Object.fromEntries(alerts.map((a) => [a, { fires: true, staysQuiet: true }])),
    );
    expect(cases.map((c) => c.alertname).filter((name) => !alerts.includes(name))).toEqual([]);
  });

  it('when the rules are read, then every alert has a severity, a summary, a description and its runbook in docs/alerts.md', async () => {
    const runbook = await readFile(path.join(root, 'docs/alerts.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        (m[1] ?? '')
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const file = (await readYaml(RULES)) as {
      groups: {
        rules: {
          alert?: string;
          labels?: Record<string, string>;
          annotations?: Record<string, string>;
        }[];
      }[];
    };
    const problems = file.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .flatMap((r) => {
        const found: string[] = [];
        if (!['critical', 'warning', 'info'].includes(r.labels?.['severity'] ?? ''))
          found.push(`${r.alert}: severity`);
        if (!r.annotations?.['summary'] || !r.annotations['description'])
          found.push(`${r.alert}: summary/description`);
        const anchor = /^docs\/alerts\.md#(.+)$/.exec(r.annotations?.['runbook_url'] ?? '')?.[1];
        if (anchor !== (r.alert ?? '').toLowerCase() || !anchors.has(anchor))
          found.push(`${r.alert}: runbook_url`);
        return found;
      });

    expect(problems).toEqual([]);
  });

  it('when the dashboard queries are compiled by promtool, then every one is valid PromQL', async () => {
    const recorded = (await dashboards()).flatMap(({ file, dashboard }) =>
      panelExpressions(file, dashboard).map(({ expr }, i) => ({
        record: `dashboard:${dashboard.uid.replace(/[^A-Za-z0-9_]/g, '_')}:${i}`,
        expr: withVariablesReplaced(expr, dashboard),
      })),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'dashboard-promql-'));
    try {
      const file = path.join(dir, 'dashboard-queries.yaml');
      await writeFile(file, stringifyYaml({ groups: [{ name: 'dashboards', rules: recorded }] }));

      const checked = await run('promtool', ['check', 'rules', file]);

      expect([checked.code, checked.stdout + checked.stderr]).toEqual([
        0,
        expect.stringContaining(`SUCCESS: ${recorded.length} rules found`),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Grafana dashboards', () => {
  it('when read, then each has a uid, a Prometheus datasource variable used by every panel and query, and unique panel ids', async () => {
    const problems = (await dashboards()).flatMap(({ file, dashboard }) => {
      const found: string[] = [];
      if (!/^[A-Za-z0-9_-]{8,40}$/.test(dashboard.uid)) found.push(`${file}: uid`);
      const datasource = dashboard.templating.list.find((v) => v.type === 'datasource');
      if (!datasource || variableQuery(datasource) !== 'prometheus')
        found.push(`${file}: no Prometheus datasource variable`);
      const panels = allPanels(dashboard.panels);
      const ids = panels.map((p) => p.id);
      if (new Set(ids).size !== ids.length) found.push(`${file}: duplicate panel ids`);
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        const uses = [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)];
        if (uses.some((d) => d?.uid !== `\${${datasource?.name ?? 'datasource'}}`))
          found.push(`${file}: panel ${panel.id} does not use the datasource variable`);
        if ((panel.targets ?? []).length === 0 || panel.targets?.some((t) => !t.expr))
          found.push(`${file}: panel ${panel.id} has no query`);
      }
      return found;
    });

    expect(problems).toEqual([]);
  });

  it('when its queries are read, then the dashboard shows what operators look for', async () => {
    const used = new Set(
      (await dashboards()).flatMap(({ file, dashboard }) =>
        panelExpressions(file, dashboard).flatMap(({ expr }) => metricNamesOf(expr)),
      ),
    );

    // request rate, latency and errors per service; executions by outcome and platform;
    // duration percentiles; open sessions; open breakers; consumer lag; dead letters
    expect(
      [
        'toolkit_http_request_duration_seconds_count',
        'toolkit_http_request_duration_seconds_bucket',
        'toolkit_executor_executions_total',
        'toolkit_executor_execution_duration_seconds_bucket',
        'toolkit_executor_open_sessions',
        'toolkit_executor_breakers',
        'toolkit_executor_breaker_open',
        'toolkit_kafka_consumer_lag',
        'toolkit_messages_consumed_total',
      ].filter((name) => !used.has(name)),
    ).toEqual([]);
  });
});

describe('metric names against the running services', () => {
  const started: ServiceProcess[] = [];
  const metricsPorts = new Map<string, number>();
  const exported = new Map<string, Set<string>>();

  beforeAll(async () => {
    const env = requiredServiceEnv('observability-test');
    // Databases of their own too: other test files start the same services concurrently.
    const run = randomUUID().slice(0, 8);
    for (const service of SERVICES)
      started.push(
        startServiceProcess(service, { ...env, MONGODB_DB: `observability_${service}_${run}` }),
      );
    await Promise.all(
      SERVICES.map(async (service, i) => {
        const child = started[i] as ServiceProcess;
        const listening = await waitForLine(
          child,
          (l) => l['msg'] === `${service} listening`,
          90_000,
        );
        const port = Number(listening['metricsPort']);
        metricsPorts.set(service, port);
        const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        exported.set(service, exportedMetricNames(page));
      }),
    );
  }, 150_000);

  afterAll(async () => {
    for (const p of started) p.child.kill('SIGTERM');
    await Promise.all(started.map((p) => p.exited));
  }, 60_000);

  async function usedNames(): Promise<Map<string, string[]>> {
    const used = new Map<string, string[]>();
    const note = (name: string, where: string) =>
      used.set(name, [...(used.get(name) ?? []), where]);
    for (const rule of await rules())
      for (const name of metricNamesOf(rule.expr))
        note(name, `rules.yaml ${rule.alert ?? rule.record}`);
    for (const { file, dashboard } of await dashboards()) {
      for (const { where, expr } of panelExpressions(file, dashboard))
        for (const name of metricNamesOf(expr)) note(name, where);
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query'))
        for (const name of metricNamesOfVariableQuery(variableQuery(variable)))
          note(name, `${file} variable ${variable.name}`);
    }
    return used;
  }

  it('when the name extractor reads a known rule, then it finds its metric (the check cannot pass vacuously)', async () => {
    const lag = (await rules()).find((r) => r.alert === 'ToolkitExecutorLagGrowing');
    const used = await usedNames();

    expect(metricNamesOf(lag?.expr ?? '')).toEqual(['toolkit_kafka_consumer_lag']);
    expect(used.size).toBeGreaterThan(15);
    const executor = exported.get('executor') ?? new Set<string>();
    expect([
      executor.has('toolkit_executor_executions_total'),
      executor.has('toolkit_executor_execution_duration_seconds_bucket'),
      executor.has('toolkit_executor_made_up_total'),
    ]).toEqual([true, true, false]);
  });

  it('when the rules and dashboards are read, then every metric name they use is exported by a running service', async () => {
    const everyExported = new Set([...exported.values()].flatMap((names) => [...names]));
    const used = await usedNames();

    const missing = [...used]
      .filter(([name]) => !everyExported.has(name) && !(name in NOT_EXPORTED_BY_SERVICES))
      .map(([name, where]) => `${name} (${where.join('; ')})`);

    expect(missing).toEqual([]);
    // The allow-list holds only names that are used and really not exported.
    expect(
      Object.keys(NOT_EXPORTED_BY_SERVICES).filter((n) => !used.has(n) || everyExported.has(n)),
    ).toEqual([]);
  });

  describe('scraped by Prometheus with the shipped rules', () => {
    const dir = { path: '' };
    let prometheus: ReturnType<typeof spawn> | undefined;
    let api = '';
    /** Prometheus' own log, shown when it does not come up. */
    let log = '';

    async function query(expr: string): Promise<{ status: string; data?: { result: unknown[] } }> {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return (await response.json()) as { status: string; data?: { result: unknown[] } };
    }

    async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (prometheus && prometheus.exitCode !== null)
          throw new Error(`prometheus exited while waiting for ${what}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    beforeAll(async () => {
      dir.path = await mkdtemp(path.join(tmpdir(), 'prometheus-'));
      const shipped = (await readYaml(SCRAPE_CONFIG)) as {
        global: Record<string, unknown>;
        scrape_configs: { job_name: string; dns_sd_configs?: unknown; relabel_configs?: unknown }[];
      };
      const job = shipped.scrape_configs.find((j) => j.job_name === 'toolkit');
      if (!job) throw new Error('deploy/prometheus/prometheus.yml has no `toolkit` job');
      // The shipped job with static targets in place of DNS discovery (which labels each
      // target `service` from the name it resolved).
      const { dns_sd_configs: _dns, relabel_configs: _relabel, ...rest } = job;
      const config = {
        global: {
          ...shipped.global,
          scrape_interval: '1s',
          scrape_timeout: '1s',
          evaluation_interval: '1s',
        },
        rule_files: [RULES],
        scrape_configs: [
          {
            ...rest,
            static_configs: SERVICES.map((service) => ({
              targets: [`127.0.0.1:${metricsPorts.get(service) ?? 0}`],
              labels: { service },
            })),
          },
        ],
      };
      await writeFile(path.join(dir.path, 'prometheus.yml'), stringifyYaml(config));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${path.join(dir.path, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir.path, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const spawned = prometheus;
      await new Promise<void>((resolve, reject) => {
        spawned.once('spawn', resolve);
        spawned.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT'
              ? new Error('prometheus is not installed: run bash tools/scripts/system-deps.sh')
              : error,
          ),
        );
      });
      await until('Prometheus to be ready', async () =>
        (await fetch(`${api}/-/ready`)).ok ? true : undefined,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its log:\n${log.slice(-3000)}`);
      });
    }, 60_000);

    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((r) => prometheus?.once('exit', r));
        prometheus.kill('SIGTERM');
        await exited;
      }
      if (dir.path) await rm(dir.path, { recursive: true, force: true });
    }, 30_000);

    it('when every service has been scraped, then each is up under its service label and ToolkitServiceDown is not active', async () => {
      const up = await until('every target to be up', async () => {
        const result = await query('up == 1');
        return result.data?.result.length === SERVICES.length ? result : undefined;
      });
      // Rules are evaluated every second: a few rounds after the first scrape.
      await new Promise((r) => setTimeout(r, 3_000));

      const serviceDown = await query('ALERTS{alertname="ToolkitServiceDown"}');
      const services = (up.data?.result as { metric: Record<string, string> }[])
        .map((r) => r.metric['service'])
        .sort();

      expect(services).toEqual([...SERVICES].sort());
      expect(serviceDown).toEqual({
        status: 'success',
        data: expect.objectContaining({ result: [] }),
      });
    });

    it('when the rules have been evaluated against the real series, then every rule is healthy', async () => {
      type Group = {
        rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[];
      };
      const groups = await until('every rule to be evaluated', async () => {
        const response = (await (await fetch(`${api}/api/v1/rules`)).json()) as {
          data: { groups: Group[] };
        };
        const all = response.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001'))
          ? response.data.groups
          : undefined;
      });

      const unhealthy = groups
        .flatMap((g) => g.rules)
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);

      expect(unhealthy).toEqual([]);
      expect(groups.flatMap((g) => g.rules).length).toBe((await rules()).length);
    });

    it('when every dashboard query runs on that Prometheus, then none fails', async () => {
      const failed: string[] = [];
      for (const { file, dashboard } of await dashboards())
        for (const { where, expr } of panelExpressions(file, dashboard)) {
          const result = await query(withVariablesReplaced(expr, dashboard));
          if (result.status !== 'success') failed.push(`${where}: ${JSON.stringify(result)}`);
        }

      expect(failed).toEqual([]);
    });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
