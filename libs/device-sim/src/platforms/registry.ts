/** Platform lookup: one module per platform, instantiated per device (enable secret is per device). */
import type { HardwareProfile } from '../device-state';
import type { PlatformId } from '../types';
import { createEosPlatform, EOS_HARDWARE } from './eos';
import { createIosPlatform, IOS_HARDWARE } from './ios';
import { createJunosPlatform, JUNOS_HARDWARE } from './junos';
import { createLinuxPlatform, LINUX_HARDWARE } from './linux';
import { createNxosPlatform, NXOS_HARDWARE } from './nxos';
import type { Platform } from './platform';

export const HARDWARE: Readonly<Record<PlatformId, HardwareProfile>> = {
  ios: IOS_HARDWARE,
  nxos: NXOS_HARDWARE,
  eos: EOS_HARDWARE,
  junos: JUNOS_HARDWARE,
  linux: LINUX_HARDWARE,
};

const cache = new Map<string, Platform>();

/** Platforms are stateless apart from the enable secret, so instances are shared per (platform, secret). */
export function getPlatform(id: PlatformId, enableSecret: string): Platform {
  const key = `${id}\0${enableSecret}`;
  let platform = cache.get(key);
  if (!platform) {
    switch (id) {
      case 'ios':
        platform = createIosPlatform(() => enableSecret);
        break;
      case 'nxos':
        platform = createNxosPlatform();
        break;
      case 'eos':
        platform = createEosPlatform(() => enableSecret);
        break;
      case 'junos':
        platform = createJunosPlatform();
        break;
      case 'linux':
        platform = createLinuxPlatform();
        break;
    }
    cache.set(key, platform);
  }
  return platform;
}
