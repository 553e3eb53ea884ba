import { PLATFORM_DRIVERS } from '@toolkit/contracts';
import type { PlatformDriver } from '@toolkit/contracts';

/**
 * The original's single alias table (case-insensitive, trimmed), mapped onto the drivers
 * our executors have. The original normalised the platform *name* at execution and the
 * slug elsewhere (DRIFT); we try the slug first, then the name. Platforms without a driver
 * (`cisco_asa`, `generic`, `autodetect`) map to none and cannot be executed against.
 */
const ALIASES: Readonly<Record<string, PlatformDriver>> = {
  ios: 'cisco_ios',
  cisco_ios: 'cisco_ios',
  iosxe: 'cisco_ios',
  'ios-xe': 'cisco_ios',
  ios_xe: 'cisco_ios',
  cisco_xe: 'cisco_ios',
  cisco_iosxe: 'cisco_ios',
  nxos: 'cisco_nxos',
  'nx-os': 'cisco_nxos',
  nx_os: 'cisco_nxos',
  cisco_nxos: 'cisco_nxos',
  nexus: 'cisco_nxos',
  iosxr: 'cisco_xr',
  'ios-xr': 'cisco_xr',
  ios_xr: 'cisco_xr',
  cisco_iosxr: 'cisco_xr',
  cisco_xr: 'cisco_xr',
  eos: 'arista_eos',
  arista_eos: 'arista_eos',
  junos: 'juniper_junos',
  juniper_junos: 'juniper_junos',
  linux: 'linux',
  frr: 'frr',
  frrouting: 'frr',
};

export function driverForPlatform(
  ...candidates: (string | null | undefined)[]
): PlatformDriver | null {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const key = candidate.trim().toLowerCase();
    const variants = [
      key,
      key.replace(/-/g, '_'),
      key.replace(/\s+/g, '_'),
      key.startsWith('cisco ') ? `cisco_${key.slice(6).trim().replace(/\s+/g, '_')}` : key,
      key.replace(/[\s-]+/g, ''),
    ];
    for (const variant of variants) {
      const driver = ALIASES[variant];
      if (driver) return driver;
    }
    if ((PLATFORM_DRIVERS as readonly string[]).includes(key)) return key as PlatformDriver;
  }
  return null;
}
