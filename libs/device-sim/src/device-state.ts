/**
 * Device state model: plain classes, no I/O. Everything is generated deterministically from the
 * device name + seed, and mutated by configuration commands (hostname, descriptions, shutdown, VLANs).
 */
import { Prng } from '@toolkit/prng';
import type { PlatformId } from './types';

export type InterfaceKind = 'ethernet' | 'loopback' | 'svi' | 'management';

/** An interface a generated device gets: its MAC is the hardware's prefix plus `macOffset`. */
interface NewInterface {
  name: string;
  kind: InterfaceKind;
  macOffset: number;
  /** Mb/s. */
  speed: number;
  linkUp: boolean;
}

export interface Ipv4 {
  address: string;
  prefixLength: number;
}

export interface InterfaceCounters {
  inPackets: number;
  outPackets: number;
  inBytes: number;
  outBytes: number;
  inMulticast: number;
  resets: number;
}

export class InterfaceState {
  description = '';
  adminUp = true;
  ipv4: Ipv4 | undefined;
  mode: 'access' | 'routed' = 'access';
  accessVlan = 1;
  mtu = 1500;

  constructor(
    readonly name: string,
    readonly shortName: string,
    readonly kind: InterfaceKind,
    readonly index: number,
    readonly mac: string,
    readonly speedMbps: number,
    /** Cable plugged in / peer present. */
    public linkUp: boolean,
    readonly counters: InterfaceCounters,
  ) {}

  get operUp(): boolean {
    return this.adminUp && this.linkUp;
  }
}

export interface VlanState {
  id: number;
  name: string;
}

export interface RouteEntry {
  prefix: string;
  prefixLength: number;
  nextHop: string;
  interfaceName: string;
  protocol: 'ospf' | 'static';
  metric: number;
}

export interface ArpEntry {
  address: string;
  mac: string;
  interfaceName: string;
  ageMinutes: number;
}

export interface NeighborEntry {
  localInterface: string;
  deviceId: string;
  portId: string;
  platform: string;
  capabilities: string;
  holdTime: number;
  chassisMac: string;
}

/** Static facts of a platform's hardware, used to generate a device. */
export interface HardwareProfile {
  vendor: string;
  model: string;
  osVersion: string;
  serialPrefix: string;
  macPrefix: string;
  ethernetCount: number;
  ethernetSpeedMbps: number;
  ethernetName(index: number): string;
  shortName(name: string): string;
  managementName: string;
  loopbackName: string | undefined;
  sviName(vlan: number): string;
  hasVlans: boolean;
}

const VLAN_CATALOG: readonly VlanState[] = [
  { id: 10, name: 'USERS' },
  { id: 20, name: 'VOICE' },
  { id: 30, name: 'SERVERS' },
  { id: 40, name: 'PRINTERS' },
  { id: 99, name: 'MGMT' },
  { id: 100, name: 'GUEST' },
  { id: 200, name: 'IOT' },
];

const ACCESS_DESCRIPTIONS = [
  'user-ws',
  'printer',
  'ap',
  'phone',
  'camera',
  'badge-reader',
  'kiosk',
];
const PEER_NAMES = ['core-rtr', 'dist-sw', 'spine', 'agg-sw', 'wan-edge'];

function formatMac(prefix: string, value: number): string {
  const suffix = (value & 0xffffff).toString(16).padStart(6, '0');
  return `${prefix}${suffix}`;
}

export function macToCisco(mac: string): string {
  return `${mac.slice(0, 4)}.${mac.slice(4, 8)}.${mac.slice(8, 12)}`;
}

export function macToColon(mac: string): string {
  return mac.match(/../g)?.join(':') ?? mac;
}

