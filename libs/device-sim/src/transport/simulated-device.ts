/**
 * The SSH edge of one simulated device: a TCP listener (so "connection refused" can be real), an
 * ssh2 server created on first connection, authentication, shell and exec channels wired to CliSessions.
 */
import net from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { AuthContext, Connection, ParsedKey, ServerChannel } from 'ssh2';
import { Server } from 'ssh2';
import { CliSession } from '../cli/cli-session';
import type { SessionIO } from '../cli/cli-session';
import { DeviceState } from '../device-state';
import { FaultController } from '../faults';
import type { Platform } from '../platforms/platform';
import { getPlatform, HARDWARE } from '../platforms/registry';
import type { DeviceSpec, FaultSpec, InventoryDevice, PlatformId } from '../types';

export interface DeviceRuntimeOptions {
  host: string;
  /** Host private key (OpenSSH / PEM text). */
  hostKey: string;
  /** Public key accepted for publickey auth. */
  clientKey: ParsedKey | undefined;
  privateKeyPath?: string;
  seed: number;
  /** Failed password / keyboard-interactive attempts before the device disconnects. */
  maxAuthTries?: number;
}

const AUTH_METHODS: ('publickey' | 'keyboard-interactive' | 'password')[] = [
  'publickey',
  'keyboard-interactive',
  'password',
];

