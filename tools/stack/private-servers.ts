// A Kafka broker and a MongoDB-wire server (FerretDB on SQLite) of a test's own, on free
// loopback ports, that the test may stop and start again with their data kept: the shared
// servers of tools/scripts/infra.sh are never restarted under other tests. Binaries come
// from infra.sh's cache (`infra.sh paths` provisions them on a fresh machine).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './process-stack';

interface Paths {
  KAFKA_HOME: string;
  FERRETDB_BIN: string;
  LOG4J_CONFIG: string;
}

let paths: Paths | undefined;

function infraPaths(): Paths {
  paths ??= Object.fromEntries(
    execFileSync('bash', [join(root, 'tools/scripts/infra.sh'), 'paths'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  ) as unknown as Paths;
  return paths;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

abstract class PrivateServer {
  protected child: ChildProcess | undefined;
  protected output = '';
  readonly dir: string;

  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `toolkit-${name}-`));
  }

  protected abstract command(): { file: string; args: string[] };

  /** Starts it (again, with its data) and waits until its port answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    const { file, args } = this.command();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (!(await portAnswers(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${this.name} did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops it (SIGKILL: a crash; SIGTERM: a clean stop) and waits until it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A single-node KRaft broker. */
export class PrivateKafka extends PrivateServer {
  private readonly properties = join(this.dir, 'server.properties');

  static async create(): Promise<PrivateKafka> {
    const kafka = new PrivateKafka('kafka', await freePort());
    await kafka.format(await freePort());
    return kafka;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  private javaArgs(): string[] {
    const { KAFKA_HOME, LOG4J_CONFIG } = infraPaths();
    return [
      '-cp',
      `${KAFKA_HOME}/libs/*`,
      '-Xms128m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${LOG4J_CONFIG}`,
    ];
  }

  private async format(controllerPort: number): Promise<void> {
    mkdirSync(join(this.dir, 'data'));
    writeFileSync(
      this.properties,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${join(this.dir, 'data')}`,
        'num.partitions=1',
        'auto.create.topics.enable=false',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=4',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        '',
      ].join('\n'),
    );
    const clusterId = newClusterId();
    execFileSync(
      'java',
      [
        ...this.javaArgs(),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        this.properties,
      ],
      { stdio: 'ignore' },
    );
  }

  protected command() {
    return { file: 'java', args: [...this.javaArgs(), 'kafka.Kafka', this.properties] };
  }
}

/** FerretDB 1.24 on SQLite: the MongoDB wire protocol, its data in the server's directory. */
export class PrivateFerretDB extends PrivateServer {
  static async create(): Promise<PrivateFerretDB> {
    return new PrivateFerretDB('ferretdb', await freePort());
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  protected command() {
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    mkdirSync(join(this.dir, 'state'), { recursive: true });
    return {
      file: infraPaths().FERRETDB_BIN,
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${join(this.dir, 'data')}/`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${join(this.dir, 'state')}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=warn',
      ],
    };
  }
}

/**
 * A KRaft cluster id as Kafka's `Uuid.randomUuid` makes them: never starting with `-`,
 * which the storage tool would read as an option (1 format in 64 failed: a CI run).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