export function prefixToMask(prefixLength: number): string {
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

export function networkOf(ip: Ipv4): string {
  const mask = ip.prefixLength === 0 ? 0 : (0xffffffff << (32 - ip.prefixLength)) >>> 0;
  return intToIp((ipToInt(ip.address) & mask) >>> 0);
}

/** The most command lines a device remembers receiving (the oldest go first). */
export const RECEIVED_KEPT = 10_000;

export class DeviceState {
  hostname: string;
  /**
   * Command lines received, in the order the device read them (tests check order and
   * counts: a bulk job's items for a device arrive in the order given).
   */
  readonly received: string[] = [];
  readonly interfaces: InterfaceState[] = [];
  readonly vlans = new Map<number, VlanState>();
  readonly routes: RouteEntry[] = [];
  readonly arp: ArpEntry[] = [];
  readonly neighbors: NeighborEntry[] = [];
  readonly serial: string;
  readonly baseMac: string;
  readonly bootTime: Date;
  readonly managementIp: Ipv4;
  readonly managementGateway: string;
  readonly domain = 'lab.local';
  lastConfigChange: Date;
  lastConfigChangeBy = 'admin';
  /** Bumped on every configuration change; handy for tests and caches. */
  configVersion = 0;

  constructor(
    readonly name: string,
    readonly platform: PlatformId,
    readonly hardware: HardwareProfile,
    seed: number,
    now: Date = new Date(),
  ) {
    const rng = new Prng(`${seed}:${name}`);
    this.hostname = name;
    this.serial = `${hardware.serialPrefix}${rng.alnum(11 - hardware.serialPrefix.length)}`;
    const macBase = rng.int(0, 0xffff) << 8;
    this.baseMac = formatMac(hardware.macPrefix, macBase);
    const uptimeMinutes = rng.int(60 * 26, 60 * 24 * 90);
    this.bootTime = new Date(now.getTime() - uptimeMinutes * 60_000);
    this.lastConfigChange = new Date(now.getTime() - rng.int(5, uptimeMinutes) * 60_000);
    const siteOctet = rng.int(1, 250);
    const hostOctet = rng.int(2, 250);
    this.managementIp = { address: `192.168.${siteOctet}.${hostOctet}`, prefixLength: 24 };
    this.managementGateway = `192.168.${siteOctet}.1`;
    this.generate(rng, macBase);
  }

  private counters(rng: Prng, up: boolean): InterfaceCounters {
    const inPackets = up ? rng.int(10_000, 90_000_000) : 0;
    const outPackets = up ? rng.int(10_000, 90_000_000) : 0;
    return {
      inPackets,
      outPackets,
      inBytes: inPackets * rng.int(64, 900),
      outBytes: outPackets * rng.int(64, 900),
      inMulticast: Math.floor(inPackets / rng.int(20, 200)),
      resets: rng.int(0, 4),
    };
  }

  private addInterface(rng: Prng, spec: NewInterface): InterfaceState {
    const { name, kind, macOffset, speed, linkUp } = spec;
    const iface = new InterfaceState(
      name,
      this.hardware.shortName(name),
      kind,
      this.interfaces.length + 1,
      formatMac(this.hardware.macPrefix, macOffset),
      speed,
      linkUp,
      this.counters(rng, linkUp),
    );
    this.interfaces.push(iface);
    return iface;
  }

  private generate(rng: Prng, macBase: number): void {
    const hw = this.hardware;
    const siteOctet = rng.int(1, 200);
    const uplinkCount = hw.ethernetCount >= 4 ? 2 : 1;

    if (hw.hasVlans) {
      this.vlans.set(1, { id: 1, name: 'default' });
      const count = rng.int(2, 4);
      const chosen = [...VLAN_CATALOG].sort(() => rng.next() - 0.5).slice(0, count);
      for (const vlan of chosen.sort((a, b) => a.id - b.id)) this.vlans.set(vlan.id, { ...vlan });
    }

    const mgmt = this.addInterface(rng, {
      name: hw.managementName,
      kind: 'management',
      macOffset: macBase,
      speed: 1000,
      linkUp: true,
    });
    mgmt.mode = 'routed';
    mgmt.ipv4 = { ...this.managementIp };

    const userVlans = [...this.vlans.keys()].filter((id) => id !== 1);
    for (let i = 0; i < hw.ethernetCount; i += 1) {
      const isUplink = i < uplinkCount;
      const iface = this.addInterface(rng, {
        name: hw.ethernetName(i),
        kind: 'ethernet',
        macOffset: macBase + i + 1,
        speed: hw.ethernetSpeedMbps,
        linkUp: isUplink || rng.bool(0.6),
      });
      if (isUplink || !hw.hasVlans) {
        iface.mode = 'routed';
        const peerIndex = i + 1;
        const p2p = `10.${siteOctet}.${200 + i}.`;
        iface.ipv4 = { address: `${p2p}1`, prefixLength: 30 };
        const peerName = `${PEER_NAMES[i % PEER_NAMES.length] ?? 'peer'}${peerIndex}`;
        iface.description = `uplink to ${peerName}`;
        iface.linkUp = true;
        const peerMac = formatMac('525400', rng.int(0, 0xffffff));
        this.arp.push({
          address: `${p2p}2`,
          mac: peerMac,
          interfaceName: iface.name,
          ageMinutes: rng.int(0, 200),
        });
        this.neighbors.push({
          localInterface: iface.name,
          deviceId: `${peerName}.${this.domain}`,
          portId: hw.ethernetName(rng.int(0, 7)),
          platform: hw.model,
          capabilities: 'R',
          holdTime: rng.int(90, 179),
          chassisMac: peerMac,
        });
        for (let r = 0; r < 3; r += 1) {
          this.routes.push({
            prefix: `10.${100 + i * 10 + r}.0.0`,
            prefixLength: 16,
            nextHop: `${p2p}2`,
            interfaceName: iface.name,
            protocol: 'ospf',
            metric: rng.int(2, 40),
          });
        }
      } else {
        iface.mode = 'access';
        iface.accessVlan = userVlans.length > 0 && rng.bool(0.85) ? rng.pick(userVlans) : 1;
        if (rng.bool(0.5)) iface.description = `${rng.pick(ACCESS_DESCRIPTIONS)}-${rng.int(1, 99)}`;
        if (rng.bool(0.08)) iface.adminUp = false;
      }
    }

    if (hw.loopbackName !== undefined) {
      const lo = this.addInterface(rng, {
        name: hw.loopbackName,
        kind: 'loopback',
        macOffset: macBase,
        speed: 8000,
        linkUp: true,
      });
      lo.mode = 'routed';
      lo.ipv4 = { address: `10.255.${siteOctet}.${rng.int(1, 254)}`, prefixLength: 32 };
    }
    if (hw.hasVlans) {
      for (const vlan of userVlans) {
        const svi = this.addInterface(rng, {
          name: hw.sviName(vlan),
          kind: 'svi',
          macOffset: macBase + 0x40,
          speed: 1000,
          linkUp: true,
        });
        svi.mode = 'routed';
        svi.ipv4 = { address: `10.${siteOctet}.${vlan}.1`, prefixLength: 24 };
        const hosts = rng.int(1, 3);
        for (let h = 0; h < hosts; h += 1) {
          this.arp.push({
            address: `10.${siteOctet}.${vlan}.${rng.int(10, 250)}`,
            mac: formatMac(
              rng.pick(['005056', '001b21', 'a4bb6d', '3c52a1']),
              rng.int(0, 0xffffff),
            ),
            interfaceName: svi.name,
            ageMinutes: rng.int(0, 240),
          });
        }
      }
    }
    this.arp.push({
      address: this.managementGateway,
      mac: formatMac('00000c', rng.int(0, 0xffffff)),
      interfaceName: mgmt.name,
      ageMinutes: rng.int(0, 30),
    });
  }

  // ---- queries ----

  findInterface(name: string): InterfaceState | undefined {
    const lower = name.toLowerCase();
    return this.interfaces.find(
      (i) => i.name.toLowerCase() === lower || i.shortName.toLowerCase() === lower,
    );
  }

  get uptimeSeconds(): number {
    return Math.max(0, Math.floor((Date.now() - this.bootTime.getTime()) / 1000));
  }

  /** All IPv4 addresses in CIDR notation. */
  get ipAddresses(): string[] {
    return this.interfaces.flatMap((i) =>
      i.ipv4 ? [`${i.ipv4.address}/${i.ipv4.prefixLength}`] : [],
    );
  }

  sortedVlans(): VlanState[] {
    return [...this.vlans.values()].sort((a, b) => a.id - b.id);
  }

  /** A command line arrived (before it runs, whatever its fate). */
  recordReceived(line: string): void {
    this.received.push(line);
    if (this.received.length > RECEIVED_KEPT)
      this.received.splice(0, this.received.length - RECEIVED_KEPT);
  }

  // ---- mutations (configuration commands) ----

  private touch(by: string): void {
    this.lastConfigChange = new Date();
    this.lastConfigChangeBy = by;
    this.configVersion += 1;
  }

  setHostname(hostname: string, by = 'admin'): void {
    this.hostname = hostname;
    this.touch(by);
  }

  setDescription(interfaceName: string, description: string, by = 'admin'): void {
    const iface = this.requireInterface(interfaceName);
    iface.description = description;
    this.touch(by);
  }

  setAdminUp(interfaceName: string, up: boolean, by = 'admin'): void {
    const iface = this.requireInterface(interfaceName);
    iface.adminUp = up;
    this.touch(by);
  }

  setAccessVlan(interfaceName: string, vlan: number, by = 'admin'): void {
    const iface = this.requireInterface(interfaceName);
    iface.mode = 'access';
    iface.accessVlan = vlan;
    if (!this.vlans.has(vlan)) this.vlans.set(vlan, { id: vlan, name: defaultVlanName(vlan) });
    this.touch(by);
  }

  createVlan(id: number, name?: string, by = 'admin'): VlanState {
    let vlan = this.vlans.get(id);
    if (!vlan) {
      vlan = { id, name: defaultVlanName(id) };
      this.vlans.set(id, vlan);
    }
    if (name !== undefined) vlan.name = name;
    this.touch(by);
    return vlan;
  }

  deleteVlan(id: number, by = 'admin'): boolean {
    const deleted = id !== 1 && this.vlans.delete(id);
    if (deleted) this.touch(by);
    return deleted;
  }

  private requireInterface(name: string): InterfaceState {
    const iface = this.findInterface(name);
    if (!iface) throw new Error(`unknown interface ${name}`);
    return iface;
  }
}

export function defaultVlanName(id: number): string {
  return `VLAN${String(id).padStart(4, '0')}`;
}

/** "3 weeks, 2 days, 4 hours, 12 minutes" (IOS style). */
export function formatUptimeIos(seconds: number): string {
  const minutes = Math.floor(seconds / 60) % 60;
  const hours = Math.floor(seconds / 3600) % 24;
  const totalDays = Math.floor(seconds / 86400);
  const years = Math.floor(totalDays / 365);
  const weeks = Math.floor((totalDays % 365) / 7);
  const days = (totalDays % 365) % 7;
  const parts: string[] = [];
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (years > 0) parts.push(unit(years, 'year'));
  if (weeks > 0) parts.push(unit(weeks, 'week'));
  if (days > 0) parts.push(unit(days, 'day'));
  if (hours > 0) parts.push(unit(hours, 'hour'));
  parts.push(unit(minutes, 'minute'));
  return parts.join(', ');
}

/** "1d02h" / "3w2d" / "00:12:33" (IOS route/neighbor age style). */
export function formatAgeShort(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  if (days >= 7) return `${Math.floor(days / 7)}w${days % 7}d`;
  if (days >= 1) return `${days}d${String(Math.floor((seconds % 86400) / 3600)).padStart(2, '0')}h`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "10:12:33 UTC Mon Nov 20 2023" */
export function formatCiscoDate(date: Date): string {
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${time} UTC ${DAYS[date.getUTCDay()] ?? ''} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCDate()} ${date.getUTCFullYear()}`;
}

/** "10:12:33.042 UTC Mon Nov 20 2023": formatCiscoDate with milliseconds, as `show clock`. */
export function formatCiscoClock(date: Date): string {
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  const [time, ...rest] = formatCiscoDate(date).split(' ');
  return `${time ?? ''}.${ms} ${rest.join(' ')}`;
}

/** "Mon Nov 20 10:12:33 2023" */
export function formatUnixDate(date: Date): string {
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${DAYS[date.getUTCDay()] ?? ''} ${MONTHS[date.getUTCMonth()] ?? ''} ${day} ${time} ${date.getUTCFullYear()}`;
}

/** "2023-11-20 10:12:33 UTC" */
export function formatIsoUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