function sameText(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export class SimulatedDevice {
  readonly name: string;
  readonly platformId: PlatformId;
  readonly username: string;
  readonly password: string;
  readonly enableSecret: string;
  readonly site: string;
  readonly faults: FaultController;
  private stateValue: DeviceState | undefined;
  private readonly platform: Platform;
  private listener: net.Server | undefined;
  private ssh: Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<CliSession>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private portValue: number;
  private closed = false;
  private connectionCount = 0;

  constructor(
    readonly spec: DeviceSpec,
    private readonly options: DeviceRuntimeOptions,
  ) {
    this.name = spec.name;
    this.platformId = spec.platform;
    this.username = spec.username ?? 'admin';
    this.password = spec.password ?? 'admin';
    this.enableSecret = spec.enableSecret ?? 'enable';
    this.site = spec.site ?? 'lab';
    this.portValue = spec.port ?? 0;
    this.faults = new FaultController(spec.name, spec.faults ?? {});
    this.platform = getPlatform(spec.platform, this.enableSecret);
  }

  /** The device's state, generated on first use (deterministic from name + seed). */
  get state(): DeviceState {
    if (!this.stateValue) {
      this.stateValue = new DeviceState(
        this.name,
        this.platformId,
        HARDWARE[this.platformId],
        this.spec.seed ?? this.options.seed,
      );
    }
    return this.stateValue;
  }

  get port(): number {
    return this.portValue;
  }

  get host(): string {
    return this.options.host;
  }

  /** Command lines received so far, in order (paging and set-up commands included). */
  get receivedCommands(): readonly string[] {
    return this.state.received;
  }

  /** Number of SSH connections accepted so far. */
  get connections(): number {
    return this.connectionCount;
  }

  get listening(): boolean {
    return this.listener?.listening === true;
  }

  async start(): Promise<void> {
    if (!this.faults.refuseConnections) await this.openListener();
    else if (this.portValue === 0) {
      // Reserve a concrete port so the inventory is stable, then close it (refused until cleared).
      await this.openListener();
      await this.closeListener();
    }
  }

  /** Replaces all faults. Resolves once the listener state matches (refused / listening). */
  async setFaults(faults: FaultSpec): Promise<void> {
    this.faults.set(faults);
    if (this.closed) return;
    if (this.faults.refuseConnections && this.listener) await this.closeListener();
    if (!this.faults.refuseConnections && !this.listener) await this.openListener();
  }

  /** Merges into the current faults. */
  async updateFaults(faults: FaultSpec): Promise<void> {
    await this.setFaults({ ...this.faults.current, ...faults });
  }

  async clearFaults(): Promise<void> {
    await this.setFaults({});
  }

  /** Drops every live connection of this device (the listener stays up). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sessions) s.close();
    this.sessions.clear();
    this.dropConnections();
    await this.closeListener();
  }

  inventoryEntry(): InventoryDevice {
    const s = this.state;
    return {
      name: this.name,
      platform: this.platformId,
      vendor: s.hardware.vendor,
      model: s.hardware.model,
      osVersion: s.hardware.osVersion,
      serial: s.serial,
      host: this.options.host,
      port: this.portValue,
      site: this.site,
      credentials: {
        username: this.username,
        password: this.password,
        enableSecret: this.enableSecret,
        ...(this.options.privateKeyPath ? { privateKeyPath: this.options.privateKeyPath } : {}),
      },
      managementIp: s.managementIp.address,
      interfaces: s.interfaces.map((i) => ({
        name: i.name,
        description: i.description,
        enabled: i.adminUp,
        ...(i.ipv4 ? { ipv4: `${i.ipv4.address}/${i.ipv4.prefixLength}` } : {}),
        ...(i.kind === 'ethernet' && i.mode === 'access' ? { vlan: i.accessVlan } : {}),
        mode: i.kind === 'ethernet' ? i.mode : i.kind,
        mac: i.mac,
      })),
      vlans: s.sortedVlans().map((v) => ({ id: v.id, name: v.name })),
      ipAddresses: s.ipAddresses,
      faults: this.faults.current,
    };
  }

  // ---------------- listener ----------------

  private openListener(): Promise<void> {
    const listener = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.portValue, this.options.host, () => {
        listener.off('error', reject);
        listener.on('error', () => undefined);
        const address = listener.address();
        if (address && typeof address === 'object') this.portValue = address.port;
        resolve();
      });
    });
  }

  private closeListener(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return Promise.resolve();
    return new Promise((resolve) => listener.close(() => resolve()));
  }

  private onSocket(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    if (this.closed || this.faults.refuseConnections) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.connectionCount += 1;
    const delay = this.faults.bannerDelayMs;
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!socket.destroyed) this.sshServer().injectSocket(socket);
      }, delay);
      this.timers.add(timer);
    } else {
      this.sshServer().injectSocket(socket);
    }
  }

  private sshServer(): Server {
    if (!this.ssh) {
      const banner = this.platform.preAuthBanner(this.state);
      this.ssh = new Server(
        {
          hostKeys: [this.options.hostKey],
          ident: this.platform.sshSoftware,
          ...(banner ? { banner } : {}),
        },
        (client) => this.onClient(client),
      );
      this.ssh.on('error', () => undefined);
    }
    return this.ssh;
  }

  // ---------------- SSH connection ----------------

  private onClient(client: Connection): void {
    const socket = (client as unknown as { _sock?: net.Socket })._sock;
    // Abrupt drop (fault injection): flush what was written, then tear the TCP connection down
    // without an SSH disconnect message.
    const drop = (): void => {
      if (!socket) {
        client.end();
        return;
      }
      socket.end(() => socket.destroy());
      setTimeout(() => socket.destroy(), 100).unref();
    };
    client.on('error', () => undefined);
    let failures = 0;
    let username = this.username;
    const maxTries = this.options.maxAuthTries ?? 3;
    const fail = (ctx: AuthContext): void => {
      failures += 1;
      ctx.reject(AUTH_METHODS);
      if (failures >= maxTries) setImmediate(() => client.end());
    };
    client.on('authentication', (ctx) => {
      const userOk = sameText(ctx.username, this.username);
      switch (ctx.method) {
        case 'password':
          if (!this.faults.authFailure && userOk && sameText(ctx.password, this.password)) {
            username = ctx.username;
            ctx.accept();
          } else fail(ctx);
          return;
        case 'keyboard-interactive':
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
            if (!this.faults.authFailure && userOk && sameText(answers[0] ?? '', this.password)) {
              username = ctx.username;
              ctx.accept();
            } else fail(ctx);
          });
          return;
        case 'publickey': {
          const key = this.options.clientKey;
          const known =
            !this.faults.authFailure &&
            userOk &&
            key !== undefined &&
            ctx.key.algo === key.type &&
            ctx.key.data.equals(key.getPublicSSH());
          if (!known || !key) {
            ctx.reject(AUTH_METHODS);
            return;
          }
          if (!ctx.signature || !ctx.blob) {
            ctx.accept();
            return;
          }
          if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
            username = ctx.username;
            ctx.accept();
          } else fail(ctx);
          return;
        }
        default:
          ctx.reject(AUTH_METHODS);
      }
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('env', (accept) => accept?.());
        session.on('subsystem', (_accept, reject) => reject?.());
        session.on('shell', (accept) => {
          const stream = accept();
          this.attach(stream, username, drop, undefined);
        });
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          this.attach(stream, username, drop, info.command);
        });
      });
    });
  }

  private attach(
    stream: ServerChannel,
    username: string,
    drop: () => void,
    command: string | undefined,
  ): void {
    stream.on('error', () => undefined);
    const io: SessionIO = {
      write: (text) => {
        if (stream.writable) stream.write(text);
      },
      writeStderr: (text) => {
        if (stream.writable) stream.stderr.write(text);
      },
      end: (code) => {
        if (!stream.writable) return;
        stream.exit(code);
        stream.end();
      },
      drop,
    };
    const session = new CliSession(
      this.platform,
      this.state,
      username,
      io,
      this.faults,
      command === undefined,
    );
    this.sessions.add(session);
    stream.on('close', () => {
      session.close();
      this.sessions.delete(session);
    });
    if (command === undefined) {
      stream.on('data', (data: Buffer) => session.input(data.toString('utf8')));
      session.start();
    } else {
      session.runExec(command);
    }
  }
}
